using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

public sealed class EstimatorTests
{
    private static readonly IDataView Data = MarketingData.View();
    private static readonly IDataView Invalid = MarketingData.Without(Data, "x0", "x1", "x2");

    internal static CausalMmmOptions Tiny() => CausalMmmOptions.Paper() with { Epochs = 3, HiddenSize = 8, BatchSize = 3, ValidationFraction = 0 };

    private static CausalMmmCatalog Mmm(int seed = 1) => new MLContext(seed).CausalMmm();

    [Fact]
    public void Adstock_passes_the_estimator_checks()
    {
        AdstockTransformer adstock = EstimatorChecks.TestEstimatorCore(Mmm().Transforms.Adstock(), Data, Invalid, "no channel column");
        Assert.Equal(MarketingData.Channels, adstock.Parameters.Channels.Select(c => c.Input));
        Assert.Equal(MarketingData.Channels.Select(c => c + "_adstock"), adstock.Parameters.Channels.Select(c => c.Output));
    }

    [Fact]
    public void Delayed_adstock_passes_the_estimator_checks()
    {
        AdstockTransformer adstock = EstimatorChecks.TestEstimatorCore(Mmm().Transforms.Adstock(kind: AdstockKind.Delayed, maxLag: 6), Data, Invalid, "no channel column");
        Assert.All(adstock.Parameters.Channels, c => Assert.InRange(c.Delay, 0, 5));
    }

    [Fact]
    public void Hill_passes_the_estimator_checks()
    {
        HillTransformer hill = EstimatorChecks.TestEstimatorCore(Mmm().Transforms.Hill(), Data, Invalid, "no channel column");
        Assert.Equal(6, hill.Parameters.ShopMeans.Count);
    }

    [Fact]
    public void Ridge_passes_the_estimator_checks()
    {
        RidgeTransformer ridge = EstimatorChecks.TestEstimatorCore(Mmm().Forecasting.Trainers.Ridge(), Data, Invalid, "no channel column");
        Assert.Equal(6, ridge.Parameters.Shops.Count);
        Assert.Equal(MarketingData.Channels, ridge.Parameters.Features);
    }

    [Fact]
    public void Wide_passes_the_estimator_checks()
    {
        using WideTransformer wide = EstimatorChecks.TestEstimatorCore(Mmm().Forecasting.Trainers.Wide(epochs: 20), Data, Invalid, "no channel column");
        Assert.Equal(wide.Parameters.WideFeatures.Count, wide.Parameters.WideWeights.Length);
        float[] score = MarketingData.Column(wide.Transform(Data), "Score");
        Assert.Equal(6 * 2, score.Count(float.IsNaN)); // the first Lags - 1 = 2 dates of each shop have no lags
    }

    [Fact]
    public void Causal_graph_passes_the_estimator_checks()
    {
        using CausalGraphTransformer graph = EstimatorChecks.TestEstimatorCore(
            Mmm().CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Tiny() }), Data, Invalid, "no channel column");
        Assert.Equal(new[] { "x0", "x1", "x2", "pv", "gmv" }, graph.NodeNames);
        DataViewSchema.Column column = graph.Transform(Data).Schema["Graph"];
        Assert.Equal(25, ((VectorDataViewType)column.Type).Size);
    }

    [Fact]
    public void Marketing_response_passes_the_estimator_checks()
    {
        using MarketingResponseTransformer forecaster = EstimatorChecks.TestEstimatorCore(
            Mmm().Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Tiny() }), Data, Invalid, "no channel column");
        Assert.Equal(GraphSource.Full, forecaster.GraphSource);
    }

    [Fact]
    public void A_chain_passes_the_estimator_checks_and_each_step_sees_the_previous_output()
    {
        CausalMmmCatalog mmm = Mmm();
        var pipeline = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge());
        TransformerChain<RidgeTransformer> model = EstimatorChecks.TestEstimatorCore(pipeline, Data, Invalid, "no channel column");
        Assert.Equal(new[] { "x0_adstock_hill", "x1_adstock_hill", "x2_adstock_hill" }, model.LastTransformer.Parameters.Features);
    }

    [Fact]
    public void The_forecaster_takes_upstream_graphs_then_a_supplied_graph_then_the_full_graph()
    {
        CausalMmmCatalog mmm = Mmm();
        var causal = mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Tiny() })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Tiny() }));
        TransformerChain<MarketingResponseTransformer> fitted = causal.Fit(Data);
        Assert.Equal(GraphSource.Upstream, fitted.LastTransformer.GraphSource);
        var error = Assert.Throws<ArgumentException>(() => fitted.LastTransformer.Transform(Data));
        Assert.Contains("upstream", error.Message);

        string[] nodes = { "x0", "x1", "x2", "pv", "gmv" };
        var known = new double[5, 5];
        known[0, 3] = known[3, 4] = known[1, 4] = known[2, 4] = 1;
        string[] shops = Enumerable.Range(0, 6).Select(i => $"s{i}").ToArray();
        using MarketingResponseTransformer withGraph = mmm.Forecasting.Trainers.MarketingResponse(
            new MarketingResponseForecaster.Options { Model = Tiny(), Graph = CausalGraphSet.Shared(nodes, known, shops) }).Fit(Data);
        Assert.Equal(GraphSource.Supplied, withGraph.GraphSource);

        var partial = CausalGraphSet.Shared(nodes, known, shops.Skip(1));
        var missing = Assert.Throws<ArgumentException>(() => mmm.Forecasting.Trainers.MarketingResponse(
            new MarketingResponseForecaster.Options { Model = Tiny(), Graph = partial }).Fit(Data));
        Assert.Contains("s0", missing.Message);
        foreach (IDisposable t in fitted.OfType<IDisposable>()) t.Dispose();
    }

    [Fact]
    public void The_graph_view_has_one_row_per_shop_and_slot_names_from_to()
    {
        using CausalGraphTransformer graph = Mmm().CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Tiny() }).Fit(Data);
        IDataView view = graph.GetGraphs(Data);
        Assert.Equal(new[] { "s0", "s1", "s2", "s3", "s4", "s5" }, view.GetColumn<ReadOnlyMemory<char>>("shop_id").Select(m => m.ToString()));
        DataViewSchema.Column column = view.Schema["Graph"];
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        string[] slots = names.DenseValues().Select(m => m.ToString()).ToArray();
        Assert.Equal(25, slots.Length);
        Assert.Equal("x0->x1", slots[1]);
        Assert.Equal("pv->gmv", slots[3 * 5 + 4]);
        CausalGraphSet typed = graph.Graphs(Data);
        float[] s3 = view.GetColumn<VBuffer<float>>("Graph").ElementAt(3).DenseValues().ToArray();
        Assert.Equal((float)typed.Probability("s3", "pv", "gmv"), s3[3 * 5 + 4]);
        Assert.Equal(0f, s3[2 * 5 + 2]);
    }

    [Fact]
    public void Forecasts_start_after_the_training_dates_and_come_back_on_the_original_scale()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = ml.Data.FilterRowsByColumn(Data, "t", upperBound: 50);
        using MarketingResponseTransformer forecaster = mmm.Forecasting.Trainers.MarketingResponse(
            new MarketingResponseForecaster.Options { Model = CausalMmmOptions.Paper() with { Epochs = 40, HiddenSize = 16, BatchSize = 3 } }).Fit(history);
        Assert.Equal(new DateOnly(2024, 1, 1).AddDays(49), forecaster.HistoryEnd);
        PanelPrediction prediction = forecaster.Predict(Data);
        Assert.Equal(50, prediction.Origin);
        double[] gmv = prediction.Series("s0", "gmv");
        Assert.True(double.IsNaN(gmv[0]));
        Assert.All(gmv.Skip(1), v => Assert.True(double.IsFinite(v)));
        // Scenario mode: the forecast of a channel is the plan itself.
        Assert.Equal(prediction.Panel.GetSeries(0, "x1")[55], prediction.Series("s0", "x1")[55]);

        ForecastEvaluation e = mmm.Forecasting.Evaluate(forecaster.Transform(Data), new DateTime(2024, 1, 1).AddDays(50));
        Assert.Equal(10, e.PerHorizon.Count);
        Assert.Equal(6, e.At(1).Count);
        // gmv is several hundred percent of its own minimum: a forecast left on a scaled axis would be far off.
        Assert.True(e.Overall.Mape < 30, $"MAPE {e.Overall.Mape}");
    }
}
