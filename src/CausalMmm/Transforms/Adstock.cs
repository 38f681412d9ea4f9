using CausalMmm.Data;
using CausalMmm.Persistence;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

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
/// Learns each channel's carry-over (adstock) and adds the adstocked column <c>{input}{OutputSuffix}</c> (Single) to every
/// row. Decay (and, for <see cref="AdstockKind.Delayed"/>, delay) are fitted per channel by how well the adstocked channels
/// explain the label with per-shop least squares, unless fixed in the options. Rows may come in any order: each shop's rows
/// are put in date order before the carry-over runs. Transform on the whole panel and filter afterwards: filtering first
/// would cut the history the carry-over reads.
/// </summary>
public sealed class AdstockEstimator : IEstimator<AdstockTransformer>
{
    /// <summary>Settings of <see cref="AdstockEstimator"/>.</summary>
    public sealed class Options : PanelColumnOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Geometric carry-over.</summary>
            public const AdstockKind Kind = AdstockKind.Geometric;

            /// <summary>13 steps: a quarter of weekly data, about two weeks of daily data.</summary>
            public const int MaxLag = 13;

            /// <summary>Suffix of the output columns.</summary>
            public const string OutputSuffix = "_adstock";

            /// <summary>Largest decay searched; 0.95 means a half-life of about 13.5 steps.</summary>
            public const double MaxDecay = 0.95;
        }

        /// <summary>The carry-over shape.</summary>
        public AdstockKind Kind = Defaults.Kind;

        /// <summary>Columns to transform; null means every channel.</summary>
        public string[]? InputColumnNames;

        /// <summary>A decay fixed for every input; null fits it per channel.</summary>
        public double? Decay;

        /// <summary>A delay fixed for every input (delayed kind); null fits it per channel.</summary>
        public double? Delay;

        /// <summary>Decays fixed for particular inputs; they win over <see cref="Decay"/>.</summary>
        public Dictionary<string, double> ChannelDecay = new(StringComparer.Ordinal);

        /// <summary>Longest lag of the delayed kind.</summary>
        public int MaxLag = Defaults.MaxLag;

        /// <summary>Largest decay the fit may choose.</summary>
        public double MaxDecay = Defaults.MaxDecay;

        /// <summary>Suffix appended to each input's name to name its output.</summary>
        public string OutputSuffix = Defaults.OutputSuffix;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;

    internal AdstockEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(AdstockEstimator));
        if (_options.MaxLag < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.MaxLag, $"{nameof(Options.MaxLag)} must be at least 1.");
        if (!(_options.MaxDecay > 0 && _options.MaxDecay < 1)) throw new ArgumentOutOfRangeException(nameof(options), _options.MaxDecay, $"{nameof(Options.MaxDecay)} must be in (0, 1).");
        if (_options.Decay is { } decay && !(decay >= 0 && decay < 1))
            throw new ArgumentOutOfRangeException(nameof(options), decay, $"{nameof(Options.Decay)} must be in [0, 1).");
        foreach ((string name, double d) in _options.ChannelDecay)
        {
            if (!(d >= 0 && d < 1)) throw new ArgumentOutOfRangeException(nameof(options), d, $"{nameof(Options.ChannelDecay)}[\"{name}\"] must be in [0, 1).");
        }
        if (_options.Delay is { } delay && !(delay >= 0 && delay <= _options.MaxLag - 1))
            throw new ArgumentOutOfRangeException(nameof(options), delay, $"{nameof(Options.Delay)} must be in [0, MaxLag - 1 = {_options.MaxLag - 1}].");
        if (string.IsNullOrEmpty(_options.OutputSuffix)) throw new ArgumentException($"{nameof(Options.OutputSuffix)} must not be empty (outputs would overwrite inputs).", nameof(options));
    }

    /// <summary>The input plus one Single column per transformed input.</summary>
    /// <exception cref="ArgumentException">A key, label or input column is missing, or an output exists already.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        string[] inputs = Inputs(roles);
        SchemaRules.RequireInputsAndNewOutputs(PanelRoles.Columns(inputSchema), inputs, inputs.Select(Output), nameof(AdstockEstimator));
        return _host.AddSingles(inputSchema, inputs.Select(Output), inputs[0]);
    }

    /// <summary>Fits the carry-over of every input against the label.</summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    public AdstockTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true);
        string[] inputs = Inputs(roles);
        SchemaRules.RequireInputsAndNewOutputs(PanelRoles.Columns(input.Schema), inputs, inputs.Select(Output), nameof(AdstockEstimator));
        MarketingPanel panel = PanelReader.Read(input, roles, InputVariables(roles, inputs).Append(new PanelVariable(roles.Target!, VariableRole.Target)).ToArray(),
            nameof(AdstockEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        double[][][] series = inputs.Select(name => Enumerable.Range(0, panel.ShopCount).Select(s => panel.GetSeries(s, name)).ToArray()).ToArray();
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
            new(inputs[c], Output(inputs[c]), _options.Kind, p[0], delayed ? p[1] : 0, _options.MaxLag, fixedParameters[c] is null);
        double[][] targets = ResponseSearch.Targets(panel, roles.Target!);
        double[][] chosen = ResponseSearch.Fit(targets, inputs.Length, box, fixedParameters,
            (c, p) => series[c].Select(x => Make(c, p).Apply(x)).ToArray());
        var parameters = new AdstockParameters(inputs.Select((_, c) => Make(c, chosen[c])).ToArray());
        _host.Info("Adstock " + string.Join(", ", parameters.Channels.Select(c => delayed ? $"{c.Input}: decay {c.Decay:0.00}, delay {c.Delay:0.0}" : $"{c.Input}: decay {c.Decay:0.00}")));
        return new AdstockTransformer(roles.GivenOnly(), parameters, _host.DateFormats);
    }

    private string Output(string input) => input + _options.OutputSuffix;

    private string[] Inputs(PanelRoles roles) => _options.InputColumnNames is { Length: > 0 } given ? given : roles.Channels;

    /// <summary>The inputs as panel variables: channels keep their role (and non-negativity check); anything else is read as a covariate.</summary>
    internal static IEnumerable<PanelVariable> InputVariables(PanelRoles roles, IEnumerable<string> inputs) =>
        inputs.Select(name => roles.Channels.Contains(name)
            ? new PanelVariable(name, VariableRole.Channel, roles.Unconstrained.Contains(name))
            : new PanelVariable(name, VariableRole.Covariate));
}

/// <summary>Adds the adstocked column of each fitted input. Immutable, so safe from many threads.</summary>
public sealed class AdstockTransformer : ChannelTransformerBase
{
    internal const string Kind = "CausalMmm.Adstock";

    internal AdstockTransformer(PanelRoles roles, AdstockParameters parameters, string[] dateFormats) : base(roles, dateFormats) => Parameters = parameters;

    /// <summary>The fitted parameters, per channel.</summary>
    public AdstockParameters Parameters { get; }

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 2;

    private protected override IReadOnlyList<(string Input, string Output)> ColumnPairs => Parameters.Channels.Select(c => (c.Input, c.Output)).ToArray();

    private protected override double[] Apply(int column, string shopId, double[] input) => Parameters.Channels[column].Apply(input);

    private protected override PlanFeature PlanFeature(int column, PlanFeatureContext context)
    {
        AdstockChannel adstock = Parameters.Channels[column];
        PlanFeature inner = context.Trace(adstock.Input);
        if (adstock.Kind == AdstockKind.Geometric)
        {
            // The recursion goes on from the history's last adstocked value.
            Tensor carry = context.History(adstock.Output, 1).squeeze(1);
            // Scalars captured by the feature, so none is a temporary the GC may free during a native call.
            Scalar decay = context.Constant(adstock.Decay), fresh = context.Constant(1 - adstock.Decay);
            return (plan, shops) =>
            {
                Tensor x = inner(plan, shops);
                Tensor c = carry.index_select(0, shops);
                var outputs = new List<Tensor>();
                for (int h = 0; h < x.size(1); h++) outputs.Add(c = Tensors.Plus(x.select(1, h) * fresh, c * decay));
                return torch.stack(outputs, 1);
            };
        }
        double[] weights = adstock.Weights();
        Scalar[] w = weights.Select(context.Constant).ToArray();
        Tensor past = context.History(adstock.Input, weights.Length - 1);
        return (plan, shops) =>
        {
            Tensor x = torch.cat(new[] { past.index_select(0, shops), inner(plan, shops) }, 1);
            int steps = (int)plan.size(1), offset = w.Length - 1;
            var outputs = new List<Tensor>();
            for (int h = 0; h < steps; h++)
            {
                Tensor sum = torch.zeros_like(x.select(1, 0));
                for (int l = 0; l < w.Length; l++) sum = Tensors.Plus(sum, x.select(1, offset + h - l) * w[l]);
                outputs.Add(sum);
            }
            return torch.stack(outputs, 1);
        };
    }

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("roles", Roles);
        writer.WriteJson("parameters", Parameters.Channels.ToArray());
        writer.WriteJson("date_formats", DateFormats);
    }

    internal static AdstockTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version != 2) throw new InvalidDataException($"adstock state version {reader.Version} is not supported (this library reads version 2)");
        AdstockChannel[] channels = reader.ReadJson<AdstockChannel[]>("parameters");
        foreach (AdstockChannel c in channels)
        {
            if (!(c.Decay >= 0 && c.Decay < 1) || c.MaxLag < 1) throw new InvalidDataException($"adstock of '{c.Input}' has invalid parameters (decay {c.Decay}, max lag {c.MaxLag})");
        }
        return new AdstockTransformer(reader.ReadJson<PanelRoles>("roles"), new AdstockParameters(channels), reader.ReadJson<string[]>("date_formats"));
    }
}
