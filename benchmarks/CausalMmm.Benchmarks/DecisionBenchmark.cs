using System.Diagnostics;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Planning;
using CausalMmm.Simulation;
using MathNet.Numerics.Statistics;
using Microsoft.ML;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Decisions checked against truth (issue 11). The marketing simulator knows every shop's true GMV under any plan, so it
/// knows each channel's true ROI over the plan (GMV with the channel minus without it, per unit of spend) and the true
/// best allocation of the current budget within the same bounds (found on the simulator itself by a grid and pairwise
/// exchanges). For CausalMMM and for adstock+Hill+ridge it prints the rank correlation of estimated and true ROI, and
/// the true GMV gain of each model's optimised allocation as a share of the true optimum's gain (gain over zero media).
/// </summary>
internal static class DecisionBenchmark
{
    public static int Run(int shops, int length, int channels, int days, int epochs, int seed, SameDayResponse[] responses, string overrides = "")
    {
        Console.WriteLine($"Decisions against truth: marketing simulator, {shops} shops x {length} days, {channels} channels, seed {seed}; plan of {days} days (the last {days} days repeated), budget = its spend, bounds 0-3x per channel");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- decisions --shops {shops} --length {length} --channels {channels} --days {days} --epochs {epochs} --seed {seed} --same-day {string.Join(',', responses)}{(overrides.Length > 0 ? $" --set {overrides}" : "")}");
        Action<CausalMmmOptions> apply = OptionOverrides.Parse(overrides);
        MarketingWorld world = MarketingSimulator.SimulateWorld(new MarketingSimulationOptions { Shops = shops, Length = length, Channels = channels, Seed = seed });
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = PanelDataView.Create(world.Panel);
        MediaPlan plan = mmm.Planning.RepeatLast(history, days);
        MarketingPanel panel = world.Panel;
        string[] channelNames = plan.Roles.Channels;

        double TrueTotal(int s, Func<int, int, double> spendAt)
        {
            double[][] spend = Enumerable.Range(0, channels).Select(c =>
                panel.GetSeries(s, channelNames[c]).Concat(Enumerable.Range(0, days).Select(h => spendAt(h, c))).ToArray()).ToArray();
            return world.TrueGmv(panel.ShopIds[s], spend).Skip(length).Sum();
        }
        double[][,] planned = panel.ShopIds.Select(id => plan[id]).ToArray();
        double[] plannedSpend(int s) => Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, days).Sum(h => planned[s][h, c])).ToArray();

        // Truth: ROI per shop and channel, and the best allocation of each shop's budget.
        var trueRoi = new double[shops, channels];
        var trueZero = new double[shops];
        var trueCurrent = new double[shops];
        var trueBest = new double[shops];
        var watch = Stopwatch.StartNew();
        for (int s = 0; s < shops; s++)
        {
            double[] spent = plannedSpend(s);
            trueCurrent[s] = TrueTotal(s, (h, c) => planned[s][h, c]);
            trueZero[s] = TrueTotal(s, (_, _) => 0);
            for (int c = 0; c < channels; c++)
            {
                int channel = c;
                double without = TrueTotal(s, (h, k) => k == channel ? 0 : planned[s][h, k]);
                trueRoi[s, c] = spent[c] > 0 ? (trueCurrent[s] - without) / spent[c] : double.NaN;
            }
            trueBest[s] = TrueOptimum(s, spent, planned[s], days, TrueTotal);
        }
        Console.WriteLine($"truth computed in {watch.Elapsed.TotalSeconds:0.0} s");

        var models = responses.Select(r => ($"CausalMMM ({PlanningBenchmark.Label(r)})", (Func<ITransformer>)(() => PlanningBenchmark.CausalPipeline(mmm, epochs, r, apply).Fit(history))))
            .Append(("Adstock+Hill+Ridge", () => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history))).ToList();
        Console.WriteLine();
        Console.WriteLine($"{"model",-20} {"ROI rank corr. (per shop, mean)",32} {"(pooled)",9} {"gain share: optimised",22} {"current plan",13} {"monotone curves",16} {"fit s",6} {"curves s",9} {"optimise s",11}");
        foreach ((string name, Func<ITransformer> fit) in models)
        {
            watch.Restart();
            ITransformer model = fit();
            double fitSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            ResponseCurveSet curves = mmm.Planning.ResponseCurves(model, history, plan, new ResponseCurveOptions { Multipliers = new[] { 0.0, 1.0 }, Samples = 0 });
            double curveSeconds = watch.Elapsed.TotalSeconds;
            var estimated = new double[shops, channels];
            foreach (ChannelReturn r in curves.Returns.Where(r => r.ShopId != ResponseCurveSet.AllShops))
                estimated[panel.IndexOfShop(r.ShopId), Array.IndexOf(channelNames, r.Channel)] = r.Roi;
            var perShop = new List<double>();
            var pooledTrue = new List<double>();
            var pooledEstimated = new List<double>();
            for (int s = 0; s < shops; s++)
            {
                int[] valid = Enumerable.Range(0, channels).Where(c => double.IsFinite(trueRoi[s, c]) && double.IsFinite(estimated[s, c])).ToArray();
                if (valid.Length >= 3) perShop.Add(Correlation.Spearman(valid.Select(c => trueRoi[s, c]), valid.Select(c => estimated[s, c])));
                pooledTrue.AddRange(valid.Select(c => trueRoi[s, c]));
                pooledEstimated.AddRange(valid.Select(c => estimated[s, c]));
            }
            // Every true curve rises with spend: how many of the model's (0-3x, per shop and channel) never fall?
            ResponseCurveSet full = mmm.Planning.ResponseCurves(model, history, plan, new ResponseCurveOptions { Samples = 0 });
            var shapes = full.Points.Where(p => p.ShopId != ResponseCurveSet.AllShops).GroupBy(p => (p.ShopId, p.Channel))
                .Select(g => g.OrderBy(p => p.Multiplier).Select(p => p.Target).ToArray()).ToArray();
            double monotone = shapes.Count(y => y.Zip(y.Skip(1), (a, b) => b >= a - 1e-6 * Math.Abs(a)).All(ok => ok)) / (double)shapes.Length;
            watch.Restart();
            BudgetAllocation allocation = mmm.Planning.OptimizeBudget(model, history, plan);
            double optimiseSeconds = watch.Elapsed.TotalSeconds;
            double gained = 0, possible = 0, current = 0;
            for (int s = 0; s < shops; s++)
            {
                double[,] optimised = allocation.OptimizedPlan[panel.ShopIds[s]];
                gained += TrueTotal(s, (h, c) => optimised[h, c]) - trueZero[s];
                possible += trueBest[s] - trueZero[s];
                current += trueCurrent[s] - trueZero[s];
            }
            Console.WriteLine($"{name,-20} {perShop.DefaultIfEmpty(double.NaN).Average(),32:0.000} {Correlation.Spearman(pooledTrue, pooledEstimated),9:0.000} {gained / possible,22:P1} {current / possible,13:P1} {monotone,16:P0} {fitSeconds,6:0} {curveSeconds,9:0.0} {optimiseSeconds,11:0.0}");
        }
        Console.WriteLine("Targets (issue 11): ROI rank correlation >= 0.8; optimised allocation >= 95% of the true optimum.");
        Console.WriteLine("Gain share: true GMV over the plan above the zero-media GMV, as a share of the true optimum's.");
        return 0;
    }

    /// <summary>
    /// The true best total GMV for one shop's budget within 0-3x per channel: a grid over the shares of the budget, then
    /// pairwise exchanges of shrinking size from the best grid point (the simulator's response is concave enough for
    /// this to settle on the optimum).
    /// </summary>
    private static double TrueOptimum(int s, double[] spent, double[,] planned, int days, Func<int, Func<int, int, double>, double> trueTotal)
    {
        int channels = spent.Length;
        double budget = spent.Sum();
        double[] upper = spent.Select(x => 3 * x).ToArray();
        double Value(double[] totals) => trueTotal(s, (h, c) => spent[c] > 0 ? planned[h, c] / spent[c] * totals[c] : totals[c] / days);
        bool Feasible(double[] totals) => totals.Select((x, c) => x >= -1e-9 && x <= upper[c] + 1e-9).All(b => b);
        double[] best = (double[])spent.Clone();
        double bestValue = Value(best);
        const int grid = 12;
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
                    double move = Math.Min(step, Math.Min(trial[b], upper[a] - trial[a]));
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

    /// <summary>Every way to write <paramref name="total"/> as an ordered sum of <paramref name="parts"/> non-negative integers.</summary>
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
