using System.Diagnostics;
using System.Globalization;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Planning;
using CausalMmm.Simulation;
using MathNet.Numerics.Statistics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Planning and decisions checked against the truth, over several seeds of the marketing simulator (per-shop graphs,
/// promotions that confound, channels acting only through page views or not at all, page views -> GMV on the same day,
/// quiet and noisy shops). Per seed it fits CausalMMM (the estimators' defaults) and the classic chain (adstock + Hill +
/// ridge) on the same history and prints, for each: the +/-50% plan response (median relative error and sign over the
/// material true effects), the ROI rank correlation pooled over shops and channels, the optimised plan's share of the
/// true optimum's gain over the current plan (median and 10th percentile over shops, bounds 0.25x-3x of the plan at the
/// same total spend), the mediated share of each channel's contribution beside the true share, and the learned
/// probability of the same-day pv -> gmv edge where it is true. Then the mean and the worst seed of every figure.
/// </summary>
internal static class PlanningBenchmark
{
    private const double BoundLow = 0.25, BoundHigh = 3;

    /// <summary>A change smaller than this share of the shop's true GMV over the plan counts as no effect.</summary>
    private const double Material = 0.005;

    public static int Run(string command, int seeds, int firstSeed, int shops, int length, int channels, int days, int? epochs, double noise, string overrides, string models,
        string graphOverrides = "")
    {
        string epochText = epochs is null ? "" : $" --epochs {epochs}";
        Console.WriteLine($"Planning against truth: marketing simulator (per-shop graphs, promotions, same-day pv -> gmv), {shops} shops x {length} days, {channels} channels, noise {noise}, "
            + $"seeds {firstSeed}-{firstSeed + seeds - 1}; plans of {days} days (the last {days} repeated)");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- {command} --seeds {seeds} --first-seed {firstSeed} --shops {shops} --length {length} "
            + $"--channels {channels} --days {days}{epochText} --noise {noise.ToString(CultureInfo.InvariantCulture)} --models {models}{(overrides.Length > 0 ? $" --set {overrides}" : "")}"
            + (graphOverrides.Length > 0 ? $" --set-graph {graphOverrides}" : ""));
        Action<CausalMmmOptions> apply = OptionOverrides.Parse(overrides), applyGraph = OptionOverrides.Parse(graphOverrides);
        string[] chosen = models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var results = new List<SeedResult>();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            MarketingWorld world = MarketingSimulator.SimulateWorld(new MarketingSimulationOptions { Shops = shops, Length = length, Channels = channels, Seed = seed, Noise = noise });
            var truth = new Truth(world, days);
            Console.WriteLine();
            Console.WriteLine($"seed {seed} (truth in {truth.Seconds:0.0} s): {truth.Describe()}");
            foreach (string name in chosen)
            {
                var ml = new MLContext(seed: seed);
                CausalMmmCatalog mmm = ml.CausalMmm();
                var watch = Stopwatch.StartNew();
                ITransformer model = name.ToLowerInvariant() switch
                {
                    "causalmmm" => CausalPipeline(mmm, epochs, apply, applyGraph).Fit(truth.History),
                    "ridge" => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(truth.History),
                    _ => throw new ArgumentException($"Unknown model '{name}': use CausalMmm and Ridge."),
                };
                double fit = watch.Elapsed.TotalSeconds;
                SeedResult result = Score(name == "ridge" || name == "Ridge" ? "Adstock+Hill+Ridge" : "CausalMMM", seed, mmm, model, truth, fit);
                results.Add(result);
                Console.WriteLine(result.Line());
                if (result.Details.Length > 0) Console.WriteLine(result.Details);
                if (Training(model) is { Length: > 0 } training) Console.WriteLine($"  training: {training}");
                (model as IDisposable)?.Dispose();
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Over {seeds} seeds: mean (worst seed)");
        Console.WriteLine(SeedResult.Header);
        foreach (IGrouping<string, SeedResult> group in results.GroupBy(r => r.Model)) Console.WriteLine(SeedResult.Summary(group.Key, group.ToList()));
        Console.WriteLine("Bars (issue 24): plan error <= 15% and below the classic chain's; sign >= 98%; ROI rank >= 0.93; optimised gain median >= 95% and within 1 point of the chain's, "
            + "10th percentile >= 50%; pv -> gmv >= 0.9 where true; mediated share within 10 points (median), >= 90% for channels acting only through pv.");
        return 0;
    }

    /// <summary>Graph learning then the forecaster with the estimators' defaults, the epochs and overrides applied to both (and the graph's own overrides to the first).</summary>
    internal static IEstimator<ITransformer> CausalPipeline(CausalMmmCatalog mmm, int? epochs, Action<CausalMmmOptions> apply, Action<CausalMmmOptions> applyGraph)
    {
        void Set(CausalMmmOptions o)
        {
            if (epochs is int e) o.Epochs = e;
            apply(o);
        }
        CausalMmmOptions Model()
        {
            var options = new CausalMmmOptions();
            Set(options);
            return options;
        }
        CausalMmmOptions graph = CausalMmmOptions.ForGraphEstimator();
        Set(graph);
        applyGraph(graph);
        return mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = graph })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Model() }));
    }

    /// <summary>
    /// How long each network of a fitted causal pipeline trained and why it stopped (the epoch cap or a plateau), and
    /// the seconds per epoch, so a slower fit reads as more epochs or dearer ones; empty for a chain without networks.
    /// </summary>
    internal static string Training(ITransformer model)
    {
        if (model is not IEnumerable<ITransformer> chain) return "";
        return string.Join("; ", chain.Select(t => t switch
        {
            CausalGraphTransformer g => (Network: "graph", g.Model.Summary),
            MarketingResponseTransformer r => (Network: "response", r.Model.Summary),
            _ => (Network: "", Summary: null),
        }).Where(p => p.Summary is not null).Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.Network} {p.Summary!.EpochsRun} epochs (best {p.Summary.BestEpoch}, stopped on {p.Summary.StopReason ?? "an unrecorded reason"}), {p.Summary.SecondsPerEpoch:F2} s an epoch")));
    }

    private static SeedResult Score(string name, int seed, CausalMmmCatalog mmm, ITransformer model, Truth truth, double fitSeconds)
    {
        MarketingPanel panel = truth.World.Panel;
        int shops = panel.ShopCount, channels = truth.World.ChannelCount;
        MLContext ml = mmm.Context;

        // Plan response: +/-50% of each channel against the repeated plan.
        double[] Totals(IDataView input)
        {
            IDataView scored = ml.Data.FilterRowsByColumn(model.Transform(input), "t", lowerBound: panel.Length);
            string[] ids = scored.GetColumn<ReadOnlyMemory<char>>("shop_id").Select(m => m.ToString()).ToArray();
            float[] score = scored.GetColumn<float>("Score").ToArray();
            var totals = new double[shops];
            for (int r = 0; r < ids.Length; r++) totals[panel.IndexOfShop(ids[r])] += score[r];
            return totals;
        }
        double[] forecastBase = Totals(truth.Plan.AppendTo(truth.History));
        var errors = new List<double>();
        var silent = new List<double>();
        int right = 0, material = 0;
        var perPlan = new List<string>();
        var byPath = new Dictionary<string, List<double>>();
        foreach ((string channel, double factor, MediaPlan plan, double[] trueTotals) in truth.Scaled)
        {
            double[] forecast = Totals(plan.AppendTo(truth.History));
            var ratios = new List<double>();
            for (int s = 0; s < shops; s++)
            {
                double trueChange = trueTotals[s] - truth.BaseTotals[s], change = forecast[s] - forecastBase[s];
                if (Math.Abs(trueChange) < Material * truth.BaseTotals[s])
                {
                    silent.Add(Math.Abs(change) / truth.BaseTotals[s]);
                    continue;
                }
                material++;
                ratios.Add(change / trueChange);
                int c = Array.IndexOf(truth.Channels, channel);
                bool viaPv = truth.World.DrivesMediator(panel.ShopIds[s], c) && truth.World.MediatorDrivesTarget(panel.ShopIds[s]), direct = truth.World.DrivesTarget(panel.ShopIds[s], c);
                string path = viaPv && direct ? "both" : viaPv ? "pv only" : "direct only";
                if (!byPath.TryGetValue(path, out List<double>? list)) byPath[path] = list = new List<double>();
                list.Add(change / trueChange);
                errors.Add(Math.Abs(change - trueChange) / Math.Abs(trueChange));
                if (Math.Sign(change) == Math.Sign(trueChange)) right++;
            }
            perPlan.Add($"{channel}x{factor:0.0} {Median(ratios):0.00}");
        }

        // ROI: contribution over the plan per unit of spend, from the model's response curves at 0x and 1x.
        ResponseCurveSet curves = mmm.Planning.ResponseCurves(model, truth.History, truth.Plan, new ResponseCurveOptions { Multipliers = new[] { 0.0, 1.0 }, Samples = 0 });
        var estimated = new double[shops, channels];
        foreach (ChannelReturn r in curves.Returns.Where(r => r.ShopId != ResponseCurveSet.AllShops))
            estimated[panel.IndexOfShop(r.ShopId), Array.IndexOf(truth.Channels, r.Channel)] = r.Roi;
        var pooledTrue = new List<double>();
        var pooledEstimated = new List<double>();
        for (int s = 0; s < shops; s++)
        for (int c = 0; c < channels; c++)
        {
            if (!double.IsFinite(truth.Roi[s, c]) || !double.IsFinite(estimated[s, c])) continue;
            pooledTrue.Add(truth.Roi[s, c]);
            pooledEstimated.Add(estimated[s, c]);
        }
        double roiRank = Correlation.Spearman(pooledTrue, pooledEstimated);

        // The optimised allocation of the same budget within 0.25x-3x, judged by the true GMV it brings.
        var options = new BudgetOptimizationOptions { DefaultBounds = SpendBounds.Relative(BoundLow, BoundHigh) };
        BudgetAllocation allocation = mmm.Planning.OptimizeBudget(model, truth.History, truth.Plan, options);
        var shares = new double[shops];
        for (int s = 0; s < shops; s++)
        {
            double optimised = truth.Total(s, allocation.OptimizedPlan[panel.ShopIds[s]]);
            shares[s] = (optimised - truth.BaseTotals[s]) / (truth.BestTotals[s] - truth.BaseTotals[s]);
        }

        // Mediated share of each channel's contribution (zero spend as the counterfactual), against the true share.
        var gaps = new List<double>();
        var mediatedOnly = new List<double>();
        double pvEdge = double.NaN;
        if (name == "CausalMMM")
        {
            ContributionReport contributions = mmm.Planning.Contributions(model, truth.History, truth.Plan, new ContributionOptions { Samples = 0 });
            foreach (ChannelContribution t in contributions.Totals.Where(t => t.ShopId != ResponseCurveSet.AllShops))
            {
                int s = panel.IndexOfShop(t.ShopId), c = Array.IndexOf(truth.Channels, t.Channel);
                (double total, double mediated) = truth.Contribution[s, c];
                if (Math.Abs(total) < Material * truth.BaseTotals[s] || Math.Abs(t.Contribution) < 1e-9) continue;
                double share = t.Mediated / t.Contribution;
                gaps.Add(Math.Abs(share - mediated / total));
                if (truth.World.DrivesMediator(t.ShopId, c) && !truth.World.DrivesTarget(t.ShopId, c)) mediatedOnly.Add(share);
            }
            if (model is IEnumerable<ITransformer> chain && chain.FirstOrDefault() is CausalGraphTransformer graph)
            {
                CausalGraphSet graphs = graph.Graphs(truth.History);
                double[] p = panel.ShopIds.Where(truth.World.MediatorDrivesTarget)
                    .Select(id => graphs.Edges(id, threshold: 0).Where(e => e.SameDay && e.From == "pv" && e.To == "gmv").Select(e => e.Probability).DefaultIfEmpty(0).Max()).ToArray();
                pvEdge = p.Length > 0 ? p.Average() : double.NaN;
            }
        }
        return new SeedResult(name, seed, Median(errors), material > 0 ? (double)right / material : double.NaN, Median(silent), roiRank, Median(shares.ToList()),
            Quantile(shares, 0.1), gaps.Count > 0 ? Median(gaps) : double.NaN, mediatedOnly.Count > 0 ? Median(mediatedOnly) : double.NaN, pvEdge, fitSeconds,
            $"    median forecast / true change per plan: {string.Join(", ", perPlan)}; by path: {string.Join(", ", byPath.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {Median(kv.Value):0.00} (n {kv.Value.Count})"))}");
    }

    private static double Median(List<double> values) => values.Count == 0 ? double.NaN : Quantile(values.ToArray(), 0.5);

    private static double Quantile(double[] values, double q) => values.Length == 0 ? double.NaN : Statistics.QuantileCustom(values, q, QuantileDefinition.R7);

    /// <summary>What one seed's world knows: the plans, their true outcomes, ROI, the best allocations and the contributions.</summary>
    private sealed class Truth
    {
        public Truth(MarketingWorld world, int days)
        {
            var watch = Stopwatch.StartNew();
            World = world;
            Days = days;
            MarketingPanel panel = world.Panel;
            History = PanelDataView.Create(panel);
            var mmm = new MLContext(seed: 1).CausalMmm();
            Plan = mmm.Planning.RepeatLast(History, days);
            Channels = Plan.Roles.Channels;
            Series = Plan.Series.ToArray();
            int shops = panel.ShopCount, channels = world.ChannelCount;
            BaseTotals = Enumerable.Range(0, shops).Select(s => Total(s, Plan[panel.ShopIds[s]])).ToArray();
            Scaled = Channels.SelectMany(channel => new[] { 1.5, 0.5 }.Select(factor =>
            {
                MediaPlan plan = Plan.Scale(channel, factor);
                return (channel, factor, plan, Enumerable.Range(0, shops).Select(s => Total(s, plan[panel.ShopIds[s]])).ToArray());
            })).ToArray();
            Roi = new double[shops, channels];
            Contribution = new (double, double)[shops, channels];
            BestTotals = new double[shops];
            for (int s = 0; s < shops; s++)
            {
                double[,] planned = Plan[panel.ShopIds[s]];
                for (int c = 0; c < channels; c++)
                {
                    double spend = Enumerable.Range(0, days).Sum(h => planned[h, c]);
                    double[,] without = (double[,])planned.Clone();
                    for (int h = 0; h < days; h++) without[h, c] = 0;
                    double total = BaseTotals[s] - Total(s, without);
                    double direct = BaseTotals[s] - Total(s, planned, c);
                    Roi[s, c] = spend > 0 ? total / spend : double.NaN;
                    Contribution[s, c] = (total, total - direct);
                }
                BestTotals[s] = Optimum(s, planned);
            }
            Seconds = watch.Elapsed.TotalSeconds;
        }

        public MarketingWorld World { get; }
        public int Days { get; }
        public IDataView History { get; }
        public MediaPlan Plan { get; }
        public string[] Channels { get; }
        public string[] Series { get; }
        public double[] BaseTotals { get; }
        public (string Channel, double Factor, MediaPlan Plan, double[] Totals)[] Scaled { get; }
        public double[,] Roi { get; }
        public (double Total, double Mediated)[,] Contribution { get; }
        public double[] BestTotals { get; }
        public double Seconds { get; }

        /// <summary>True GMV over the plan's days of shop <paramref name="s"/> under <paramref name="planned"/> [day, given series]; with <paramref name="directZero"/>, that channel's direct edge sees no spend.</summary>
        public double Total(int s, double[,] planned, int directZero = -1)
        {
            MarketingPanel panel = World.Panel;
            double[][] given = Enumerable.Range(0, Series.Length)
                .Select(k => panel.GetSeries(s, Series[k]).Concat(Enumerable.Range(0, Days).Select(h => planned[h, k])).ToArray()).ToArray();
            double[] gmv = directZero < 0 ? World.TrueGmv(panel.ShopIds[s], given)
                : World.TrueGmv(panel.ShopIds[s], given, directZero, given[directZero].Take(panel.Length).Concat(new double[Days]).ToArray());
            return gmv.Skip(panel.Length).Sum();
        }

        /// <summary>
        /// The true best GMV for the shop's budget with each channel within 0.25x-3x of its plan: a grid over the budget's
        /// shares, then pairwise exchanges of shrinking size from the best grid point.
        /// </summary>
        private double Optimum(int s, double[,] planned)
        {
            int channels = World.ChannelCount;
            double[] spent = Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, Days).Sum(h => planned[h, c])).ToArray();
            double budget = spent.Sum();
            double[] lower = spent.Select(x => BoundLow * x).ToArray(), upper = spent.Select(x => BoundHigh * x).ToArray();
            double Value(double[] totals)
            {
                var plan = (double[,])planned.Clone();
                for (int c = 0; c < channels; c++)
                for (int h = 0; h < Days; h++) plan[h, c] = spent[c] > 0 ? planned[h, c] / spent[c] * totals[c] : 0;
                return Total(s, plan);
            }
            bool Feasible(double[] totals) => totals.Select((x, c) => x >= lower[c] - 1e-9 && x <= upper[c] + 1e-9).All(b => b);
            double[] best = (double[])spent.Clone();
            double bestValue = Value(best);
            const int grid = 16;
            foreach (int[] split in Splits(channels, grid))
            {
                double[] totals = split.Select(k => budget * k / grid).ToArray();
                if (!Feasible(totals)) continue;
                double v = Value(totals);
                if (v > bestValue)
                {
                    bestValue = v;
                    best = totals;
                }
            }
            for (double step = budget / grid / 2; step > budget * 1e-4; step /= 2)
            {
                bool improved = true;
                while (improved)
                {
                    improved = false;
                    for (int a = 0; a < channels; a++)
                    for (int b = 0; b < channels; b++)
                    {
                        if (a == b) continue;
                        double[] trial = (double[])best.Clone();
                        double move = Math.Min(step, Math.Min(trial[b] - lower[b], upper[a] - trial[a]));
                        if (move <= 0) continue;
                        trial[a] += move;
                        trial[b] -= move;
                        double v = Value(trial);
                        if (v > bestValue + 1e-9 * Math.Abs(bestValue))
                        {
                            bestValue = v;
                            best = trial;
                            improved = true;
                        }
                    }
                }
            }
            return bestValue;
        }

        /// <summary>How the world looks: shares of shops and channels by path.</summary>
        public string Describe()
        {
            MarketingPanel panel = World.Panel;
            int pairs = panel.ShopCount * World.ChannelCount;
            int onlyPv = 0, none = 0;
            foreach (string id in panel.ShopIds)
            for (int c = 0; c < World.ChannelCount; c++)
            {
                bool pv = World.DrivesMediator(id, c) && World.MediatorDrivesTarget(id), gmv = World.DrivesTarget(id, c);
                if (pv && !gmv) onlyPv++;
                if (!pv && !gmv) none++;
            }
            double[] room = Enumerable.Range(0, panel.ShopCount).Select(s => (BestTotals[s] - BaseTotals[s]) / BaseTotals[s]).ToArray();
            return $"pv -> gmv in {panel.ShopIds.Count(World.MediatorDrivesTarget)} of {panel.ShopCount} shops; channel-shop pairs acting only through pv {onlyPv} of {pairs}, with no path to gmv {none}; "
                + $"the best allocation gains {Quantile(room, 0.5):P1} of GMV over the plan (median; 10th-90th percentile {Quantile(room, 0.1):P1}-{Quantile(room, 0.9):P1})";
        }

        private static IEnumerable<int[]> Splits(int parts, int total)
        {
            if (parts == 1)
            {
                yield return new[] { total };
                yield break;
            }
            for (int first = 0; first <= total; first++)
            foreach (int[] rest in Splits(parts - 1, total - first))
                yield return rest.Prepend(first).ToArray();
        }
    }

    /// <summary>One model's figures on one seed.</summary>
    private sealed record SeedResult(string Model, int Seed, double PlanError, double Sign, double SilentChange, double RoiRank, double GainMedian, double GainP10,
        double MediatedGap, double MediatedOnly, double PvEdge, double FitSeconds, string Details)
    {
        public const string Header = "model                plan err   sign   no-path chg  ROI rank  gain med  gain p10  med. share gap  pv-only share  pv->gmv   fit s";

        public string Line() => $"  {Model,-19} {PlanError,8:P1} {Sign,6:P1} {SilentChange,12:P2} {RoiRank,9:0.000} {GainMedian,9:P1} {GainP10,9:P1} {MediatedGap,15:P1} {MediatedOnly,14:P1} {PvEdge,8:0.00} {FitSeconds,7:0}";

        /// <summary>Mean over seeds with the worst seed in brackets (the worst is the highest for errors, the lowest elsewhere).</summary>
        public static string Summary(string model, List<SeedResult> rows)
        {
            string Cell(Func<SeedResult, double> get, bool lowerIsBetter, string format)
            {
                double[] v = rows.Select(get).Where(double.IsFinite).ToArray();
                if (v.Length == 0) return "n/a";
                double worst = lowerIsBetter ? v.Max() : v.Min();
                return $"{v.Average().ToString(format, CultureInfo.InvariantCulture)} ({worst.ToString(format, CultureInfo.InvariantCulture)})";
            }
            return $"{model,-19} plan err {Cell(r => r.PlanError, true, "P1")}, sign {Cell(r => r.Sign, false, "P1")}, no-path change {Cell(r => r.SilentChange, true, "P2")}, "
                + $"ROI rank {Cell(r => r.RoiRank, false, "0.000")}, gain median {Cell(r => r.GainMedian, false, "P1")}, p10 {Cell(r => r.GainP10, false, "P1")}, "
                + $"mediated share gap {Cell(r => r.MediatedGap, true, "P1")}, pv-only share {Cell(r => r.MediatedOnly, false, "P1")}, pv->gmv {Cell(r => r.PvEdge, false, "0.00")}, "
                + $"fit {Cell(r => r.FitSeconds, true, "0")} s";
        }
    }
}
