using CausalMmm.Data;
using CausalMmm.Pipeline;

namespace CausalMmm.Transforms;

/// <summary>The carry-over shape of an adstock.</summary>
public enum AdstockKind
{
    /// <summary>Geometric decay: weight <c>(1 - decay) decay^l</c> on spend l steps ago; the effect peaks immediately.</summary>
    Geometric,

    /// <summary>
    /// Delayed adstock (Jin et al., 2017): weight proportional to <c>decay^((l - delay)^2)</c> for l &lt; MaxLag,
    /// so the effect peaks <c>delay</c> steps after the spend.
    /// </summary>
    Delayed,
}

/// <summary>The fitted adstock of one channel.</summary>
/// <param name="Input">The input series.</param>
/// <param name="Output">The series the transform adds.</param>
/// <param name="Kind">The carry-over shape.</param>
/// <param name="Decay">Carry-over rate in [0, 1): the share of the effect that persists to the next step (geometric), or the spread around the peak (delayed).</param>
/// <param name="Delay">Steps from spend to peak effect (0 for geometric).</param>
/// <param name="MaxLag">Longest lag in steps (delayed); geometric carries over without limit.</param>
/// <param name="Fitted">True when the parameters were fitted, false when given.</param>
public sealed record AdstockChannel(string Input, string Output, AdstockKind Kind, double Decay, double Delay, int MaxLag, bool Fitted)
{
    /// <summary>The normalised lag weights (they sum to 1, so adstocked spend stays in spend units); geometric is cut at 1e-6.</summary>
    public double[] Weights()
    {
        if (Kind == AdstockKind.Geometric)
        {
            var w = new List<double>();
            for (double v = 1 - Decay; v > 1e-6 * (1 - Decay) && w.Count < 10_000; v *= Decay) w.Add(v);
            return w.ToArray();
        }
        var weights = Enumerable.Range(0, MaxLag).Select(l => Math.Pow(Decay, (l - Delay) * (l - Delay))).ToArray();
        double sum = weights.Sum();
        return weights.Select(x => x / sum).ToArray();
    }

    /// <summary>Applies this adstock to one series; steps before the first are taken as zero spend.</summary>
    public double[] Apply(IReadOnlyList<double> series)
    {
        var result = new double[series.Count];
        if (Kind == AdstockKind.Geometric)
        {
            double carry = 0;
            for (int t = 0; t < series.Count; t++) result[t] = carry = (1 - Decay) * series[t] + Decay * carry;
            return result;
        }
        double[] w = Weights();
        for (int t = 0; t < series.Count; t++)
        {
            double sum = 0;
            for (int l = 0; l < w.Length && l <= t; l++) sum += w[l] * series[t - l];
            result[t] = sum;
        }
        return result;
    }
}

/// <summary>Fitted adstock parameters, one entry per transformed channel.</summary>
/// <param name="Channels">Per-channel parameters.</param>
public sealed record AdstockParameters(IReadOnlyList<AdstockChannel> Channels)
{
    /// <summary>The parameters of <paramref name="input"/>.</summary>
    /// <exception cref="KeyNotFoundException">The input was not transformed.</exception>
    public AdstockChannel this[string input] => Channels.FirstOrDefault(c => c.Input == input)
        ?? throw new KeyNotFoundException($"'{input}' was not adstocked; transformed inputs: [{string.Join(", ", Channels.Select(c => c.Input))}].");
}

/// <summary>
/// Learns each channel's carry-over (adstock) and adds the adstocked series <c>{input}{OutputSuffix}</c>. Decay (and,
/// for <see cref="AdstockKind.Delayed"/>, delay) are fitted per channel by how well the adstocked channels explain the
/// target with per-shop least squares, unless fixed in the options.
/// </summary>
public sealed class AdstockEstimator : IEstimator<AdstockTransformer>
{
    /// <summary>Settings of <see cref="AdstockEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Geometric carry-over.</summary>
            public const AdstockKind Kind = AdstockKind.Geometric;

            /// <summary>13 steps: a quarter of weekly data, about two weeks of daily data.</summary>
            public const int MaxLag = 13;

            /// <summary>Suffix of the output series.</summary>
            public const string OutputSuffix = "_adstock";

            /// <summary>Largest decay searched; 0.95 means a half-life of about 13.5 steps.</summary>
            public const double MaxDecay = 0.95;
        }

        /// <summary>The carry-over shape.</summary>
        public AdstockKind Kind { get; set; } = Defaults.Kind;

        /// <summary>Inputs to transform; null means every channel.</summary>
        public IList<string>? InputColumns { get; set; }

        /// <summary>A decay fixed for every input; null fits it per channel.</summary>
        public double? Decay { get; set; }

        /// <summary>A delay fixed for every input (delayed kind); null fits it per channel.</summary>
        public double? Delay { get; set; }

        /// <summary>Decays fixed for particular inputs; they win over <see cref="Decay"/>.</summary>
        public IDictionary<string, double> ChannelDecay { get; set; } = new Dictionary<string, double>();

        /// <summary>Longest lag of the delayed kind.</summary>
        public int MaxLag { get; set; } = Defaults.MaxLag;

        /// <summary>Largest decay the fit may choose.</summary>
        public double MaxDecay { get; set; } = Defaults.MaxDecay;

        /// <summary>Suffix appended to each input's name to name its output.</summary>
        public string OutputSuffix { get; set; } = Defaults.OutputSuffix;
    }

    private readonly Options _options;

    /// <summary>Creates the estimator.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public AdstockEstimator(Options? options = null)
    {
        _options = options ?? new Options();
        if (_options.MaxLag < 1) throw new ArgumentException($"MaxLag must be at least 1, got {_options.MaxLag}.", nameof(options));
        if (!(_options.MaxDecay > 0 && _options.MaxDecay < 1)) throw new ArgumentException($"MaxDecay must be in (0, 1), got {_options.MaxDecay}.", nameof(options));
        foreach ((string name, double d) in _options.ChannelDecay.Append(new("*", _options.Decay ?? 0)))
        {
            if (!(d >= 0 && d < 1)) throw new ArgumentException($"The decay of '{name}' must be in [0, 1), got {d}.", nameof(options));
        }
        if (_options.Delay is { } delay && !(delay >= 0 && delay <= _options.MaxLag - 1))
            throw new ArgumentException($"Delay must be in [0, MaxLag - 1 = {_options.MaxLag - 1}], got {delay}.", nameof(options));
        if (string.IsNullOrEmpty(_options.OutputSuffix)) throw new ArgumentException("OutputSuffix must not be empty (outputs would overwrite inputs).", nameof(options));
    }

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string[] inputs = Inputs(inputSchema);
        SchemaRules.RequireSeries(inputSchema, inputs, nameof(AdstockEstimator));
        SchemaRules.RequireNew(inputSchema, inputs.Select(i => i + _options.OutputSuffix), nameof(AdstockEstimator));
        return inputSchema.WithVariables(inputs.Select(i => new PanelVariable(i + _options.OutputSuffix, VariableRole.Feature, Source: i)));
    }

    /// <summary>Fits the carry-over of every input against the panel's target.</summary>
    public AdstockTransformer Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        string[] inputs = Inputs(input.Schema);
        double[][][] series = inputs.Select(name => Enumerable.Range(0, input.ShopCount).Select(s => input.GetSeries(s, name)).ToArray()).ToArray();
        bool delayed = _options.Kind == AdstockKind.Delayed;
        var box = delayed
            ? new ResponseSearch.Box(new[] { 0.05, 0.0 }, new[] { _options.MaxDecay, _options.MaxLag - 1.0 }, new[] { false, false })
            : new ResponseSearch.Box(new[] { 0.0 }, new[] { _options.MaxDecay }, new[] { false });
        var fixedParameters = new double[]?[inputs.Length];
        for (int c = 0; c < inputs.Length; c++)
        {
            double? decay = _options.ChannelDecay.TryGetValue(inputs[c], out double d) ? d : _options.Decay;
            if (decay is { } fixedDecay && (!delayed || _options.Delay is not null))
                fixedParameters[c] = delayed ? new[] { fixedDecay, _options.Delay!.Value } : new[] { fixedDecay };
        }
        AdstockChannel Make(int c, double[] p) =>
            new(inputs[c], inputs[c] + _options.OutputSuffix, _options.Kind, p[0], delayed ? p[1] : 0, _options.MaxLag, fixedParameters[c] is null);
        double[][] targets = ResponseSearch.Targets(input, input.Target.Name);
        double[][] chosen = ResponseSearch.Fit(targets, inputs.Length, box, fixedParameters,
            (c, p) => series[c].Select(x => Make(c, p).Apply(x)).ToArray());
        return new AdstockTransformer(new AdstockParameters(inputs.Select((_, c) => Make(c, chosen[c])).ToArray()));
    }

    private string[] Inputs(PanelSchema schema) =>
        (_options.InputColumns?.ToArray() ?? schema.WithRole(VariableRole.Channel).Select(v => v.Name).ToArray()) is { Length: > 0 } inputs ? inputs
            : throw new ArgumentException($"{nameof(AdstockEstimator)}: the input has no Channel variable to adstock and no InputColumns were given.");
}

/// <summary>Adds the adstocked series of each fitted channel. Stateless between calls, so safe from many threads.</summary>
public sealed class AdstockTransformer : ITransformer
{
    internal const string Kind = "CausalMmm.Adstock";

    internal AdstockTransformer(AdstockParameters parameters) => Parameters = parameters;

    /// <summary>The fitted parameters.</summary>
    public AdstockParameters Parameters { get; }

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        SchemaRules.RequireSeries(inputSchema, Parameters.Channels.Select(c => c.Input), nameof(AdstockTransformer));
        SchemaRules.RequireNew(inputSchema, Parameters.Channels.Select(c => c.Output), nameof(AdstockTransformer));
        return inputSchema.WithVariables(Parameters.Channels.Select(c => new PanelVariable(c.Output, VariableRole.Feature, Source: c.Input)));
    }

    /// <inheritdoc />
    public MarketingPanel Transform(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        int a = Parameters.Channels.Count;
        var values = new double[(long)input.ShopCount * input.Length * a];
        for (int c = 0; c < a; c++)
        for (int s = 0; s < input.ShopCount; s++)
        {
            double[] output = Parameters.Channels[c].Apply(input.GetSeries(s, Parameters.Channels[c].Input));
            for (int t = 0; t < input.Length; t++) values[((long)s * input.Length + t) * a + c] = output[t];
        }
        return input.WithAddedSeries(Parameters.Channels.Select(c => new PanelVariable(c.Output, VariableRole.Feature, Source: c.Input)).ToArray(), values);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context) => context.WriteJson("parameters", Parameters.Channels.ToArray());

    internal static AdstockTransformer Load(ModelLoadContext context)
    {
        if (context.Version != 1) throw new InvalidDataException($"adstock version {context.Version} is not supported (this library reads version 1)");
        AdstockChannel[] channels = context.ReadJson<AdstockChannel[]>("parameters");
        foreach (AdstockChannel c in channels)
        {
            if (!(c.Decay >= 0 && c.Decay < 1) || c.MaxLag < 1) throw new InvalidDataException($"adstock of '{c.Input}' has invalid parameters (decay {c.Decay}, max lag {c.MaxLag})");
        }
        return new AdstockTransformer(new AdstockParameters(channels));
    }
}
