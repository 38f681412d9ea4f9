using CausalMmm.Data;
using CausalMmm.Pipeline;
using CausalMmm.Transforms;
using MathNet.Numerics.LinearAlgebra;

namespace CausalMmm.Forecasting;

/// <summary>One shop's fitted regression, in the original units of the features and the target.</summary>
/// <param name="Intercept">The target when every feature is zero.</param>
/// <param name="Coefficients">Target change per unit of each feature, in <see cref="RidgeParameters.Features"/> order.</param>
/// <param name="TrainingRSquared">R² on the fitting steps.</param>
public sealed record ShopRegression(double Intercept, double[] Coefficients, double TrainingRSquared);

/// <summary>Fitted ridge regressions, one per shop.</summary>
/// <param name="Target">The regressed variable.</param>
/// <param name="Features">The regressors.</param>
/// <param name="Lambda">The ridge penalty on standardised features.</param>
/// <param name="Shops">Per shop id, its regression.</param>
public sealed record RidgeParameters(string Target, IReadOnlyList<string> Features, double Lambda, IReadOnlyDictionary<string, ShopRegression> Shops)
{
    /// <summary>
    /// The contribution of each feature to the target at every step of shop <paramref name="shopIndex"/> in
    /// <paramref name="panel"/>: coefficient times feature value, [step, feature].
    /// </summary>
    public double[,] Contributions(MarketingPanel panel, int shopIndex)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ShopRegression r = Shops.TryGetValue(panel.ShopIds[shopIndex], out ShopRegression? found) ? found
            : throw new ArgumentException($"Shop '{panel.ShopIds[shopIndex]}' has no regression.", nameof(shopIndex));
        var result = new double[panel.Length, Features.Count];
        for (int f = 0; f < Features.Count; f++)
        {
            double[] x = panel.GetSeries(shopIndex, Features[f]);
            for (int t = 0; t < panel.Length; t++) result[t, f] = r.Coefficients[f] * x[t];
        }
        return result;
    }
}

/// <summary>
/// The classic marketing-mix model: per shop, the target regressed on transformed channel features (by default each
/// channel's most derived series, so <c>Adstock().Append(Hill()).Append(Ridge())</c> regresses on saturated adstock)
/// plus covariates, with a ridge penalty on standardised features (MathNet.Numerics). The transformer forecasts the
/// target over the holdout from the features there: a scenario forecast, with spends given.
/// </summary>
public sealed class RidgeEstimator : IEstimator<RidgeTransformer>
{
    /// <summary>Settings of <see cref="RidgeEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Ridge penalty on standardised features; 1 is mild for 100+ steps.</summary>
            public const double Lambda = 1.0;

            /// <summary>Steps forecast when the panel marks no holdout.</summary>
            public const int Horizon = 7;
        }

        /// <summary>Ridge penalty (λ ≥ 0) on standardised features.</summary>
        public double Lambda { get; set; } = Defaults.Lambda;

        /// <summary>Regressors; null means each channel's most derived series plus the covariates.</summary>
        public IList<string>? FeatureColumns { get; set; }

        /// <summary>Steps forecast when the panel marks no holdout.</summary>
        public int Horizon { get; set; } = Defaults.Horizon;
    }

    private readonly Options _options;

    /// <summary>Creates the estimator.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RidgeEstimator(Options? options = null)
    {
        _options = options ?? new Options();
        if (!(_options.Lambda >= 0)) throw new ArgumentException($"Lambda must be non-negative, got {_options.Lambda}.", nameof(options));
        if (_options.Horizon < 1) throw new ArgumentException($"Horizon must be at least 1, got {_options.Horizon}.", nameof(options));
    }

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaRules.RequireChannelsAndTarget(inputSchema, nameof(RidgeEstimator));
        SchemaRules.RequireSeries(inputSchema, Features(inputSchema), nameof(RidgeEstimator));
        return inputSchema.WithForecasts(new[] { inputSchema.Target.Name });
    }

    /// <summary>Fits one regression per shop on the steps before the holdout.</summary>
    public RidgeTransformer Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        string[] features = Features(input.Schema);
        string target = input.Target.Name;
        int steps = input.HistoryEnd, p = features.Length;
        if (steps < 3) throw new ArgumentException($"{nameof(RidgeEstimator)}: {steps} steps of history are too few to fit a regression; give at least 3.", nameof(input));
        var shops = new Dictionary<string, ShopRegression>(StringComparer.Ordinal);
        for (int s = 0; s < input.ShopCount; s++)
        {
            double[][] x = features.Select(f => input.GetSeries(s, f)[..steps]).ToArray();
            double[] y = input.GetSeries(s, target)[..steps];
            double[] mean = x.Select(c => c.Average()).ToArray();
            double[] sd = x.Select((c, f) => Math.Sqrt(c.Sum(v => (v - mean[f]) * (v - mean[f])) / steps)).Select(v => v > 1e-12 ? v : 1).ToArray();
            double yMean = y.Average();
            Matrix<double> design = Matrix<double>.Build.Dense(steps, p, (t, f) => (x[f][t] - mean[f]) / sd[f]);
            Vector<double> centred = Vector<double>.Build.Dense(steps, t => y[t] - yMean);
            Matrix<double> gram = design.TransposeThisAndMultiply(design) + Matrix<double>.Build.DenseIdentity(p) * Math.Max(_options.Lambda, 1e-10);
            Vector<double> beta = gram.Cholesky().Solve(design.TransposeThisAndMultiply(centred));
            double[] coefficients = Enumerable.Range(0, p).Select(f => beta[f] / sd[f]).ToArray();
            double intercept = yMean - Enumerable.Range(0, p).Sum(f => coefficients[f] * mean[f]);
            double sse = 0, sst = 0;
            for (int t = 0; t < steps; t++)
            {
                double fitted = intercept + Enumerable.Range(0, p).Sum(f => coefficients[f] * x[f][t]);
                sse += (y[t] - fitted) * (y[t] - fitted);
                sst += (y[t] - yMean) * (y[t] - yMean);
            }
            shops[input.ShopIds[s]] = new ShopRegression(intercept, coefficients, sst > 0 ? 1 - sse / sst : double.NaN);
        }
        return new RidgeTransformer(new RidgeParameters(target, features, _options.Lambda, shops), _options.Horizon);
    }

    private string[] Features(PanelSchema schema) => _options.FeatureColumns?.ToArray()
        ?? SchemaRules.LatestPerChannel(schema).Concat(schema.WithRole(VariableRole.Covariate).Select(v => v.Name)).ToArray();
}

/// <summary>Forecasts the target over the holdout from the features there. Immutable, so safe from many threads.</summary>
public sealed class RidgeTransformer : ITransformer
{
    internal const string Kind = "CausalMmm.Ridge";

    internal RidgeTransformer(RidgeParameters parameters, int horizon)
    {
        Parameters = parameters;
        Horizon = horizon;
    }

    /// <summary>The fitted regressions.</summary>
    public RidgeParameters Parameters { get; }

    /// <summary>Steps forecast when the panel marks no holdout.</summary>
    public int Horizon { get; }

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        SchemaRules.RequireSeries(inputSchema, Parameters.Features.Append(Parameters.Target), nameof(RidgeTransformer));
        if (inputSchema.Find(Parameters.Target)!.Role != VariableRole.Target)
            throw new ArgumentException($"{nameof(RidgeTransformer)}: '{Parameters.Target}' was the target when fitting but is a {inputSchema.Find(Parameters.Target)!.Role} in the input.");
        return inputSchema.WithForecasts(new[] { Parameters.Target });
    }

    /// <summary>Attaches the target forecast of every shop over the holdout (or the last <see cref="Horizon"/> steps).</summary>
    /// <exception cref="ArgumentException">A shop has no fitted regression or a feature is missing.</exception>
    public MarketingPanel Transform(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        (int origin, int steps) = ForecastWindow.Of(input, Horizon, nameof(RidgeTransformer));
        var values = new double[input.ShopCount][,];
        for (int s = 0; s < input.ShopCount; s++)
        {
            if (!Parameters.Shops.TryGetValue(input.ShopIds[s], out ShopRegression? r))
                throw new ArgumentException($"{nameof(RidgeTransformer)}: shop '{input.ShopIds[s]}' has no fitted regression (the classic model is per shop). Fit on a panel that includes it.");
            double[][] x = Parameters.Features.Select(f => input.GetSeries(s, f)).ToArray();
            values[s] = new double[steps, 1];
            for (int h = 0; h < steps; h++)
                values[s][h, 0] = r.Intercept + x.Select((series, f) => r.Coefficients[f] * series[origin + h]).Sum();
        }
        return input.WithForecast(new PanelForecast(input.ShopIds, new[] { Parameters.Target }, origin, ForecastMode.Scenario, values));
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        context.WriteJson("parameters", new Stored(Parameters.Target, Parameters.Features.ToArray(), Parameters.Lambda, Horizon,
            Parameters.Shops.ToDictionary(kv => kv.Key, kv => kv.Value)));
    }

    internal static RidgeTransformer Load(ModelLoadContext context)
    {
        if (context.Version != 1) throw new InvalidDataException($"ridge version {context.Version} is not supported (this library reads version 1)");
        Stored stored = context.ReadJson<Stored>("parameters");
        if (stored.Shops.Values.Any(r => r.Coefficients.Length != stored.Features.Length))
            throw new InvalidDataException("ridge coefficients do not match its features");
        return new RidgeTransformer(new RidgeParameters(stored.Target, stored.Features, stored.Lambda, stored.Shops), stored.Horizon);
    }

    private sealed record Stored(string Target, string[] Features, double Lambda, int Horizon, Dictionary<string, ShopRegression> Shops);
}
