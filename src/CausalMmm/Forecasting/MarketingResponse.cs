using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using Microsoft.ML;

namespace CausalMmm.Forecasting;

/// <summary>Where a <see cref="MarketingResponseForecaster"/>'s graph comes from.</summary>
public enum GraphSource
{
    /// <summary>The <c>Graph</c> column an upstream causal-graph transformer added (per shop).</summary>
    Upstream,

    /// <summary>A graph the user supplied in the options.</summary>
    Supplied,

    /// <summary>Every node may drive every other (no graph known).</summary>
    Full,
}

/// <summary>
/// Forecasts the label (and mediators) with CausalMMM's marketing response decoder (recurrent node states for carry-over,
/// per-shop saturation) on a fixed graph: the <c>Graph</c> column of an upstream <see cref="CausalGraphEstimator"/> if
/// the input has one, otherwise <see cref="Options.Graph"/>, otherwise the full graph. Only the decoder is trained. The
/// transformer adds <c>Score</c> to every row: the one-step prediction for dates inside the history, and the recursive
/// forecast from the forecast origin on (the first date whose label is missing, else the first date after the training
/// data), with each date's spends given (scenario mode) or forecast too (autonomous mode). Score the whole panel and
/// filter afterwards, so the forecaster sees each shop's history.
/// </summary>
public sealed class MarketingResponseForecaster : IEstimator<MarketingResponseTransformer>
{
    /// <summary>Settings of <see cref="MarketingResponseForecaster"/>.</summary>
    public sealed class Options : CausalTrainerOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Scenario mode: spends are given, as in media planning and as stock regressors see them.</summary>
            public const ForecastMode Mode = ForecastMode.Scenario;

            /// <summary>The output column.</summary>
            public const string ScoreColumnName = "Score";
        }

        /// <summary>Scenario (spends given) or autonomous (spends forecast too).</summary>
        public ForecastMode Mode = Defaults.Mode;

        /// <summary>
        /// A known graph per shop, used when the input has no graph column; null falls back to the full graph. Refused
        /// when the input has a graph column (<see cref="GraphColumnName"/>), which would take its place.
        /// </summary>
        public CausalGraphSet? Graph;

        /// <summary>The upstream graph column it reads when present.</summary>
        public string GraphColumnName = GraphColumn.DefaultName;

        /// <summary>The Single column the transformer adds.</summary>
        public string ScoreColumnName = Defaults.ScoreColumnName;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;
    private readonly int _seed;

    internal MarketingResponseForecaster(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(MarketingResponseForecaster));
        ArgumentNullException.ThrowIfNull(_options.Model, nameof(options));
        _host.CheckContextOwned(_options.Model);
        (_options.Model with { }).Validate();
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.ScoreColumnName, nameof(options));
        _host.CheckThreads(_options.NumberOfThreads);
        _seed = _host.NextSeed();
    }

    /// <summary>The input plus the Single score column.</summary>
    /// <exception cref="ArgumentException">A key column, the label or every channel is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        return _host.AddSingles(inputSchema, new[] { _options.ScoreColumnName }, roles.Target!);
    }

    /// <summary>Trains the decoder on every row of <paramref name="input"/>, on the graph chosen as the class describes.</summary>
    /// <exception cref="ArgumentException">The supplied graph misses a shop or is over other nodes.</exception>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    public MarketingResponseTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true);
        AssembledPanel read = PanelReader.Read(input, roles, roles.Variables(), nameof(MarketingResponseForecaster), allowMissingOutcomes: false, _host.DateFormats);
        NumericPanel numeric = read.Panel.ToNumeric();
        if (_options.Graph is not null && input.Schema.GetColumnOrNull(_options.GraphColumnName) is not null)
            throw new ArgumentException($"{nameof(MarketingResponseForecaster)}: the input has a graph column '{_options.GraphColumnName}' (from a graph estimator upstream) and Options.Graph is set too; "
                + "the column would be used and Options.Graph ignored. Remove the graph estimator from the pipeline to use the known graph, or leave Options.Graph null.", "options");
        if (_options.GraphColumnName != GraphColumn.DefaultName && input.Schema.GetColumnOrNull(_options.GraphColumnName) is null)
            throw new ArgumentException($"{nameof(MarketingResponseForecaster)}: GraphColumnName is '{_options.GraphColumnName}', but the input has no such column; "
                + "put the graph estimator that adds it before the forecaster, or leave GraphColumnName at its default.", "options");
        GraphSource source = input.Schema.GetColumnOrNull(_options.GraphColumnName) is not null ? GraphSource.Upstream
            : _options.Graph is not null ? GraphSource.Supplied : GraphSource.Full;
        CausalGraphSet? graphs = MarketingResponseTransformer.GraphsFor(source, input, roles.Shop, _options.GraphColumnName, numeric.NodeNames, _options.Graph, nameof(MarketingResponseForecaster));
        _host.Info($"Graph: {source}");
        // The network is built inside the fit, so the edge order comes from an index of the same shape.
        using var edgeIndex = new EdgeIndex(numeric.NodeCount, numeric.ChannelCount, _options.Model.SameDayMedia, _options.Model.SameDayMediators);
        float[][] edges = MarketingResponseTransformer.EdgesFor(graphs, numeric, edgeIndex, nameof(MarketingResponseForecaster));
        CausalMmmModel model = CausalTraining.Fit(_host, _options, _seed, numeric, edges, suppliedGraph: source == GraphSource.Supplied);
        return new MarketingResponseTransformer(model, roles, read.Panel.Dates[^1], source, source == GraphSource.Supplied ? _options.Graph : null, _options.Mode,
            _options.GraphColumnName, _options.ScoreColumnName, _host.DateFormats);
    }
}

/// <summary>
/// Adds <c>Score</c>, the label predicted by the trained decoder, to every row. Each shop is computed from its own rows
/// only, so any subset of shops gets the same scores. Safe from many threads (calls into the model are serialised).
/// </summary>
public sealed class MarketingResponseTransformer : PanelTransformerBase, IDisposable, IScenarioForecaster
{
    internal const string Kind = "CausalMmm.MarketingResponse";

    private readonly string[] _dateFormats;

    internal MarketingResponseTransformer(CausalMmmModel model, PanelRoles roles, DateOnly historyEnd, GraphSource source, CausalGraphSet? graph, ForecastMode mode,
        string graphColumnName, string scoreColumnName, string[] dateFormats)
    {
        Model = model;
        Roles = roles;
        HistoryEnd = historyEnd;
        GraphSource = source;
        SuppliedGraph = graph;
        Mode = mode;
        GraphColumnName = graphColumnName;
        ScoreColumnName = scoreColumnName;
        _dateFormats = dateFormats;
    }

    /// <summary>The trained decoder (the fixed-graph variant of the network).</summary>
    public CausalMmmModel Model { get; }

    /// <summary>The columns it reads, with their roles.</summary>
    public PanelRoles Roles { get; }

    /// <summary>The last date of the training data; forecasts of inputs without missing labels start after it.</summary>
    public DateOnly HistoryEnd { get; }

    /// <summary>Where the graph comes from.</summary>
    public GraphSource GraphSource { get; }

    /// <summary>The user's graph when <see cref="GraphSource"/> is <see cref="Forecasting.GraphSource.Supplied"/>.</summary>
    public CausalGraphSet? SuppliedGraph { get; }

    /// <summary>Scenario or autonomous.</summary>
    public ForecastMode Mode { get; }

    /// <summary>The upstream graph column (read when <see cref="GraphSource"/> is Upstream).</summary>
    public string GraphColumnName { get; }

    /// <summary>The column it adds.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Forecast nodes: channels and covariates, mediators, the label.</summary>
    public IReadOnlyList<string> NodeNames => Model.NodeNames;

    /// <summary>The date formats it reads text dates with.</summary>
    internal string[] DateFormats => _dateFormats;

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 2;

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Roles.Require(PanelRoles.Columns(inputSchema), nameof(MarketingResponseTransformer));
        if (GraphSource == GraphSource.Upstream && inputSchema.GetColumnOrNull(GraphColumnName) is null)
            throw new ArgumentException($"{nameof(MarketingResponseTransformer)}: it was fitted on the graph column '{GraphColumnName}' of an upstream causal-graph transformer, but the input has none. Transform with the whole fitted chain.");
        return AppendColumnsDataView.OutputSchema(inputSchema, new[] { AppendedColumn.Scalar(ScoreColumnName) });
    }

    /// <inheritdoc />
    public override IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new AppendColumnsDataView(input, new[] { AppendedColumn.Scalar(ScoreColumnName) }, () =>
        {
            PanelPrediction prediction = Predict(input);
            int target = NodeNames.Count - 1;
            var scores = new float[prediction.Read.RowShop.Length];
            for (int row = 0; row < scores.Length; row++)
                scores[row] = (float)prediction.At(prediction.Read.RowShop[row], prediction.Read.RowStep[row], target);
            return new AppendedValues[] { new AppendedValues.Scalars(scores) };
        });
    }

    /// <summary>
    /// Every node's prediction for every shop and date of <paramref name="input"/>, typed: one-step inside the history,
    /// the recursive forecast from the forecast origin on (NaN before the encoder window).
    /// </summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    /// <exception cref="ArgumentException">The input lacks a column, a graph misses a shop, or the history before the origin is too short.</exception>
    public PanelPrediction Predict(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        AssembledPanel read = PanelReader.Read(input, Roles, Roles.Variables(), nameof(MarketingResponseTransformer), allowMissingOutcomes: true, _dateFormats);
        NumericPanel numeric = read.Panel.ToNumeric();
        int origin = ForecastOrigin.Of(read, HistoryEnd);
        CausalGraphSet? graphs = GraphsFor(GraphSource, input, Roles.Shop, GraphColumnName, NodeNames, SuppliedGraph, nameof(MarketingResponseTransformer));
        float[][] edges = EdgesFor(graphs, numeric, Model.Network.Edges, nameof(MarketingResponseTransformer));
        int horizon = numeric.Length - origin;
        IReadOnlyList<double[,]>? plan = null;
        if (Mode == ForecastMode.Scenario)
        {
            plan = Enumerable.Range(0, numeric.ShopCount).Select(s =>
            {
                var given = new double[horizon, numeric.ChannelCount];
                for (int h = 0; h < horizon; h++)
                for (int c = 0; c < numeric.ChannelCount; c++) given[h, c] = numeric[s, origin + h, c];
                return given;
            }).ToArray();
        }
        ModelPrediction prediction = Model.Predict(numeric, origin, horizon, plan, edges);
        return new PanelPrediction(read, NodeNames, origin, prediction);
    }

    /// <summary>The graphs a fit or transform runs on: the upstream graph column, the supplied set, or none (every edge present).</summary>
    internal static CausalGraphSet? GraphsFor(GraphSource source, IDataView input, string shopColumnName, string graphColumnName, IReadOnlyList<string> nodes,
        CausalGraphSet? supplied, string component) => source switch
    {
        GraphSource.Upstream => GraphColumn.Read(input, shopColumnName, graphColumnName, nodes, component),
        GraphSource.Supplied => supplied,
        _ => null,
    };

    /// <summary>
    /// Per-shop edge weights in the order of <paramref name="edges"/> (lagged, then same-day when it has them); all ones
    /// without graphs, and ones for the same-day edges of graphs that have none. Nodes are matched by name.
    /// </summary>
    internal static float[][] EdgesFor(CausalGraphSet? graphs, NumericPanel panel, EdgeIndex edges, string component)
    {
        var result = new float[panel.ShopCount][];
        int[]? map = null;
        if (graphs is not null)
        {
            List<string> graphNodes = graphs.NodeNames.ToList();
            map = panel.NodeNames.Select(n => graphNodes.IndexOf(n)).ToArray();
            if (map.Contains(-1) || graphs.NodeNames.Count != panel.NodeCount)
                throw new ArgumentException($"{component}: the graph's nodes [{string.Join(", ", graphs.NodeNames)}] do not match the data's [{string.Join(", ", panel.NodeNames)}].");
            if (graphs.HasSameDay && edges.SameDayEdgeCount == 0)
                throw new ArgumentException($"{component}: the graph has same-day edges, but the forecaster has none (SameDayMedia off), so they would be ignored: "
                    + "turn SameDayMedia on, or learn the graph with SameDayMedia off too.");
        }
        for (int s = 0; s < panel.ShopCount; s++)
        {
            result[s] = new float[edges.TotalEdgeCount];
            Array.Fill(result[s], 1f);
            if (graphs is null) continue;
            if (!graphs.Contains(panel.ShopIds[s]))
                throw new ArgumentException($"{component}: the graph set has no graph for shop '{panel.ShopIds[s]}'. Give every shop a graph (CausalGraphSet.Shared gives one graph to many shops).");
            double[,] g = graphs[panel.ShopIds[s]];
            for (int e = 0; e < edges.EdgeCount; e++) result[s][e] = (float)g[map![edges.Senders[e]], map[edges.Receivers[e]]];
            if (!graphs.HasSameDay) continue;
            double[,] same = graphs.SameDay(panel.ShopIds[s]);
            for (int e = 0; e < edges.SameDayEdgeCount; e++)
                result[s][edges.EdgeCount + e] = (float)same[map![edges.SameDaySenders[e]], map[edges.SameDayReceivers[e]]];
        }
        return result;
    }

    ScenarioModel IScenarioForecaster.Scenario(IReadOnlyList<ITransformer> upstream, IDataView input, MediaPlan plan, string component) =>
        new CausalScenario(this, input, plan, component);

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("transformer", new Stored(Roles, HistoryEnd, GraphSource, Mode, GraphColumnName, ScoreColumnName, _dateFormats,
            SuppliedGraph?.NodeNames.ToArray(), SuppliedGraph?.ShopIds.ToDictionary(id => id, id => CausalGraphSet.ToJagged(SuppliedGraph[id])),
            SuppliedGraph is { HasSameDay: true } ? SuppliedGraph.ShopIds.ToDictionary(id => id, id => CausalGraphSet.ToJagged(SuppliedGraph.SameDay(id))) : null));
        Model.WriteTo(writer);
    }

    internal static MarketingResponseTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version != 2) throw new InvalidDataException($"marketing response state version {reader.Version} is not supported (this library reads version 2)");
        Stored stored = reader.ReadJson<Stored>("transformer");
        CausalGraphSet? graph = stored.GraphNodes is null || stored.Graphs is null ? null
            : new CausalGraphSet(stored.GraphNodes, stored.Graphs.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, CausalGraphSet.FromJagged(kv.Value))),
                stored.SameDayGraphs?.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, CausalGraphSet.FromJagged(kv.Value))));
        if (stored.Source == GraphSource.Supplied && graph is null) throw new InvalidDataException("the forecaster's supplied graph is missing");
        CausalMmmModel model = CausalMmmModel.ReadFrom(reader);
        if (!stored.Roles.CausalNodes.SequenceEqual(model.NodeNames)) throw new InvalidDataException("the forecaster's roles do not match its network's nodes");
        return new MarketingResponseTransformer(model, stored.Roles, stored.HistoryEnd, stored.Source, graph, stored.Mode, stored.GraphColumnName, stored.ScoreColumnName,
            stored.DateFormats);
    }

    /// <summary>Releases the model's native tensors.</summary>
    public void Dispose() => Model.Dispose();

    private sealed record Stored(PanelRoles Roles, DateOnly HistoryEnd, GraphSource Source, ForecastMode Mode, string GraphColumnName, string ScoreColumnName,
        string[] DateFormats, string[]? GraphNodes, Dictionary<string, double[][]>? Graphs, Dictionary<string, double[][]>? SameDayGraphs);
}

/// <summary>What a <see cref="MarketingResponseTransformer"/> predicts for a panel, on the original scale.</summary>
public sealed class PanelPrediction
{
    private readonly AssembledPanel _read;
    private readonly ModelPrediction _prediction;

    internal PanelPrediction(AssembledPanel read, IReadOnlyList<string> nodes, int origin, ModelPrediction prediction)
    {
        _read = read;
        _prediction = prediction;
        Nodes = nodes;
        Origin = origin;
    }

    internal AssembledPanel Read => _read;

    /// <summary>The panel as read (with placeholders where the label is missing).</summary>
    public MarketingPanel Panel => _read.Panel;

    /// <summary>The predicted nodes: channels and covariates, mediators, the label.</summary>
    public IReadOnlyList<string> Nodes { get; }

    /// <summary>The step of <see cref="Panel"/> at which the forecast starts (its length when nothing is forecast).</summary>
    public int Origin { get; }

    /// <summary>The prediction of <paramref name="node"/> (index into <see cref="Nodes"/>) for shop index <paramref name="shop"/> at step <paramref name="step"/>; NaN where there is none.</summary>
    public double At(int shop, int step, int node)
    {
        if (step >= Origin) return _prediction.Forecast[shop][step - Origin, node];
        int inWindow = step - _prediction.FittedStart;
        return inWindow >= 0 ? _prediction.Fitted[shop][inWindow, node] : double.NaN;
    }

    /// <summary>The prediction of <paramref name="node"/> for shop <paramref name="shopId"/> at every step of <see cref="Panel"/>.</summary>
    /// <exception cref="ArgumentException">The shop or node is unknown.</exception>
    public double[] Series(string shopId, string node)
    {
        int s = Panel.IndexOfShop(shopId);
        if (s < 0) throw new ArgumentException($"Shop '{shopId}' is not in the panel.", nameof(shopId));
        int k = Nodes.ToList().IndexOf(node);
        if (k < 0) throw new ArgumentException($"'{node}' is not predicted; nodes: [{string.Join(", ", Nodes)}].", nameof(node));
        return Enumerable.Range(0, Panel.Length).Select(t => At(s, t, k)).ToArray();
    }
}
