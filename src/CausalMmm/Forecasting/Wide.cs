using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using Microsoft.ML;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Forecasting;

/// <summary>The wide part of a fitted <see cref="WideTransformer"/> (the deep part's weights stay inside the model).</summary>
/// <param name="Inputs">The given series (channels and covariates) the model reads.</param>
/// <param name="Lags">Steps of each input the model reads (lag 0 is the current step).</param>
/// <param name="WideFeatures">Names of the wide features: lagged inputs, crossed channel pairs, then context.</param>
/// <param name="WideWeights">Linear weights of the wide features, on per-shop min-max scaled data.</param>
/// <param name="WideBias">Bias of the wide part.</param>
/// <param name="HiddenSize">Width of the deep part's two hidden layers.</param>
public sealed record WideParameters(IReadOnlyList<string> Inputs, int Lags, IReadOnlyList<string> WideFeatures, double[] WideWeights, double WideBias, int HiddenSize);

/// <summary>
/// A Wide-and-Deep style response model with no recurrence: the label at a date is a linear function of the channels'
/// recent values, their pairwise products (crossed features) and the shop's context, plus a small MLP on the recent
/// values and context. Trained with TorchSharp on every shop and date at once, per-shop min-max scaled. Like the ridge
/// baseline it scores every row from its spends (with the holdout's actual spends, a scenario forecast); the first
/// <c>Lags - 1</c> dates of each shop get NaN.
/// </summary>
public sealed class WideEstimator : IEstimator<WideTransformer>
{
    /// <summary>Settings of <see cref="WideEstimator"/>.</summary>
    public sealed class Options : PanelColumnOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Dates of each channel read (the current one and two before).</summary>
            public const int Lags = 3;

            /// <summary>Deep part width.</summary>
            public const int HiddenSize = 32;

            /// <summary>Full-batch Adam steps.</summary>
            public const int Epochs = 300;

            /// <summary>Adam learning rate.</summary>
            public const double LearningRate = 1e-2;

            /// <summary>The output column.</summary>
            public const string ScoreColumnName = "Score";
        }

        /// <summary>Dates of each channel read.</summary>
        public int Lags = Defaults.Lags;

        /// <summary>Deep part width.</summary>
        public int HiddenSize = Defaults.HiddenSize;

        /// <summary>Full-batch Adam steps.</summary>
        public int Epochs = Defaults.Epochs;

        /// <summary>Adam learning rate.</summary>
        public double LearningRate = Defaults.LearningRate;

        /// <summary>The Single column the transformer adds.</summary>
        public string ScoreColumnName = Defaults.ScoreColumnName;

        /// <summary>libtorch's intra-op threads for training (a process-wide setting); null leaves libtorch's default.</summary>
        public int? NumberOfThreads;

        /// <summary>Called after every training step (for progress bars); every 50th also goes to <c>mlContext.Log</c>.</summary>
        public Action<TrainingProgress>? Progress;

        /// <summary>Stops training with an <see cref="OperationCanceledException"/>, checked before every step.</summary>
        public CancellationToken CancellationToken;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;
    private readonly int _seed;

    internal WideEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(WideEstimator));
        if (_options.Lags < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Lags, $"{nameof(Options.Lags)} must be at least 1.");
        if (_options.HiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.HiddenSize, $"{nameof(Options.HiddenSize)} must be at least 1.");
        if (_options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Epochs, $"{nameof(Options.Epochs)} must be at least 1.");
        if (!(_options.LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(options), _options.LearningRate, $"{nameof(Options.LearningRate)} must be positive.");
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.ScoreColumnName, nameof(options));
        _host.CheckThreads(_options.NumberOfThreads);
        _seed = _host.NextSeed(); // the MLContext's seed decides, as for every estimator here
    }

    /// <summary>The input plus the Single score column.</summary>
    /// <exception cref="ArgumentException">A key, label, channel or context column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        return _host.AddSingles(inputSchema, new[] { _options.ScoreColumnName }, roles.Target!);
    }

    /// <summary>Trains on every row of <paramref name="input"/>.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    public WideTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true) with { Mediators = Array.Empty<string>() };
        MarketingPanel panel = PanelReader.Read(input, roles, roles.Variables(), nameof(WideEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        string[] inputs = roles.GivenSeries.ToArray();
        if (panel.Length <= _options.Lags) throw new ArgumentException($"{nameof(WideEstimator)}: {panel.Length} dates are too few for {_options.Lags} lags.", nameof(input));
        var layout = new WideLayout(inputs, roles.Channels.Length, _options.Lags, roles.Context);
        var scaling = new Dictionary<string, ShopScale>(StringComparer.Ordinal);
        for (int s = 0; s < panel.ShopCount; s++) scaling[panel.ShopIds[s]] = ShopScale.Measure(panel, s, inputs.Append(roles.Target!).ToArray(), panel.Length);
        (double[] contextMean, double[] contextScale) = Standardisation(panel, roles.Context);
        Device device = TorchDevices.Parse(_host.PrepareTorch("cpu", _options.NumberOfThreads), "MLContext.GpuDeviceId");
        WideNetwork network = WideNetwork.Create(layout, _options.HiddenSize, _seed);
        try
        {
            if (device.type != DeviceType.CPU) network.to(device);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double lastLoss = double.NaN;
            using (DisposeScope scope = torch.NewDisposeScope())
            {
                (Tensor rows, Tensor target) = layout.Rows(panel, panel.ShopIds.Select(id => scaling[id]).ToArray(), contextMean, contextScale, _options.Lags - 1, panel.Length, withTarget: true);
                Tensor x = rows.to(device), y = target.to(device);
                using var adam = torch.optim.Adam(network.parameters(), lr: _options.LearningRate);
                for (int epoch = 1; epoch <= _options.Epochs; epoch++)
                {
                    _options.CancellationToken.ThrowIfCancellationRequested();
                    using DisposeScope step = torch.NewDisposeScope();
                    adam.zero_grad();
                    Tensor loss = nn.functional.mse_loss(network.forward(x), y);
                    double value = loss.item<float>();
                    if (!double.IsFinite(value)) throw new TrainingDivergedException(epoch, 1, $"the loss is {value}");
                    loss.backward();
                    adam.step();
                    lastLoss = value;
                    _options.Progress?.Invoke(new TrainingProgress(epoch, _options.Epochs, value, double.NaN, _options.LearningRate, clock.Elapsed));
                    if (epoch % 50 == 0 || epoch == _options.Epochs) _host.Info($"step {epoch}/{_options.Epochs}: training loss {value:G4}");
                }
            }
            network.eval();
            _host.Info($"Wide trained {_options.Epochs} full-batch steps on {panel.ShopCount} shops x {panel.Length - _options.Lags + 1} dates on {device}, final loss {lastLoss:G4}");
            return new WideTransformer(network, layout, roles.GivenOnly() with { Context = roles.Context }, scaling, contextMean, contextScale, _options.HiddenSize,
                _options.ScoreColumnName, _host.DateFormats);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    internal static (double[] Mean, double[] Scale) Standardisation(MarketingPanel panel, string[] context)
    {
        double[] mean = context.Select(c => Enumerable.Range(0, panel.ShopCount).Average(s => panel.GetContext(s, c))).ToArray();
        double[] scale = context.Select((c, k) => Math.Sqrt(Enumerable.Range(0, panel.ShopCount).Average(s => Math.Pow(panel.GetContext(s, c) - mean[k], 2))))
            .Select(v => v > 1e-12 ? v : 1).ToArray();
        return (mean, scale);
    }
}

/// <summary>Per-shop min-max scale of a set of series, remembered so outputs return to the original scale.</summary>
/// <param name="Min">Minimum of each series.</param>
/// <param name="Range">Range of each series (1 for a constant one).</param>
public sealed record ShopScale(double[] Min, double[] Range)
{
    internal static ShopScale Measure(MarketingPanel panel, int shop, string[] series, int end)
    {
        var min = new double[series.Length];
        var range = new double[series.Length];
        for (int k = 0; k < series.Length; k++)
        {
            double[] x = panel.GetSeries(shop, series[k])[..end];
            min[k] = x.Min();
            double r = x.Max() - min[k];
            range[k] = r > 1e-12 ? r : 1;
        }
        return new ShopScale(min, range);
    }

    /// <summary>Series <paramref name="k"/>'s value mapped to [0, 1] over the fitting data.</summary>
    public double Scale(int k, double value) => (value - Min[k]) / Range[k];

    /// <summary>The inverse of <see cref="Scale"/>.</summary>
    public double Unscale(int k, double value) => value * Range[k] + Min[k];
}

/// <summary>Feature layout of the wide model: which columns are lagged inputs, crossed pairs and context.</summary>
internal sealed record WideLayout(string[] Inputs, int Channels, int Lags, string[] Context)
{
    public int LaggedCount => Inputs.Length * Lags;
    public int CrossedCount => Channels * (Channels - 1) / 2;
    public int WideCount => LaggedCount + CrossedCount + Context.Length;
    public int DeepCount => LaggedCount + Context.Length;

    public string[] WideNames()
    {
        var names = new List<string>();
        for (int l = 0; l < Lags; l++) names.AddRange(Inputs.Select(i => l == 0 ? i : $"{i}[t-{l}]"));
        for (int i = 0; i < Channels; i++)
        for (int j = i + 1; j < Channels; j++) names.Add($"{Inputs[i]}*{Inputs[j]}");
        names.AddRange(Context);
        return names.ToArray();
    }

    /// <summary>Rows for steps [from, to) of every shop: [wide features | lagged + context for the deep part], and the scaled target.</summary>
    public (Tensor X, Tensor Y) Rows(MarketingPanel panel, IReadOnlyList<ShopScale> scaling, double[] contextMean, double[] contextScale,
        int from, int to, bool withTarget)
    {
        int steps = to - from, width = WideCount + DeepCount;
        var x = new float[panel.ShopCount * steps * width];
        var y = new float[panel.ShopCount * steps];
        var lagged = new double[LaggedCount];
        for (int s = 0; s < panel.ShopCount; s++)
        {
            ShopScale scale = scaling[s];
            double[][] series = Inputs.Select(i => panel.GetSeries(s, i)).ToArray();
            double[] target = withTarget ? panel.GetSeries(s, panel.Target.Name) : Array.Empty<double>();
            double[] context = Context.Select((c, k) => (panel.GetContext(s, c) - contextMean[k]) / contextScale[k]).ToArray();
            for (int t = from; t < to; t++)
            {
                int row = (s * steps + t - from) * width, col = 0;
                for (int l = 0; l < Lags; l++)
                for (int i = 0; i < Inputs.Length; i++) lagged[l * Inputs.Length + i] = scale.Scale(i, series[i][t - l]);
                foreach (double v in lagged) x[row + col++] = (float)v;
                for (int i = 0; i < Channels; i++)
                for (int j = i + 1; j < Channels; j++) x[row + col++] = (float)(lagged[i] * lagged[j]);
                foreach (double v in context) x[row + col++] = (float)v;
                foreach (double v in lagged) x[row + col++] = (float)v;
                foreach (double v in context) x[row + col++] = (float)v;
                if (withTarget) y[s * steps + t - from] = (float)scale.Scale(Inputs.Length, target[t]);
            }
        }
        return (Tensors.FromArray(x, new long[] { panel.ShopCount * steps, width }), Tensors.FromArray(y, new long[] { panel.ShopCount * steps, 1 }));
    }
}

/// <summary>The wide linear part plus the deep MLP.</summary>
internal sealed class WideNetwork : nn.Module<Tensor, Tensor>
{
    private readonly WideLayout _layout;

    public WideNetwork(WideLayout layout, int hidden) : base(nameof(WideNetwork))
    {
        _layout = layout;
        Wide = nn.Linear(layout.WideCount, 1);
        Deep = nn.Sequential(nn.Linear(layout.DeepCount, hidden), new Modeling.EluModule(), nn.Linear(hidden, hidden), new Modeling.EluModule(), nn.Linear(hidden, 1));
        register_module("wide", Wide);
        register_module("deep", Deep);
    }

    public Linear Wide { get; }

    public Sequential Deep { get; }

    /// <summary>Where the parameters live.</summary>
    public Device Device => parameters().First().device;

    /// <summary>A network whose initial weights depend only on <paramref name="seed"/>.</summary>
    public static WideNetwork Create(WideLayout layout, int hidden, int seed) => SeededInitialisation.Create(seed, () => new WideNetwork(layout, hidden));

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor wide = Wide.forward(input.narrow(1, 0, _layout.WideCount));
        Tensor deep = Deep.forward(input.narrow(1, _layout.WideCount, _layout.DeepCount));
        return (wide + deep).MoveToOuterDisposeScope();
    }
}

/// <summary>Adds <c>Score</c>: the label predicted from each row's recent spends and the shop's context. Safe from many threads (calls are serialised).</summary>
public sealed class WideTransformer : PanelTransformerBase, IDisposable
{
    internal const string Kind = "CausalMmm.Wide";
    private readonly WideNetwork _network;
    private readonly WideLayout _layout;
    private readonly PanelRoles _roles;
    private readonly IReadOnlyDictionary<string, ShopScale> _scaling;
    private readonly double[] _contextMean;
    private readonly double[] _contextScale;
    private readonly string[] _dateFormats;
    private readonly object _gate = new();

    internal WideTransformer(WideNetwork network, WideLayout layout, PanelRoles roles, IReadOnlyDictionary<string, ShopScale> scaling, double[] contextMean,
        double[] contextScale, int hidden, string scoreColumnName, string[] dateFormats)
    {
        _network = network;
        _layout = layout;
        _roles = roles;
        _scaling = scaling;
        _contextMean = contextMean;
        _contextScale = contextScale;
        _dateFormats = dateFormats;
        ScoreColumnName = scoreColumnName;
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            float[] weights = network.Wide.weight!.cpu().data<float>().ToArray();
            Parameters = new WideParameters(layout.Inputs, layout.Lags, layout.WideNames(), weights.Select(w => (double)w).ToArray(), network.Wide.bias!.cpu().data<float>()[0], hidden);
        }
    }

    /// <summary>The fitted wide part.</summary>
    public WideParameters Parameters { get; }

    /// <summary>Per shop id, the min-max scale of the inputs and (last) the label.</summary>
    public IReadOnlyDictionary<string, ShopScale> Scaling => _scaling;

    /// <summary>The column the transformer adds.</summary>
    public string ScoreColumnName { get; }

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 2;

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _roles.Require(PanelRoles.Columns(inputSchema), nameof(WideTransformer));
        return AppendColumnsDataView.OutputSchema(inputSchema, new[] { AppendedColumn.Scalar(ScoreColumnName) });
    }

    /// <summary>Adds the score of every row from the shop's <c>Lags</c>-th date on. Every shop must have been seen in fitting (its scale is per shop).</summary>
    public override IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new AppendColumnsDataView(input, new[] { AppendedColumn.Scalar(ScoreColumnName) }, () =>
        {
            AssembledPanel read = PanelReader.Read(input, _roles, _roles.Variables(), nameof(WideTransformer), allowMissingOutcomes: false, _dateFormats);
            MarketingPanel panel = read.Panel;
            ShopScale[] scales = panel.ShopIds.Select(id => _scaling.TryGetValue(id, out ShopScale? scale) ? scale
                : throw new ArgumentException($"{nameof(WideTransformer)}: shop '{id}' was not in the fitting data, so its scale is unknown. Fit on data that includes it.")).ToArray();
            int from = _layout.Lags - 1, steps = panel.Length - from;
            var scores = new float[read.RowShop.Length];
            Array.Fill(scores, float.NaN);
            if (steps <= 0) return new AppendedValues[] { new AppendedValues.Scalars(scores) };
            float[] predicted;
            lock (_gate)
            {
                using DisposeScope scope = torch.NewDisposeScope();
                using IDisposable noGrad = torch.no_grad();
                (Tensor x, _) = _layout.Rows(panel, scales, _contextMean, _contextScale, from, panel.Length, withTarget: false);
                predicted = _network.forward(x.to(_network.Device)).cpu().data<float>().ToArray();
            }
            for (int row = 0; row < scores.Length; row++)
            {
                int s = read.RowShop[row], t = read.RowStep[row];
                if (t >= from) scores[row] = (float)scales[s].Unscale(_layout.Inputs.Length, predicted[s * steps + t - from]);
            }
            return new AppendedValues[] { new AppendedValues.Scalars(scores) };
        });
    }

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        lock (_gate)
        {
            writer.WriteJson("roles", _roles);
            writer.WriteJson("parameters", new Stored(_layout.Inputs, _layout.Channels, _layout.Lags, _layout.Context, Parameters.HiddenSize, ScoreColumnName,
                _contextMean, _contextScale, _scaling.ToDictionary(kv => kv.Key, kv => kv.Value), _dateFormats));
            writer.WriteModule("weights", _network);
        }
    }

    internal static WideTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version != 2) throw new InvalidDataException($"wide state version {reader.Version} is not supported (this library reads version 2)");
        Stored stored = reader.ReadJson<Stored>("parameters");
        var layout = new WideLayout(stored.Inputs, stored.Channels, stored.Lags, stored.Context);
        WideNetwork network = WideNetwork.Create(layout, stored.HiddenSize, seed: 1);
        try
        {
            reader.ReadModule("weights", network);
            network.eval();
            return new WideTransformer(network, layout, reader.ReadJson<PanelRoles>("roles"), stored.Scaling, stored.ContextMean, stored.ContextScale, stored.HiddenSize,
                stored.ScoreColumnName, stored.DateFormats);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Releases the network's native tensors.</summary>
    public void Dispose() => _network.Dispose();

    private sealed record Stored(string[] Inputs, int Channels, int Lags, string[] Context, int HiddenSize, string ScoreColumnName,
        double[] ContextMean, double[] ContextScale, Dictionary<string, ShopScale> Scaling, string[] DateFormats);
}
