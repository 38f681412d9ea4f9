using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using MathNet.Numerics.Statistics;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Planning;

/// <summary>Settings shared by the planning tools that report uncertainty bands from the graph posterior.</summary>
public abstract class PlanningBandOptions
{
    /// <summary>Documented defaults.</summary>
    public static class BandDefaults
    {
        /// <summary>Graph samples per shop for the bands.</summary>
        public const int Samples = 30;

        /// <summary>Gumbel-softmax temperature of the samples (the training temperature of the reference).</summary>
        public const double Temperature = 0.5;

        /// <summary>The central share of the samples a band covers.</summary>
        public const double BandLevel = 0.9;
    }

    /// <summary>
    /// Graphs sampled per shop from the learned edge probabilities (Gumbel-softmax, as in training) for the bands; 0 reports
    /// point values only. A model without a learned graph (ridge, or a full graph) has no bands: they equal the point values.
    /// </summary>
    public int Samples { get; set; } = BandDefaults.Samples;

    /// <summary>Gumbel-softmax temperature of the samples: lower is closer to hard 0/1 edges.</summary>
    public double Temperature { get; set; } = BandDefaults.Temperature;

    /// <summary>The central share of the samples a band covers (0.9: from the 5% to the 95% quantile).</summary>
    public double BandLevel { get; set; } = BandDefaults.BandLevel;

    /// <summary>Seed of the samples; null draws one from the <c>MLContext</c>.</summary>
    public int? Seed { get; set; }

    /// <summary>Channels to report; null reports every channel.</summary>
    public string[]? Channels { get; set; }

    internal void CheckBands(string component)
    {
        if (Samples < 0) throw new ArgumentException($"{component}: Samples is {Samples}; give 0 (no bands) or more.");
        if (!(Temperature > 0) || !double.IsFinite(Temperature)) throw new ArgumentException($"{component}: Temperature is {Temperature}; give a positive number.");
        if (!(BandLevel > 0 && BandLevel < 1)) throw new ArgumentException($"{component}: BandLevel is {BandLevel}; give a share between 0 and 1, such as 0.9.");
    }

    internal int[] ChannelIndexes(ScenarioModel model, string component)
    {
        if (Channels is null) return Enumerable.Range(0, model.Channels.Count).ToArray();
        if (Channels.Length == 0) throw new ArgumentException($"{component}: Channels is empty; name at least one channel, or leave it null for all of them.");
        return Channels.Select(c =>
        {
            int k = model.Channels.ToList().IndexOf(c);
            return k >= 0 ? k : throw new ArgumentException($"{component}: '{c}' is not a channel; the channels are [{string.Join(", ", model.Channels)}].");
        }).ToArray();
    }
}

/// <summary>Settings of <c>mmm.Planning.ResponseCurves</c>.</summary>
public sealed class ResponseCurveOptions : PlanningBandOptions
{
    /// <summary>Documented defaults.</summary>
    public static class Defaults
    {
        /// <summary>0 to 3 times the planned spend in steps of 0.25.</summary>
        public static double[] Multipliers => Enumerable.Range(0, 13).Select(i => i * 0.25).ToArray();

        /// <summary>The saturation point is where the curve reaches this share of its largest gain over the range.</summary>
        public const double SaturationShare = 0.9;
    }

    /// <summary>Multiples of each channel's planned spend at which the curve is evaluated (0 and 1 are always added).</summary>
    public double[] Multipliers { get; set; } = Defaults.Multipliers;

    /// <summary>The share of the largest gain over the range that defines the saturation point.</summary>
    public double SaturationShare { get; set; } = Defaults.SaturationShare;
}

/// <summary>One point of a response curve: the forecast target over the plan with one channel's spend scaled.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="Channel">The scaled channel.</param>
/// <param name="Multiplier">The multiple of its planned spend.</param>
/// <param name="Spend">Its total spend over the plan at that multiple.</param>
/// <param name="Target">The forecast target over the plan (point graph).</param>
/// <param name="Lower">The band's lower edge (equal to <paramref name="Target"/> without a graph posterior).</param>
/// <param name="Upper">The band's upper edge.</param>
public sealed record ResponsePoint(string ShopId, string Channel, double Multiplier, double Spend, double Target, double Lower, double Upper);

/// <summary>What a channel returns at the current plan, with bands.</summary>
/// <param name="ShopId">The shop, or <see cref="ResponseCurveSet.AllShops"/> for the sum over shops.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Spend">Its total planned spend.</param>
/// <param name="Incremental">Forecast target at the plan minus that with the channel at zero.</param>
/// <param name="Roi">Incremental target per unit of spend.</param>
/// <param name="RoiLower">Band of <paramref name="Roi"/>.</param>
/// <param name="RoiUpper">Band of <paramref name="Roi"/>.</param>
/// <param name="MarginalRoi">Extra target per extra unit of spend at the plan (the gradient, by autograd).</param>
/// <param name="MarginalRoiLower">Band of <paramref name="MarginalRoi"/>.</param>
/// <param name="MarginalRoiUpper">Band of <paramref name="MarginalRoi"/>.</param>
/// <param name="SaturationMultiplier">The multiple of planned spend where the curve reaches the saturation share of its largest gain (NaN when it never gains).</param>
/// <param name="SaturationSpend">The spend at that multiple.</param>
public sealed record ChannelReturn(string ShopId, string Channel, double Spend, double Incremental, double Roi, double RoiLower, double RoiUpper,
    double MarginalRoi, double MarginalRoiLower, double MarginalRoiUpper, double SaturationMultiplier, double SaturationSpend);

/// <summary>What <c>mmm.Planning.ResponseCurves</c> returns.</summary>
public sealed class ResponseCurveSet
{
    /// <summary>The shop id of rows that sum over every shop.</summary>
    public const string AllShops = "(all)";

    internal ResponseCurveSet(string modelKind, int samples, double bandLevel, IReadOnlyList<ResponsePoint> points, IReadOnlyList<ChannelReturn> returns)
    {
        ModelKind = modelKind;
        Samples = samples;
        BandLevel = bandLevel;
        Points = points;
        Returns = returns;
    }

    /// <summary>"CausalMMM" or "Ridge".</summary>
    public string ModelKind { get; }

    /// <summary>Graph samples behind the bands (0: no bands).</summary>
    public int Samples { get; }

    /// <summary>The central share of samples the bands cover.</summary>
    public double BandLevel { get; }

    /// <summary>Per shop (and <see cref="AllShops"/>), channel and multiplier, the curve.</summary>
    public IReadOnlyList<ResponsePoint> Points { get; }

    /// <summary>Per shop (and <see cref="AllShops"/>) and channel: ROI, marginal ROI and saturation point.</summary>
    public IReadOnlyList<ChannelReturn> Returns { get; }

    /// <summary>The curves, one row per point (a <see cref="DataFrame"/>, so also an <c>IDataView</c>).</summary>
    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("shop", Points.Select(p => p.ShopId)),
        new StringDataFrameColumn("channel", Points.Select(p => p.Channel)),
        new DoubleDataFrameColumn("multiplier", Points.Select(p => p.Multiplier)),
        new DoubleDataFrameColumn("spend", Points.Select(p => p.Spend)),
        new DoubleDataFrameColumn("target", Points.Select(p => p.Target)),
        new DoubleDataFrameColumn("lower", Points.Select(p => p.Lower)),
        new DoubleDataFrameColumn("upper", Points.Select(p => p.Upper)));

    /// <summary>ROI, marginal ROI and saturation, one row per shop and channel.</summary>
    public DataFrame ReturnsToDataFrame() => new(
        new StringDataFrameColumn("shop", Returns.Select(r => r.ShopId)),
        new StringDataFrameColumn("channel", Returns.Select(r => r.Channel)),
        new DoubleDataFrameColumn("spend", Returns.Select(r => r.Spend)),
        new DoubleDataFrameColumn("incremental", Returns.Select(r => r.Incremental)),
        new DoubleDataFrameColumn("roi", Returns.Select(r => r.Roi)),
        new DoubleDataFrameColumn("roi_lower", Returns.Select(r => r.RoiLower)),
        new DoubleDataFrameColumn("roi_upper", Returns.Select(r => r.RoiUpper)),
        new DoubleDataFrameColumn("marginal_roi", Returns.Select(r => r.MarginalRoi)),
        new DoubleDataFrameColumn("marginal_roi_lower", Returns.Select(r => r.MarginalRoiLower)),
        new DoubleDataFrameColumn("marginal_roi_upper", Returns.Select(r => r.MarginalRoiUpper)),
        new DoubleDataFrameColumn("saturation_multiplier", Returns.Select(r => r.SaturationMultiplier)),
        new DoubleDataFrameColumn("saturation_spend", Returns.Select(r => r.SaturationSpend)));
}

/// <summary>Response curves, ROI and marginal ROI on a <see cref="ScenarioModel"/>, with graph-posterior bands.</summary>
internal static class ResponseCurveBuilder
{
    private const int ChunkRows = 4096;

    public static ResponseCurveSet Build(ScenarioModel model, ResponseCurveOptions options, int seed, string component)
    {
        options.CheckBands(component);
        if (options.Multipliers is null || options.Multipliers.Any(m => !(m >= 0) || !double.IsFinite(m)))
            throw new ArgumentException($"{component}: every multiplier must be a finite number of at least 0.");
        if (!(options.SaturationShare > 0 && options.SaturationShare <= 1)) throw new ArgumentException($"{component}: SaturationShare is {options.SaturationShare}; give a share in (0, 1].");
        int[] channels = options.ChannelIndexes(model, component);
        double[] multipliers = options.Multipliers.Append(0).Append(1).Distinct().Order().ToArray();
        int shops = model.ShopIds.Count, m = multipliers.Length, c = channels.Length;
        int samples = model.HasGraphPosterior ? options.Samples : 0;
        double[,] spend = model.PlanTotals;
        using DisposeScope scope = torch.NewDisposeScope();

        // Draws [k][shop]: draw 0 is the point graph, 1..samples the sampled graphs; the same graph serves every channel
        // and multiplier of a shop, so each sampled curve is smooth.
        Tensor shopIndex = torch.arange(shops, dtype: ScalarType.Int64);
        var edges = new List<Tensor?> { null };
        if (samples > 0)
        {
            for (int k = 0; k < samples; k++) edges.Add(model.SampleEdges(shopIndex, options.Temperature, seed, k));
        }
        var curve = new double[edges.Count, shops, c, m];
        var marginal = new double[edges.Count, shops, model.Channels.Count];
        for (int k = 0; k < edges.Count; k++)
        {
            // Rows: shop-major, then channel, then multiplier.
            int rows = shops * c * m;
            var rowShop = new long[rows];
            var factor = new float[rows * model.Plan.Series.Count];
            Array.Fill(factor, 1f);
            for (int s = 0, r = 0; s < shops; s++)
            for (int j = 0; j < c; j++)
            for (int i = 0; i < m; i++, r++)
            {
                rowShop[r] = s;
                factor[r * model.Plan.Series.Count + channels[j]] = (float)multipliers[i];
            }
            double[] totals = ForecastTotals(model, rowShop, factor, edges[k]);
            for (int s = 0, r = 0; s < shops; s++)
            for (int j = 0; j < c; j++)
            for (int i = 0; i < m; i++, r++) curve[k, s, j, i] = totals[r];
            double[,] gradient = MarginalTargets(model, edges[k]);
            for (int s = 0; s < shops; s++)
            for (int j = 0; j < model.Channels.Count; j++) marginal[k, s, j] = gradient[s, j];
        }

        double lowerQ = (1 - options.BandLevel) / 2, upperQ = 1 - lowerQ;
        (double Lower, double Upper) Band(Func<int, double> draw, double point)
        {
            if (samples == 0) return (point, point);
            double[] values = Enumerable.Range(1, samples).Select(draw).ToArray();
            return (values.Quantile(lowerQ), values.Quantile(upperQ));
        }
        int zero = Array.IndexOf(multipliers, 0.0), one = Array.IndexOf(multipliers, 1.0);
        var points = new List<ResponsePoint>();
        var returns = new List<ChannelReturn>();
        // Shop rows, then the sum over shops (ROI of the whole portfolio).
        for (int s = 0; s <= shops; s++)
        {
            bool all = s == shops;
            string id = all ? ResponseCurveSet.AllShops : model.ShopIds[s];
            double Curve(int k, int j, int i) => all ? Enumerable.Range(0, shops).Sum(q => curve[k, q, j, i]) : curve[k, s, j, i];
            double Marginal(int k, int channel) => all ? Enumerable.Range(0, shops).Sum(q => marginal[k, q, channel]) : marginal[k, s, channel];
            for (int j = 0; j < c; j++)
            {
                int channel = channels[j];
                double planned = all ? Enumerable.Range(0, shops).Sum(q => spend[q, channel]) : spend[s, channel];
                for (int i = 0; i < m; i++)
                {
                    (double lo, double hi) = Band(k => Curve(k, j, i), Curve(0, j, i));
                    points.Add(new ResponsePoint(id, model.Channels[channel], multipliers[i], multipliers[i] * planned, Curve(0, j, i), lo, hi));
                }
                double Roi(int k) => planned > 0 ? (Curve(k, j, one) - Curve(k, j, zero)) / planned : double.NaN;
                double MarginalRoi(int k) => planned > 0 ? Marginal(k, channel) / planned : double.NaN;
                (double roiLo, double roiHi) = Band(Roi, Roi(0));
                (double mLo, double mHi) = Band(MarginalRoi, MarginalRoi(0));
                double saturation = Saturation(Enumerable.Range(0, m).Select(i => Curve(0, j, i)).ToArray(), multipliers, zero, options.SaturationShare);
                returns.Add(new ChannelReturn(id, model.Channels[channel], planned, Curve(0, j, one) - Curve(0, j, zero), Roi(0), roiLo, roiHi,
                    MarginalRoi(0), mLo, mHi, saturation, saturation * planned));
            }
        }
        return new ResponseCurveSet(model.Kind, samples, options.BandLevel, points, returns);
    }

    /// <summary>
    /// Forecast target totals over the plan for rows of (shop, per-series multipliers of its plan), in chunks; edges
    /// [shops, E] (a sampled graph per shop) or the point graph.
    /// </summary>
    internal static double[] ForecastTotals(ScenarioModel model, long[] rowShop, float[] factor, Tensor? shopEdges)
    {
        int given = model.Plan.Series.Count, rows = rowShop.Length;
        var result = new double[rows];
        using IDisposable noGrad = torch.no_grad();
        for (int start = 0; start < rows; start += ChunkRows)
        {
            using DisposeScope scope = torch.NewDisposeScope();
            int count = Math.Min(ChunkRows, rows - start);
            Tensor shops = torch.tensor(rowShop[start..(start + count)]);
            Tensor multipliers = Tensors.FromArray(factor[(start * given)..((start + count) * given)], new long[] { count, 1, given });
            Tensor plan = model.BasePlan.index_select(0, shops) * multipliers;
            Tensor? edges = shopEdges?.index_select(0, shops);
            double[] totals = model.Forecast(plan, shops, edges).sum(1).to_type(ScalarType.Float64).data<double>().ToArray();
            Array.Copy(totals, 0, result, start, count);
        }
        return result;
    }

    /// <summary>[shop, channel]: the derivative of the forecast target total with respect to each channel's spend multiplier at the plan.</summary>
    private static double[,] MarginalTargets(ScenarioModel model, Tensor? edges)
    {
        int shops = model.ShopIds.Count, given = model.Plan.Series.Count, channels = model.Channels.Count;
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor scale = torch.ones(new long[] { shops, 1, given }).requires_grad_(true);
        Tensor target = model.Forecast(model.BasePlan * scale, torch.arange(shops, dtype: ScalarType.Int64), edges).sum();
        double[] gradient = torch.autograd.grad(new[] { target }, new[] { scale })[0].to_type(ScalarType.Float64).data<double>().ToArray();
        var result = new double[shops, channels];
        for (int s = 0; s < shops; s++)
        for (int c = 0; c < channels; c++) result[s, c] = gradient[s * given + c];
        return result;
    }

    /// <summary>The multiplier where the gain over zero spend first reaches <paramref name="share"/> of its largest value (linear between grid points).</summary>
    private static double Saturation(double[] curve, double[] multipliers, int zero, double share)
    {
        double[] gain = curve.Select(v => v - curve[zero]).ToArray();
        double most = gain.Max();
        if (!(most > 0)) return double.NaN;
        double goal = share * most;
        for (int i = 0; i < gain.Length; i++)
        {
            if (gain[i] < goal) continue;
            if (i == 0) return multipliers[0];
            double t = (goal - gain[i - 1]) / (gain[i] - gain[i - 1]);
            return multipliers[i - 1] + t * (multipliers[i] - multipliers[i - 1]);
        }
        return multipliers[^1];
    }
}
