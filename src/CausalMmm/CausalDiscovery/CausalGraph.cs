using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Pipeline;
using CausalMmm.Transforms;

namespace CausalMmm.CausalDiscovery;

/// <summary>
/// Learns a causal graph per shop with CausalMMM (encoder and decoder trained together on the steps before the
/// holdout). Its transformer attaches each shop's edge probabilities, read from the history before the panel's
/// holdout, so a downstream forecaster never sees the graph of data it is scored on.
/// </summary>
public sealed class CausalGraphEstimator : IEstimator<CausalGraphTransformer>
{
    /// <summary>Settings of <see cref="CausalGraphEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The model and training settings; see <see cref="CausalMmmOptions.Defaults"/>.</summary>
        public CausalMmmOptions Model { get; set; } = new();

        /// <summary>Seed of the model; null takes the next seed of the <see cref="MmmContext"/> (or <see cref="CausalMmmOptions.Seed"/> without one).</summary>
        public int? Seed { get; set; }
    }

    private readonly Options _options;
    private readonly MmmContext? _context;

    /// <summary>Creates the estimator; a catalog passes its context for seeds, progress and logging.</summary>
    public CausalGraphEstimator(Options? options = null) : this(null, options)
    {
    }

    internal CausalGraphEstimator(MmmContext? context, Options? options)
    {
        _options = options ?? new Options();
        _context = context;
        _options.Model.Clone().Validate();
        if (_options.Seed is null && context is not null) _options.Seed = context.NextSeed();
    }

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaRules.RequireChannelsAndTarget(inputSchema, nameof(CausalGraphEstimator));
        return inputSchema.WithGraphs();
    }

    /// <summary>Trains CausalMMM on the steps before the panel's holdout.</summary>
    /// <exception cref="TrainingDivergedException">Training diverged.</exception>
    public CausalGraphTransformer Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        NumericPanel history = input.ToNumeric().SliceTime(0, input.HistoryEnd);
        CausalMmmOptions options = _options.Model.Clone();
        if (_options.Seed is { } seed) options.Seed = seed;
        if (_context is { Device.Type: Torch.DeviceType.CUDA }) options.Device = _context.Device.ToString();
        CausalMmmModel model = CausalMmmTrainer.Fit(history, options, _context?.ProgressFor(nameof(CausalGraphEstimator)), _context?.CancellationToken ?? default);
        _context?.LogFitted(nameof(CausalGraphEstimator), model.Summary);
        return new CausalGraphTransformer(model);
    }
}

/// <summary>
/// Attaches each shop's learned causal graph. Holds the trained <see cref="CausalMmmModel"/> (also usable for
/// forecasts directly). Safe from many threads: calls into the model are serialised.
/// </summary>
public sealed class CausalGraphTransformer : ITransformer, IDisposable
{
    internal const string Kind = "CausalMmm.CausalGraph";

    internal CausalGraphTransformer(CausalMmmModel model) => Model = model;

    /// <summary>The trained CausalMMM.</summary>
    public CausalMmmModel Model { get; }

    /// <summary>Graph nodes: channels and covariates, mediators, the target.</summary>
    public IReadOnlyList<string> NodeNames => Model.NodeNames;

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        SchemaRules.RequireNodes(inputSchema, NodeNames, Model.ChannelCount, nameof(CausalGraphTransformer));
        return inputSchema.WithGraphs();
    }

    /// <summary>Attaches the graphs read from the <see cref="CausalMmmModel.EncoderWindow"/> steps before the holdout.</summary>
    /// <exception cref="ArgumentException">The panel's variables differ from the model's, or its history is shorter than the encoder window.</exception>
    public MarketingPanel Transform(MarketingPanel input) => input.WithGraphs(Graphs(input));

    /// <summary>The graphs of <paramref name="input"/>'s shops, read from the history before its holdout.</summary>
    public CausalGraphSet Graphs(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        IReadOnlyList<double[,]> probabilities = Model.EdgeProbabilities(input.ToNumeric(), input.HistoryEnd);
        return new CausalGraphSet(NodeNames, input.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, probabilities[s])));
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context) => Model.WriteTo(context);

    internal static CausalGraphTransformer Load(ModelLoadContext context)
    {
        if (context.Version != 1) throw new InvalidDataException($"causal graph version {context.Version} is not supported (this library reads version 1)");
        return new CausalGraphTransformer(CausalMmmModel.ReadFrom(context));
    }

    /// <summary>Releases the model's native tensors.</summary>
    public void Dispose() => Model.Dispose();
}
