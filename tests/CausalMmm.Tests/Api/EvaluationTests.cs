using CausalMmm.Data;
using CausalMmm.Evaluation;
using Microsoft.Data.Analysis;
using Microsoft.ML;

namespace CausalMmm.Tests.Api;

public sealed class EvaluationTests
{
    [Fact]
    public void Forecast_metrics_match_hand_computed_values_per_horizon()
    {
        // Two shops, four days; the forecast starts on the third day. Scores before it are in-sample and not counted.
        var frame = new DataFrame(
            new StringDataFrameColumn("shop_id", new[] { "a", "a", "a", "a", "b", "b", "b", "b" }),
            new PrimitiveDataFrameColumn<DateTime>("date", Enumerable.Range(0, 8).Select(i => new DateTime(2024, 1, 1).AddDays(i % 4))),
            new SingleDataFrameColumn("x0", new float[8]),
            new SingleDataFrameColumn("gmv", new float[] { 1, 1, 10, 20, 1, 1, 30, 40 }),
            new SingleDataFrameColumn("Score", new float[] { float.NaN, 5, 12, 20, float.NaN, 9, 30, 36 }));
        ForecastEvaluation e = new MLContext().CausalMmm().Forecasting.Evaluate(frame, new DateTime(2024, 1, 3));
        // horizon 1: errors 2 and 0 on actuals 10 and 30
        Assert.Equal(2.0, e.At(1).Mse, 12);
        Assert.Equal(1.0, e.At(1).Mae, 12);
        Assert.Equal(10.0, e.At(1).Mape, 12);
        Assert.Equal(1 - 4.0 / 200.0, e.At(1).RSquared, 12);
        // horizon 2: errors 0 and -4 on actuals 20 and 40
        Assert.Equal(8.0, e.At(2).Mse, 12);
        Assert.Equal(5.0, e.At(2).Mape, 12);
        Assert.Equal(4, e.Overall.Count);
        Assert.Equal(5.0, e.Overall.Mse, 12);
        Assert.Equal(Math.Sqrt(5.0), e.Rmse, 12);
        // Skill against repeating each shop's last value before the holdout (1 in both shops): shop a's MAE 1 against the
        // naive forecast's (9 + 19) / 2 = 14, shop b's 2 against (29 + 39) / 2 = 34.
        Assert.Equal((1.0 / 14 + 2.0 / 34) / 2, e.Mase, 12);
        // Within each shop: a's actuals 10, 20 (SST 50) with SSE 4, b's 30, 40 (SST 50) with SSE 16.
        Assert.Equal(((1 - 4.0 / 50) + (1 - 16.0 / 50)) / 2, e.WithinShopRSquared, 12);
        Assert.Equal(2, e.ShopCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.At(3));
        Assert.Contains("no numeric score column 'Forecast'", Assert.Throws<ArgumentException>(() =>
            new MLContext().CausalMmm().Forecasting.Evaluate(frame, new DateTime(2024, 1, 3), scoreColumnName: "Forecast")).Message);
        Assert.Contains("no row is dated", Assert.Throws<ArgumentException>(() => new MLContext().CausalMmm().Forecasting.Evaluate(frame, new DateTime(2025, 1, 1))).Message);
    }

    [Fact]
    public void Graph_metrics_score_graphs_against_the_truth()
    {
        SimulatedPanel simulated = new MLContext(seed: 1).CausalMmm().Data.Simulate(new Simulation.SyntheticPanelOptions { Shops = 4, Channels = 3, Length = 30 });
        string[] nodes = simulated.Panel.ToNumeric().NodeNames.ToArray();
        var perfect = new CausalGraphSet(nodes, simulated.TrueGraphs.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, ToScores(kv.Value))));
        GraphEvaluation e = new MLContext().CausalMmm().CausalDiscovery.Evaluate(perfect, simulated.TrueGraphs);
        Assert.Equal(1.0, e.Auroc.Mean, 12);
        Assert.Equal(1.0, e.Accuracy.Mean, 12);
        Assert.Equal(4, e.Auroc.Count);
    }

    private static double[,] ToScores(bool[,] graph)
    {
        var m = new double[graph.GetLength(0), graph.GetLength(1)];
        for (int i = 0; i < graph.GetLength(0); i++)
        for (int j = 0; j < graph.GetLength(1); j++) m[i, j] = graph[i, j] ? 0.9 : 0.1;
        return m;
    }
}

public sealed class ScalingTests
{
    [Theory]
    [InlineData(ScalingMethod.MinMax)]
    [InlineData(ScalingMethod.MeanScale)]
    public void Per_shop_scaling_is_measured_on_history_and_undoes_itself(ScalingMethod method)
    {
        MarketingPanel panel = MarketingData.Panel(shops: 3, length: 30).SplitByTime(5).Test;
        PerShopScaling scaling = PerShopScaling.Fit(panel, method);
        MarketingPanel scaled = scaling.Apply(panel);
        double[] history = scaled.GetSeries(1, "gmv")[..25];
        if (method == ScalingMethod.MinMax)
        {
            Assert.Equal(0, history.Min(), 12);
            Assert.Equal(1, history.Max(), 12);
        }
        else
        {
            Assert.Equal(1, history.Average(Math.Abs), 12);
        }
        MarketingPanel back = scaling.Invert(scaled);
        double[] original = panel.SeriesValues.ToArray(), restored = back.SeriesValues.ToArray();
        for (int i = 0; i < original.Length; i++) Assert.Equal(original[i], restored[i], 9);
        Assert.Equal(panel.GetSeries(2, "x1")[27], scaling.Invert("s2", "x1", scaled.GetSeries(2, "x1")[27]), 9);

        Assert.Throws<KeyNotFoundException>(() => scaling["nope", "gmv"]);
    }
}
