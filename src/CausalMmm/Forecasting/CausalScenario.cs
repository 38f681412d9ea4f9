using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Transforms;
using Microsoft.ML;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Forecasting;

/// <summary>
/// CausalMMM's scenario forecast: the model's one roll-out (<see cref="CausalMmmModel.Rollout"/>, the code behind
/// <c>Transform</c>) from the history's end over the plan, on the shop's graph, with gradients.
/// </summary>
internal sealed class CausalScenario : ScenarioModel
{
    private readonly CausalMmmModel _model;
    private readonly RolloutStart _start;
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
        _start = _model.Start(numeric, origin, edges);
        Dates = read.Panel.Dates.Skip(origin).ToArray();
        _posterior = graphs is not null;
        _nodes = _model.NodeNames.Count;
        _given = _model.ChannelCount;
    }

    /// <inheritdoc />
    public override bool HasGraphPosterior => _posterior;

    /// <inheritdoc />
    public override bool HasMediators => _nodes - _given > 1;

    /// <inheritdoc />
    public override Tensor Forecast(Tensor plan, Tensor shops, Tensor? edges = null)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        return _model.Rollout(_start, shops, plan, (int)plan.size(1), edges).select(2, _nodes - 1).cpu().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor ForecastWithDirectCounterfactual(Tensor plan, Tensor counterfactual, int[] channel, Tensor shops, Tensor? edges = null)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        // The counterfactual world first, remembering what every node sent at every step; then the actual world, whose
        // channel -> target edges read their sender from the counterfactual one.
        var trace = new List<RolloutStep>();
        int steps = (int)plan.size(1);
        _model.Rollout(_start, shops, counterfactual, steps, edges, trace: trace);
        EdgeIndex index = _model.Network.Edges;
        (float[] lagged, float[]? sameDay) = index.DirectEdgeMasks(channel, _nodes - 1);
        Device device = _start.State.device;
        long rows = plan.size(0);
        Tensor laggedMask = Tensors.FromArray(lagged, new long[] { rows, index.EdgeCount }, device);
        Tensor? sameDayMask = sameDay is null ? null : Tensors.FromArray(sameDay, new long[] { rows, index.GivenSameDayEdgeCount }, device);
        Tensor actual = _model.Rollout(_start, shops, plan, steps, edges, new RolloutAlternative(trace, laggedMask, sameDayMask));
        return actual.select(2, _nodes - 1).cpu().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor SampleEdges(Tensor shops, double temperature, int seed, int draw)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor p = _start.Edges.index_select(0, shops.to(_start.Edges.device)).cpu();
        long[] rows = shops.cpu().data<long>().ToArray();
        long width = p.size(1);
        // Uniform noise per shop from its own stream, so any subset of shops gets the same samples; then as in training.
        var uniform = new float[rows.Length * width * 2];
        for (int r = 0; r < rows.Length; r++)
        {
            var random = new Random(StreamSeed(seed, ShopIds[(int)rows[r]], draw));
            for (long k = 0; k < width * 2; k++) uniform[r * width * 2 + k] = (float)random.NextDouble();
        }
        Tensor sample = CausalMmmTrainer.SampleEdges(p, temperature, Tensors.FromArray(uniform, new long[] { rows.Length, width, 2 }));
        return sample.MoveToOuterDisposeScope(); // on the CPU: the callers index it with CPU tensors
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

