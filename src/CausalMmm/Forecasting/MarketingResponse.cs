using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Pipeline;
using CausalMmm.Transforms;

namespace CausalMmm.Forecasting;

/// <summary>Where a <see cref="MarketingResponseForecaster"/>'s graph comes from.</summary>
public enum GraphSource
{
    /// <summary>The graphs an upstream causal-graph transformer attached to the panel (per shop).</summary>
    Upstream,

    /// <summary>A graph the user supplied in the options.</summary>
    Supplied,

    /// <summary>Every node may drive every other (no graph known).</summary>
    Full,
}

/// <summary>
/// Forecasts mediators and the target with CausalMMM's marketing response decoder (recurrent node states, carry-over
/// and per-shop saturation) on a fixed graph: the graphs an upstream <c>CausalGraphEstimator</c> attached if there
/// are any, otherwise the graph in <see cref="Options.Graph"/>, otherwise the full graph. Only the decoder is trained.
/// The transformer forecasts the holdout (or the last <see cref="Options.Horizon"/> steps), in scenario mode with the
/// holdout's actual spends given, or autonomously.
/// </summary>
public sealed class MarketingResponseForecaster : IEstimator<MarketingResponseTransformer>
{
    /// <summary>Settings of <see cref="MarketingResponseForecaster"/>.</summary>
    public sealed class Options
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Steps forecast when the panel marks no holdout.</summary>
            public const int Horizon = 7;

            /// <summary>Scenario mode: spends are given, as in media planning.</summary>
            public const ForecastMode Mode = ForecastMode.Scenario;
        }

        /// <summary>Steps forecast when the panel marks no holdout.</summary>
        public int Horizon { get; set; } = Defaults.Horizon;

        /// <summary>Scenario (spends given) or autonomous (spends forecast too).</summary>
        public ForecastMode Mode { get; set; } = Defaults.Mode;

        /// <summary>A known graph per shop, used when no upstream graphs are attached; null falls back to the full graph.</summary>
        public CausalGraphSet? Graph { get; set; }

        /// <summary>Decoder and training settings (the variant is ignored: the graph is fixed).</summary>
        public CausalMmmOptions Model { get; set; } = new();

        /// <summary>Seed; null takes the next seed of the <see cref="MmmContext"/> (or <see cref="CausalMmmOptions.Seed"/> without one).</summary>
        public int? Seed { get; set; }
    }

    private readonly Options _options;
    private readonly MmmContext? _context;

    /// <summary>Creates the estimator.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MarketingResponseForecaster(Options? options = null) : this(null, options)
    {
    }

    internal MarketingResponseForecaster(MmmContext? context, Options? options)
    {
        _options = options ?? new Options();
        _context = context;
        if (_options.Horizon < 1) throw new ArgumentException($"Horizon must be at least 1, got {_options.Horizon}.", nameof(options));
        _options.Model.Clone().Validate();
        if (_options.Seed is null && context is not null) _options.Seed = context.NextSeed();
    }

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaRules.RequireChannelsAndTarget(inputSchema, nameof(MarketingResponseForecaster));
        return inputSchema.WithForecasts(Nodes(inputSchema));
    }

    /// <summary>Trains the decoder on the steps before the holdout, on the graph chosen as the class describes.</summary>
    /// <exception cref="ArgumentException">The supplied graph does not cover a shop or its nodes differ from the panel's.</exception>
    public MarketingResponseTransformer Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        NumericPanel numeric = input.ToNumeric();
        GraphSource source = input.Graphs is not null ? GraphSource.Upstream : _options.Graph is not null ? GraphSource.Supplied : GraphSource.Full;
        CausalGraphSet? graphs = source switch { GraphSource.Upstream => input.Graphs, GraphSource.Supplied => _options.Graph, _ => null };
        CausalMmmOptions options = _options.Model.Clone();
        if (_options.Seed is { } seed) options.Seed = seed;
        if (_context is { Device.Type: Torch.DeviceType.CUDA }) options.Device = _context.Device.ToString();
        using var edges = new EdgeIndex(numeric.NodeCount);
        float[][] fixedEdges = MarketingResponseTransformer.EdgesFor(graphs, numeric, edges);
        CausalMmmModel model = CausalMmmTrainer.Fit(numeric.SliceTime(0, input.HistoryEnd), options, fixedEdges,
            _context?.ProgressFor(nameof(MarketingResponseForecaster)), _context?.CancellationToken ?? default);
        _context?.LogFitted(nameof(MarketingResponseForecaster), model.Summary);
        return new MarketingResponseTransformer(model, source, source == GraphSource.Supplied ? _options.Graph : null, _options.Horizon, _options.Mode);
    }

    internal static string[] Nodes(PanelSchema schema) => SchemaRules.CausalNodes(schema);
}

/// <summary>
/// Forecasts mediators and the target (and, autonomously, the channels) with the trained decoder. Attaches a
/// <see cref="PanelForecast"/> of every node on the original scale. Safe from many threads.
/// </summary>
public sealed class MarketingResponseTransformer : ITransformer, IDisposable
{
    internal const string Kind = "CausalMmm.MarketingResponse";

    internal MarketingResponseTransformer(CausalMmmModel model, GraphSource source, CausalGraphSet? graph, int horizon, ForecastMode mode)
    {
        Model = model;
        GraphSource = source;
        SuppliedGraph = graph;
        Horizon = horizon;
        Mode = mode;
    }

    /// <summary>The trained decoder (with the fixed-graph variant).</summary>
    public CausalMmmModel Model { get; }

    /// <summary>Where the graph comes from.</summary>
    public GraphSource GraphSource { get; }

    /// <summary>The user's graph when <see cref="GraphSource"/> is <see cref="Forecasting.GraphSource.Supplied"/>.</summary>
    public CausalGraphSet? SuppliedGraph { get; }

    /// <summary>Steps forecast when the panel marks no holdout.</summary>
    public int Horizon { get; }

    /// <summary>Scenario or autonomous.</summary>
    public ForecastMode Mode { get; }

    /// <summary>Forecast nodes: channels and covariates, mediators, the target.</summary>
    public IReadOnlyList<string> NodeNames => Model.NodeNames;

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        SchemaRules.RequireNodes(inputSchema, NodeNames, Model.ChannelCount, nameof(MarketingResponseTransformer));
        if (GraphSource == GraphSource.Upstream && !inputSchema.HasGraphs)
            throw new ArgumentException($"{nameof(MarketingResponseTransformer)}: it was fitted on graphs from an upstream causal-graph transformer, but the input carries none. Transform with the whole fitted chain.");
        return inputSchema.WithForecasts(NodeNames);
    }

    /// <summary>Attaches the forecast of the holdout (or of the last <see cref="Horizon"/> steps).</summary>
    public MarketingPanel Transform(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        (int origin, int steps) = ForecastWindow.Of(input, Horizon, nameof(MarketingResponseTransformer));
        NumericPanel numeric = input.ToNumeric();
        IReadOnlyList<double[,]>? plan = Mode == ForecastMode.Scenario
            ? Enumerable.Range(0, numeric.ShopCount).Select(s => ForecastWindow.GivenPlan(numeric, s, origin, steps)).ToArray() : null;
        IReadOnlyList<double[,]> values = Forecast(input, numeric, origin, steps, plan);
        return input.WithForecast(new PanelForecast(input.ShopIds, NodeNames, origin, Mode, values));
    }

    /// <summary>
    /// Forecasts <paramref name="plan"/>'s steps after the end of <paramref name="history"/>'s history (its holdout
    /// start, or its end) with the plan's spends given: the media-planning question "what happens to GMV if we spend
    /// this?". Returns per shop [step, node] on the original scale.
    /// </summary>
    /// <exception cref="ArgumentException">The plan does not match the panel's shops or channels.</exception>
    public IReadOnlyList<double[,]> ForecastScenario(MarketingPanel history, MediaPlan plan)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(plan);
        GetOutputSchema(history.Schema);
        NumericPanel numeric = history.ToNumeric();
        return Forecast(history, numeric, history.HistoryEnd, plan.Steps, plan.ForShops(history, numeric.NodeNames.Take(numeric.ChannelCount).ToArray()));
    }

    private IReadOnlyList<double[,]> Forecast(MarketingPanel input, NumericPanel numeric, int origin, int steps, IReadOnlyList<double[,]>? plan)
    {
        if (!numeric.NodeNames.SequenceEqual(NodeNames))
            throw new ArgumentException($"{nameof(MarketingResponseTransformer)}: the panel's nodes [{string.Join(", ", numeric.NodeNames)}] differ from the model's [{string.Join(", ", NodeNames)}].");
        CausalGraphSet? graphs = GraphSource switch { GraphSource.Upstream => input.Graphs, GraphSource.Supplied => SuppliedGraph, _ => null };
        float[][] edges = EdgesFor(graphs, numeric, Model.Network.Edges);
        return Model.ForecastWithEdges(numeric, origin, steps, plan, edges);
    }

    /// <summary>Per-shop edge weights in <see cref="EdgeIndex"/> order; all ones without graphs. Node order is matched by name.</summary>
    internal static float[][] EdgesFor(CausalGraphSet? graphs, NumericPanel panel, EdgeIndex edges)
    {
        var result = new float[panel.ShopCount][];
        int[]? map = null;
        if (graphs is not null)
        {
            map = panel.NodeNames.Select(n => graphs.NodeNames.ToList().IndexOf(n)).ToArray();
            int missing = Array.IndexOf(map, -1);
            if (missing >= 0 || graphs.NodeNames.Count != panel.NodeCount)
                throw new ArgumentException($"The graph's nodes [{string.Join(", ", graphs.NodeNames)}] do not match the panel's [{string.Join(", ", panel.NodeNames)}].");
        }
        for (int s = 0; s < panel.ShopCount; s++)
        {
            result[s] = new float[edges.EdgeCount];
            if (graphs is null)
            {
                Array.Fill(result[s], 1f);
                continue;
            }
            if (!graphs.Contains(panel.ShopIds[s]))
                throw new ArgumentException($"The graph set has no graph for shop '{panel.ShopIds[s]}'. Give every shop a graph (CausalGraphSet.Shared gives one graph to many shops).");
            double[,] g = graphs[panel.ShopIds[s]];
            for (int e = 0; e < edges.EdgeCount; e++) result[s][e] = (float)g[map![edges.Senders[e]], map[edges.Receivers[e]]];
        }
        return result;
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        Model.WriteTo(context);
        context.WriteJson("forecaster", new Stored(GraphSource, Horizon, Mode, SuppliedGraph?.NodeNames.ToArray(),
            SuppliedGraph?.ShopIds.ToDictionary(id => id, id => ToJagged(SuppliedGraph[id]))));
    }

    internal static MarketingResponseTransformer Load(ModelLoadContext context)
    {
        if (context.Version != 1) throw new InvalidDataException($"marketing response version {context.Version} is not supported (this library reads version 1)");
        Stored stored = context.ReadJson<Stored>("forecaster");
        CausalGraphSet? graph = stored.GraphNodes is null || stored.Graphs is null ? null
            : new CausalGraphSet(stored.GraphNodes, stored.Graphs.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, FromJagged(kv.Value))));
        if (stored.Source == GraphSource.Supplied && graph is null) throw new InvalidDataException("the forecaster's supplied graph is missing");
        return new MarketingResponseTransformer(CausalMmmModel.ReadFrom(context), stored.Source, graph, stored.Horizon, stored.Mode);
    }

    /// <summary>Releases the model's native tensors.</summary>
    public void Dispose() => Model.Dispose();

    private static double[][] ToJagged(double[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();

    private static double[,] FromJagged(double[][] rows)
    {
        var m = new double[rows.Length, rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != rows.Length) throw new InvalidDataException("a stored graph is not square");
            for (int j = 0; j < rows.Length; j++) m[i, j] = rows[i][j];
        }
        return m;
    }

    private sealed record Stored(GraphSource Source, int Horizon, ForecastMode Mode, string[]? GraphNodes, Dictionary<string, double[][]>? Graphs);
}
