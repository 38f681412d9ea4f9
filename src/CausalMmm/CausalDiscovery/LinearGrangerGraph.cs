using CausalMmm.Baselines;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Persistence;
using Microsoft.ML;

namespace CausalMmm.CausalDiscovery;

/// <summary>
/// The Linear Granger graph, the baseline every learned graph is compared with, as a pipeline component: per shop, a
/// ridge VAR of order <see cref="Options.Lags"/> on the standardised series before the forecast origin; the score of edge
/// i -> j is the norm of i's lag coefficients in j's equation, divided by the shop's largest score so every graph lies in
/// [0, 1] (a ranking of edges, not a probability). Its transformer adds the same <c>Graph</c> column as
/// <see cref="CausalGraphEstimator"/>'s (lagged edges only), so it drops into the same pipelines:
/// <c>LinearGranger().Append(MarketingResponse())</c> forecasts under the baseline's graph. Nothing is learned across
/// shops, so fitting records only the columns and where the history ends; any subset of shops scores on its own rows.
/// </summary>
public sealed class LinearGrangerGraphEstimator : IEstimator<LinearGrangerGraphTransformer>
{
    /// <summary>Settings of <see cref="LinearGrangerGraphEstimator"/>.</summary>
    public sealed class Options : PanelColumnOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>VAR order: lags 1 to 3, as the encoder's Granger scores use.</summary>
            public const int Lags = 3;

            /// <summary>Ridge penalty on the standardised lags.</summary>
            public const double Ridge = 1.0;
        }

        /// <summary>VAR order (at least 1).</summary>
        public int Lags = Defaults.Lags;

        /// <summary>Ridge penalty (>= 0).</summary>
        public double Ridge = Defaults.Ridge;

        /// <summary>The Single vector column the transformer adds.</summary>
        public string GraphColumnName = GraphColumn.DefaultName;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;

    internal LinearGrangerGraphEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(LinearGrangerGraphEstimator));
        if (_options.Lags < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Lags, $"{nameof(Options.Lags)} must be at least 1.");
        if (!(_options.Ridge >= 0)) throw new ArgumentOutOfRangeException(nameof(options), _options.Ridge, $"{nameof(Options.Ridge)} must be non-negative.");
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.GraphColumnName, nameof(options));
    }

    /// <summary>The input plus the Single vector graph column.</summary>
    /// <exception cref="ArgumentException">A key column or the label is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        return _host.AddSingleVector(inputSchema, _options.GraphColumnName, roles.Target!);
    }

    /// <summary>Checks <paramref name="input"/> and records where its history ends; the graphs of its shops are kept with the transformer.</summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    /// <exception cref="ArgumentException">The history is too short for the VAR's order.</exception>
    public LinearGrangerGraphTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true);
        MarketingPanel panel = PanelReader.Read(input, roles, roles.Variables(), nameof(LinearGrangerGraphEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        CausalGraphSet training = LinearGrangerGraphTransformer.GraphsOf(panel, panel.Length, _options.Lags, _options.Ridge);
        _host.Info($"Linear Granger VAR({_options.Lags}), ridge {_options.Ridge}, on {panel.ShopCount} shops x {panel.Length} dates");
        return new LinearGrangerGraphTransformer(roles, _options.Lags, _options.Ridge, panel.Dates[^1], _options.GraphColumnName, _host.DateFormats, training);
    }
}

/// <summary>Adds each shop's Linear Granger graph (<see cref="GraphColumn"/>) to every row. Immutable, so safe from many threads.</summary>
public sealed class LinearGrangerGraphTransformer : GraphTransformerBase
{
    internal const string Kind = "CausalMmm.LinearGrangerGraph";

    internal LinearGrangerGraphTransformer(PanelRoles roles, int lags, double ridge, DateOnly historyEnd, string graphColumnName, string[] dateFormats, CausalGraphSet? trainingGraphs)
        : base(roles, historyEnd, graphColumnName, dateFormats, trainingGraphs)
    {
        Lags = lags;
        Ridge = ridge;
    }

    /// <summary>VAR order.</summary>
    public int Lags { get; }

    /// <summary>Ridge penalty.</summary>
    public double Ridge { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> NodeNames => Roles.CausalNodes;

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 1;

    private protected override bool HasSameDayGraph => false;

    private protected override CausalGraphSet GraphsOf(MarketingPanel panel, int origin) => GraphsOf(panel, origin, Lags, Ridge);

    /// <summary>Each shop's graph from its dates before <paramref name="origin"/>, scaled by the shop's largest score.</summary>
    internal static CausalGraphSet GraphsOf(MarketingPanel panel, int origin, int lags, double ridge)
    {
        if (origin <= lags + 1)
            throw new ArgumentException($"{nameof(LinearGrangerGraphTransformer)}: a VAR({lags}) needs more than {lags + 1} dates before the forecast origin; the input has {origin}.");
        NumericPanel history = panel.SliceTime(0, origin).ToNumeric();
        LinearGranger var = LinearGranger.Fit(history, lags, ridge);
        return new CausalGraphSet(history.NodeNames, panel.ShopIds.Select((id, s) =>
        {
            double[,] scores = var.EdgeScores(s);
            double largest = scores.Cast<double>().Max();
            if (largest > 0)
            {
                for (int i = 0; i < scores.GetLength(0); i++)
                for (int j = 0; j < scores.GetLength(1); j++) scores[i, j] /= largest;
            }
            return new KeyValuePair<string, double[,]>(id, scores);
        }));
    }

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("transformer", new Stored(Roles, Lags, Ridge, HistoryEnd, GraphColumnName, DateFormats));
        if (TrainingGraphs is not null) writer.WriteJson("training_graphs", TrainingGraphs.ToStored());
    }

    internal static LinearGrangerGraphTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version != 1) throw new InvalidDataException($"Linear Granger graph state version {reader.Version} is not supported (this library reads version 1)");
        Stored stored = reader.ReadJson<Stored>("transformer");
        if (stored.Lags < 1 || !(stored.Ridge >= 0)) throw new InvalidDataException($"Linear Granger graph with lags {stored.Lags} and ridge {stored.Ridge}: lags must be at least 1, ridge non-negative");
        CausalGraphSet? training = reader.Has("training_graphs") ? CausalGraphSet.FromStored(reader.ReadJson<StoredGraphSet>("training_graphs")) : null;
        return new LinearGrangerGraphTransformer(stored.Roles, stored.Lags, stored.Ridge, stored.HistoryEnd, stored.GraphColumnName, stored.DateFormats, training);
    }

    private sealed record Stored(PanelRoles Roles, int Lags, double Ridge, DateOnly HistoryEnd, string GraphColumnName, string[] DateFormats);
}
