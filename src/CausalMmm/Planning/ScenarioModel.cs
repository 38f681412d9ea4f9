using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Transforms;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Planning;

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
    /// The scenario model of a fitted pipeline: one ending in a <see cref="MarketingResponseTransformer"/> (CausalMMM) or a
    /// <see cref="RidgeTransformer"/> (the classic chain: adstock, Hill, ridge), prepared for <paramref name="plan"/> after
    /// <paramref name="history"/>.
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
        IDataView input = plan.AppendTo(history);
        foreach (ITransformer step in chain.Take(chain.Count - 1)) input = step.Transform(input);
        return last switch
        {
            MarketingResponseTransformer response => new CausalScenario(response, input, plan, component),
            RidgeTransformer ridge => new RidgeScenario(ridge, chain, input, plan, component),
            _ => throw new NotSupportedException($"{component}: planning needs a pipeline that ends in the MarketingResponse forecaster (CausalMMM) or in Ridge (the classic chain), but this one ends in {last.GetType().Name}. "
                + "Append mmm.Forecasting.Trainers.MarketingResponse() or .Ridge() to the pipeline."),
        };
    }

    /// <summary>The transformers of a (possibly nested) chain, in order.</summary>
    internal static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { model };

    /// <summary>Index of each shop id of <paramref name="order"/> in the plan: every shop of the history must be planned.</summary>
    private protected static void RequirePlanned(MediaPlan plan, IReadOnlyList<string> order, string component)
    {
        var planned = plan.ShopIds.ToHashSet(StringComparer.Ordinal);
        string? missing = order.FirstOrDefault(id => !planned.Contains(id));
        if (missing is not null) throw new ArgumentException($"{component}: the plan has no shop '{missing}'; plan every shop of the history.");
    }
}

/// <summary>
/// CausalMMM's scenario forecast: the trained decoder rolled forward over the plan on the shop's graph. The roll-out
/// runs the decoder outside the model's lock: after fitting its weights never change and a forward pass keeps no
/// state in the module, so planning and scoring may run at the same time.
/// </summary>
internal sealed class CausalScenario : ScenarioModel
{
    private readonly CausalMmmModel _model;
    private readonly ScenarioStart _start;
    private readonly bool _sameDay;
    private readonly bool _posterior;
    private readonly int _nodes;
    private readonly int _given;

    public CausalScenario(MarketingResponseTransformer response, IDataView input, MediaPlan plan, string component)
        : base("CausalMMM", plan, ReadShops(response, input, component, out AssembledPanel read))
    {
        RequirePlanned(plan, ShopIds, component);
        if (!plan.Series.SequenceEqual(response.Model.NodeNames.Take(response.Model.ChannelCount)))
            throw new ArgumentException($"{component}: the plan's series [{string.Join(", ", plan.Series)}] are not the model's given series [{string.Join(", ", response.Model.NodeNames.Take(response.Model.ChannelCount))}].");
        if (response.Mode != ForecastMode.Scenario)
            throw new NotSupportedException($"{component}: the forecaster was fitted in {response.Mode} mode, which forecasts spends instead of taking them from a plan. Fit it with Mode = Scenario.");
        _model = response.Model;
        NumericPanel numeric = read.Panel.ToNumeric();
        int origin = ForecastOrigin.Of(read, response.HistoryEnd);
        CausalGraphSet? graphs = MarketingResponseTransformer.GraphsFor(response.GraphSource, input, response.Roles.Shop, response.GraphColumnName, response.NodeNames,
            response.SuppliedGraph, component);
        float[][] edges = MarketingResponseTransformer.EdgesFor(graphs, numeric, _model.Network.Edges, component);
        _start = _model.StartScenario(numeric, origin, edges);
        Dates = read.Panel.Dates.Skip(origin).ToArray();
        _sameDay = _model.HasSameDayEdges;
        _posterior = graphs is not null;
        _nodes = _model.NodeNames.Count;
        _given = _model.ChannelCount;
    }

    /// <inheritdoc />
    public override bool HasGraphPosterior => _posterior;

    /// <inheritdoc />
    public override bool HasMediators => _nodes - _given > 1;

    /// <inheritdoc />
    public override Tensor Forecast(Tensor plan, Tensor shops, Tensor? edges = null) => Roll(plan, shops, edges, null, record: false).Target.cpu();

    /// <inheritdoc />
    public override Tensor ForecastWithDirectCounterfactual(Tensor plan, Tensor counterfactual, int[] channel, Tensor shops, Tensor? edges = null)
    {
        // The counterfactual world first, remembering what every node sent at every step; then the actual world, whose
        // channel -> target edges read their sender from the counterfactual one.
        (_, List<(Tensor Values, Tensor State, Tensor? Given, Tensor? Tail)> trace) = Roll(counterfactual, shops, edges, null, record: true);
        EdgeIndex index = _model.Network.Edges;
        long rows = plan.size(0);
        var lagged = new float[rows * index.EdgeCount];
        var sameDay = new float[rows * Math.Max(index.SameDayEdgeCount, 1)];
        int target = _nodes - 1;
        for (int r = 0; r < rows; r++)
        {
            lagged[r * index.EdgeCount + index.Of(channel[r], target)] = 1;
            if (index.SameDayEdgeCount > 0) sameDay[r * index.SameDayEdgeCount + (target - _given) * _given + channel[r]] = 1;
        }
        Device device = _start.State.device;
        using Tensor laggedMask = Tensors.FromArray(lagged, new long[] { rows, index.EdgeCount }, device);
        using Tensor sameDayMask = Tensors.FromArray(sameDay, new long[] { rows, Math.Max(index.SameDayEdgeCount, 1) }, device);
        return Roll(plan, shops, edges, (trace, laggedMask, index.SameDayEdgeCount > 0 ? sameDayMask : null), record: false).Target.cpu();
    }

    /// <inheritdoc />
    public override Tensor SampleEdges(Tensor shops, double temperature, int seed, int draw)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor p = _start.Edges.index_select(0, shops.to(_start.Edges.device)).clamp(0, 1).cpu();
        long[] rows = shops.cpu().data<long>().ToArray();
        long width = p.size(1);
        // Uniform noise per shop from its own stream; then softmax((logits + Gumbel) / tau) as in training.
        var uniform = new float[rows.Length * width * 2];
        for (int r = 0; r < rows.Length; r++)
        {
            var random = new Random(StreamSeed(seed, ShopIds[(int)rows[r]], draw));
            for (long k = 0; k < width * 2; k++) uniform[r * width * 2 + k] = (float)random.NextDouble();
        }
        Tensor u = Tensors.FromArray(uniform, new long[] { rows.Length, width, 2 });
        Tensor gumbel = -(-(u + 1e-10).log() + 1e-10).log();
        Tensor logits = torch.stack(new[] { (1 - p).log(), p.log() }, -1);
        Tensor sample = ((logits + gumbel) / temperature).softmax(-1).select(-1, 1);
        return sample.MoveToOuterDisposeScope(); // on the CPU: the callers index it with CPU tensors
    }

    private (Tensor Target, List<(Tensor Values, Tensor State, Tensor? Given, Tensor? Tail)> Trace) Roll(Tensor plan, Tensor shops, Tensor? edges,
        (List<(Tensor Values, Tensor State, Tensor? Given, Tensor? Tail)> Trace, Tensor Lagged, Tensor? SameDay)? alternative, bool record)
    {
        MarketingResponseDecoder decoder = _model.Network.Decoder;
        long rows = plan.size(0);
        int hidden = decoder.Hidden, steps = (int)plan.size(1);
        using DisposeScope scope = torch.NewDisposeScope();
        // Plans and indexes arrive on the CPU; the network may live on a GPU.
        Device device = _start.State.device;
        plan = plan.to(device);
        shops = shops.to(device);
        edges = edges?.to(device);
        Tensor min = _start.Min.index_select(0, shops), range = _start.Range.index_select(0, shops);
        Tensor state = _start.State.index_select(0, shops).reshape(rows * _nodes, hidden);
        Tensor previous = _start.Last.index_select(0, shops);
        Tensor context = _start.Context.index_select(0, shops);
        Tensor weights = edges ?? _start.Edges.index_select(0, shops);
        Tensor scaled = (plan - min.narrow(1, 0, _given).unsqueeze(1)) / range.narrow(1, 0, _given).unsqueeze(1);
        // With response curves, the given series before each step: the history's last steps, then the plan's.
        Tensor? tail = _start.GivenTail?.index_select(0, shops);
        var targets = new List<Tensor>(steps);
        var trace = new List<(Tensor Values, Tensor State, Tensor? Given, Tensor? Tail)>();
        for (int h = 0; h < steps; h++)
        {
            Tensor given = scaled.select(1, h);
            SenderOverride? emitOverride = alternative is { } a && _sameDay
                ? new SenderOverride(a.Trace[h].Values, a.Trace[h].State, a.Lagged, a.Trace[h].Given, a.SameDay, a.Trace[h].Tail) : null;
            Tensor means = decoder.Emit(state, previous, context, weights, _sameDay ? given : null, emitOverride, tail);
            targets.Add(means.select(1, _nodes - 1));
            Tensor input = torch.cat(new[] { given, means.narrow(1, _given, _nodes - _given) }, 1);
            if (record) trace.Add((input, state, _sameDay ? given : null, tail));
            if (tail is not null) tail = MarketingResponseDecoder.AdvanceTail(tail, given);
            if (h + 1 == steps) break;
            SenderOverride? advanceOverride = alternative is { } b ? new SenderOverride(b.Trace[h].Values, b.Trace[h].State, b.Lagged, null, null) : null;
            state = decoder.Advance(input, state, weights, advanceOverride);
            previous = input;
        }
        Tensor target = torch.stack(targets, 1) * range.narrow(1, _nodes - 1, 1) + min.narrow(1, _nodes - 1, 1);
        target.MoveToOuterDisposeScope();
        foreach ((Tensor values, Tensor s, Tensor? g, Tensor? t) in trace)
        {
            values.MoveToOuterDisposeScope();
            s.MoveToOuterDisposeScope();
            g?.MoveToOuterDisposeScope();
            t?.MoveToOuterDisposeScope();
        }
        return (target, trace);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _start.Dispose();
        base.Dispose();
    }

    private static IReadOnlyList<string> ReadShops(MarketingResponseTransformer response, IDataView input, string component, out AssembledPanel read)
    {
        read = PanelReader.Read(input, response.Roles, response.Roles.Variables(), component, allowMissingOutcomes: true, response.DateFormats);
        return read.Panel.ShopIds;
    }
}

/// <summary>
/// The classic chain's scenario forecast: each ridge feature traced back through the fitted adstocks and Hill curves to
/// a plan series and recomputed on the planned steps, carry-over from the history included.
/// </summary>
internal sealed class RidgeScenario : ScenarioModel
{
    private readonly Func<Tensor, Tensor, Tensor>[] _features;
    private readonly Tensor _intercept;
    private readonly Tensor _coefficients;

    public RidgeScenario(RidgeTransformer ridge, IReadOnlyList<ITransformer> chain, IDataView input, MediaPlan plan, string component)
        : base("Ridge", plan, ReadHistory(ridge, chain, input, plan.Steps, component, out MarketingPanel panel, out int historyLength))
    {
        RequirePlanned(plan, ShopIds, component);
        var adstocks = chain.OfType<AdstockTransformer>().SelectMany(t => t.Parameters.Channels).ToDictionary(c => c.Output, StringComparer.Ordinal);
        var hills = chain.OfType<HillTransformer>().SelectMany(t => t.Parameters.Channels.Select((c, i) => (Channel: c, Index: i, t.Parameters.ShopMeans)))
            .ToDictionary(c => c.Channel.Output, StringComparer.Ordinal);
        List<string> series = plan.Series.ToList();
        RidgeParameters p = ridge.Parameters;
        var missingShop = ShopIds.FirstOrDefault(id => !p.Shops.ContainsKey(id));
        if (missingShop is not null) throw new ArgumentException($"{component}: shop '{missingShop}' has no fitted regression (the classic model is per shop).");

        // The last history values of every column a feature is built from, per shop: the carry-over's starting point.
        Tensor History(string column, int count)
        {
            var v = new float[ShopIds.Count * count];
            for (int s = 0; s < ShopIds.Count; s++)
            {
                double[] x = panel.GetSeries(s, column);
                for (int k = 0; k < count; k++)
                {
                    int t = historyLength - count + k;
                    v[s * count + k] = t >= 0 ? (float)x[t] : 0f;
                }
            }
            return Tensors.FromArray(v, new long[] { ShopIds.Count, count });
        }

        Func<Tensor, Tensor, Tensor> Trace(string column)
        {
            int k = series.IndexOf(column);
            if (k >= 0) return (planned, _) => planned.select(2, k);
            if (adstocks.TryGetValue(column, out AdstockChannel? adstock))
            {
                Func<Tensor, Tensor, Tensor> inner = Trace(adstock.Input);
                if (adstock.Kind == AdstockKind.Geometric)
                {
                    Tensor carry = History(column, 1).squeeze(1);
                    double decay = adstock.Decay;
                    return (planned, shops) =>
                    {
                        Tensor x = inner(planned, shops);
                        Tensor c = carry.index_select(0, shops);
                        var outputs = new List<Tensor>();
                        for (int h = 0; h < x.size(1); h++) outputs.Add(c = (1 - decay) * x.select(1, h) + decay * c);
                        return torch.stack(outputs, 1);
                    };
                }
                double[] w = adstock.Weights();
                Tensor past = History(adstock.Input, w.Length - 1);
                return (planned, shops) =>
                {
                    Tensor x = torch.cat(new[] { past.index_select(0, shops), inner(planned, shops) }, 1);
                    int steps = (int)planned.size(1), offset = w.Length - 1;
                    var outputs = new List<Tensor>();
                    for (int h = 0; h < steps; h++)
                    {
                        Tensor sum = torch.zeros_like(x.select(1, 0));
                        for (int l = 0; l < w.Length; l++) sum = sum + w[l] * x.select(1, offset + h - l);
                        outputs.Add(sum);
                    }
                    return torch.stack(outputs, 1);
                };
            }
            if (hills.TryGetValue(column, out var hill))
            {
                Func<Tensor, Tensor, Tensor> inner = Trace(hill.Channel.Input);
                var means = new float[ShopIds.Count];
                for (int s = 0; s < ShopIds.Count; s++)
                {
                    means[s] = hill.ShopMeans.TryGetValue(ShopIds[s], out double[]? m) ? (float)m[hill.Index]
                        : throw new ArgumentException($"{component}: shop '{ShopIds[s]}' has no fitted Hill scale (the curves are scaled per shop).");
                }
                Tensor shopMean = Tensors.FromArray(means, new long[] { ShopIds.Count });
                double halfSaturation = hill.Channel.HalfSaturation, slope = hill.Channel.Slope;
                return (planned, shops) =>
                {
                    Tensor r = inner(planned, shops).clamp_min(0) / shopMean.index_select(0, shops).unsqueeze(1);
                    // r^S / (r^S + K^S), written so that zero spend gives zero and the gradient stays finite.
                    Tensor ratio = (halfSaturation / r.clamp_min(1e-12)).pow(slope);
                    return 1 / (1 + ratio);
                };
            }
            throw new NotSupportedException($"{component}: the ridge feature '{column}' is not a plan series, an adstock or a Hill curve of one, so a plan cannot be forecast through it. "
                + "Plan with pipelines of Adstock, Hill and Ridge only.");
        }

        _features = p.Features.Select(Trace).ToArray();
        Dates = panel.Dates.Skip(historyLength).ToArray();
        _intercept = Tensors.FromArray(ShopIds.Select(id => (float)p.Shops[id].Intercept).ToArray(), new long[] { ShopIds.Count });
        _coefficients = Tensors.FromArray(ShopIds.SelectMany(id => p.Shops[id].Coefficients.Select(c => (float)c)).ToArray(), new long[] { ShopIds.Count, p.Features.Count });
    }

    /// <inheritdoc />
    public override Tensor Forecast(Tensor plan, Tensor shops, Tensor? edges = null)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor coefficients = _coefficients.index_select(0, shops);
        Tensor result = _intercept.index_select(0, shops).unsqueeze(1).expand(plan.size(0), plan.size(1));
        for (int f = 0; f < _features.Length; f++) result = result + coefficients.narrow(1, f, 1) * _features[f](plan, shops);
        return result.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _intercept.Dispose();
        _coefficients.Dispose();
        base.Dispose();
    }

    private static IReadOnlyList<string> ReadHistory(RidgeTransformer ridge, IReadOnlyList<ITransformer> chain, IDataView input, int planned, string component,
        out MarketingPanel panel, out int historyLength)
    {
        PanelRoles roles = ridge.Roles;
        // Every column a feature is derived from: the features, and the inputs of the adstocks and curves behind them.
        var columns = new HashSet<string>(ridge.Parameters.Features, StringComparer.Ordinal);
        foreach (AdstockChannel a in chain.OfType<AdstockTransformer>().SelectMany(t => t.Parameters.Channels)) columns.UnionWith(new[] { a.Input, a.Output });
        foreach (HillChannel h in chain.OfType<HillTransformer>().SelectMany(t => t.Parameters.Channels)) columns.UnionWith(new[] { h.Input, h.Output });
        columns.IntersectWith(PanelRoles.Columns(input.Schema).Select(c => c.Name));
        AssembledPanel read = PanelReader.Read(input, roles, AdstockEstimator.InputVariables(roles, columns.Order(StringComparer.Ordinal)).ToArray(), component,
            allowMissingOutcomes: true, ridge.DateFormats);
        panel = read.Panel;
        historyLength = panel.Length - planned; // the input is the history with the plan appended
        return panel.ShopIds;
    }
}
