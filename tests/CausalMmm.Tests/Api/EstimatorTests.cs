using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Pipeline;
using CausalMmm.Transforms;

namespace CausalMmm.Tests.Api;

[Collection(SerialTraining.Name)]
public sealed class EstimatorTests
{
    private static readonly MarketingPanel Panel = MarketingData.Panel().SplitByTime(7).Test;
    private static readonly MarketingPanel Invalid = MarketingData.WithoutChannels(Panel);

    private static CausalMmmOptions Tiny() => new() { Epochs = 3, HiddenSize = 8, BatchSize = 3, ValidationFraction = 0 };

    [Fact]
    public void Adstock_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        AdstockTransformer adstock = EstimatorChecks.TestEstimatorCore(ctx.Transforms.Adstock(), Panel, Invalid, "Channel");
        Assert.Equal(MarketingData.Channels, adstock.Parameters.Channels.Select(c => c.Input));
    }

    [Fact]
    public void Delayed_adstock_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        AdstockTransformer adstock = EstimatorChecks.TestEstimatorCore(ctx.Transforms.Adstock(AdstockKind.Delayed, maxLag: 6), Panel, Invalid, "Channel");
        Assert.All(adstock.Parameters.Channels, c => Assert.InRange(c.Delay, 0, 5));
    }

    [Fact]
    public void Hill_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        EstimatorChecks.TestEstimatorCore(ctx.Transforms.Hill(), Panel, Invalid, "Channel");
    }

    [Fact]
    public void Ridge_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        RidgeTransformer ridge = EstimatorChecks.TestEstimatorCore(ctx.Forecasting.Trainers.Ridge(), Panel, Invalid, "Channel");
        Assert.Equal(Panel.ShopCount, ridge.Parameters.Shops.Count);
    }

    [Fact]
    public void Wide_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        WideTransformer wide = EstimatorChecks.TestEstimatorCore(ctx.Forecasting.Trainers.Wide(epochs: 20), Panel, Invalid, "Channel");
        Assert.Equal(wide.Parameters.WideFeatures.Count, wide.Parameters.WideWeights.Length);
        wide.Dispose();
    }

    [Fact]
    public void Causal_graph_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        using CausalGraphTransformer graph = EstimatorChecks.TestEstimatorCore(
            ctx.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Tiny() }), Panel, Invalid, "Channel");
        Assert.Equal(new[] { "x0", "x1", "x2", "pv", "gmv" }, graph.NodeNames);
    }

    [Fact]
    public void Marketing_response_passes_the_estimator_checks()
    {
        var ctx = new MmmContext(seed: 1);
        using MarketingResponseTransformer forecaster = EstimatorChecks.TestEstimatorCore(
            ctx.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Tiny() }), Panel, Invalid, "Channel");
        Assert.Equal(GraphSource.Full, forecaster.GraphSource);
    }

    [Fact]
    public void A_chain_passes_the_estimator_checks_and_each_step_sees_the_previous_output()
    {
        var ctx = new MmmContext(seed: 1);
        var pipeline = ctx.Transforms.Adstock().Append(ctx.Transforms.Hill()).Append(ctx.Forecasting.Trainers.Ridge());
        TransformerChain<RidgeTransformer> model = EstimatorChecks.TestEstimatorCore(pipeline, Panel, Invalid, "Channel");
        Assert.Equal(new[] { "x0_adstock_hill", "x1_adstock_hill", "x2_adstock_hill" }, model.LastTransformer.Parameters.Features);
    }

    [Fact]
    public void The_forecaster_takes_upstream_graphs_then_a_supplied_graph_then_the_full_graph()
    {
        var ctx = new MmmContext(seed: 1);
        var causal = ctx.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Tiny() })
            .Append(ctx.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Tiny() }));
        TransformerChain<MarketingResponseTransformer> fitted = causal.Fit(Panel);
        Assert.Equal(GraphSource.Upstream, fitted.LastTransformer.GraphSource);
        var error = Assert.Throws<ArgumentException>(() => fitted.LastTransformer.Transform(Panel));
        Assert.Contains("upstream", error.Message);

        string[] nodes = { "x0", "x1", "x2", "pv", "gmv" };
        var known = new double[5, 5];
        known[0, 3] = known[3, 4] = known[1, 4] = known[2, 4] = 1;
        var supplied = CausalGraphSet.Shared(nodes, known, Panel.ShopIds);
        using MarketingResponseTransformer withGraph = ctx.Forecasting.Trainers.MarketingResponse(
            new MarketingResponseForecaster.Options { Model = Tiny(), Graph = supplied }).Fit(Panel);
        Assert.Equal(GraphSource.Supplied, withGraph.GraphSource);

        var partial = CausalGraphSet.Shared(nodes, known, Panel.ShopIds.Skip(1));
        var missing = Assert.Throws<ArgumentException>(() => ctx.Forecasting.Trainers.MarketingResponse(
            new MarketingResponseForecaster.Options { Model = Tiny(), Graph = partial }).Fit(Panel));
        Assert.Contains("s0", missing.Message);
        foreach (ITransformer t in fitted.Transformers) (t as IDisposable)?.Dispose();
    }

    [Fact]
    public void Forecasts_cover_exactly_the_holdout_and_come_back_on_the_original_scale()
    {
        var ctx = new MmmContext(seed: 1);
        (MarketingPanel train, MarketingPanel test) = ctx.Data.TrainTestSplitByTime(MarketingData.Panel(), 10);
        var model = ctx.Transforms.Adstock().Append(ctx.Transforms.Hill()).Append(ctx.Forecasting.Trainers.Ridge()).Fit(train);
        MarketingPanel scored = model.Transform(test);
        Assert.Equal(50, scored.Forecast!.Origin);
        Assert.Equal(10, scored.Forecast.Horizon);
        // gmv is in the hundreds-of-percent range of its scale; a forecast on a scaled axis would be far off
        var evaluation = ctx.Forecasting.Evaluate(scored);
        Assert.Equal(10, evaluation.PerHorizon.Count);
        Assert.True(evaluation.Overall.RSquared > 0.5, $"R² {evaluation.Overall.RSquared}");
        Assert.True(evaluation.Overall.Mape < 15, $"MAPE {evaluation.Overall.Mape}");
    }
}
