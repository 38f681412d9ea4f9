using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using MathNet.Numerics.Statistics;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Planning;

/// <summary>Settings of <c>mmm.Planning.Contributions</c>.</summary>
public sealed class ContributionOptions : PlanningBandOptions
{
    /// <summary>
    /// The counterfactual each channel is compared against; null sets the channel to zero spend. A plan of the same shops,
    /// steps and series (for instance the current plan scaled down) measures contributions against that baseline instead.
    /// </summary>
    public MediaPlan? Baseline { get; set; }
}

/// <summary>One channel's contribution to the forecast target on one day of the plan.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="Date">The day.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Contribution">Forecast under the plan minus the forecast with this channel at its baseline.</param>
/// <param name="Direct">The part through the channel's own edges into the target.</param>
/// <param name="Mediated">The rest: through mediators (and other nodes) of the graph.</param>
public sealed record DailyContribution(string ShopId, DateOnly Date, string Channel, double Contribution, double Direct, double Mediated);

/// <summary>How one day's forecast decomposes.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="Date">The day.</param>
/// <param name="Forecast">The forecast target under the plan.</param>
/// <param name="Base">The forecast with every channel at its baseline.</param>
/// <param name="Channels">The sum of the channels' contributions.</param>
/// <param name="Residual">Forecast minus base minus channels: the channels' interaction, which one-at-a-time counterfactuals do not assign; never hidden.</param>
public sealed record DailyDecomposition(string ShopId, DateOnly Date, double Forecast, double Base, double Channels, double Residual);

/// <summary>A channel's contribution over the whole plan, with bands.</summary>
/// <param name="ShopId">The shop, or <see cref="ResponseCurveSet.AllShops"/> for the sum over shops.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Spend">Its planned spend minus its baseline spend.</param>
/// <param name="Contribution">Its contribution summed over the plan.</param>
/// <param name="Lower">Band of <paramref name="Contribution"/>.</param>
/// <param name="Upper">Band of <paramref name="Contribution"/>.</param>
/// <param name="Direct">The direct part.</param>
/// <param name="Mediated">The mediated part.</param>
/// <param name="Roi">Contribution per unit of <paramref name="Spend"/>.</param>
/// <param name="RoiLower">Band of <paramref name="Roi"/>.</param>
/// <param name="RoiUpper">Band of <paramref name="Roi"/>.</param>
public sealed record ChannelContribution(string ShopId, string Channel, double Spend, double Contribution, double Lower, double Upper, double Direct, double Mediated,
    double Roi, double RoiLower, double RoiUpper);

/// <summary>What <c>mmm.Planning.Contributions</c> returns.</summary>
public sealed class ContributionReport
{
    internal ContributionReport(string modelKind, int samples, double bandLevel, IReadOnlyList<DailyContribution> daily, IReadOnlyList<DailyDecomposition> decomposition,
        IReadOnlyList<ChannelContribution> totals)
    {
        ModelKind = modelKind;
        Samples = samples;
        BandLevel = bandLevel;
        Daily = daily;
        Decomposition = decomposition;
        Totals = totals;
    }

    /// <summary>"CausalMMM" or "Ridge".</summary>
    public string ModelKind { get; }

    /// <summary>Graph samples behind the bands (0: no bands).</summary>
    public int Samples { get; }

    /// <summary>The central share of samples the bands cover.</summary>
    public double BandLevel { get; }

    /// <summary>Per shop, day and channel.</summary>
    public IReadOnlyList<DailyContribution> Daily { get; }

    /// <summary>Per shop and day: forecast = base + channels + residual.</summary>
    public IReadOnlyList<DailyDecomposition> Decomposition { get; }

    /// <summary>Per shop (and <see cref="ResponseCurveSet.AllShops"/>) and channel, over the plan, with bands and ROI.</summary>
    public IReadOnlyList<ChannelContribution> Totals { get; }

    /// <summary>The largest |residual| over all shops and days, as a share of that day's |forecast - base|.</summary>
    public double MaxResidualShare => Decomposition.Select(d => Math.Abs(d.Residual) / Math.Max(Math.Abs(d.Forecast - d.Base), 1e-12)).DefaultIfEmpty(0).Max();

    /// <summary>Per shop, day and channel (a <see cref="DataFrame"/>, so also an <c>IDataView</c>).</summary>
    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("shop", Daily.Select(d => d.ShopId)),
        new DateTimeDataFrameColumn("date", Daily.Select(d => (DateTime?)d.Date.ToDateTime(TimeOnly.MinValue))),
        new StringDataFrameColumn("channel", Daily.Select(d => d.Channel)),
        new DoubleDataFrameColumn("contribution", Daily.Select(d => d.Contribution)),
        new DoubleDataFrameColumn("direct", Daily.Select(d => d.Direct)),
        new DoubleDataFrameColumn("mediated", Daily.Select(d => d.Mediated)));

    /// <summary>Per shop and day: forecast, base, channels and residual.</summary>
    public DataFrame DecompositionToDataFrame() => new(
        new StringDataFrameColumn("shop", Decomposition.Select(d => d.ShopId)),
        new DateTimeDataFrameColumn("date", Decomposition.Select(d => (DateTime?)d.Date.ToDateTime(TimeOnly.MinValue))),
        new DoubleDataFrameColumn("forecast", Decomposition.Select(d => d.Forecast)),
        new DoubleDataFrameColumn("base", Decomposition.Select(d => d.Base)),
        new DoubleDataFrameColumn("channels", Decomposition.Select(d => d.Channels)),
        new DoubleDataFrameColumn("residual", Decomposition.Select(d => d.Residual)));

    /// <summary>Per shop and channel over the plan, with bands.</summary>
    public DataFrame TotalsToDataFrame() => new(
        new StringDataFrameColumn("shop", Totals.Select(t => t.ShopId)),
        new StringDataFrameColumn("channel", Totals.Select(t => t.Channel)),
        new DoubleDataFrameColumn("spend", Totals.Select(t => t.Spend)),
        new DoubleDataFrameColumn("contribution", Totals.Select(t => t.Contribution)),
        new DoubleDataFrameColumn("lower", Totals.Select(t => t.Lower)),
        new DoubleDataFrameColumn("upper", Totals.Select(t => t.Upper)),
        new DoubleDataFrameColumn("direct", Totals.Select(t => t.Direct)),
        new DoubleDataFrameColumn("mediated", Totals.Select(t => t.Mediated)),
        new DoubleDataFrameColumn("roi", Totals.Select(t => t.Roi)),
        new DoubleDataFrameColumn("roi_lower", Totals.Select(t => t.RoiLower)),
        new DoubleDataFrameColumn("roi_upper", Totals.Select(t => t.RoiUpper)));
}

/// <summary>
/// Counterfactual contributions on a <see cref="ScenarioModel"/>: for each channel, the forecast under the plan minus the
/// forecast with that channel at its baseline (zero by default); the direct part is the change when only the channel's
/// own edges into the target see the counterfactual while the mediators follow the plan (a total direct effect), the
/// mediated part the rest (the pure indirect effect).
/// </summary>
internal static class ContributionBuilder
{
    private const int ChunkRows = 4096;

    public static ContributionReport Build(ScenarioModel model, ContributionOptions options, int seed, string component)
    {
        options.CheckBands(component);
        int[] channels = options.ChannelIndexes(model, component);
        int shops = model.ShopIds.Count, steps = model.Steps, given = model.Plan.Series.Count, c = channels.Length;
        int samples = model.HasGraphPosterior ? options.Samples : 0;
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        Tensor baseline = BaselinePlan(model, options.Baseline, component);
        Tensor shopIndex = torch.arange(shops, dtype: ScalarType.Int64);

        // Plans: [0] the plan, [1] every channel at its baseline, [2 + j] channel j alone at its baseline.
        Tensor Counterfactual(int channel)
        {
            Tensor plan = model.BasePlan.clone();
            plan.narrow(2, channel, 1).copy_(baseline.narrow(2, channel, 1));
            return plan;
        }
        Tensor allBaseline = model.BasePlan.clone();
        for (int k = 0; k < model.Channels.Count; k++) allBaseline.narrow(2, k, 1).copy_(baseline.narrow(2, k, 1));
        var plans = new List<Tensor> { model.BasePlan, allBaseline };
        plans.AddRange(channels.Select(Counterfactual));

        // Shops run in chunks, so memory stays bounded however many shops and channels there are.
        IEnumerable<(int Start, int Count)> Chunks()
        {
            int size = Math.Max(1, ChunkRows / Math.Max(plans.Count, 1));
            for (int start = 0; start < shops; start += size) yield return (start, Math.Min(size, shops - start));
        }
        double[][,] Run(Tensor? shopEdges)
        {
            var result = Enumerable.Range(0, plans.Count).Select(_ => new double[shops, steps]).ToArray();
            foreach ((int start, int count) in Chunks())
            {
                using DisposeScope chunkScope = torch.NewDisposeScope();
                Tensor stacked = torch.cat(plans.Select(p => p.narrow(0, start, count)).ToArray(), 0); // [(2 + c) * count, H, G], plan-major
                Tensor rows = shopIndex.narrow(0, start, count).repeat(plans.Count);
                Tensor? edges = shopEdges?.narrow(0, start, count).repeat(plans.Count, 1);
                float[] flat = model.Forecast(stacked, rows, edges).data<float>().ToArray();
                for (int p = 0; p < plans.Count; p++)
                for (int s = 0; s < count; s++)
                for (int h = 0; h < steps; h++) result[p][start + s, h] = flat[(p * count + s) * steps + h];
            }
            return result;
        }
        double[][,] point = Run(null);

        // Direct effects: the plan, with each channel's own edges into the target fed its counterfactual.
        var direct = Enumerable.Range(0, c).Select(_ => new double[shops, steps]).ToArray();
        if (model.HasMediators)
        {
            foreach ((int start, int count) in Chunks())
            {
                using DisposeScope chunkScope = torch.NewDisposeScope();
                Tensor actual = model.BasePlan.narrow(0, start, count).repeat(c, 1, 1);
                Tensor counterfactuals = torch.cat(plans.Skip(2).Select(p => p.narrow(0, start, count)).ToArray(), 0);
                int[] channelOfRow = channels.SelectMany(k => Enumerable.Repeat(k, count)).ToArray();
                float[] flat = model.ForecastWithDirectCounterfactual(actual, counterfactuals, channelOfRow, shopIndex.narrow(0, start, count).repeat(c)).data<float>().ToArray();
                for (int j = 0; j < c; j++)
                for (int s = 0; s < count; s++)
                for (int h = 0; h < steps; h++) direct[j][start + s, h] = point[0][start + s, h] - flat[(j * count + s) * steps + h];
            }
        }

        var sampled = new List<double[][,]>();
        if (samples > 0)
        {
            for (int k = 0; k < samples; k++)
            {
                using DisposeScope sampleScope = torch.NewDisposeScope();
                sampled.Add(Run(model.SampleEdges(shopIndex, options.Temperature, seed, k)));
            }
        }

        double[,] spend = model.PlanTotals;
        float[] baseFlat = baseline.data<float>().ToArray();
        double BaselineSpend(int s, int k) => Enumerable.Range(0, steps).Sum(h => (double)baseFlat[(s * steps + h) * given + k]);

        var daily = new List<DailyContribution>();
        var decomposition = new List<DailyDecomposition>();
        var totals = new List<ChannelContribution>();
        double lowerQ = (1 - options.BandLevel) / 2, upperQ = 1 - lowerQ;
        for (int s = 0; s < shops; s++)
        {
            string id = model.ShopIds[s];
            for (int h = 0; h < steps; h++)
            {
                double sum = 0;
                for (int j = 0; j < c; j++)
                {
                    double total = point[0][s, h] - point[2 + j][s, h];
                    double d = model.HasMediators ? direct[j][s, h] : total;
                    daily.Add(new DailyContribution(id, model.Dates[h], model.Channels[channels[j]], total, d, total - d));
                    sum += total;
                }
                decomposition.Add(new DailyDecomposition(id, model.Dates[h], point[0][s, h], point[1][s, h], sum, point[0][s, h] - point[1][s, h] - sum));
            }
        }
        // Totals per shop, then over all shops.
        for (int s = 0; s <= shops; s++)
        {
            bool all = s == shops;
            IEnumerable<int> members = all ? Enumerable.Range(0, shops) : new[] { s };
            for (int j = 0; j < c; j++)
            {
                int k = channels[j];
                double Contribution(double[][,] y) => members.Sum(q => Enumerable.Range(0, steps).Sum(h => y[0][q, h] - y[2 + j][q, h]));
                double contribution = Contribution(point);
                double directTotal = model.HasMediators ? members.Sum(q => Enumerable.Range(0, steps).Sum(h => direct[j][q, h])) : contribution;
                double spent = members.Sum(q => spend[q, k] - BaselineSpend(q, k));
                double Roi(double value) => spent != 0 ? value / spent : double.NaN;
                double lo = contribution, hi = contribution, roiLo = Roi(contribution), roiHi = roiLo;
                if (sampled.Count > 0)
                {
                    double[] draws = sampled.Select(Contribution).ToArray();
                    lo = draws.Quantile(lowerQ);
                    hi = draws.Quantile(upperQ);
                    double[] rois = draws.Select(Roi).ToArray();
                    roiLo = rois.Quantile(lowerQ);
                    roiHi = rois.Quantile(upperQ);
                }
                totals.Add(new ChannelContribution(all ? ResponseCurveSet.AllShops : model.ShopIds[s], model.Channels[k], spent, contribution, lo, hi, directTotal,
                    contribution - directTotal, Roi(contribution), roiLo, roiHi));
            }
        }
        return new ContributionReport(model.Kind, samples, options.BandLevel, daily, decomposition, totals);
    }

    /// <summary>The baseline plan [S, H, G]: the user's, or the plan with every channel at zero.</summary>
    private static Tensor BaselinePlan(ScenarioModel model, MediaPlan? baseline, string component)
    {
        if (baseline is null)
        {
            Tensor zeroed = model.BasePlan.clone();
            zeroed.narrow(2, 0, model.Channels.Count).zero_();
            return zeroed;
        }
        if (!baseline.Series.SequenceEqual(model.Plan.Series) || baseline.Steps != model.Steps)
            throw new ArgumentException($"{component}: the baseline plan has {baseline.Steps} steps of [{string.Join(", ", baseline.Series)}], but the plan has {model.Steps} steps of [{string.Join(", ", model.Plan.Series)}]. Make both for the same history and horizon.");
        int shops = model.ShopIds.Count, steps = model.Steps, given = model.Plan.Series.Count;
        var values = new float[shops * steps * given];
        for (int s = 0; s < shops; s++)
        {
            double[,] p = baseline.ShopIds.Contains(model.ShopIds[s]) ? baseline[model.ShopIds[s]]
                : throw new ArgumentException($"{component}: the baseline plan has no shop '{model.ShopIds[s]}'; give every shop of the history a baseline.");
            for (int h = 0; h < steps; h++)
            for (int k = 0; k < given; k++) values[(s * steps + h) * given + k] = (float)p[h, k];
        }
        return Tensors.FromArray(values, new long[] { shops, steps, given });
    }
}
