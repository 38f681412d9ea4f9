using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Planning;

/// <summary>What <see cref="BudgetOptimizationOptions"/> asks of the allocation.</summary>
public enum BudgetObjective
{
    /// <summary>The most forecast target over the plan's steps for each shop's budget.</summary>
    MaximizeTarget,

    /// <summary>The least spend whose best allocation reaches each shop's target.</summary>
    MinimizeSpend,

    /// <summary>The largest spend whose best allocation still returns at least <see cref="BudgetOptimizationOptions.TargetRoi"/>.</summary>
    TargetRoi,
}

/// <summary>
/// Lower and upper bounds on one channel's total spend over the plan: absolute amounts, or multiples of the channel's
/// spend in the current plan (<see cref="RelativeToPlan"/>; a plan made by <c>RepeatLast</c> is the recent history, so
/// these are ratios of history).
/// </summary>
/// <param name="Min">The least total spend (or multiple), at least 0.</param>
/// <param name="Max">The most total spend (or multiple), at least <paramref name="Min"/>; may be infinite when absolute.</param>
/// <param name="RelativeToPlan">True when the bounds are multiples of the current plan's spend.</param>
public readonly record struct SpendBounds(double Min, double Max, bool RelativeToPlan)
{
    /// <summary>Bounds as multiples of the channel's current planned spend.</summary>
    public static SpendBounds Relative(double min, double max) => new(min, max, true);

    /// <summary>Bounds as absolute totals over the plan's steps.</summary>
    public static SpendBounds Absolute(double min, double max) => new(min, max, false);
}

/// <summary>Settings of <c>mmm.Planning.OptimizeBudget</c>.</summary>
public sealed class BudgetOptimizationOptions
{
    /// <summary>Documented defaults.</summary>
    public static class Defaults
    {
        /// <summary>Maximise the target at the current spend: reallocation.</summary>
        public const BudgetObjective Objective = BudgetObjective.MaximizeTarget;

        /// <summary>Each shop's budget is its current planned channel spend.</summary>
        public const double BudgetRatio = 1;

        /// <summary>Channels may go to zero...</summary>
        public const double MinMultiplier = 0;

        /// <summary>...and up to three times their planned spend: further out the model extrapolates beyond what it has seen.</summary>
        public const double MaxMultiplier = 3;

        /// <summary>MinimizeSpend reaches 5% more target than the current plan forecasts.</summary>
        public const double TargetRatio = 1.05;

        /// <summary>TargetRoi: one unit of target per unit of spend (break-even when target and spend share a currency).</summary>
        public const double TargetRoi = 1;

        /// <summary>Projected-gradient steps per allocation.</summary>
        public const int Iterations = 150;
    }

    /// <summary>What to optimise.</summary>
    public BudgetObjective Objective { get; set; } = Defaults.Objective;

    /// <summary>Every shop's total channel spend over the plan (MaximizeTarget); null uses <see cref="BudgetRatio"/>.</summary>
    public double? Budget { get; set; }

    /// <summary>Each shop's budget as a multiple of its current planned channel spend, when <see cref="Budget"/> is null.</summary>
    public double BudgetRatio { get; set; } = Defaults.BudgetRatio;

    /// <summary>Per shop id, its own budget; overrides <see cref="Budget"/> and <see cref="BudgetRatio"/> for that shop.</summary>
    public Dictionary<string, double> ShopBudgets { get; } = new(StringComparer.Ordinal);

    /// <summary>Bounds of every channel without its own entry in <see cref="ChannelBounds"/>.</summary>
    public SpendBounds DefaultBounds { get; set; } = SpendBounds.Relative(Defaults.MinMultiplier, Defaults.MaxMultiplier);

    /// <summary>Per channel, its bounds.</summary>
    public Dictionary<string, SpendBounds> ChannelBounds { get; } = new(StringComparer.Ordinal);

    /// <summary>Channels that keep their planned spend (day by day).</summary>
    public List<string> FixedChannels { get; } = new();

    /// <summary>MinimizeSpend: each shop's target as a multiple of what the current plan forecasts.</summary>
    public double TargetRatio { get; set; } = Defaults.TargetRatio;

    /// <summary>MinimizeSpend: per shop id, an absolute target over the plan's steps; overrides <see cref="TargetRatio"/>.</summary>
    public Dictionary<string, double> ShopTargets { get; } = new(StringComparer.Ordinal);

    /// <summary>TargetRoi: the least incremental target per unit of the optimised channels' spend.</summary>
    public double TargetRoi { get; set; } = Defaults.TargetRoi;

    /// <summary>Projected-gradient steps per allocation (the search over budgets runs a third of them per trial).</summary>
    public int Iterations { get; set; } = Defaults.Iterations;
}

/// <summary>One channel of one shop in an optimised allocation.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="Channel">The channel.</param>
/// <param name="CurrentSpend">Its total spend over the plan in the current plan.</param>
/// <param name="OptimizedSpend">Its total spend in the optimised plan.</param>
/// <param name="Lower">The lower bound it was held to.</param>
/// <param name="Upper">The upper bound it was held to.</param>
/// <param name="Fixed">True when it kept its planned spend.</param>
public sealed record ChannelAllocation(string ShopId, string Channel, double CurrentSpend, double OptimizedSpend, double Lower, double Upper, bool Fixed);

/// <summary>One shop's optimised allocation.</summary>
/// <param name="ShopId">The shop.</param>
/// <param name="CurrentSpend">Total channel spend in the current plan.</param>
/// <param name="OptimizedSpend">Total channel spend in the optimised plan.</param>
/// <param name="CurrentTarget">The forecast target over the plan's steps under the current plan.</param>
/// <param name="OptimizedTarget">The forecast target under the optimised plan.</param>
/// <param name="BaseTarget">The forecast target with the optimised (not fixed) channels at zero: what ROI is measured against.</param>
public sealed record ShopAllocation(string ShopId, double CurrentSpend, double OptimizedSpend, double CurrentTarget, double OptimizedTarget, double BaseTarget)
{
    /// <summary>Incremental target per unit of spend of the optimised channels in the optimised plan.</summary>
    public double OptimizedRoi { get; init; }

    /// <summary>The same for the current plan.</summary>
    public double CurrentRoi { get; init; }
}

/// <summary>What <c>mmm.Planning.OptimizeBudget</c> returns: the optimised plan and, per shop and channel, how it differs from the current one.</summary>
public sealed class BudgetAllocation
{
    internal BudgetAllocation(string modelKind, BudgetObjective objective, MediaPlan current, MediaPlan optimized, IReadOnlyList<ShopAllocation> shops,
        IReadOnlyList<ChannelAllocation> channels)
    {
        ModelKind = modelKind;
        Objective = objective;
        CurrentPlan = current;
        OptimizedPlan = optimized;
        Shops = shops;
        Channels = channels;
    }

    /// <summary>"CausalMMM" or "Ridge": the model the allocation was optimised on.</summary>
    public string ModelKind { get; }

    /// <summary>The objective.</summary>
    public BudgetObjective Objective { get; }

    /// <summary>The plan it started from.</summary>
    public MediaPlan CurrentPlan { get; }

    /// <summary>The optimised plan: each optimised channel keeps its daily pattern, scaled to its new total.</summary>
    public MediaPlan OptimizedPlan { get; }

    /// <summary>Per shop, totals and forecasts.</summary>
    public IReadOnlyList<ShopAllocation> Shops { get; }

    /// <summary>Per shop and channel, current and optimised spend.</summary>
    public IReadOnlyList<ChannelAllocation> Channels { get; }

    /// <summary>One row per shop and channel (a <see cref="DataFrame"/>, so also an <c>IDataView</c>).</summary>
    public DataFrame ToDataFrame() => new(
        new StringDataFrameColumn("shop", Channels.Select(c => c.ShopId)),
        new StringDataFrameColumn("channel", Channels.Select(c => c.Channel)),
        new DoubleDataFrameColumn("current_spend", Channels.Select(c => c.CurrentSpend)),
        new DoubleDataFrameColumn("optimized_spend", Channels.Select(c => c.OptimizedSpend)),
        new DoubleDataFrameColumn("lower", Channels.Select(c => c.Lower)),
        new DoubleDataFrameColumn("upper", Channels.Select(c => c.Upper)),
        new BooleanDataFrameColumn("fixed", Channels.Select(c => c.Fixed)));

    /// <summary>One row per shop: spends, forecasts and ROI, current against optimised.</summary>
    public DataFrame ShopsToDataFrame() => new(
        new StringDataFrameColumn("shop", Shops.Select(s => s.ShopId)),
        new DoubleDataFrameColumn("current_spend", Shops.Select(s => s.CurrentSpend)),
        new DoubleDataFrameColumn("optimized_spend", Shops.Select(s => s.OptimizedSpend)),
        new DoubleDataFrameColumn("current_target", Shops.Select(s => s.CurrentTarget)),
        new DoubleDataFrameColumn("optimized_target", Shops.Select(s => s.OptimizedTarget)),
        new DoubleDataFrameColumn("current_roi", Shops.Select(s => s.CurrentRoi)),
        new DoubleDataFrameColumn("optimized_roi", Shops.Select(s => s.OptimizedRoi)));
}

/// <summary>
/// Budget allocation by projected gradient ascent through the differentiable scenario forecast. The decision is each
/// optimised channel's total spend over the plan; its daily pattern is the current plan's (even spread where the plan
/// has none). Each step follows the gradient of the forecast target (TorchSharp autograd), then projects onto
/// {bounds, total = budget} exactly (a bisection on the shift of the projection); a step that lowers a shop's forecast
/// is undone and retried shorter, so the result is never worse than the projected start. Shops are independent.
/// </summary>
internal sealed class BudgetOptimizer : IDisposable
{
    private readonly ScenarioModel _model;
    private readonly int[] _free;          // positions (in the plan's series) of the optimised channels
    private readonly int[] _fixed;
    private readonly Tensor _profile;      // [S, H, F]: each optimised channel's daily share of its total
    private readonly Tensor _placement;    // [F, G]: one-hot, puts optimised channels into plan columns
    private readonly Tensor _kept;         // [S, H, G]: the plan with the optimised channels zeroed
    private readonly Tensor _allShops;

    public BudgetOptimizer(ScenarioModel model, IReadOnlyCollection<string> fixedChannels)
    {
        _model = model;
        List<string> series = model.Plan.Series.ToList();
        _fixed = fixedChannels.Distinct(StringComparer.Ordinal).Select(c => series.IndexOf(c)).ToArray();
        _free = Enumerable.Range(0, model.Channels.Count).Where(k => !_fixed.Contains(k)).ToArray();
        int shops = model.ShopIds.Count, steps = model.Steps, given = series.Count, free = _free.Length;
        float[] basePlan = model.BasePlan.data<float>().ToArray();
        var profile = new float[shops * steps * Math.Max(free, 1)];
        Current = new double[shops, free];
        for (int s = 0; s < shops; s++)
        for (int f = 0; f < free; f++)
        {
            double total = Current[s, f] = model.PlanTotals[s, _free[f]];
            for (int h = 0; h < steps; h++)
                profile[(s * steps + h) * free + f] = total > 0 ? (float)(basePlan[(s * steps + h) * given + _free[f]] / total) : 1f / steps;
        }
        FixedSpend = Enumerable.Range(0, shops).Select(s => _fixed.Sum(k => model.PlanTotals[s, k])).ToArray();
        var placement = new float[Math.Max(free, 1) * given];
        for (int f = 0; f < free; f++) placement[f * given + _free[f]] = 1;
        _profile = Tensors.FromArray(profile, new long[] { shops, steps, Math.Max(free, 1) });
        _placement = Tensors.FromArray(placement, new long[] { Math.Max(free, 1), given });
        float[] keep = Enumerable.Repeat(1f, given).ToArray();
        foreach (int k in _free) keep[k] = 0;
        using (torch.no_grad())
        {
            using Tensor mask = Tensors.FromArray(keep, new long[] { given });
            _kept = (model.BasePlan * mask).DetachFromDisposeScope();
        }
        _allShops = torch.arange(shops, dtype: ScalarType.Int64).DetachFromDisposeScope();
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        _profile.Dispose();
        _placement.Dispose();
        _kept.Dispose();
        _allShops.Dispose();
    }

    /// <summary>The optimised channels' positions in the plan's series.</summary>
    public IReadOnlyList<int> Free => _free;

    /// <summary>[shop, optimised channel] total spend in the current plan.</summary>
    public double[,] Current { get; }

    /// <summary>Per shop, the fixed channels' total spend.</summary>
    public double[] FixedSpend { get; }

    /// <summary>The plan [S, H, G] that spends <paramref name="totals"/> [S, F] on the optimised channels.</summary>
    public Tensor PlanOf(Tensor totals)
    {
        if (_free.Length == 0) return _kept.alias();
        return Tensors.Plus(_kept, torch.matmul(totals.unsqueeze(1) * _profile, _placement));
    }

    /// <summary>Forecast target totals over the plan per shop, for totals [S, F] (no gradient).</summary>
    public double[] Evaluate(double[,] totals)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        Tensor x = ToTensor(totals);
        return _model.Forecast(PlanOf(x), _allShops).sum(1).to_type(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>
    /// The allocation of each shop's <paramref name="budget"/> (its optimised channels' total) within
    /// [<paramref name="lower"/>, <paramref name="upper"/>] that maximises the forecast target, starting from
    /// <paramref name="start"/>. Returns the totals and their forecast.
    /// </summary>
    public (double[,] Totals, double[] Target) Maximize(double[] budget, double[,] lower, double[,] upper, double[,] start, int iterations)
    {
        int shops = budget.Length, free = _free.Length;
        double[,] x = Project(start, lower, upper, budget);
        if (free == 0) return (x, Evaluate(x));
        (double[] f, double[,] g) = ValueAndGradient(x);
        var eta = Enumerable.Repeat(0.1, shops).ToArray();
        for (int it = 0; it < iterations && eta.Any(e => e > 1e-5); it++)
        {
            var candidate = new double[shops, free];
            for (int s = 0; s < shops; s++)
            {
                if (eta[s] <= 1e-5)
                {
                    for (int k = 0; k < free; k++) candidate[s, k] = x[s, k];
                    continue;
                }
                double mean = 0, spread = 0;
                for (int k = 0; k < free; k++) mean += g[s, k] / free;
                for (int k = 0; k < free; k++) spread = Math.Max(spread, Math.Abs(g[s, k] - mean));
                for (int k = 0; k < free; k++)
                    candidate[s, k] = x[s, k] + (spread > 0 ? eta[s] * budget[s] * (g[s, k] - mean) / spread : 0);
            }
            candidate = Project(candidate, lower, upper, budget);
            (double[] fc, double[,] gc) = ValueAndGradient(candidate);
            for (int s = 0; s < shops; s++)
            {
                if (eta[s] <= 1e-5) continue; // settled: it stops here whatever the other shops still do, so any subset ends the same
                if (fc[s] >= f[s])
                {
                    f[s] = fc[s];
                    for (int k = 0; k < free; k++)
                    {
                        x[s, k] = candidate[s, k];
                        g[s, k] = gc[s, k];
                    }
                    eta[s] = Math.Min(eta[s] * 1.5, 1);
                }
                else
                {
                    eta[s] *= 0.3;
                }
            }
        }
        return (x, f);
    }

    /// <summary>Forecast target totals per shop and their gradient [S, F] with respect to the optimised channels' totals.</summary>
    private (double[] Value, double[,] Gradient) ValueAndGradient(double[,] totals)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor x = ToTensor(totals).requires_grad_(true);
        Tensor value = _model.Forecast(PlanOf(x), _allShops).sum(1);
        Tensor gradient = torch.autograd.grad(new[] { value.sum() }, new[] { x })[0];
        double[] v = value.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        double[] flat = gradient.to_type(ScalarType.Float64).data<double>().ToArray();
        int shops = totals.GetLength(0), free = totals.GetLength(1);
        var g = new double[shops, free];
        for (int s = 0; s < shops; s++)
        for (int k = 0; k < free; k++) g[s, k] = flat[s * free + k];
        return (v, g);
    }

    private static Tensor ToTensor(double[,] totals)
    {
        int shops = totals.GetLength(0), free = totals.GetLength(1);
        var data = new float[shops * Math.Max(free, 1)];
        for (int s = 0; s < shops; s++)
        for (int k = 0; k < free; k++) data[s * free + k] = (float)totals[s, k];
        return Tensors.FromArray(data, new long[] { shops, Math.Max(free, 1) });
    }

    /// <summary>
    /// The Euclidean projection of each row of <paramref name="y"/> onto {lower &lt;= x &lt;= upper, sum x = budget}:
    /// x = clip(y - tau, lower, upper) with tau found by bisection, then the rounding left over moved onto a coordinate
    /// with room, so the total is the budget to the last bits. The caller guarantees sum lower &lt;= budget &lt;= sum upper.
    /// </summary>
    internal static double[,] Project(double[,] y, double[,] lower, double[,] upper, double[] budget)
    {
        int shops = y.GetLength(0), free = y.GetLength(1);
        var x = new double[shops, free];
        for (int s = 0; s < shops; s++)
        {
            if (free == 0) continue;
            double Total(double tau)
            {
                double sum = 0;
                for (int k = 0; k < free; k++) sum += Math.Clamp(y[s, k] - tau, lower[s, k], upper[s, k]);
                return sum;
            }
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int k = 0; k < free; k++)
            {
                lo = Math.Min(lo, y[s, k] - lower[s, k] - budget[s]);
                hi = Math.Max(hi, y[s, k] - lower[s, k]);
            }
            for (int i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1, Math.Abs(hi)); i++)
            {
                double mid = (lo + hi) / 2;
                if (Total(mid) > budget[s]) lo = mid;
                else hi = mid;
            }
            double t = (lo + hi) / 2;
            for (int k = 0; k < free; k++) x[s, k] = Math.Clamp(y[s, k] - t, lower[s, k], upper[s, k]);
            for (int pass = 0; pass < free; pass++)
            {
                double sum = 0;
                for (int k = 0; k < free; k++) sum += x[s, k];
                double rest = budget[s] - sum;
                if (rest == 0) break;
                int best = -1;
                double room = 0;
                for (int k = 0; k < free; k++)
                {
                    double r = rest > 0 ? upper[s, k] - x[s, k] : x[s, k] - lower[s, k];
                    if (r > room)
                    {
                        room = r;
                        best = k;
                    }
                }
                if (best < 0) break;
                x[s, best] = Math.Clamp(x[s, best] + rest, lower[s, best], upper[s, best]);
            }
        }
        return x;
    }
}
