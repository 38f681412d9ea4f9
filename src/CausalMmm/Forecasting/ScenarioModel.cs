using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Forecasting;

/// <summary>
/// A fitted forecaster that can become a differentiable function of a media plan: its <see cref="ScenarioModel"/>. The
/// last component of a pipeline implements it (<see cref="MarketingResponseTransformer"/>, <see cref="RidgeTransformer"/>),
/// so the planning tools (contributions, response curves, the budget optimiser) treat every forecaster alike.
/// </summary>
internal interface IScenarioForecaster
{
    /// <summary>
    /// The scenario model for <paramref name="plan"/> after the history in <paramref name="input"/> (history and plan rows,
    /// already passed through <paramref name="upstream"/>, the pipeline's earlier components, which it may read).
    /// </summary>
    ScenarioModel Scenario(IReadOnlyList<ITransformer> upstream, IDataView input, MediaPlan plan, string component);
}


/// <summary>
/// A fitted model seen as a differentiable function of a media plan: spends [rows, step, given series] (original units)
/// to the forecast target [rows, step]. Each row names its shop, so one call can evaluate many plans, shops and graph
/// samples at once. Built from history and a baseline plan; everything that does not depend on the plan (the decoder
/// state after the history, the carry-over of adstocks) is computed once. The planning tools (contributions, response
/// curves, the budget optimiser) all run on it, so they treat CausalMMM and the classic ridge chain alike.
/// </summary>
internal abstract class ScenarioModel : IDisposable
{
    private protected ScenarioModel(string kind, MediaPlan plan, IReadOnlyList<string> shopIds)
    {
        Kind = kind;
        Plan = plan;
        ShopIds = shopIds.ToArray();
        Channels = plan.Roles.Channels;
        int given = plan.Series.Count, steps = plan.Steps;
        var values = new float[shopIds.Count * steps * given];
        PlanTotals = new double[shopIds.Count, given];
        for (int s = 0; s < shopIds.Count; s++)
        {
            double[,] p = plan[shopIds[s]];
            for (int h = 0; h < steps; h++)
            for (int k = 0; k < given; k++)
            {
                values[(s * steps + h) * given + k] = (float)p[h, k];
                PlanTotals[s, k] += p[h, k];
            }
        }
        BasePlan = Tensors.FromArray(values, new long[] { shopIds.Count, steps, given });
    }

    /// <summary>"CausalMMM" or "Ridge": what the numbers come from.</summary>
    public string Kind { get; }

    /// <summary>The baseline plan the model was prepared with.</summary>
    public MediaPlan Plan { get; }

    /// <summary>Shops in row order of <see cref="BasePlan"/>: the history's order.</summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>The media channels: the first <c>Channels.Count</c> given series of the plan.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The planned steps.</summary>
    public int Steps => Plan.Steps;

    /// <summary>The dates of the planned steps (after the history).</summary>
    public IReadOnlyList<DateOnly> Dates { get; private protected set; } = Array.Empty<DateOnly>();

    /// <summary>[shop, given series]: each series' total over the baseline plan's steps, in double precision.</summary>
    public double[,] PlanTotals { get; }

    /// <summary>The baseline plan [shops, step, given series] on the original scale.</summary>
    public Tensor BasePlan { get; }

    /// <summary>True when edges can be sampled from a graph posterior (bands): an upstream learned graph or a supplied one (0/1 edges give no spread); false without a graph.</summary>
    public virtual bool HasGraphPosterior => false;

    /// <summary>True when a channel can act through mediators, so direct and mediated parts can differ.</summary>
    public virtual bool HasMediators => false;

    /// <summary>
    /// The forecast target [R, steps] of plans [R, steps, given] for the shops at <paramref name="shops"/> [R] (indexes into
    /// <see cref="ShopIds"/>), with <paramref name="edges"/> [R, edges] replacing the point graph when given.
    /// Differentiable in the plan.
    /// </summary>
    public abstract Tensor Forecast(Tensor plan, Tensor shops, Tensor? edges = null);

    /// <summary>
    /// The forecast target under <paramref name="plan"/> when channel <paramref name="channel"/>[r] reaches the target
    /// directly (its own edges into the target) as it would under <paramref name="counterfactual"/>, and through every
    /// other path as under <paramref name="plan"/>. The actual forecast minus this is the channel's direct effect. A model
    /// without mediators has only direct effects, so this is the counterfactual's forecast.
    /// </summary>
    public virtual Tensor ForecastWithDirectCounterfactual(Tensor plan, Tensor counterfactual, int[] channel, Tensor shops, Tensor? edges = null) =>
        Forecast(counterfactual, shops, edges);

    /// <summary>
    /// Edge weights [R, edges] sampled from the graph posterior of the rows' shops (Gumbel-softmax at
    /// <paramref name="temperature"/>): draw <paramref name="draw"/> of each shop comes from its own stream, seeded by
    /// <paramref name="seed"/>, the shop id and the draw, so any subset of shops gets the same samples.
    /// </summary>
    /// <exception cref="NotSupportedException">The model has no graph posterior.</exception>
    public virtual Tensor SampleEdges(Tensor shops, double temperature, int seed, int draw) =>
        throw new NotSupportedException($"The {Kind} model has no graph to sample.");

    /// <summary>A seed from <paramref name="seed"/>, a shop id and a draw that does not change between processes (FNV-1a, not string.GetHashCode).</summary>
    private protected static int StreamSeed(int seed, string shopId, int draw)
    {
        uint hash = 2166136261;
        void Mix(uint value)
        {
            hash ^= value;
            hash *= 16777619;
        }
        Mix((uint)seed);
        Mix((uint)draw);
        foreach (char c in shopId) Mix(c);
        return (int)(hash & 0x7fffffff);
    }

    /// <summary>Releases the tensors.</summary>
    public virtual void Dispose() => BasePlan.Dispose();

    /// <summary>
    /// The scenario model of a fitted pipeline whose last component is an <see cref="IScenarioForecaster"/> (CausalMMM's
    /// <see cref="MarketingResponseTransformer"/> or the classic chain's <see cref="RidgeTransformer"/>), prepared for
    /// <paramref name="plan"/> after <paramref name="history"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The pipeline ends in another component, or ridge regresses on a feature the chain cannot trace to a plan series.</exception>
    /// <exception cref="ArgumentException">The plan misses a shop of the history or was made for other columns.</exception>
    public static ScenarioModel Create(ITransformer model, IDataView history, MediaPlan plan, string component)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(plan);
        List<ITransformer> chain = Flatten(model).ToList();
        ITransformer last = chain[^1];
        if (last is not IScenarioForecaster forecaster)
            throw new NotSupportedException($"{component}: planning needs a pipeline that ends in the MarketingResponse forecaster (CausalMMM) or in Ridge (the classic chain), but this one ends in {last.GetType().Name}. "
                + "Append mmm.Forecasting.Trainers.MarketingResponse() or .Ridge() to the pipeline.");
        List<ITransformer> upstream = chain.Take(chain.Count - 1).ToList();
        IDataView input = plan.AppendTo(history);
        foreach (ITransformer step in upstream) input = step.Transform(input);
        return forecaster.Scenario(upstream, input, plan, component);
    }

    /// <summary>The transformers of a (possibly nested) chain, in order.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { model };

    /// <summary>Index of each shop id of <paramref name="order"/> in the plan: every shop of the history must be planned.</summary>
    internal static void RequirePlanned(MediaPlan plan, IReadOnlyList<string> order, string component)
    {
        var planned = plan.ShopIds.ToHashSet(StringComparer.Ordinal);
        string? missing = order.FirstOrDefault(id => !planned.Contains(id));
        if (missing is not null) throw new ArgumentException($"{component}: the plan has no shop '{missing}'; plan every shop of the history.");
    }
}

