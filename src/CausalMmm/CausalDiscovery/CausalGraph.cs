using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using Microsoft.ML;

namespace CausalMmm.CausalDiscovery;

/// <summary>
/// Learns a causal graph per shop with CausalMMM (encoder and decoder trained together on every row of the input). Its
/// transformer adds <c>Graph</c>, each shop's edge probabilities read from the history before the forecast origin, to every
/// row, so a downstream forecaster uses the graph and never the graph of data it is scored on.
/// </summary>
public sealed class CausalGraphEstimator : IEstimator<CausalGraphTransformer>
{
    /// <summary>Settings of <see cref="CausalGraphEstimator"/>.</summary>
    public sealed class Options : CausalTrainerOptions
    {
        /// <summary>
        /// Options with the graph estimator's defaults: <see cref="CausalMmmOptions.Defaults"/> with messages over each
        /// sender's last <see cref="CausalMmmOptions.Defaults.GraphMessageLags"/> values, so a cause acting two or three
        /// steps later is an input of its edge.
        /// </summary>
        public Options() => Model = CausalMmmOptions.ForGraphEstimator();

        /// <summary>
        /// Sparsity: the prior probability of each lagged edge, which the KL term pulls an edge the data does not support
        /// towards. Lower gives sparser graphs. Default <see cref="CausalMmmOptions.Defaults.EdgePrior"/>.
        /// </summary>
        public double EdgePrior { get => Model.EdgePrior; set => Model.EdgePrior = value; }

        /// <summary>
        /// Steps of each shop's history the encoder reads before a forecast origin to judge its edges; null (the default)
        /// reads the whole training length. At least 5.
        /// </summary>
        public int? EncoderWindow { get => Model.EncoderWindow; set => Model.EncoderWindow = value; }

        /// <summary>The Single vector column the transformer adds.</summary>
        public string GraphColumnName = GraphColumn.DefaultName;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;
    private readonly int _seed;

    internal CausalGraphEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(CausalGraphEstimator));
        ArgumentNullException.ThrowIfNull(_options.Model, nameof(options));
        _host.CheckContextOwned(_options.Model);
        (_options.Model with { }).Validate();
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.GraphColumnName, nameof(options));
        _host.CheckThreads(_options.NumberOfThreads);
        _seed = _host.NextSeed();
    }

    /// <summary>The input plus the Single vector graph column (and, with same-day media, the same-day and any-lag graph columns).</summary>
    /// <exception cref="ArgumentException">A key column, the label or every channel is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        SchemaShape shape = _host.AddSingleVector(inputSchema, _options.GraphColumnName, roles.Target!);
        if (!_options.Model.SameDayMedia) return shape;
        shape = _host.AddSingleVector(shape, GraphColumn.SameDayName(_options.GraphColumnName), roles.Target!);
        return _host.AddSingleVector(shape, GraphColumn.AnyLagName(_options.GraphColumnName), roles.Target!);
    }

    /// <summary>Trains CausalMMM on every row of <paramref name="input"/>.</summary>
    /// <exception cref="TrainingDivergedException">Training diverged.</exception>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public CausalGraphTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true);
        MarketingPanel panel = PanelReader.Read(input, roles, roles.Variables(), nameof(CausalGraphEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        CausalMmmModel model = CausalTraining.Fit(_host, _options, _seed, panel.ToNumeric(), fixedEdges: null);
        return new CausalGraphTransformer(model, roles, panel.Dates[^1], _options.GraphColumnName, _host.DateFormats,
            CausalGraphTransformer.GraphsOf(model, panel, panel.Length));
    }
}

/// <summary>
/// Adds each shop's learned causal graph (<see cref="GraphColumn"/>) to every row. Holds the trained
/// <see cref="CausalMmmModel"/>, usable directly for forecasts. Each shop's graph comes from that shop's rows alone.
/// </summary>
public sealed class CausalGraphTransformer : GraphTransformerBase, IDisposable
{
    internal const string Kind = "CausalMmm.CausalGraph";

    internal CausalGraphTransformer(CausalMmmModel model, PanelRoles roles, DateOnly historyEnd, string graphColumnName, string[] dateFormats, CausalGraphSet? trainingGraphs)
        : base(roles, historyEnd, graphColumnName, dateFormats, trainingGraphs) => Model = model;

    /// <summary>The trained CausalMMM.</summary>
    public CausalMmmModel Model { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> NodeNames => Model.NodeNames;

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 3;

    private protected override bool HasSameDayGraph => Model.HasSameDayEdges;

    /// <summary>Read from the <see cref="CausalMmmModel.EncoderWindow"/> dates before the origin.</summary>
    private protected override CausalGraphSet GraphsOf(MarketingPanel panel, int origin) => GraphsOf(Model, panel, origin);

    /// <summary>The graphs <paramref name="model"/> reads for every shop of <paramref name="panel"/> from the window before <paramref name="origin"/>.</summary>
    internal static CausalGraphSet GraphsOf(CausalMmmModel model, MarketingPanel panel, int origin)
    {
        (IReadOnlyList<double[,]> lagged, IReadOnlyList<double[,]>? sameDay) = model.Graphs(panel.ToNumeric(), origin);
        return new CausalGraphSet(model.NodeNames, panel.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, lagged[s])),
            sameDay is null ? null : panel.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, sameDay[s])));
    }

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("transformer", new Stored(Roles, HistoryEnd, GraphColumnName, DateFormats));
        if (TrainingGraphs is not null) writer.WriteJson("training_graphs", TrainingGraphs.ToStored());
        Model.WriteTo(writer);
    }

    internal static CausalGraphTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version is not (2 or 3)) throw new InvalidDataException($"causal graph state version {reader.Version} is not supported (this library reads versions 2 and 3)");
        Stored stored = reader.ReadJson<Stored>("transformer");
        // Version 3 keeps the training data's graphs; version 2 did not.
        CausalGraphSet? training = reader.Version >= 3 && reader.Has("training_graphs") ? CausalGraphSet.FromStored(reader.ReadJson<StoredGraphSet>("training_graphs")) : null;
        CausalMmmModel model = CausalMmmModel.ReadFrom(reader);
        if (!stored.Roles.CausalNodes.SequenceEqual(model.NodeNames)) throw new InvalidDataException("the causal graph's roles do not match its network's nodes");
        return new CausalGraphTransformer(model, stored.Roles, stored.HistoryEnd, stored.GraphColumnName, stored.DateFormats, training);
    }

    /// <summary>Releases the model's native tensors.</summary>
    public void Dispose() => Model.Dispose();

    private sealed record Stored(PanelRoles Roles, DateOnly HistoryEnd, string GraphColumnName, string[] DateFormats);
}
