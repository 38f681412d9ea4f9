using CausalMmm.Data;
using CausalMmm.Pipeline;

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
/// Learns each channel's diminishing returns (Hill curve) and adds the saturated series <c>{input}{OutputSuffix}</c>.
/// Spend is measured relative to each shop's average, so one curve serves shops of different sizes. Half-saturation
/// and slope are fitted per channel against the target with per-shop least squares, unless fixed in the options.
/// By default each channel's most derived series is the input, so an upstream adstock's output is picked up.
/// </summary>
public sealed class HillEstimator : IEstimator<HillTransformer>
{
    /// <summary>Settings of <see cref="HillEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Documented defaults.</summary>
        public static class Defaults
        {
            /// <summary>Suffix of the output series.</summary>
            public const string OutputSuffix = "_hill";

            /// <summary>Smallest and largest half-saturation searched, in multiples of the shop's average spend.</summary>
            public const double MinHalfSaturation = 0.05, MaxHalfSaturation = 20;

            /// <summary>Smallest and largest slope searched.</summary>
            public const double MinSlope = 0.3, MaxSlope = 6;
        }

        /// <summary>Inputs to transform; null means each channel's most derived series.</summary>
        public IList<string>? InputColumns { get; set; }

        /// <summary>A half-saturation fixed for every input; null fits it per channel.</summary>
        public double? HalfSaturation { get; set; }

        /// <summary>A slope fixed for every input; null fits it per channel.</summary>
        public double? Slope { get; set; }

        /// <summary>Suffix appended to each input's name to name its output.</summary>
        public string OutputSuffix { get; set; } = Defaults.OutputSuffix;
    }

    private readonly Options _options;

    /// <summary>Creates the estimator.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public HillEstimator(Options? options = null)
    {
        _options = options ?? new Options();
        if (_options.HalfSaturation is { } k && !(k > 0)) throw new ArgumentException($"HalfSaturation must be positive, got {k}.", nameof(options));
        if (_options.Slope is { } s && !(s > 0)) throw new ArgumentException($"Slope must be positive, got {s}.", nameof(options));
        if (string.IsNullOrEmpty(_options.OutputSuffix)) throw new ArgumentException("OutputSuffix must not be empty (outputs would overwrite inputs).", nameof(options));
    }

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string[] inputs = Inputs(inputSchema);
        SchemaRules.RequireSeries(inputSchema, inputs, nameof(HillEstimator));
        SchemaRules.RequireNew(inputSchema, inputs.Select(i => i + _options.OutputSuffix), nameof(HillEstimator));
        return inputSchema.WithVariables(inputs.Select(i => new PanelVariable(i + _options.OutputSuffix, VariableRole.Feature, Source: i)));
    }

    /// <summary>Fits every input's curve against the panel's target.</summary>
    public HillTransformer Fit(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        string[] inputs = Inputs(input.Schema);
        double[][][] series = inputs.Select(name => Enumerable.Range(0, input.ShopCount).Select(s => input.GetSeries(s, name)).ToArray()).ToArray();
        var means = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int s = 0; s < input.ShopCount; s++)
            means[input.ShopIds[s]] = inputs.Select((_, c) => ShopMean(series[c][s])).ToArray();
        var box = new ResponseSearch.Box(new[] { Options.Defaults.MinHalfSaturation, Options.Defaults.MinSlope },
            new[] { Options.Defaults.MaxHalfSaturation, Options.Defaults.MaxSlope }, new[] { true, true });
        var fixedParameters = new double[]?[inputs.Length];
        bool allFixed = _options.HalfSaturation is not null && _options.Slope is not null;
        for (int c = 0; c < inputs.Length; c++) fixedParameters[c] = allFixed ? new[] { _options.HalfSaturation!.Value, _options.Slope!.Value } : null;
        if (!allFixed && (_options.HalfSaturation is not null || _options.Slope is not null))
        {
            // one parameter fixed: collapse its range to the fixed value
            if (_options.HalfSaturation is { } k) { box.Lower[0] = k; box.Upper[0] = k; }
            if (_options.Slope is { } sl) { box.Lower[1] = sl; box.Upper[1] = sl; }
        }
        HillChannel Make(int c, double[] p) => new(inputs[c], inputs[c] + _options.OutputSuffix, p[0], p[1], fixedParameters[c] is null);
        double[][] targets = ResponseSearch.Targets(input, input.Target.Name);
        double[][] chosen = ResponseSearch.Fit(targets, inputs.Length, box, fixedParameters, (c, p) =>
        {
            HillChannel curve = Make(c, p);
            return series[c].Select((x, s) => x.Select(v => curve.Response(v, means[input.ShopIds[s]][c])).ToArray()).ToArray();
        });
        return new HillTransformer(new HillParameters(inputs.Select((_, c) => Make(c, chosen[c])).ToArray(), means));
    }

    internal static double ShopMean(double[] series)
    {
        double mean = series.Where(v => v > 0).DefaultIfEmpty(0).Average();
        return mean > 1e-12 ? mean : 1; // a shop that never spent: any scale gives zero response
    }

    private string[] Inputs(PanelSchema schema) =>
        (_options.InputColumns?.ToArray() ?? SchemaRules.LatestPerChannel(schema)) is { Length: > 0 } inputs ? inputs
            : throw new ArgumentException($"{nameof(HillEstimator)}: the input has no Channel variable to saturate and no InputColumns were given.");
}

/// <summary>Adds the saturated series of each fitted channel. Immutable, so safe from many threads.</summary>
public sealed class HillTransformer : ITransformer
{
    internal const string Kind = "CausalMmm.Hill";

    internal HillTransformer(HillParameters parameters) => Parameters = parameters;

    /// <summary>The fitted parameters.</summary>
    public HillParameters Parameters { get; }

    /// <inheritdoc />
    public string ComponentKind => Kind;

    /// <inheritdoc />
    public int ComponentVersion => 1;

    /// <inheritdoc />
    public PanelSchema GetOutputSchema(PanelSchema inputSchema)
    {
        SchemaRules.RequireSeries(inputSchema, Parameters.Channels.Select(c => c.Input), nameof(HillTransformer));
        SchemaRules.RequireNew(inputSchema, Parameters.Channels.Select(c => c.Output), nameof(HillTransformer));
        return inputSchema.WithVariables(Parameters.Channels.Select(c => new PanelVariable(c.Output, VariableRole.Feature, Source: c.Input)));
    }

    /// <summary>Adds the saturated series. Every shop must have been seen in fitting (its average spend scales the curve).</summary>
    /// <exception cref="ArgumentException">A shop was not in the fitting data.</exception>
    public MarketingPanel Transform(MarketingPanel input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        int a = Parameters.Channels.Count;
        var values = new double[(long)input.ShopCount * input.Length * a];
        for (int s = 0; s < input.ShopCount; s++)
        {
            if (!Parameters.ShopMeans.TryGetValue(input.ShopIds[s], out double[]? means))
                throw new ArgumentException($"{nameof(HillTransformer)}: shop '{input.ShopIds[s]}' was not in the fitting data, so its average spend (the curve's scale) is unknown. Fit on a panel that includes it.");
            for (int c = 0; c < a; c++)
            {
                double[] x = input.GetSeries(s, Parameters.Channels[c].Input);
                for (int t = 0; t < input.Length; t++) values[((long)s * input.Length + t) * a + c] = Parameters.Channels[c].Response(x[t], means[c]);
            }
        }
        return input.WithAddedSeries(Parameters.Channels.Select(c => new PanelVariable(c.Output, VariableRole.Feature, Source: c.Input)).ToArray(), values);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        context.WriteJson("parameters", Parameters.Channels.ToArray());
        context.WriteJson("shop_means", Parameters.ShopMeans);
    }

    internal static HillTransformer Load(ModelLoadContext context)
    {
        if (context.Version != 1) throw new InvalidDataException($"hill version {context.Version} is not supported (this library reads version 1)");
        HillChannel[] channels = context.ReadJson<HillChannel[]>("parameters");
        Dictionary<string, double[]> means = context.ReadJson<Dictionary<string, double[]>>("shop_means");
        foreach (HillChannel c in channels)
        {
            if (!(c.HalfSaturation > 0 && c.Slope > 0)) throw new InvalidDataException($"hill curve of '{c.Input}' has invalid parameters (K {c.HalfSaturation}, S {c.Slope})");
        }
        if (means.Values.Any(m => m.Length != channels.Length || m.Any(v => !(v > 0))))
            throw new InvalidDataException("hill shop averages do not match the curves");
        return new HillTransformer(new HillParameters(channels, means));
    }
}
