using CausalMmm.Forecasting;

namespace CausalMmm.Planning;

/// <summary>
/// The three budget objectives on top of <see cref="BudgetOptimizer"/>: the best allocation of a budget, the least budget
/// that reaches a target (bisection over budgets, each trial an allocation), and the largest budget whose allocation
/// keeps a target ROI. Checks every constraint first and says which shop or channel breaks it and how to fix it.
/// </summary>
internal static class BudgetPlanning
{
    private const int SearchRounds = 14;

    public static BudgetAllocation Optimize(ScenarioModel model, BudgetOptimizationOptions options, string component)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(model, options, component);
        using var optimizer = new BudgetOptimizer(model, options.FixedChannels);
        int shops = model.ShopIds.Count;
        IReadOnlyList<int> freeIndex = optimizer.Free;
        int free = freeIndex.Count;
        List<string> series = model.Plan.Series.ToList();
        var lower = new double[shops, free];
        var upper = new double[shops, free];
        for (int s = 0; s < shops; s++)
        for (int f = 0; f < free; f++)
        {
            string channel = series[freeIndex[f]];
            SpendBounds b = options.ChannelBounds.TryGetValue(channel, out SpendBounds own) ? own : options.DefaultBounds;
            double scale = b.RelativeToPlan ? optimizer.Current[s, f] : 1;
            lower[s, f] = b.Min * scale;
            upper[s, f] = b.Max * scale;
        }
        double[] lowest = RowSums(lower), highest = RowSums(upper), currentFree = RowSums(optimizer.Current);
        double[] currentTarget = optimizer.Evaluate(optimizer.Current);
        double[] baseTarget = optimizer.Evaluate(new double[shops, free]);
        int iterations = options.Iterations, trial = Math.Max(options.Iterations / 3, 10);

        double[,] totals;
        double[] target;
        switch (options.Objective)
        {
            case BudgetObjective.MaximizeTarget:
            {
                double[] budget = Enumerable.Range(0, shops).Select(s =>
                    (options.ShopBudgets.TryGetValue(model.ShopIds[s], out double own) ? own : options.Budget ?? options.BudgetRatio * (currentFree[s] + optimizer.FixedSpend[s]))
                    - optimizer.FixedSpend[s]).ToArray();
                var broken = Enumerable.Range(0, shops).Where(s => budget[s] < lowest[s] * (1 - 1e-12) || budget[s] > highest[s] * (1 + 1e-12)).ToList();
                if (broken.Count > 0)
                {
                    // Relative bounds are multiples of the planned spend, so a channel the plan does not spend on is pinned at zero.
                    string unplanned = string.Join(", ", Enumerable.Range(0, free).Where(f => broken.Any(s => optimizer.Current[s, f] == 0)
                        && !(options.ChannelBounds.TryGetValue(series[freeIndex[f]], out SpendBounds own) ? !own.RelativeToPlan : !options.DefaultBounds.RelativeToPlan))
                        .Select(f => series[freeIndex[f]]));
                    throw new ArgumentException($"{component}: the budget cannot be spent within the bounds for {broken.Count} shop(s), e.g. "
                        + string.Join("; ", broken.Take(3).Select(s => $"shop '{model.ShopIds[s]}': {budget[s] + optimizer.FixedSpend[s]:G6} in total, of which fixed channels take {optimizer.FixedSpend[s]:G6}, "
                            + $"but the optimised channels must spend between {lowest[s]:G6} and {highest[s]:G6}"))
                        + ". Raise or lower the budget (Budget, BudgetRatio, ShopBudgets), or widen the channel bounds (DefaultBounds, ChannelBounds)."
                        + (unplanned.Length > 0 ? $" The plan spends nothing on [{unplanned}] for some of these shops, so bounds relative to the plan hold them at zero: give them absolute bounds (SpendBounds.Absolute)." : ""));
                }
                for (int s = 0; s < shops; s++) budget[s] = Math.Clamp(budget[s], lowest[s], highest[s]);
                (totals, target) = optimizer.Maximize(budget, lower, upper, optimizer.Current, iterations);
                break;
            }
            case BudgetObjective.MinimizeSpend:
            {
                RequireFiniteUpper(highest, model, component, "MinimizeSpend");
                double[] goal = Enumerable.Range(0, shops).Select(s =>
                    options.ShopTargets.TryGetValue(model.ShopIds[s], out double own) ? own : options.TargetRatio * currentTarget[s]).ToArray();
                double[] atMost = optimizer.Evaluate(upper);
                var unreachable = Enumerable.Range(0, shops).Where(s => atMost[s] < goal[s]).ToList();
                if (unreachable.Count > 0)
                {
                    throw new ArgumentException($"{component}: the target cannot be reached within the bounds for {unreachable.Count} shop(s), e.g. "
                        + string.Join("; ", unreachable.Take(3).Select(s => $"shop '{model.ShopIds[s]}' needs {goal[s]:G6} but every channel at its upper bound forecasts {atMost[s]:G6}"))
                        + ". Lower the target (TargetRatio, ShopTargets) or raise the upper bounds.");
                }
                // The least budget that reaches the goal: between the lower bounds (if they already reach it, that is the answer) and the upper ones.
                double[] atLeast = optimizer.Evaluate(lower);
                bool[] reached = Enumerable.Range(0, shops).Select(s => atLeast[s] >= goal[s]).ToArray();
                double[,] start = (double[,])upper.Clone();
                double[] startTarget = (double[])atMost.Clone();
                for (int s = 0; s < shops; s++)
                {
                    if (!reached[s]) continue;
                    CopyRow(lower, start, s);
                    startTarget[s] = atLeast[s];
                }
                (totals, target) = Bisect(optimizer, lower, upper, highest, lowest, reached, trial, (s, _, f) => f >= goal[s], start, startTarget);
                break;
            }
            default:
            {
                RequireFiniteUpper(highest, model, component, "TargetRoi");
                double r = options.TargetRoi;
                // The smallest budget that makes ROI meaningful: the lower bounds, or a sliver of the current spend.
                double[] least = Enumerable.Range(0, shops).Select(s => lowest[s] > 0 ? lowest[s] : Math.Min(highest[s], 0.01 * Math.Max(currentFree[s], highest[s] / 100))).ToArray();
                // ROI may rise before it falls (S-shaped curves), so budgets are scanned from the least to the most, and the
                // largest scanned one that keeps the target ROI is refined by bisection towards the next.
                const int scan = 8;
                double Budget(int s, int i) => least[s] + (highest[s] - least[s]) * i / (scan - 1);
                var holds = new double[shops, free];
                var holdsTarget = new double[shops];
                var last = Enumerable.Repeat(-1, shops).ToArray();
                var bestRoi = Enumerable.Repeat(double.NegativeInfinity, shops).ToArray();
                double[,] warm = Spread(least, upper);
                for (int i = 0; i < scan; i++)
                {
                    double[] budget = Enumerable.Range(0, shops).Select(s => Budget(s, i)).ToArray();
                    (double[,] x, double[] f) = optimizer.Maximize(budget, lower, upper, warm, trial);
                    warm = x;
                    for (int s = 0; s < shops; s++)
                    {
                        double roi = Roi(f[s], baseTarget[s], budget[s]);
                        if (double.IsFinite(roi)) bestRoi[s] = Math.Max(bestRoi[s], roi);
                        if (!(roi >= r)) continue;
                        last[s] = i;
                        CopyRow(x, holds, s);
                        holdsTarget[s] = f[s];
                    }
                }
                // A shop whose bounds allow no spend at all has nothing to decide: it stays at zero.
                for (int s = 0; s < shops; s++)
                {
                    if (highest[s] <= 0) last[s] = scan - 1;
                }
                var unreachable = Enumerable.Range(0, shops).Where(s => last[s] < 0).ToList();
                if (unreachable.Count > 0)
                {
                    throw new ArgumentException($"{component}: none of {scan} budgets from the least to the most the bounds allow returns the target ROI {r:G4} for {unreachable.Count} shop(s), e.g. "
                        + string.Join("; ", unreachable.Take(3).Select(s => $"shop '{model.ShopIds[s]}': at best ROI {(double.IsFinite(bestRoi[s]) ? bestRoi[s].ToString("G4", System.Globalization.CultureInfo.InvariantCulture) : "n/a")}"))
                        + ". Lower TargetRoi, or change the channels' bounds.");
                }
                double[] lo = Enumerable.Range(0, shops).Select(s => Budget(s, last[s])).ToArray();
                double[] hi = Enumerable.Range(0, shops).Select(s => Budget(s, Math.Min(last[s] + 1, scan - 1))).ToArray();
                bool[] settled = Enumerable.Range(0, shops).Select(s => last[s] == scan - 1).ToArray();
                (totals, target) = Bisect(optimizer, lower, upper, lo, hi, settled, trial, (s, spend, f) => Roi(f, baseTarget[s], spend) >= r, holds, holdsTarget);
                break;
            }
        }

        // The optimised plan in double precision: each optimised channel keeps its daily pattern, scaled to its total.
        var plans = new Dictionary<string, double[,]>(StringComparer.Ordinal);
        var channels = new List<ChannelAllocation>();
        var shopRows = new List<ShopAllocation>();
        for (int s = 0; s < shops; s++)
        {
            string id = model.ShopIds[s];
            double[,] plan = model.Plan[id];
            int steps = plan.GetLength(0);
            for (int f = 0; f < free; f++)
            {
                int k = freeIndex[f];
                double current = optimizer.Current[s, f];
                for (int h = 0; h < steps; h++) plan[h, k] = current > 0 ? plan[h, k] / current * totals[s, f] : totals[s, f] / steps;
            }
            plans[id] = plan;
            for (int c = 0; c < model.Channels.Count; c++)
            {
                int f = freeIndex.ToList().IndexOf(c);
                if (f >= 0) channels.Add(new ChannelAllocation(id, model.Channels[c], optimizer.Current[s, f], totals[s, f], lower[s, f], upper[s, f], false));
                else
                {
                    double spent = model.PlanTotals[s, c];
                    channels.Add(new ChannelAllocation(id, model.Channels[c], spent, spent, spent, spent, true));
                }
            }
            double optimizedFree = Enumerable.Range(0, free).Sum(f => totals[s, f]);
            shopRows.Add(new ShopAllocation(id, currentFree[s] + optimizer.FixedSpend[s], optimizedFree + optimizer.FixedSpend[s], currentTarget[s], target[s], baseTarget[s])
            {
                CurrentRoi = Roi(currentTarget[s], baseTarget[s], currentFree[s]),
                OptimizedRoi = Roi(target[s], baseTarget[s], optimizedFree),
            });
        }
        return new BudgetAllocation(model.Kind, options.Objective, model.Plan, model.Plan.WithShops(plans), shopRows, channels);
    }

    /// <summary>Incremental target per unit of spend (NaN without spend).</summary>
    internal static double Roi(double target, double baseTarget, double spend) => spend > 0 ? (target - baseTarget) / spend : double.NaN;

    /// <summary>
    /// Bisection per shop between a budget where <paramref name="test"/> holds (<paramref name="holding"/>, with its
    /// allocation <paramref name="holds"/>) and one where it fails (<paramref name="failing"/>), either side of it: the
    /// result is the allocation at the last budget that held, warm-started from it each round. Shops already
    /// <paramref name="settled"/> keep theirs.
    /// </summary>
    private static (double[,] Totals, double[] Target) Bisect(BudgetOptimizer optimizer, double[,] lower, double[,] upper, double[] holding, double[] failing,
        bool[] settled, int iterations, Func<int, double, double, bool> test, double[,] holds, double[] holdsTarget)
    {
        int shops = holding.Length;
        double[,] best = (double[,])holds.Clone();
        double[] bestTarget = (double[])holdsTarget.Clone();
        double[] good = (double[])holding.Clone(), bad = (double[])failing.Clone();
        for (int round = 0; round < SearchRounds && settled.Contains(false); round++)
        {
            double[] mid = Enumerable.Range(0, shops).Select(s => (good[s] + bad[s]) / 2).ToArray();
            (double[,] x, double[] f) = optimizer.Maximize(mid, lower, upper, best, iterations);
            for (int s = 0; s < shops; s++)
            {
                if (settled[s]) continue;
                if (test(s, mid[s], f[s]))
                {
                    good[s] = mid[s];
                    CopyRow(x, best, s);
                    bestTarget[s] = f[s];
                }
                else bad[s] = mid[s];
            }
        }
        return (best, bestTarget);
    }

    private static void Check(ScenarioModel model, BudgetOptimizationOptions options, string component)
    {
        var channels = model.Channels.ToHashSet(StringComparer.Ordinal);
        string known = $"the channels are [{string.Join(", ", model.Channels)}]";
        foreach (string c in options.FixedChannels)
        {
            if (!channels.Contains(c)) throw new ArgumentException($"{component}: FixedChannels names '{c}', which is not a channel; {known}.");
        }
        if (options.FixedChannels.Distinct(StringComparer.Ordinal).Count() == model.Channels.Count)
            throw new ArgumentException($"{component}: every channel is fixed, so there is nothing to allocate. Leave at least one channel out of FixedChannels.");
        foreach ((string c, SpendBounds b) in options.ChannelBounds)
        {
            if (!channels.Contains(c)) throw new ArgumentException($"{component}: ChannelBounds names '{c}', which is not a channel; {known}.");
            CheckBounds(b, $"the bounds of '{c}'", component);
        }
        CheckBounds(options.DefaultBounds, "DefaultBounds", component);
        var shops = model.ShopIds.ToHashSet(StringComparer.Ordinal);
        foreach ((string shop, double budget) in options.ShopBudgets)
        {
            if (!shops.Contains(shop)) throw new ArgumentException($"{component}: ShopBudgets names shop '{shop}', which is not in the history.");
            if (!(budget >= 0) || !double.IsFinite(budget)) throw new ArgumentException($"{component}: the budget of shop '{shop}' is {budget}; give a finite amount of at least 0.");
        }
        foreach ((string shop, double goal) in options.ShopTargets)
        {
            if (!shops.Contains(shop)) throw new ArgumentException($"{component}: ShopTargets names shop '{shop}', which is not in the history.");
            if (!double.IsFinite(goal)) throw new ArgumentException($"{component}: the target of shop '{shop}' is {goal}; give a finite number.");
        }
        if (options.Budget is { } all && (!(all >= 0) || !double.IsFinite(all)))
            throw new ArgumentException($"{component}: Budget is {all}; give a finite amount of at least 0 (it is each shop's total channel spend over the plan).");
        if (!(options.BudgetRatio >= 0) || !double.IsFinite(options.BudgetRatio))
            throw new ArgumentException($"{component}: BudgetRatio is {options.BudgetRatio}; give a finite multiple of at least 0 (1 keeps the current spend).");
        if (!(options.TargetRatio > 0) || !double.IsFinite(options.TargetRatio))
            throw new ArgumentException($"{component}: TargetRatio is {options.TargetRatio}; give a positive multiple of the current forecast.");
        if (!double.IsFinite(options.TargetRoi)) throw new ArgumentException($"{component}: TargetRoi is {options.TargetRoi}; give a finite number.");
        if (options.Iterations < 1) throw new ArgumentException($"{component}: Iterations is {options.Iterations}; give at least 1.");
    }

    private static void CheckBounds(SpendBounds b, string what, string component)
    {
        if (!(b.Min >= 0) || double.IsPositiveInfinity(b.Min))
            throw new ArgumentException($"{component}: {what} start at {b.Min}; the lower bound must be a finite amount of at least 0.");
        if (double.IsNaN(b.Max)) throw new ArgumentException($"{component}: {what} have an upper bound that is not a number; give a finite amount (or infinity for absolute bounds).");
        if (!(b.Max >= b.Min))
            throw new ArgumentException($"{component}: {what} are [{b.Min}, {b.Max}]: the upper bound is below the lower one. Swap them.");
        if (b.RelativeToPlan && double.IsPositiveInfinity(b.Max))
            throw new ArgumentException($"{component}: {what} are relative with an infinite upper multiple; give a finite multiple, or absolute bounds.");
    }

    private static void RequireFiniteUpper(double[] highest, ScenarioModel model, string component, string objective)
    {
        int s = Array.FindIndex(highest, double.IsPositiveInfinity);
        if (s >= 0) throw new ArgumentException($"{component}: {objective} searches budgets up to the upper bounds, but shop '{model.ShopIds[s]}' has an infinite one. Give every channel a finite upper bound.");
    }

    private static double[] RowSums(double[,] m) => Enumerable.Range(0, m.GetLength(0)).Select(s => Enumerable.Range(0, m.GetLength(1)).Sum(k => m[s, k])).ToArray();

    private static void CopyRow(double[,] from, double[,] to, int row)
    {
        for (int k = 0; k < from.GetLength(1); k++) to[row, k] = from[row, k];
    }

    /// <summary>An even split of each budget, capped by the upper bounds: a start for tiny budgets.</summary>
    private static double[,] Spread(double[] budget, double[,] upper)
    {
        int shops = budget.Length, free = upper.GetLength(1);
        var x = new double[shops, free];
        for (int s = 0; s < shops; s++)
        for (int k = 0; k < free; k++) x[s, k] = Math.Min(budget[s] / free, upper[s, k]);
        return x;
    }
}
