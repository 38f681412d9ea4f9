using CausalMmm.Data;
using CausalMmm.Pipeline;
using CausalMmm.Torch;
using CausalMmm.Torch.Modules;
using CausalMmm.Transforms;

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
/// A Wide-and-Deep style response model with no recurrence: the target at a step is a linear function of the
/// channels' recent values, their pairwise products (crossed features) and the shop's context, plus a small MLP on
/// the recent values and context. Trained on the torch core over every shop and step at once, per-shop min-max
/// scaled. Like the ridge baseline it forecasts the target from given spends (scenario mode).
/// </summary>
public sealed class WideEstimator : IEstimator<WideTransformer>
{
    /// <summary>Settings of <see cref="WideEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Steps of each channel read (current and two before).</summary>
            public const int Lags = 3;

            /// <summary>Deep part width.</summary>
            public const int HiddenSize = 32;

            /// <summary>Full-batch Adam steps.</summary>
            public const int Epochs = 300;

            /// <summary>Adam learning rate.</summary>
            public const double LearningRate = 1e-2;

            /// <summary>Steps forecast when the panel marks no holdout.</summary>
            public const int Horizon = 7;
        }

        /// <summary>Steps of each channel read.</summary>
        public int Lags { get; set; } = Defaults.Lags;

        /// <summary>Deep part width.</summary>
        public int HiddenSize { get; set; } = Defaults.HiddenSize;

        /// <summary>Full-batch Adam steps.</summary>
        public int Epochs { get; set; } = Defaults.Epochs;

        /// <summary>Adam learning rate.</summary>
        public double LearningRate { get; set; } = Defaults.LearningRate;

        /// <summary>Steps forecast when the panel marks no holdout.</summary>
        public int Horizon { get; set; } = Defaults.Horizon;

        /// <summary>Seed; null takes the next seed of the <see cref="MmmContext"/> (1 without one).</summary>
        public int? Seed { get; set; }
    }

    private readonly Options _options;
    private readonly MmmContext? _context;

    /// <summary>Creates the estimator.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public WideEstimator(Options? options = null) : this(null, options)
    {
    }

    internal WideEstimator(MmmContext? context, Options? options)
    {
        _options = options ?? new Options();
        _context = context;
        if (_options.Lags < 1) throw new ArgumentException($"Lags must be at least 1, got {_options.Lags}.", nameof(options));
        if (_options.HiddenSize < 1) throw new ArgumentException($"HiddenSize must be at least 1, got {_options.HiddenSize}.", nameof(options));
        if (_options.Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {_options.Epochs}.", nameof(options));
        if (!(_options.LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, got {_options.LearningRate}.", nameof(options));
        if (_options.Horizon < 1) throw new ArgumentException($"Horizon must be at least 1, got {_options.Horizon}.", nameof(options));
        if (_options.Seed is null && context is not null) _options.Seed = context.NextSeed();
    }

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaRules.RequireChannelsAndTarget(inputSchema, nameof(WideEstimator));
        return inputSchema.WithForecasts(new[] { inputSchema.Target.Name });
    }

    /// <summary>Trains on every shop's steps before the holdout.</summary>
    /// <exception cref="Modeling.TrainingDivergedException">The loss became NaN or infinite.</exception>
    public WideTransformer Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        string[] inputs = MediaPlan.GivenSeries(input.Schema);
        int channels = input.VariablesWithRole(VariableRole.Channel).Count;
        string[] context = input.ContextVariables.Select(v => v.Name).ToArray();
        int history = input.HistoryEnd;
        if (history <= _options.Lags) throw new ArgumentException($"{nameof(WideEstimator)}: {history} steps of history are too few for {_options.Lags} lags.", nameof(input));
        var layout = new WideLayout(inputs, channels, _options.Lags, context);
        var scaling = new Dictionary<string, ShopScale>(StringComparer.Ordinal);
        for (int s = 0; s < input.ShopCount; s++) scaling[input.ShopIds[s]] = ShopScale.Measure(input, s, inputs.Append(input.Target.Name).ToArray(), history);
        (double[] contextMean, double[] contextScale) = Standardisation(input, context);
        torch.manual_seed((ulong)(_options.Seed ?? 1));
        var network = new WideNetwork(layout, _options.HiddenSize);
        try
        {
            using (DisposeScope scope = torch.NewDisposeScope())
            {
                (Tensor x, Tensor y) = layout.Rows(input, scaling, contextMean, contextScale, _options.Lags - 1, history, withTarget: true);
                using var adam = torch.optim.Adam(network.parameters(), lr: _options.LearningRate);
                for (int epoch = 1; epoch <= _options.Epochs; epoch++)
                {
                    _context?.CancellationToken.ThrowIfCancellationRequested();
                    using DisposeScope step = torch.NewDisposeScope();
                    adam.zero_grad();
                    Tensor loss = torch.nn.functional.mse_loss(network.forward(x), y);
                    double value = loss.item();
                    if (!double.IsFinite(value)) throw new Modeling.TrainingDivergedException(epoch, 1, $"the loss is {value}");
                    loss.backward();
                    adam.step();
                }
            }
            network.eval();
            var wide = new WideTransformer(network, layout, scaling, contextMean, contextScale, _options.Horizon, _options.HiddenSize);
            _context?.LogFitted(nameof(WideEstimator), null);
            return wide;
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
    public (Tensor X, Tensor Y) Rows(MarketingPanel panel, IReadOnlyDictionary<string, ShopScale> scaling, double[] contextMean, double[] contextScale,
        int from, int to, bool withTarget)
    {
        int steps = to - from, width = WideCount + DeepCount;
        var x = new float[panel.ShopCount * steps * width];
        var y = new float[panel.ShopCount * steps];
        var lagged = new double[LaggedCount];
        for (int s = 0; s < panel.ShopCount; s++)
        {
            ShopScale scale = scaling[panel.ShopIds[s]];
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
        return (torch.tensor(x, new long[] { panel.ShopCount * steps, width }), torch.tensor(y, new long[] { panel.ShopCount * steps, 1 }));
    }
}

/// <summary>The wide linear part plus the deep MLP.</summary>
internal sealed class WideNetwork : Module<Tensor, Tensor>
{
    private readonly WideLayout _layout;

    public WideNetwork(WideLayout layout, int hidden)
    {
        _layout = layout;
        Wide = RegisterModule("wide", new Linear(layout.WideCount, 1));
        Deep = RegisterModule("deep", new Sequential(new Linear(layout.DeepCount, hidden), new ELU(), new Linear(hidden, hidden), new ELU(), new Linear(hidden, 1)));
    }

    public Linear Wide { get; }
    public Sequential Deep { get; }

    public override Tensor forward(Tensor input)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor wide = Wide.forward(input.narrow(1, 0, _layout.WideCount));
        Tensor deep = Deep.forward(input.narrow(1, _layout.WideCount, _layout.DeepCount));
        return (wide + deep).MoveToOuterDisposeScope();
    }
}

/// <summary>Forecasts the target over the holdout from the given spends. Safe from many threads (calls are serialised).</summary>
public sealed class WideTransformer : ITransformer, IDisposable
{
    internal const string Kind = "CausalMmm.Wide";
    private readonly WideNetwork _network;
    private readonly WideLayout _layout;
    private readonly IReadOnlyDictionary<string, ShopScale> _scaling;
    private readonly double[] _contextMean;
    private readonly double[] _contextScale;
    private readonly object _gate = new();

    internal WideTransformer(WideNetwork network, WideLayout layout, IReadOnlyDictionary<string, ShopScale> scaling, double[] contextMean, double[] contextScale, int horizon, int hidden)
    {
        _network = network;
        _layout = layout;
        _scaling = scaling;
        _contextMean = contextMean;
        _contextScale = contextScale;
        Horizon = horizon;
        float[] weights = network.Wide.weight.ToArray<float>();
        Parameters = new WideParameters(layout.Inputs, layout.Lags, layout.WideNames(), weights.Select(w => (double)w).ToArray(), network.Wide.bias!.ToArray<float>()[0], hidden);
    }

    /// <summary>The fitted wide part.</summary>
    public WideParameters Parameters { get; }

    /// <summary>Per shop id, the min-max scale of the inputs and (last) the target.</summary>
    public IReadOnlyDictionary<string, ShopScale> Scaling => _scaling;

    /// <summary>Steps forecast when the panel marks no holdout.</summary>
    public int Horizon { get; }

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        SchemaRules.RequireSeries(inputSchema, _layout.Inputs, nameof(WideTransformer));
        SchemaRules.RequireChannelsAndTarget(inputSchema, nameof(WideTransformer));
        if (!SchemaRules.GivenSeries(inputSchema).SequenceEqual(_layout.Inputs) || inputSchema.WithRole(VariableRole.Channel).Count != _layout.Channels)
            throw new ArgumentException($"{nameof(WideTransformer)}: the input's channels and covariates [{string.Join(", ", SchemaRules.GivenSeries(inputSchema))}] differ from those it was fitted on [{string.Join(", ", _layout.Inputs)}] ({_layout.Channels} channels).");
        foreach (string c in _layout.Context)
        {
            if (inputSchema.Find(c) is not { Role: VariableRole.Context })
                throw new ArgumentException($"{nameof(WideTransformer)}: the input has no context variable '{c}'.");
        }
        return inputSchema.WithForecasts(new[] { inputSchema.Target.Name });
    }

    /// <summary>Attaches the target forecast over the holdout (or the last <see cref="Horizon"/> steps).</summary>
    /// <exception cref="ArgumentException">A shop was not in the fitting data, or the holdout starts before enough lags.</exception>
    public MarketingPanel Transform(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        (int origin, int steps) = ForecastWindow.Of(input, Horizon, nameof(WideTransformer));
        if (origin < _layout.Lags - 1) throw new ArgumentException($"{nameof(WideTransformer)}: the forecast starts at step {origin}, before {_layout.Lags - 1} steps of lags are available.");
        foreach (string id in input.ShopIds)
        {
            if (!_scaling.ContainsKey(id)) throw new ArgumentException($"{nameof(WideTransformer)}: shop '{id}' was not in the fitting data, so its scale is unknown. Fit on a panel that includes it.");
        }
        float[] predicted;
        lock (_gate)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            (Tensor x, _) = _layout.Rows(input, _scaling, _contextMean, _contextScale, origin, origin + steps, withTarget: false);
            predicted = _network.forward(x).ToArray<float>();
        }
        var values = new double[input.ShopCount][,];
        for (int s = 0; s < input.ShopCount; s++)
        {
            values[s] = new double[steps, 1];
            ShopScale scale = _scaling[input.ShopIds[s]];
            for (int h = 0; h < steps; h++) values[s][h, 0] = scale.Unscale(_layout.Inputs.Length, predicted[s * steps + h]);
        }
        return input.WithForecast(new PanelForecast(input.ShopIds, new[] { input.Target.Name }, origin, ForecastMode.Scenario, values));
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        lock (_gate)
        {
            context.WriteJson("parameters", new Stored(_layout.Inputs, _layout.Channels, _layout.Lags, _layout.Context, Parameters.HiddenSize, Horizon,
                _contextMean, _contextScale, _scaling.ToDictionary(kv => kv.Key, kv => kv.Value)));
            context.WriteTensors("weights", _network.state_dict());
        }
    }

    internal static WideTransformer Load(ModelLoadContext context)
    {
        if (context.Version != 1) throw new InvalidDataException($"wide version {context.Version} is not supported (this library reads version 1)");
        Stored stored = context.ReadJson<Stored>("parameters");
        var layout = new WideLayout(stored.Inputs, stored.Channels, stored.Lags, stored.Context);
        var network = new WideNetwork(layout, stored.HiddenSize);
        try
        {
            Dictionary<string, Tensor> state = context.ReadTensors("weights");
            try
            {
                network.load_state_dict(state);
            }
            finally
            {
                foreach (Tensor t in state.Values) t.Dispose();
            }
            network.eval();
            return new WideTransformer(network, layout, stored.Scaling, stored.ContextMean, stored.ContextScale, stored.Horizon, stored.HiddenSize);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Releases the network's native tensors.</summary>
    public void Dispose() => _network.Dispose();

    private sealed record Stored(string[] Inputs, int Channels, int Lags, string[] Context, int HiddenSize, int Horizon,
        double[] ContextMean, double[] ContextScale, Dictionary<string, ShopScale> Scaling);
}
