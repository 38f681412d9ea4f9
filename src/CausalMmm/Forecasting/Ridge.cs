using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using CausalMmm.Transforms;
using Microsoft.ML;
using MathNet.Numerics.LinearAlgebra;

namespace CausalMmm.Forecasting;

/// <summary>One shop's fitted regression, in the original units of the features and the target.</summary>
/// <param name="Intercept">The target when every feature is zero.</param>
/// <param name="Coefficients">Target change per unit of each feature, in <see cref="RidgeParameters.Features"/> order.</param>
/// <param name="TrainingRSquared">R² on the fitting steps.</param>
/// <param name="BaselineCoefficients">
/// Target change per unit of each baseline term (<see cref="RidgeParameters.BaselineTerms"/>: the calendar terms, then the
/// trend), or null for a regression without baseline terms.
/// </param>
public sealed record ShopRegression(double Intercept, double[] Coefficients, double TrainingRSquared, double[]? BaselineCoefficients = null)
{
    /// <summary>The shop's baseline beyond the intercept on a date whose baseline terms are <paramref name="terms"/>: zero without baseline terms.</summary>
    /// <exception cref="ArgumentException">The terms do not match the baseline coefficients one for one.</exception>
    public double Baseline(double[] terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (BaselineCoefficients is null) return 0;
        if (terms.Length != BaselineCoefficients.Length)
            throw new ArgumentException($"{terms.Length} baseline terms were given for {BaselineCoefficients.Length} coefficients.", nameof(terms));
        double sum = 0;
        for (int k = 0; k < terms.Length; k++) sum += BaselineCoefficients[k] * terms[k];
        return sum;
    }
}

/// <summary>Fitted ridge regressions, one per shop.</summary>
/// <param name="Target">The regressed variable.</param>
/// <param name="Features">The regressors.</param>
/// <param name="Lambda">The ridge penalty on standardised features.</param>
/// <param name="Shops">Per shop id, its regression.</param>
/// <param name="Seasonal">The calendar terms of the baseline, or null for none.</param>
/// <param name="TrendOrigin">Where the linear trend term is zero (it counts years from there), or null for no trend.</param>
public sealed record RidgeParameters(string Target, IReadOnlyList<string> Features, double Lambda, IReadOnlyDictionary<string, ShopRegression> Shops,
    SeasonalTerms? Seasonal = null, DateOnly? TrendOrigin = null)
{
    /// <summary>
    /// The baseline terms of <paramref name="date"/>, in the order of <see cref="ShopRegression.BaselineCoefficients"/>:
    /// the calendar terms, then the years since <see cref="TrendOrigin"/>. Empty without baseline terms.
    /// </summary>
    public double[] BaselineTerms(DateOnly date)
    {
        double[] calendar = Seasonal?.At(date) ?? Array.Empty<double>();
        return TrendOrigin is DateOnly origin ? calendar.Append((date.DayNumber - origin.DayNumber) / 365.25).ToArray() : calendar;
    }

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
/// The classic marketing-mix model: per shop, the label regressed on transformed channel features (by default each
/// channel's most derived column, so <c>Adstock().Append(Hill()).Append(Ridge())</c> regresses on saturated adstock) plus
/// covariates, with a ridge penalty on standardised features (MathNet.Numerics). The transformer adds <c>Score</c>, the
/// fitted regression on every row's features: with the holdout's actual spends, a scenario forecast.
/// </summary>
public sealed class RidgeEstimator : IEstimator<RidgeTransformer>
{
    /// <summary>Settings of <see cref="RidgeEstimator"/>.</summary>
    public sealed class Options : PanelColumnOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Ridge penalty on standardised features; 1 is mild for 100+ steps.</summary>
            public const double Lambda = 1.0;

            /// <summary>The output column.</summary>
            public const string ScoreColumnName = "Score";
        }

        /// <summary>Ridge penalty (λ ≥ 0) on standardised features.</summary>
        public double Lambda = Defaults.Lambda;

        /// <summary>Regressors; null means each channel's most derived column plus the covariates.</summary>
        public string[]? FeatureColumnNames;

        /// <summary>
        /// Calendar terms in each shop's baseline, as CausalMMM's (<see cref="SeasonalTerms"/>): with
        /// <see cref="SeasonalBaseline.Auto"/>, the default, weekly terms for daily data and yearly terms for two years of
        /// history or more, each shop with its own weights.
        /// </summary>
        public SeasonalBaseline Seasonality = SeasonalBaseline.Auto;

        /// <summary>A linear trend in each shop's baseline (its own slope, penalised like every regressor).</summary>
        public bool Trend = true;

        /// <summary>The Single column the transformer adds.</summary>
        public string ScoreColumnName = Defaults.ScoreColumnName;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;

    internal RidgeEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(RidgeEstimator));
        if (!Enum.IsDefined(_options.Seasonality))
            throw new ArgumentOutOfRangeException(nameof(options), _options.Seasonality, $"{nameof(Options.Seasonality)} must be one of {string.Join(", ", Enum.GetNames<SeasonalBaseline>())}.");
        if (!(_options.Lambda >= 0)) throw new ArgumentOutOfRangeException(nameof(options), _options.Lambda, $"{nameof(Options.Lambda)} must be non-negative.");
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.ScoreColumnName, nameof(options));
    }

    /// <summary>The input plus the Single score column.</summary>
    /// <exception cref="ArgumentException">A key, label or feature column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        string[] features = Features(roles, PanelRoles.Columns(inputSchema));
        SchemaRules.RequireInputsAndNewOutputs(PanelRoles.Columns(inputSchema), features, Array.Empty<string>(), nameof(RidgeEstimator));
        return _host.AddSingles(inputSchema, new[] { _options.ScoreColumnName }, roles.Target!);
    }

    /// <summary>Fits one regression per shop on every row of <paramref name="input"/>.</summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    public RidgeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true);
        string[] features = Features(roles, PanelRoles.Columns(input.Schema));
        SchemaRules.RequireInputsAndNewOutputs(PanelRoles.Columns(input.Schema), features, Array.Empty<string>(), nameof(RidgeEstimator));
        string target = roles.Target!;
        MarketingPanel panel = PanelReader.Read(input, roles, AdstockEstimator.InputVariables(roles, features).Append(new PanelVariable(target, VariableRole.Target)).ToArray(),
            nameof(RidgeEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        int steps = panel.Length, p = features.Length;
        if (steps < 3) throw new ArgumentException($"{nameof(RidgeEstimator)}: {steps} dates are too few to fit a regression per shop; give at least 3.", nameof(input));
        var shops = new Dictionary<string, ShopRegression>(StringComparer.Ordinal);
        // Baseline terms are regressors like the features, shared dates so computed once; their coefficients are kept apart.
        SeasonalTerms? seasonal = SeasonalTerms.Choose(panel.StepDays, steps, _options.Seasonality);
        // The parameters read the regressions from the dictionary the loop below fills.
        var parameters = new RidgeParameters(target, features, _options.Lambda, shops, seasonal, _options.Trend ? panel.Dates[0] : null);
        double[][] baseline = panel.Dates.Select(parameters.BaselineTerms).ToArray();
        int b = baseline[0].Length;
        double[][] baselineColumns = Enumerable.Range(0, b).Select(k => baseline.Select(row => row[k]).ToArray()).ToArray();
        p += b;
        for (int s = 0; s < panel.ShopCount; s++)
        {
            double[][] x = features.Select(f => panel.GetSeries(s, f)).Concat(baselineColumns).ToArray();
            double[] y = panel.GetSeries(s, target);
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
            shops[panel.ShopIds[s]] = new ShopRegression(intercept, coefficients.Take(features.Length).ToArray(), sst > 0 ? 1 - sse / sst : double.NaN,
                b > 0 ? coefficients.Skip(features.Length).ToArray() : null);
        }
        string baselineText = (seasonal is null ? "no calendar terms" : $"{seasonal} terms") + (_options.Trend ? " and a trend" : "");
        _host.Info($"Ridge on [{string.Join(", ", features)}] with {baselineText}: training R² {shops.Values.Select(r => r.TrainingRSquared).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average():0.000} averaged over {shops.Count} shops");
        return new RidgeTransformer(roles.GivenOnly() with { Target = target }, parameters, _options.ScoreColumnName, _host.DateFormats);
    }

    private string[] Features(PanelRoles roles, IReadOnlyList<ColumnInfo> columns) => _options.FeatureColumnNames is { Length: > 0 } given ? given
        : SchemaRules.LatestPerChannel(columns, roles.Channels).Concat(roles.Covariates).ToArray();
}

/// <summary>Adds <c>Score</c>: each shop's regression on the row's features. Immutable, so safe from many threads.</summary>
public sealed class RidgeTransformer : PanelTransformerBase, IScenarioForecaster
{
    internal const string Kind = "CausalMmm.Ridge";

    private readonly PanelRoles _roles;
    private readonly string[] _dateFormats;

    internal RidgeTransformer(PanelRoles roles, RidgeParameters parameters, string scoreColumnName, string[] dateFormats)
    {
        _roles = roles;
        Parameters = parameters;
        ScoreColumnName = scoreColumnName;
        _dateFormats = dateFormats;
    }

    /// <summary>The fitted regressions, per shop.</summary>
    public RidgeParameters Parameters { get; }

    /// <summary>The column the transformer adds.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The columns it reads, with their roles.</summary>
    internal PanelRoles Roles => _roles;

    /// <summary>The date formats it reads text dates with.</summary>
    internal string[] DateFormats => _dateFormats;

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 3;

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _roles.Require(PanelRoles.Columns(inputSchema), nameof(RidgeTransformer), Parameters.Features);
        return AppendColumnsDataView.OutputSchema(inputSchema, new[] { AppendedColumn.Scalar(ScoreColumnName) });
    }

    /// <summary>Adds the score of every row. Every shop must have been seen in fitting (the regressions are per shop).</summary>
    public override IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new AppendColumnsDataView(input, new[] { AppendedColumn.Scalar(ScoreColumnName) }, () =>
        {
            AssembledPanel read = PanelReader.Read(input, _roles, AdstockEstimator.InputVariables(_roles, Parameters.Features).ToArray(),
                nameof(RidgeTransformer), allowMissingOutcomes: false, _dateFormats);
            MarketingPanel panel = read.Panel;
            var regressions = panel.ShopIds.Select(id => Parameters.Shops.TryGetValue(id, out ShopRegression? r) ? r
                : throw new ArgumentException($"{nameof(RidgeTransformer)}: shop '{id}' has no fitted regression (the classic model is per shop). Fit on data that includes it.")).ToArray();
            double[][][] x = Parameters.Features.Select(f => Enumerable.Range(0, panel.ShopCount).Select(s => panel.GetSeries(s, f)).ToArray()).ToArray();
            double[][] baselineTerms = panel.Dates.Select(Parameters.BaselineTerms).ToArray(); // per date, shared by the shops
            var scores = new float[read.RowShop.Length];
            for (int row = 0; row < scores.Length; row++)
            {
                int s = read.RowShop[row], t = read.RowStep[row];
                ShopRegression r = regressions[s];
                double score = r.Intercept + r.Baseline(baselineTerms[t]);
                for (int f = 0; f < x.Length; f++) score += r.Coefficients[f] * x[f][s][t];
                scores[row] = (float)score;
            }
            return new AppendedValues[] { new AppendedValues.Scalars(scores) };
        });
    }

    ScenarioModel IScenarioForecaster.Scenario(IReadOnlyList<ITransformer> upstream, IDataView input, MediaPlan plan, string component) =>
        new RidgeScenario(this, upstream, input, plan, component);

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("roles", _roles);
        writer.WriteJson("parameters", new Stored(Parameters.Target, Parameters.Features.ToArray(), Parameters.Lambda, ScoreColumnName,
            Parameters.Shops.ToDictionary(kv => kv.Key, kv => kv.Value), Parameters.Seasonal, Parameters.TrendOrigin));
        writer.WriteJson("date_formats", _dateFormats);
    }

    internal static RidgeTransformer Load(ComponentStateReader reader)
    {
        // Version 3 added the baseline terms; version 2 regressions had none and load as they were fitted.
        if (reader.Version is not (2 or 3)) throw new InvalidDataException($"ridge state version {reader.Version} is not supported (this library reads versions 2 and 3)");
        Stored stored = reader.ReadJson<Stored>("parameters");
        if (stored.Shops.Values.Any(r => r.Coefficients.Length != stored.Features.Length))
            throw new InvalidDataException("ridge coefficients do not match its features");
        stored.Seasonal?.Validate();
        int baselineCount = (stored.Seasonal?.Count ?? 0) + (stored.TrendOrigin is null ? 0 : 1);
        if (stored.Shops.Values.Any(r => (r.BaselineCoefficients?.Length ?? 0) != baselineCount))
            throw new InvalidDataException($"ridge baseline coefficients do not match its {baselineCount} baseline terms");
        return new RidgeTransformer(reader.ReadJson<PanelRoles>("roles"), new RidgeParameters(stored.Target, stored.Features, stored.Lambda, stored.Shops, stored.Seasonal, stored.TrendOrigin),
            stored.ScoreColumnName, reader.ReadJson<string[]>("date_formats"));
    }

    private sealed record Stored(string Target, string[] Features, double Lambda, string ScoreColumnName, Dictionary<string, ShopRegression> Shops,
        SeasonalTerms? Seasonal = null, DateOnly? TrendOrigin = null);
}
