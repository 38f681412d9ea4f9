using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Transforms;

namespace CausalMmm;

/// <summary>Transforms as catalog methods: <c>mlContext.CausalMmm().Transforms.Adstock(...)</c>, <c>.Hill(...)</c>.</summary>
public static class TransformsCatalogExtensions
{
    /// <summary>Adstock (carry-over) with named arguments; unset parameters are fitted per channel.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="inputColumnNames">Columns to transform; null means every channel.</param>
    /// <param name="labelColumnName">The label the decays are fitted against; null takes the catalog's schema or infers it.</param>
    /// <param name="kind">Carry-over shape.</param>
    /// <param name="decay">A decay fixed for every channel; null fits it.</param>
    /// <param name="maxLag">Longest lag of the delayed kind.</param>
    public static AdstockEstimator Adstock(this CausalMmmCatalog.TransformsCatalog catalog, string[]? inputColumnNames = null, string? labelColumnName = null,
        AdstockKind kind = AdstockEstimator.Options.Defaults.Kind, double? decay = null, int maxLag = AdstockEstimator.Options.Defaults.MaxLag) =>
        Adstock(catalog, new AdstockEstimator.Options { InputColumnNames = inputColumnNames, LabelColumnName = labelColumnName, Kind = kind, Decay = decay, MaxLag = maxLag });

    /// <summary>Adstock with every setting in <paramref name="options"/>.</summary>
    public static AdstockEstimator Adstock(this CausalMmmCatalog.TransformsCatalog catalog, AdstockEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AdstockEstimator(catalog.Root, options);
    }

    /// <summary>Hill saturation with named arguments; unset parameters are fitted per channel.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="inputColumnNames">Columns to transform; null means each channel's most derived column (its adstock when there is one).</param>
    /// <param name="labelColumnName">The label the curves are fitted against; null takes the catalog's schema or infers it.</param>
    /// <param name="halfSaturation">K fixed for every channel (multiples of the shop's average spend); null fits it.</param>
    /// <param name="slope">S fixed for every channel; null fits it.</param>
    public static HillEstimator Hill(this CausalMmmCatalog.TransformsCatalog catalog, string[]? inputColumnNames = null, string? labelColumnName = null,
        double? halfSaturation = null, double? slope = null) =>
        Hill(catalog, new HillEstimator.Options { InputColumnNames = inputColumnNames, LabelColumnName = labelColumnName, HalfSaturation = halfSaturation, Slope = slope });

    /// <summary>Hill saturation with every setting in <paramref name="options"/>.</summary>
    public static HillEstimator Hill(this CausalMmmCatalog.TransformsCatalog catalog, HillEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new HillEstimator(catalog.Root, options);
    }
}

/// <summary>Graph learners as catalog methods: <c>mlContext.CausalMmm().CausalDiscovery.Trainers.CausalGraph(...)</c>, <c>LinearGranger(...)</c>.</summary>
public static class CausalDiscoveryCatalogExtensions
{
    /// <summary>
    /// CausalMMM graph learning with named arguments and the graph estimator's defaults (same-day media edges through
    /// response curves, the pair-convolution encoder with Granger scores, three-step messages; see
    /// <see cref="CausalGraphEstimator.Options"/>).
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="labelColumnName">The target; null takes the catalog's schema or infers it.</param>
    /// <param name="epochs">The most training epochs; training stops earlier on a plateau.</param>
    /// <param name="hiddenSize">Width of the encoder and decoder.</param>
    /// <param name="batchSize">Shops per batch.</param>
    public static CausalGraphEstimator CausalGraph(this CausalMmmCatalog.CausalDiscoveryTrainers catalog, string? labelColumnName = null, int epochs = CausalMmmOptions.Defaults.Epochs,
        int hiddenSize = CausalMmmOptions.Defaults.HiddenSize, int batchSize = CausalMmmOptions.Defaults.BatchSize) =>
        CausalGraph(catalog, new CausalGraphEstimator.Options { LabelColumnName = labelColumnName, Epochs = epochs, HiddenSize = hiddenSize, BatchSize = batchSize });

    /// <summary>CausalMMM graph learning with every setting in <paramref name="options"/>.</summary>
    public static CausalGraphEstimator CausalGraph(this CausalMmmCatalog.CausalDiscoveryTrainers catalog, CausalGraphEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CausalGraphEstimator(catalog.Root, options);
    }

    /// <summary>
    /// The Linear Granger graph (a ridge VAR per shop), the baseline a learned graph must beat, adding the same
    /// <c>Graph</c> column as <see cref="CausalGraph(CausalMmmCatalog.CausalDiscoveryTrainers, CausalGraphEstimator.Options)"/>.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="labelColumnName">The target; null takes the catalog's schema or infers it.</param>
    /// <param name="lags">VAR order.</param>
    /// <param name="ridge">Ridge penalty on the standardised lags.</param>
    public static LinearGrangerGraphEstimator LinearGranger(this CausalMmmCatalog.CausalDiscoveryTrainers catalog, string? labelColumnName = null,
        int lags = LinearGrangerGraphEstimator.Options.Defaults.Lags, double ridge = LinearGrangerGraphEstimator.Options.Defaults.Ridge) =>
        LinearGranger(catalog, new LinearGrangerGraphEstimator.Options { LabelColumnName = labelColumnName, Lags = lags, Ridge = ridge });

    /// <summary>The Linear Granger graph with every setting in <paramref name="options"/>.</summary>
    public static LinearGrangerGraphEstimator LinearGranger(this CausalMmmCatalog.CausalDiscoveryTrainers catalog, LinearGrangerGraphEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LinearGrangerGraphEstimator(catalog.Root, options);
    }
}

/// <summary>Forecasters as catalog methods: <c>mlContext.CausalMmm().Forecasting.Trainers.MarketingResponse(...)</c>, <c>Ridge(...)</c>, <c>Wide(...)</c>, <c>Naive(...)</c>.</summary>
public static class ForecastingCatalogExtensions
{
    /// <summary>The causal forecaster with named arguments.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="labelColumnName">The target; null takes the catalog's schema or infers it.</param>
    /// <param name="mode">Scenario (spends given) or autonomous.</param>
    /// <param name="graph">A known graph used when the input has no graph column; null falls back to the full graph.</param>
    /// <param name="epochs">The most decoder training epochs; training stops earlier on a plateau.</param>
    public static MarketingResponseForecaster MarketingResponse(this CausalMmmCatalog.ForecastingTrainers catalog, string? labelColumnName = null,
        ForecastMode mode = MarketingResponseForecaster.Options.Defaults.Mode, CausalGraphSet? graph = null, int epochs = CausalMmmOptions.Defaults.Epochs) =>
        MarketingResponse(catalog, new MarketingResponseForecaster.Options { LabelColumnName = labelColumnName, Mode = mode, Graph = graph, Epochs = epochs });

    /// <summary>The causal forecaster with every setting in <paramref name="options"/>.</summary>
    public static MarketingResponseForecaster MarketingResponse(this CausalMmmCatalog.ForecastingTrainers catalog, MarketingResponseForecaster.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MarketingResponseForecaster(catalog.Root, options);
    }

    /// <summary>The classic-MMM ridge regression per shop, with named arguments.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="labelColumnName">The target; null takes the catalog's schema or infers it.</param>
    /// <param name="featureColumnNames">Regressors; null means each channel's most derived column plus covariates.</param>
    /// <param name="lambda">Ridge penalty on standardised features.</param>
    public static RidgeEstimator Ridge(this CausalMmmCatalog.ForecastingTrainers catalog, string? labelColumnName = null, string[]? featureColumnNames = null,
        double lambda = RidgeEstimator.Options.Defaults.Lambda) =>
        Ridge(catalog, new RidgeEstimator.Options { LabelColumnName = labelColumnName, FeatureColumnNames = featureColumnNames, Lambda = lambda });

    /// <summary>The ridge regression with every setting in <paramref name="options"/>.</summary>
    public static RidgeEstimator Ridge(this CausalMmmCatalog.ForecastingTrainers catalog, RidgeEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RidgeEstimator(catalog.Root, options);
    }

    /// <summary>The Wide-and-Deep style baseline with named arguments.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="labelColumnName">The target; null takes the catalog's schema or infers it.</param>
    /// <param name="lags">Dates of each channel read.</param>
    /// <param name="hiddenSize">Deep part width.</param>
    /// <param name="epochs">Full-batch Adam steps.</param>
    public static WideEstimator Wide(this CausalMmmCatalog.ForecastingTrainers catalog, string? labelColumnName = null, int lags = WideEstimator.Options.Defaults.Lags,
        int hiddenSize = WideEstimator.Options.Defaults.HiddenSize, int epochs = WideEstimator.Options.Defaults.Epochs) =>
        Wide(catalog, new WideEstimator.Options { LabelColumnName = labelColumnName, Lags = lags, HiddenSize = hiddenSize, Epochs = epochs });

    /// <summary>The Wide-and-Deep style baseline with every setting in <paramref name="options"/>.</summary>
    public static WideEstimator Wide(this CausalMmmCatalog.ForecastingTrainers catalog, WideEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new WideEstimator(catalog.Root, options);
    }

    /// <summary>
    /// A naive forecast (each shop's last value, the value one season earlier, or its recent mean): the baseline every
    /// forecaster must beat on a holdout, scored the same way as the others.
    /// </summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="method">Which naive forecast.</param>
    /// <param name="labelColumnName">The target; null takes the catalog's schema or infers it.</param>
    public static NaiveForecastEstimator Naive(this CausalMmmCatalog.ForecastingTrainers catalog, NaiveMethod method = NaiveMethod.LastValue, string? labelColumnName = null) =>
        Naive(catalog, new NaiveForecastEstimator.Options { Method = method, LabelColumnName = labelColumnName });

    /// <summary>The naive forecast with every setting in <paramref name="options"/>.</summary>
    public static NaiveForecastEstimator Naive(this CausalMmmCatalog.ForecastingTrainers catalog, NaiveForecastEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new NaiveForecastEstimator(catalog.Root, options);
    }
}
