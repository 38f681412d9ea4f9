using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Pipeline;
using CausalMmm.Simulation;
using CausalMmm.Transforms;

namespace CausalMmm;

/// <summary>Base of the catalogs: each knows its context so components share seed, progress and logging.</summary>
public abstract class MmmCatalog
{
    private protected MmmCatalog(MmmContext context) => Context = context;

    /// <summary>The context that created this catalog.</summary>
    public MmmContext Context { get; }
}

/// <summary>Loading, simulating, splitting and writing panels.</summary>
public sealed class DataCatalog : MmmCatalog
{
    internal DataCatalog(MmmContext context) : base(context)
    {
    }

    /// <summary>Reads a wide CSV (one row per shop and date) with roles from <paramref name="schema"/> or inferred from column names.</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message names the file, line, column and value.</exception>
    public MarketingPanel LoadCsv(string path, MarketingSchema? schema = null) => PanelCsv.ReadWide(path, schema);

    /// <summary>Reads a long CSV (<c>shop,date,variable,value</c>).</summary>
    /// <exception cref="PanelDataException">The data is invalid; the message names the file, line, column and value.</exception>
    public MarketingPanel LoadLongCsv(string path, MarketingSchema? schema = null) => PanelCsv.ReadLong(path, schema);

    /// <summary>Writes a panel as wide CSV, atomically.</summary>
    public void SaveCsv(MarketingPanel panel, string path) => PanelCsv.WriteWide(panel, path);

    /// <summary>Splits by time: the first <c>Length - holdoutSteps</c> steps to train on, and the whole panel with its last steps marked as holdout.</summary>
    public (MarketingPanel TrainSet, MarketingPanel TestSet) TrainTestSplitByTime(MarketingPanel panel, int holdoutSteps)
    {
        ArgumentNullException.ThrowIfNull(panel);
        return panel.SplitByTime(holdoutSteps);
    }

    /// <summary>Splits the shops at random with the context's seed.</summary>
    public (MarketingPanel TrainSet, MarketingPanel TestSet) TrainTestSplitByShop(MarketingPanel panel, double testFraction = 0.2)
    {
        ArgumentNullException.ThrowIfNull(panel);
        return panel.SplitByShop(testFraction, Context.NextSeed());
    }

    /// <summary>
    /// Simulates a marketing panel with plausible business numbers and a known graph (see <see cref="MarketingSimulator"/>);
    /// the seed defaults to the context's next seed.
    /// </summary>
    public (MarketingPanel Panel, IReadOnlyDictionary<string, bool[,]> TrueGraphs) SimulateMarketing(int shops = MarketingSimulationOptions.Defaults.Shops,
        int length = MarketingSimulationOptions.Defaults.Length, int channels = MarketingSimulationOptions.Defaults.Channels, int? seed = null) =>
        MarketingSimulator.Simulate(new MarketingSimulationOptions { Shops = shops, Length = length, Channels = channels, Seed = seed ?? Context.NextSeed() });

    /// <summary>
    /// Simulates a panel with known causal graphs (the paper's Simulation 1 or 2) and returns it with the true
    /// graph of every shop. The simulator's series go below zero, so channels are declared unconstrained.
    /// </summary>
    public (MarketingPanel Panel, IReadOnlyDictionary<string, bool[,]> TrueGraphs) Simulate(SyntheticPanelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SyntheticDataset data = SyntheticPanelGenerator.Generate(options);
        var panel = MarketingPanel.FromNumeric(data.Panel, new DateOnly(2024, 1, 1), unconstrained: true);
        var truth = data.Panel.ShopIds.Select((id, s) => (id, s)).ToDictionary(p => p.id, p => data.TrueGraph(p.s));
        return (panel, truth);
    }
}

/// <summary>Feature transforms. Components attach as extension methods (see <see cref="TransformsCatalogExtensions"/>).</summary>
public sealed class TransformsCatalog : MmmCatalog
{
    internal TransformsCatalog(MmmContext context) : base(context)
    {
    }
}

/// <summary>Causal discovery: trainers and graph metrics.</summary>
public sealed class CausalDiscoveryCatalog : MmmCatalog
{
    internal CausalDiscoveryCatalog(MmmContext context) : base(context) => Trainers = new CausalDiscoveryTrainers(context);

    /// <summary>Graph learners (see <see cref="CausalDiscoveryCatalogExtensions"/>).</summary>
    public CausalDiscoveryTrainers Trainers { get; }

    /// <summary>AUROC and accuracy of the graphs attached to <paramref name="scored"/> against known graphs.</summary>
    public GraphEvaluation Evaluate(MarketingPanel scored, IReadOnlyDictionary<string, bool[,]> trueGraphs) => PanelEvaluation.Graphs(scored, trueGraphs);
}

/// <summary>Where graph learners attach.</summary>
public sealed class CausalDiscoveryTrainers : MmmCatalog
{
    internal CausalDiscoveryTrainers(MmmContext context) : base(context)
    {
    }
}

/// <summary>Forecasting: trainers (the causal forecaster and the baselines) and forecast metrics.</summary>
public sealed class ForecastingCatalog : MmmCatalog
{
    internal ForecastingCatalog(MmmContext context) : base(context) => Trainers = new ForecastingTrainers(context);

    /// <summary>Forecasters (see <see cref="ForecastingCatalogExtensions"/>).</summary>
    public ForecastingTrainers Trainers { get; }

    /// <summary>MSE, MAE, MAPE and R² per horizon of the forecast attached to <paramref name="scored"/>, on the original scale.</summary>
    /// <param name="scored">Output of a forecasting transformer.</param>
    /// <param name="variable">The variable to score; null scores the target.</param>
    public ForecastEvaluation Evaluate(MarketingPanel scored, string? variable = null) => PanelEvaluation.Forecast(scored, variable);
}

/// <summary>Where forecasters attach.</summary>
public sealed class ForecastingTrainers : MmmCatalog
{
    internal ForecastingTrainers(MmmContext context) : base(context)
    {
    }
}

/// <summary>Saving and loading fitted pipelines (one checksummed zip; see DESIGN section 9).</summary>
public sealed class ModelCatalog : MmmCatalog
{
    internal ModelCatalog(MmmContext context) : base(context)
    {
    }

    /// <summary>Writes <paramref name="model"/> (a transformer or a chain) to <paramref name="path"/>, atomically.</summary>
    public void Save(ITransformer model, string path) => ModelFile.Save(model, path);

    /// <summary>Reads a model; a chain comes back as a <see cref="TransformerChain{TLast}"/> of <see cref="ITransformer"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a model, is of an unknown version or kind, or is damaged.</exception>
    public ITransformer Load(string path) => ModelFile.Load(path);

    /// <summary>
    /// Reads a chain whose last transformer is a <typeparamref name="TLast"/>, so its fitted parameters need no cast:
    /// <c>ctx.Model.Load&lt;RidgeTransformer&gt;(path).LastTransformer.Parameters</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be read or its last component is of another type.</exception>
    public TransformerChain<TLast> Load<TLast>(string path) where TLast : class, ITransformer
    {
        ITransformer loaded = ModelFile.Load(path);
        IReadOnlyList<ITransformer> parts = loaded is ITransformerChain chain ? chain.Transformers : new[] { loaded };
        if (parts[^1] is not TLast)
            throw new InvalidDataException($"The model '{path}' ends with a {parts[^1].GetType().Name}, not a {typeof(TLast).Name}. Load it untyped with Load(path).");
        return new TransformerChain<TLast>(parts);
    }
}

/// <summary>Transforms as catalog methods: <c>ctx.Transforms.Adstock(...)</c>, <c>ctx.Transforms.Hill(...)</c>.</summary>
public static class TransformsCatalogExtensions
{
    /// <summary>Adstock with named arguments; unset parameters are fitted per channel.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="kind">Carry-over shape.</param>
    /// <param name="decay">A decay fixed for every channel; null fits it.</param>
    /// <param name="inputColumns">Series to transform; null means every channel.</param>
    /// <param name="maxLag">Longest lag of the delayed kind.</param>
    public static AdstockEstimator Adstock(this TransformsCatalog catalog, AdstockKind kind = AdstockEstimator.Options.Defaults.Kind,
        double? decay = null, IEnumerable<string>? inputColumns = null, int maxLag = AdstockEstimator.Options.Defaults.MaxLag) =>
        new(new AdstockEstimator.Options { Kind = kind, Decay = decay, InputColumns = inputColumns?.ToList(), MaxLag = maxLag });

    /// <summary>Adstock with every setting in <paramref name="options"/>.</summary>
    public static AdstockEstimator Adstock(this TransformsCatalog catalog, AdstockEstimator.Options options) => new(options);

    /// <summary>Hill saturation with named arguments; unset parameters are fitted per channel.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="halfSaturation">K fixed for every channel (multiples of the shop's average spend); null fits it.</param>
    /// <param name="slope">S fixed for every channel; null fits it.</param>
    /// <param name="inputColumns">Series to transform; null means each channel's most derived series.</param>
    public static HillEstimator Hill(this TransformsCatalog catalog, double? halfSaturation = null, double? slope = null, IEnumerable<string>? inputColumns = null) =>
        new(new HillEstimator.Options { HalfSaturation = halfSaturation, Slope = slope, InputColumns = inputColumns?.ToList() });

    /// <summary>Hill saturation with every setting in <paramref name="options"/>.</summary>
    public static HillEstimator Hill(this TransformsCatalog catalog, HillEstimator.Options options) => new(options);
}

/// <summary>Graph learners as catalog methods: <c>ctx.CausalDiscovery.Trainers.CausalGraph(...)</c>.</summary>
public static class CausalDiscoveryCatalogExtensions
{
    /// <summary>CausalMMM graph learning with named arguments; everything else takes <see cref="CausalMmmOptions.Defaults"/>.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="epochs">Training epochs.</param>
    /// <param name="hiddenSize">Width of the encoder and decoder.</param>
    /// <param name="batchSize">Shops per batch.</param>
    /// <param name="variant">The model or one of the paper's ablations.</param>
    public static CausalGraphEstimator CausalGraph(this CausalDiscoveryTrainers catalog, int epochs = CausalMmmOptions.Defaults.Epochs,
        int hiddenSize = CausalMmmOptions.Defaults.HiddenSize, int batchSize = CausalMmmOptions.Defaults.BatchSize, CausalMmmVariant variant = CausalMmmVariant.CausalMmm) =>
        new(catalog.Context, new CausalGraphEstimator.Options { Model = new CausalMmmOptions { Epochs = epochs, HiddenSize = hiddenSize, BatchSize = batchSize, Variant = variant } });

    /// <summary>CausalMMM graph learning with every setting in <paramref name="options"/>.</summary>
    public static CausalGraphEstimator CausalGraph(this CausalDiscoveryTrainers catalog, CausalGraphEstimator.Options options) => new(catalog.Context, options);
}

/// <summary>Forecasters as catalog methods: <c>ctx.Forecasting.Trainers.MarketingResponse(...)</c>, <c>Ridge(...)</c>, <c>Wide(...)</c>.</summary>
public static class ForecastingCatalogExtensions
{
    /// <summary>The causal forecaster with named arguments.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="horizon">Steps forecast when the panel marks no holdout.</param>
    /// <param name="mode">Scenario (spends given) or autonomous.</param>
    /// <param name="graph">A known graph used when no upstream graphs are attached; null falls back to the full graph.</param>
    /// <param name="epochs">Decoder training epochs.</param>
    public static MarketingResponseForecaster MarketingResponse(this ForecastingTrainers catalog, int horizon = MarketingResponseForecaster.Options.Defaults.Horizon,
        ForecastMode mode = MarketingResponseForecaster.Options.Defaults.Mode, CausalGraphSet? graph = null, int epochs = CausalMmmOptions.Defaults.Epochs) =>
        new(catalog.Context, new MarketingResponseForecaster.Options { Horizon = horizon, Mode = mode, Graph = graph, Model = new CausalMmmOptions { Epochs = epochs } });

    /// <summary>The causal forecaster with every setting in <paramref name="options"/>.</summary>
    public static MarketingResponseForecaster MarketingResponse(this ForecastingTrainers catalog, MarketingResponseForecaster.Options options) => new(catalog.Context, options);

    /// <summary>The classic-MMM ridge regression with named arguments.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="lambda">Ridge penalty on standardised features.</param>
    /// <param name="featureColumns">Regressors; null means each channel's most derived series plus covariates.</param>
    /// <param name="horizon">Steps forecast when the panel marks no holdout.</param>
    public static RidgeEstimator Ridge(this ForecastingTrainers catalog, double lambda = RidgeEstimator.Options.Defaults.Lambda,
        IEnumerable<string>? featureColumns = null, int horizon = RidgeEstimator.Options.Defaults.Horizon) =>
        new(new RidgeEstimator.Options { Lambda = lambda, FeatureColumns = featureColumns?.ToList(), Horizon = horizon });

    /// <summary>The ridge regression with every setting in <paramref name="options"/>.</summary>
    public static RidgeEstimator Ridge(this ForecastingTrainers catalog, RidgeEstimator.Options options) => new(options);

    /// <summary>The Wide-and-Deep style baseline with named arguments.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="lags">Steps of each channel read.</param>
    /// <param name="hiddenSize">Deep part width.</param>
    /// <param name="epochs">Full-batch Adam steps.</param>
    /// <param name="horizon">Steps forecast when the panel marks no holdout.</param>
    public static WideEstimator Wide(this ForecastingTrainers catalog, int lags = WideEstimator.Options.Defaults.Lags, int hiddenSize = WideEstimator.Options.Defaults.HiddenSize,
        int epochs = WideEstimator.Options.Defaults.Epochs, int horizon = WideEstimator.Options.Defaults.Horizon) =>
        new(catalog.Context, new WideEstimator.Options { Lags = lags, HiddenSize = hiddenSize, Epochs = epochs, Horizon = horizon });

    /// <summary>The Wide-and-Deep style baseline with every setting in <paramref name="options"/>.</summary>
    public static WideEstimator Wide(this ForecastingTrainers catalog, WideEstimator.Options options) => new(catalog.Context, options);
}
