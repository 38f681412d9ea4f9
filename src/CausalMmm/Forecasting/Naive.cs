using CausalMmm.Data;
using CausalMmm.Persistence;
using Microsoft.ML;

namespace CausalMmm.Forecasting;

/// <summary>Which naive forecast <see cref="NaiveForecastEstimator"/> makes.</summary>
public enum NaiveMethod
{
    /// <summary>Each shop's last value before the forecast origin, repeated ("repeat last week" at weekly steps).</summary>
    LastValue,

    /// <summary>The value one season before each forecast date, taken from the last season before the origin and repeated.</summary>
    SeasonalNaive,

    /// <summary>The mean of each shop's last <see cref="NaiveForecastEstimator.Options.RecentWindow"/> values before the origin.</summary>
    RecentMean,
}

/// <summary>
/// The forecasts every other forecaster must beat: per shop, the last value, the value one season earlier, or the recent
/// mean, all from the target's own history. Fitting records only where the history ends (and, unless given, the season
/// length from the dates' spacing: 7 for daily data, 52 for weekly), so it is a drop-in baseline beside MarketingResponse,
/// Ridge and stock ML.NET regressors in the same holdout table. Nothing is learned across shops: any subset of shops, and
/// shops never seen in fitting, score on their own rows.
/// </summary>
public sealed class NaiveForecastEstimator : IEstimator<NaiveForecastTransformer>
{
    /// <summary>Settings of <see cref="NaiveForecastEstimator"/>.</summary>
    public sealed class Options : PanelColumnOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>The output column.</summary>
            public const string ScoreColumnName = "Score";
        }

        /// <summary>Which naive forecast to make.</summary>
        public NaiveMethod Method = NaiveMethod.LastValue;

        /// <summary>
        /// Steps per season for <see cref="NaiveMethod.SeasonalNaive"/>; null takes it from the dates' spacing: 7 (a week of
        /// days) for daily data, 52 (a year of weeks) for weekly data, else 1 (the last value).
        /// </summary>
        public int? SeasonLength;

        /// <summary>
        /// Steps averaged by <see cref="NaiveMethod.RecentMean"/>; null takes 28 for daily data (four weeks), 13 for weekly
        /// (a quarter), else 4. A shop with less history averages what it has.
        /// </summary>
        public int? RecentWindow;

        /// <summary>The Single column the transformer adds.</summary>
        public string ScoreColumnName = Defaults.ScoreColumnName;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;

    internal NaiveForecastEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(NaiveForecastEstimator));
        if (!Enum.IsDefined(_options.Method)) throw new ArgumentOutOfRangeException(nameof(options), _options.Method, $"{nameof(Options.Method)} must be one of {string.Join(", ", Enum.GetNames<NaiveMethod>())}.");
        if (_options.SeasonLength is < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.SeasonLength, $"{nameof(Options.SeasonLength)} must be at least 1 step.");
        if (_options.RecentWindow is < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.RecentWindow, $"{nameof(Options.RecentWindow)} must be at least 1 step.");
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.ScoreColumnName, nameof(options));
    }

    /// <summary>The input plus the Single score column.</summary>
    /// <exception cref="ArgumentException">The key or label column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        return _host.AddSingles(inputSchema, new[] { _options.ScoreColumnName }, roles.Target!);
    }

    /// <summary>The season <see cref="Options.SeasonLength"/> defaults to for dates <paramref name="stepDays"/> apart: 7 daily, 52 weekly, else 1.</summary>
    public static int DefaultSeasonLength(int stepDays) => stepDays == 1 ? 7 : stepDays == 7 ? 52 : 1;

    /// <summary>Records where <paramref name="input"/>'s history ends and the season and window lengths.</summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    /// <exception cref="ArgumentException">A seasonal forecast is asked of a history shorter than one season.</exception>
    public NaiveForecastTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = NaiveForecastTransformer.TargetOnly(_host.Resolve(input.Schema, _options, requireTarget: true));
        MarketingPanel panel = PanelReader.Read(input, roles, NaiveForecastTransformer.Variables(roles), nameof(NaiveForecastEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        int season = _options.SeasonLength ?? DefaultSeasonLength(panel.StepDays);
        int window = _options.RecentWindow ?? (panel.StepDays == 1 ? 28 : panel.StepDays == 7 ? 13 : 4);
        if (_options.Method == NaiveMethod.SeasonalNaive && panel.Length < season)
            throw new ArgumentException($"{nameof(NaiveForecastEstimator)}: a seasonal naive forecast with seasons of {season} steps needs at least one season of history; "
                + $"the input has {panel.Length} dates. Give a longer history, a shorter {nameof(Options.SeasonLength)}, or use {nameof(NaiveMethod.LastValue)}.", nameof(input));
        _host.Info($"Naive {_options.Method}: history ends {panel.Dates[^1]:yyyy-MM-dd}, season {season} steps, recent window {window} steps");
        return new NaiveForecastTransformer(roles, _options.Method, season, window, panel.Dates[^1], _options.ScoreColumnName, _host.DateFormats);
    }
}

/// <summary>
/// Adds <c>Score</c>: inside the history, the naive forecast one step ahead (from the rows before each date); from the
/// forecast origin on (the first date whose target is missing, else the first date after the fitted history), the naive
/// forecast from the origin, the same at every horizon for <see cref="NaiveMethod.LastValue"/> and
/// <see cref="NaiveMethod.RecentMean"/>, the last season repeated for <see cref="NaiveMethod.SeasonalNaive"/>. Dates
/// without enough history before them score NaN. Immutable, so safe from many threads.
/// </summary>
public sealed class NaiveForecastTransformer : PanelTransformerBase
{
    internal const string Kind = "CausalMmm.Naive";

    private readonly PanelRoles _roles;
    private readonly string[] _dateFormats;

    internal NaiveForecastTransformer(PanelRoles roles, NaiveMethod method, int seasonLength, int recentWindow, DateOnly historyEnd, string scoreColumnName, string[] dateFormats)
    {
        _roles = roles;
        Method = method;
        SeasonLength = seasonLength;
        RecentWindow = recentWindow;
        HistoryEnd = historyEnd;
        ScoreColumnName = scoreColumnName;
        _dateFormats = dateFormats;
    }

    /// <summary>The forecast it makes.</summary>
    public NaiveMethod Method { get; }

    /// <summary>Steps per season (<see cref="NaiveMethod.SeasonalNaive"/>).</summary>
    public int SeasonLength { get; }

    /// <summary>Steps averaged (<see cref="NaiveMethod.RecentMean"/>).</summary>
    public int RecentWindow { get; }

    /// <summary>The last date of the history it was fitted on: later dates are forecast from the origin.</summary>
    public DateOnly HistoryEnd { get; }

    /// <summary>The column the transformer adds.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The label it forecasts.</summary>
    public string LabelColumnName => _roles.Target!;

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 1;

    internal static PanelRoles TargetOnly(PanelRoles roles) => roles with
    {
        Channels = Array.Empty<string>(), Covariates = Array.Empty<string>(), Mediators = Array.Empty<string>(), Context = Array.Empty<string>(),
    };

    internal static PanelVariable[] Variables(PanelRoles roles) => new[] { new PanelVariable(roles.Target!, VariableRole.Target) };

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _roles.Require(PanelRoles.Columns(inputSchema), nameof(NaiveForecastTransformer));
        return AppendColumnsDataView.OutputSchema(inputSchema, new[] { AppendedColumn.Scalar(ScoreColumnName) });
    }

    /// <summary>Adds the naive forecast of every row; see the class summary for which value each row gets.</summary>
    public override IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new AppendColumnsDataView(input, new[] { AppendedColumn.Scalar(ScoreColumnName) }, () =>
        {
            AssembledPanel read = PanelReader.Read(input, _roles, Variables(_roles), nameof(NaiveForecastTransformer), allowMissingOutcomes: true, _dateFormats);
            int origin = ForecastOrigin.Of(read, HistoryEnd);
            double[][] forecasts = Enumerable.Range(0, read.Panel.ShopCount).Select(s => Forecast(read.Panel.GetSeries(s, LabelColumnName), origin)).ToArray();
            var scores = new float[read.RowShop.Length];
            for (int row = 0; row < scores.Length; row++) scores[row] = (float)forecasts[read.RowShop[row]][read.RowStep[row]];
            return new AppendedValues[] { new AppendedValues.Scalars(scores) };
        });
    }

    /// <summary>
    /// The naive forecast of every step of one shop's series <paramref name="y"/>: one step ahead before
    /// <paramref name="origin"/>, from the origin on the forecast made at the origin.
    /// </summary>
    internal double[] Forecast(double[] y, int origin)
    {
        var result = new double[y.Length];
        for (int t = 0; t < y.Length; t++)
        {
            int from = Math.Min(t, origin); // the values before this step's forecast origin are known
            result[t] = Method switch
            {
                NaiveMethod.LastValue => from >= 1 ? y[from - 1] : double.NaN,
                // One season before t, but never past the origin: further ahead, the last season again.
                NaiveMethod.SeasonalNaive => from >= SeasonLength ? y[from - SeasonLength + (t - from) % SeasonLength] : double.NaN,
                _ => from >= 1 ? Mean(y, Math.Max(0, from - RecentWindow), from) : double.NaN,
            };
        }
        return result;
    }

    private static double Mean(double[] y, int start, int end)
    {
        double sum = 0;
        for (int t = start; t < end; t++) sum += y[t];
        return sum / (end - start);
    }

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("roles", _roles);
        writer.WriteJson("naive", new Stored(Method, SeasonLength, RecentWindow, HistoryEnd, ScoreColumnName));
        writer.WriteJson("date_formats", _dateFormats);
    }

    internal static NaiveForecastTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version != 1) throw new InvalidDataException($"naive forecast state version {reader.Version} is not supported (this library reads version 1)");
        Stored stored = reader.ReadJson<Stored>("naive");
        if (stored.SeasonLength < 1 || stored.RecentWindow < 1) throw new InvalidDataException($"naive forecast with season {stored.SeasonLength} and window {stored.RecentWindow}: both must be at least 1");
        return new NaiveForecastTransformer(reader.ReadJson<PanelRoles>("roles"), stored.Method, stored.SeasonLength, stored.RecentWindow, stored.HistoryEnd, stored.ScoreColumnName,
            reader.ReadJson<string[]>("date_formats"));
    }

    private sealed record Stored(NaiveMethod Method, int SeasonLength, int RecentWindow, DateOnly HistoryEnd, string ScoreColumnName);
}
