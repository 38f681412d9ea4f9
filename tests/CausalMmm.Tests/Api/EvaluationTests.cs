using CausalMmm.Data;
using CausalMmm.Evaluation;

namespace CausalMmm.Tests.Api;

public sealed class EvaluationTests
{
    [Fact]
    public void Forecast_metrics_match_hand_computed_values_on_the_original_scale()
    {
        var variables = new[] { new PanelVariable("x0", VariableRole.Channel), new PanelVariable("gmv", VariableRole.Target) };
        double[] gmvA = { 1, 1, 10, 20 }, gmvB = { 1, 1, 30, 40 };
        var series = new double[2 * 4 * 2];
        for (int t = 0; t < 4; t++)
        {
            series[t * 2 + 1] = gmvA[t];
            series[(4 + t) * 2 + 1] = gmvB[t];
        }
        var panel = new MarketingPanel(new[] { "a", "b" }, Enumerable.Range(0, 4).Select(t => new DateOnly(2024, 1, 1).AddDays(t)).ToArray(), variables, series).WithHoldout(2);
        var forecast = new PanelForecast(panel.ShopIds, new[] { "gmv" }, 2, ForecastMode.Scenario, new[] { new double[,] { { 12 }, { 20 } }, new double[,] { { 30 }, { 36 } } });
        ForecastEvaluation e = PanelEvaluation.Forecast(panel.WithForecast(forecast));
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
        Assert.Throws<ArgumentOutOfRangeException>(() => e.At(3));
        Assert.Contains("no forecast", Assert.Throws<ArgumentException>(() => PanelEvaluation.Forecast(panel)).Message);
    }

    [Fact]
    public void Graph_metrics_score_attached_graphs_against_the_truth()
    {
        var ctx = new MmmContext(seed: 1);
        (MarketingPanel panel, IReadOnlyDictionary<string, bool[,]> truth) = ctx.Data.Simulate(new Simulation.SyntheticPanelOptions { Shops = 4, Channels = 3, Length = 30 });
        string[] nodes = panel.ToNumeric().NodeNames.ToArray();
        var perfect = new CausalGraphSet(nodes, truth.Select(kv => new KeyValuePair<string, double[,]>(kv.Key, ToScores(kv.Value))));
        GraphEvaluation e = PanelEvaluation.Graphs(panel.WithGraphs(perfect), truth);
        Assert.Equal(1.0, e.Auroc.Mean, 12);
        Assert.Equal(1.0, e.Accuracy.Mean, 12);
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

        var forecast = new PanelForecast(scaled.ShopIds, new[] { "gmv" }, 25, ForecastMode.Scenario,
            Enumerable.Range(0, 3).Select(s => new double[,] { { scaled.GetSeries(s, "gmv")[25] } }).ToArray());
        Assert.Equal(panel.GetSeries(0, "gmv")[25], scaling.Invert(forecast)[0][0, 0], 9);
        Assert.Throws<KeyNotFoundException>(() => scaling["nope", "gmv"]);
    }
}
