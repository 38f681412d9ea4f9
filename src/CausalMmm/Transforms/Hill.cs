using CausalMmm.Data;
using CausalMmm.Persistence;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Transforms;

/// <summary>The fitted Hill saturation of one channel.</summary>
/// <param name="Input">The input series (the adstocked channel when an adstock precedes).</param>
/// <param name="Output">The series the transform adds.</param>
/// <param name="HalfSaturation">K: the spend, in multiples of the shop's average spend, at which the response is half its maximum.</param>
/// <param name="Slope">S: the steepness; above 1 the curve is S-shaped, at or below 1 concave.</param>
/// <param name="Fitted">True when the parameters were fitted, false when given.</param>
public sealed record HillChannel(string Input, string Output, double HalfSaturation, double Slope, bool Fitted)
{
    /// <summary>
    /// The response <c>r^S / (r^S + K^S)</c> in [0, 1) of spend <paramref name="value"/> for a shop whose average
    /// spend is <paramref name="shopMean"/> (r = value / shopMean; negative values count as zero).
    /// </summary>
    public double Response(double value, double shopMean)
    {
        double r = Math.Max(value, 0) / shopMean;
        if (r == 0) return 0;
        double ratio = Math.Pow(HalfSaturation / r, Slope);
        return 1 / (1 + ratio);
    }
}

/// <summary>Fitted Hill parameters, and each shop's average input the curves are scaled by.</summary>
/// <param name="Channels">Per-channel curves.</param>
/// <param name="ShopMeans">Per shop id, the average of each input (in <paramref name="Channels"/> order) over the fitting data.</param>
public sealed record HillParameters(IReadOnlyList<HillChannel> Channels, IReadOnlyDictionary<string, double[]> ShopMeans)
{
    /// <summary>The curve of <paramref name="input"/>.</summary>
    /// <exception cref="KeyNotFoundException">The input was not transformed.</exception>
    public HillChannel this[string input] => Channels.FirstOrDefault(c => c.Input == input)
        ?? throw new KeyNotFoundException($"'{input}' was not saturated; transformed inputs: [{string.Join(", ", Channels.Select(c => c.Input))}].");
}

/// <summary>
/// Learns each channel's diminishing returns (a Hill curve) and adds the saturated column <c>{input}{OutputSuffix}</c>
/// (Single). Spend is measured relative to each shop's average, so one curve serves shops of different sizes.
/// Half-saturation and slope are fitted per channel against the label with per-shop least squares, unless fixed in the
/// options. By default each channel's most derived column is the input, so an upstream adstock's output is picked up.
/// </summary>
public sealed class HillEstimator : IEstimator<HillTransformer>
{
    /// <summary>Settings of <see cref="HillEstimator"/>.</summary>
    public sealed class Options : PanelColumnOptions
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Suffix of the output columns.</summary>
            public const string OutputSuffix = "_hill";

            /// <summary>Smallest half-saturation searched, in multiples of the shop's average spend.</summary>
            public const double MinHalfSaturation = 0.05;

            /// <summary>Largest half-saturation searched.</summary>
            public const double MaxHalfSaturation = 20;

            /// <summary>Smallest slope searched.</summary>
            public const double MinSlope = 0.3;

            /// <summary>Largest slope searched.</summary>
            public const double MaxSlope = 6;
        }

        /// <summary>Columns to transform; null means each channel's most derived column (its adstock when there is one).</summary>
        public string[]? InputColumnNames;

        /// <summary>A half-saturation fixed for every input; null fits it per channel.</summary>
        public double? HalfSaturation;

        /// <summary>A slope fixed for every input; null fits it per channel.</summary>
        public double? Slope;

        /// <summary>Suffix appended to each input's name to name its output.</summary>
        public string OutputSuffix = Defaults.OutputSuffix;
    }

    private readonly Options _options;
    private readonly ComponentHost _host;

    internal HillEstimator(CausalMmmCatalog catalog, Options options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _host = new ComponentHost(catalog, nameof(HillEstimator));
        if (_options.HalfSaturation is { } k && !(k > 0)) throw new ArgumentOutOfRangeException(nameof(options), k, $"{nameof(Options.HalfSaturation)} must be positive.");
        if (_options.Slope is { } s && !(s > 0)) throw new ArgumentOutOfRangeException(nameof(options), s, $"{nameof(Options.Slope)} must be positive.");
        if (string.IsNullOrEmpty(_options.OutputSuffix)) throw new ArgumentException($"{nameof(Options.OutputSuffix)} must not be empty (outputs would overwrite inputs).", nameof(options));
    }

    /// <summary>The input plus one Single column per transformed input.</summary>
    /// <exception cref="ArgumentException">A key, label or input column is missing, or an output exists already.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PanelRoles roles = _host.Resolve(inputSchema, _options, requireTarget: true);
        IReadOnlyList<ColumnInfo> columns = PanelRoles.Columns(inputSchema);
        string[] inputs = Inputs(roles, columns);
        SchemaRules.RequireInputsAndNewOutputs(columns, inputs, inputs.Select(Output), nameof(HillEstimator));
        return _host.AddSingles(inputSchema, inputs.Select(Output), inputs[0]);
    }

    /// <summary>Fits every input's curve against the label.</summary>
    /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
    public HillTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PanelRoles roles = _host.Resolve(input.Schema, _options, requireTarget: true);
        IReadOnlyList<ColumnInfo> columns = PanelRoles.Columns(input.Schema);
        string[] inputs = Inputs(roles, columns);
        SchemaRules.RequireInputsAndNewOutputs(columns, inputs, inputs.Select(Output), nameof(HillEstimator));
        MarketingPanel panel = PanelReader.Read(input, roles, AdstockEstimator.InputVariables(roles, inputs).Append(new PanelVariable(roles.Target!, VariableRole.Target)).ToArray(),
            nameof(HillEstimator), allowMissingOutcomes: false, _host.DateFormats).Panel;
        double[][][] series = inputs.Select(name => Enumerable.Range(0, panel.ShopCount).Select(s => panel.GetSeries(s, name)).ToArray()).ToArray();
        var means = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int s = 0; s < panel.ShopCount; s++)
            means[panel.ShopIds[s]] = inputs.Select((_, c) => ShopMean(series[c][s])).ToArray();
        var box = new ResponseSearch.Box(new[] { Options.Defaults.MinHalfSaturation, Options.Defaults.MinSlope },
            new[] { Options.Defaults.MaxHalfSaturation, Options.Defaults.MaxSlope }, new[] { true, true });
        var fixedParameters = new double[]?[inputs.Length];
        bool allFixed = _options.HalfSaturation is not null && _options.Slope is not null;
        for (int c = 0; c < inputs.Length; c++) fixedParameters[c] = allFixed ? new[] { _options.HalfSaturation!.Value, _options.Slope!.Value } : null;
        if (!allFixed)
        {
            // One parameter fixed: collapse its range to the fixed value.
            if (_options.HalfSaturation is { } k) { box.Lower[0] = k; box.Upper[0] = k; }
            if (_options.Slope is { } sl) { box.Lower[1] = sl; box.Upper[1] = sl; }
        }
        HillChannel Make(int c, double[] p) => new(inputs[c], Output(inputs[c]), p[0], p[1], fixedParameters[c] is null);
        double[][] targets = ResponseSearch.Targets(panel, roles.Target!);
        double[][] chosen = ResponseSearch.Fit(targets, inputs.Length, box, fixedParameters, (c, p) =>
        {
            HillChannel curve = Make(c, p);
            return series[c].Select((x, s) => x.Select(v => curve.Response(v, means[panel.ShopIds[s]][c])).ToArray()).ToArray();
        });
        var parameters = new HillParameters(inputs.Select((_, c) => Make(c, chosen[c])).ToArray(), means);
        _host.Info("Hill " + string.Join(", ", parameters.Channels.Select(c => $"{c.Input}: K {c.HalfSaturation:0.00}, S {c.Slope:0.00}")));
        return new HillTransformer(roles.GivenOnly(), parameters, _host.DateFormats);
    }

    internal static double ShopMean(double[] series)
    {
        double mean = series.Where(v => v > 0).DefaultIfEmpty(0).Average();
        return mean > 1e-12 ? mean : 1; // a shop that never spent: any scale gives zero response
    }

    private string Output(string input) => input + _options.OutputSuffix;

    private string[] Inputs(PanelRoles roles, IReadOnlyList<ColumnInfo> columns) =>
        _options.InputColumnNames is { Length: > 0 } given ? given : SchemaRules.LatestPerChannel(columns, roles.Channels);
}

/// <summary>Adds the saturated column of each fitted input. Every shop must have been seen in fitting (its average spend scales the curve). Immutable, so safe from many threads.</summary>
public sealed class HillTransformer : ChannelTransformerBase
{
    internal const string Kind = "CausalMmm.Hill";

    internal HillTransformer(PanelRoles roles, HillParameters parameters, string[] dateFormats) : base(roles, dateFormats) => Parameters = parameters;

    /// <summary>The fitted curves and each shop's average input.</summary>
    public HillParameters Parameters { get; }

    /// <inheritdoc />
    public override string ComponentKind => Kind;

    /// <inheritdoc />
    public override int ComponentVersion => 2;

    private protected override IReadOnlyList<(string Input, string Output)> ColumnPairs => Parameters.Channels.Select(c => (c.Input, c.Output)).ToArray();

    private protected override double[] Apply(int column, string shopId, double[] input)
    {
        if (!Parameters.ShopMeans.TryGetValue(shopId, out double[]? means))
            throw new ArgumentException($"{nameof(HillTransformer)}: shop '{shopId}' was not in the fitting data, so its average spend (the curve's scale) is unknown. Fit on data that includes it.");
        HillChannel curve = Parameters.Channels[column];
        return input.Select(v => curve.Response(v, means[column])).ToArray();
    }

    private protected override PlanFeature PlanFeature(int column, PlanFeatureContext context)
    {
        HillChannel curve = Parameters.Channels[column];
        PlanFeature inner = context.Trace(curve.Input);
        var means = new float[context.ShopIds.Count];
        for (int s = 0; s < means.Length; s++)
        {
            means[s] = Parameters.ShopMeans.TryGetValue(context.ShopIds[s], out double[]? m) ? (float)m[column]
                : throw new ArgumentException($"{context.Component}: shop '{context.ShopIds[s]}' has no fitted Hill scale (the curves are scaled per shop).");
        }
        Tensor shopMean = context.PerShop(means);
        Scalar halfSaturation = context.Constant(curve.HalfSaturation), slope = context.Constant(curve.Slope), zero = context.Constant(0), floor = context.Constant(1e-12),
            one = context.Constant(1);
        return (plan, shops) =>
        {
            Tensor r = inner(plan, shops).clamp_min(zero) / shopMean.index_select(0, shops).unsqueeze(1);
            // r^S / (r^S + K^S) = 1 / (1 + (K / r)^S), written so that zero spend gives zero and the gradient stays finite.
            Tensor ratio = (r.clamp_min(floor).reciprocal() * halfSaturation).pow(slope);
            return Tensors.Plus(ratio, one).reciprocal();
        };
    }

    /// <inheritdoc />
    public override void SaveState(ComponentStateWriter writer)
    {
        writer.WriteJson("roles", Roles);
        writer.WriteJson("parameters", Parameters.Channels.ToArray());
        writer.WriteJson("shop_means", Parameters.ShopMeans);
        writer.WriteJson("date_formats", DateFormats);
    }

    internal static HillTransformer Load(ComponentStateReader reader)
    {
        if (reader.Version != 2) throw new InvalidDataException($"hill state version {reader.Version} is not supported (this library reads version 2)");
        HillChannel[] channels = reader.ReadJson<HillChannel[]>("parameters");
        Dictionary<string, double[]> means = reader.ReadJson<Dictionary<string, double[]>>("shop_means");
        foreach (HillChannel c in channels)
        {
            if (!(c.HalfSaturation > 0 && c.Slope > 0)) throw new InvalidDataException($"hill curve of '{c.Input}' has invalid parameters (K {c.HalfSaturation}, S {c.Slope})");
        }
        if (means.Values.Any(m => m.Length != channels.Length || m.Any(v => !(v > 0))))
            throw new InvalidDataException("hill shop averages do not match the curves");
        return new HillTransformer(reader.ReadJson<PanelRoles>("roles"), new HillParameters(channels, means), reader.ReadJson<string[]>("date_formats"));
    }
}
