using System.Diagnostics;
using System.Globalization;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Simulation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Holdout forecasts against the naive ones, over several seeds of the marketing simulator with what real panels have:
/// a drifting level, a trend per shop, weekly and yearly seasonality (daily or weekly steps). Per seed it fits CausalMMM
/// (the estimators' defaults), the classic chain (adstock + Hill + ridge) and the three naive forecasts on the same
/// history, forecasts the holdout with the actual spends given, and prints RMSE, MAPE, MASE against the last value
/// (per shop, averaged) and R² within shops; then the mean and the worst seed of each. Each forecaster's holdout RMSE is
/// also printed by blocks of 7 steps from the origin; <c>--true-graph</c> adds the forecaster on the simulator's true
/// graphs and prints the learned same-day graph per edge kind; a forecaster with the CalibrateEdges experiment prints its map.
/// </summary>
internal static class ForecastBenchmark
{
    public static int Run(int seeds, int firstSeed, int shops, int length, int holdout, string frequency, double drift, double trend, double yearly, double weekly, int? epochs, string overrides, bool trueGraph = false, IReadOnlyList<double>? thresholds = null, string graphOverrides = "")
    {
        var steps = Enum.Parse<SimulationFrequency>(frequency, ignoreCase: true);
        string unit = steps == SimulationFrequency.Daily ? "days" : "weeks";
        string I(double v) => v.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine($"Holdout forecasts against naive ones: marketing simulator with level drift {I(drift)}, trend {I(trend)}, yearly {I(yearly)}, weekly {I(weekly)}; "
            + $"{shops} shops x {length} {unit}, the last {holdout} held out, seeds {firstSeed}-{firstSeed + seeds - 1}");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- forecast --seeds {seeds} --first-seed {firstSeed} --shops {shops} --length {length} "
            + $"--holdout {holdout} --frequency {steps} --drift {I(drift)} --trend {I(trend)} --yearly {I(yearly)} --weekly {I(weekly)}{(epochs is null ? "" : $" --epochs {epochs}")}"
            + (overrides.Length > 0 ? $" --set {overrides}" : "") + (graphOverrides.Length > 0 ? $" --set-graph {graphOverrides}" : "") + (trueGraph ? " --true-graph" : "")
            + (thresholds is { Count: > 0 } ? $" --graph-thresholds {string.Join(",", thresholds.Select(I))}" : ""));
        Action<CausalMmm.Modeling.CausalMmmOptions> apply = OptionOverrides.Parse(overrides), applyGraph = OptionOverrides.Parse(graphOverrides);
        thresholds ??= Array.Empty<double>();
        if (thresholds.Count > 0 && !trueGraph) throw new ArgumentException("--graph-thresholds needs --true-graph (the learned graph is read where the true one is compared).");
        if (thresholds.Any(t => !(t > 0 && t <= 1))) throw new ArgumentException($"--graph-thresholds must lie in (0, 1], got {string.Join(",", thresholds.Select(I))}.");
        var results = new List<(string Model, int Seed, ForecastEvaluation Skill, double Seconds)>();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            MarketingWorld world = MarketingSimulator.SimulateWorld(new MarketingSimulationOptions
            {
                Shops = shops, Length = length, Seed = seed, Frequency = steps, LevelDrift = drift, Trend = trend, YearlySeasonality = yearly, WeeklySeasonality = weekly,
            });
            MarketingPanel panel = world.Panel;
            var ml = new MLContext(seed: seed);
            CausalMmmCatalog mmm = ml.CausalMmm();
            IDataView all = mmm.Data.ToDataView(panel);
            IDataView history = ml.Data.FilterRowsByColumn(all, "t", upperBound: length - holdout);
            DateTime first = panel.Dates[length - holdout].ToDateTime(TimeOnly.MinValue);
            var models = new List<(string, Func<ITransformer>)>
            {
                ("CausalMMM", () => PlanningBenchmark.CausalPipeline(mmm, epochs, apply, applyGraph).Fit(history)),
                ("Adstock+Hill+Ridge", () => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history)),
                ("Naive: last value", () => mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue).Fit(history)),
                ($"Naive: {NaiveForecastEstimator.DefaultSeasonLength(panel.StepDays)} steps earlier", () => mmm.Forecasting.Trainers.Naive(NaiveMethod.SeasonalNaive).Fit(history)),
                ("Naive: recent mean", () => mmm.Forecasting.Trainers.Naive(NaiveMethod.RecentMean).Fit(history)),
            };
            CausalGraphSet? learnedGraph = null;
            if (trueGraph)
            {
                // Every true effect acts on the day (through adstock), so the same-day graph is the truth and so is the lagged one.
                string[] nodes = panel.SeriesVariables.Select(v => v.Name).ToArray();
                var truth = world.TrueGraphs.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, ToWeights(kv.Value))).ToArray();
                var graph = new CausalGraphSet(nodes, truth, truth);
                ITransformer OnGraph(CausalGraphSet given)
                {
                    var options = new CausalMmm.Modeling.CausalMmmOptions();
                    if (epochs is int e) options.Epochs = e;
                    apply(options);
                    return mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = options, Graph = given }).Fit(history);
                }
                models.Insert(1, ("CausalMMM, true graph", () => OnGraph(graph)));
                // The learned graph (of the CausalMMM row, fitted first) made certain: every edge at or above the threshold kept at 1, the rest dropped.
                for (int k = 0; k < thresholds.Count; k++)
                {
                    double threshold = thresholds[k];
                    models.Insert(2 + k, ($"CausalMMM, p >= {I(threshold)}", () => OnGraph(Binarised(learnedGraph ?? throw new InvalidOperationException("The CausalMMM row runs first."), threshold))));
                }
            }
            Console.WriteLine();
            Console.WriteLine($"seed {seed}");
            Console.WriteLine($"  {"model",-22} {"RMSE",10} {"MAPE",7} {"MASE",6} {"R2 shop",8} {"R2 pooled",9} {"fit s",6}");
            foreach ((string name, Func<ITransformer> fit) in models)
            {
                var watch = Stopwatch.StartNew();
                ITransformer model;
                try
                {
                    model = fit();
                }
                catch (ArgumentException e) when (name.StartsWith("Naive", StringComparison.Ordinal))
                {
                    Console.WriteLine($"  {name,-22} skipped: {e.Message}");
                    continue;
                }
                double seconds = watch.Elapsed.TotalSeconds;
                IDataView scored = model.Transform(all);
                ForecastEvaluation skill = mmm.Forecasting.Evaluate(scored, first, "gmv");
                results.Add((name, seed, skill, seconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-22} {skill.Rmse,10:F1} {skill.Overall.Mape,6:F1}% {skill.Mase,6:F2} {skill.WithinShopRSquared,8:F3} {skill.Overall.RSquared,9:F3} {seconds,6:F0}"));
                if (!name.StartsWith("Naive", StringComparison.Ordinal)) Console.WriteLine($"  {"",-22} RMSE by 7 steps of the holdout (steps from the origin): {HorizonRmse(scored, length - holdout)}");
                var stages = model as IEnumerable<ITransformer> ?? Array.Empty<ITransformer>();
                if (stages.OfType<MarketingResponseTransformer>().FirstOrDefault()?.Model.Network.EdgeCalibrationMap() is var (slope, shift))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"",-22} edge calibration sigmoid(a logit p + b): a {slope:F2}, b {shift:F2}"));
                if (trueGraph && stages.OfType<CausalGraphTransformer>().FirstOrDefault() is { } learner)
                {
                    CausalGraphSet learned = learnedGraph = learner.Graphs(history);
                    Console.WriteLine($"  {"",-22} learned same-day graph, mean probability on true / absent edges: {GraphSummary(learned, learned.SameDay, false, world)}");
                    Console.WriteLine($"  {"",-22} learned lagged graph, the same: {GraphSummary(learned, shop => learned[shop], true, world)}");
                }
                (model as IDisposable)?.Dispose();
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Over {seeds} seeds: mean (worst seed)");
        foreach (var group in results.GroupBy(r => r.Model))
        {
            var rows = group.ToList();
            string Figure(Func<ForecastEvaluation, double> f, bool higherIsBetter, string format)
            {
                double[] v = rows.Select(r => f(r.Skill)).ToArray();
                return string.Create(CultureInfo.InvariantCulture, $"{v.Average().ToString(format, CultureInfo.InvariantCulture)} ({(higherIsBetter ? v.Min() : v.Max()).ToString(format, CultureInfo.InvariantCulture)})");
            }
            Console.WriteLine($"  {group.Key,-22} RMSE {Figure(s => s.Rmse, false, "F1")}, MAPE {Figure(s => s.Overall.Mape, false, "F1")} %, MASE {Figure(s => s.Mase, false, "F2")}, "
                + $"R2 within shops {Figure(s => s.WithinShopRSquared, true, "F3")}, pooled {Figure(s => s.Overall.RSquared, true, "F3")}, fit {rows.Average(r => r.Seconds):F0} s");
        }
        Console.WriteLine("Bars (issue 26): CausalMMM's MASE below 1 and at or below the classic chain's; the classic chain's MASE below 1.");
        return 0;
    }
    /// <summary>
    /// Per kind of edge into pv and gmv (channel -> pv, channel -> gmv, promo -> either, pv -> gmv, and for the lagged graph
    /// gmv -> pv, never true), the mean probability of <paramref name="graph"/> (the learned same-day or lagged graph of a
    /// shop) where the edge is true and where it is absent. The simulator's effects all act on the day, through adstocks,
    /// so its one graph is the truth of both.
    /// </summary>
    private static string GraphSummary(CausalGraphSet learned, Func<string, double[,]> graph, bool lagged, MarketingWorld world)
    {
        IReadOnlyList<string> nodes = learned.NodeNames;
        // The marketing simulator's nodes: the channels, promo (when there is one), then pv and gmv, its one mediator and its target.
        if (nodes[^2] != "pv" || nodes[^1] != "gmv") throw new InvalidOperationException($"Expected the simulator's pv and gmv last, got [{string.Join(", ", nodes)}].");
        int pv = nodes.Count - 2, gmv = nodes.Count - 1, channels = world.ChannelCount;
        var sums = new Dictionary<string, (double TrueSum, int TrueCount, double FalseSum, int FalseCount)>();
        void Add(string kind, bool present, double p)
        {
            var v = sums.GetValueOrDefault(kind);
            sums[kind] = present ? (v.TrueSum + p, v.TrueCount + 1, v.FalseSum, v.FalseCount) : (v.TrueSum, v.TrueCount, v.FalseSum + p, v.FalseCount + 1);
        }
        foreach (string shop in learned.ShopIds)
        {
            double[,] p = graph(shop);
            bool[,] truth = world.TrueGraphs[shop];
            for (int i = 0; i < pv; i++)
            {
                string sender = i < channels ? "channel" : "promo";
                Add($"{sender}->pv", truth[i, pv], p[i, pv]);
                Add($"{sender}->gmv", truth[i, gmv], p[i, gmv]);
            }
            Add("pv->gmv", truth[pv, gmv], p[pv, gmv]);
            if (lagged) Add("gmv->pv", truth[gmv, pv], p[gmv, pv]);
        }
        string Mean(double sum, int count) => count == 0 ? "-" : (sum / count).ToString("F2", CultureInfo.InvariantCulture);
        return string.Join("; ", sums.Select(kv => $"{kv.Key} {Mean(kv.Value.TrueSum, kv.Value.TrueCount)} / {Mean(kv.Value.FalseSum, kv.Value.FalseCount)} (n {kv.Value.TrueCount} / {kv.Value.FalseCount})"));
    }

    private static CausalGraphSet Binarised(CausalGraphSet learned, double threshold)
    {
        double[,] Cut(double[,] p)
        {
            var cut = new double[p.GetLength(0), p.GetLength(1)];
            for (int i = 0; i < p.GetLength(0); i++)
            for (int j = 0; j < p.GetLength(1); j++) cut[i, j] = p[i, j] >= threshold ? 1 : 0;
            return cut;
        }
        return new CausalGraphSet(learned.NodeNames,
            learned.ShopIds.Select(id => new KeyValuePair<string, double[,]>(id, Cut(learned[id]))),
            learned.ShopIds.Select(id => new KeyValuePair<string, double[,]>(id, Cut(learned.SameDay(id)))));
    }

    private static double[,] ToWeights(bool[,] graph)
    {
        var weights = new double[graph.GetLength(0), graph.GetLength(1)];
        for (int i = 0; i < graph.GetLength(0); i++)
        for (int j = 0; j < graph.GetLength(1); j++) weights[i, j] = graph[i, j] ? 1 : 0;
        return weights;
    }

    /// <summary>
    /// The holdout's RMSE in blocks of 7 steps from the origin, after that of the last 7 fitted steps: an error that grows with the horizon is the roll-out's
    /// (errors fed back), one that does not is the one-step model's.
    /// </summary>
    private static string HorizonRmse(IDataView scored, int origin)
    {
        float[] steps = scored.GetColumn<float>("t").ToArray(), actual = scored.GetColumn<float>("gmv").ToArray(), score = scored.GetColumn<float>("Score").ToArray();
        var blocks = new SortedDictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < steps.Length; i++)
        {
            int h = (int)steps[i] - origin;
            if (h < -7 || !float.IsFinite(score[i])) continue;
            int block = h < 0 ? -1 : h / 7; // -1: the last 7 fitted (one-step) steps before the origin
            (double sum, int count) = blocks.GetValueOrDefault(block);
            blocks[block] = (sum + (score[i] - actual[i]) * (double)(score[i] - actual[i]), count + 1);
        }
        return string.Join(", ", blocks.Select(b => string.Create(CultureInfo.InvariantCulture, $"{(b.Key < 0 ? "last 7 fitted" : $"{b.Key * 7 + 1}-{b.Key * 7 + 7}")}: {Math.Sqrt(b.Value.Sum / b.Value.Count):F0}")));
    }
}
