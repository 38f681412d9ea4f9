using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Simulation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests;

/// <summary>The decoder's message sources, same-day media edges, and the options that choose between them.</summary>
public sealed class DecoderOptionsTests
{
    private static double Mean(IReadOnlyList<double[,]> graphs, int i, int j) => graphs.Average(g => g[i, j]);

    [Fact]
    public void The_hidden_state_decoder_recovers_a_chain_whose_causes_act_only_at_lag_3()
    {
        NumericPanel chain = LaggedChain.Generate(lag: 3, shops: 16, length: 50, seed: 1);
        var options = new CausalMmmOptions
        {
            Epochs = 80, LearningRate = 5e-3, HiddenSize = 32, BatchSize = 8, Variance = 2.5e-3, Seed = 7, Messages = MessageSource.HiddenStates,
        };
        using CausalMmmModel model = CausalMmmTrainer.Fit(chain, options);
        IReadOnlyList<double[,]> graphs = model.EdgeProbabilities(chain);
        (MetricSummary auroc, _) = GraphMetrics.Summarise(graphs, Enumerable.Repeat(LaggedChain.TrueGraph(), 16).ToArray());
        Assert.True(auroc.Mean > 0.75, $"AUROC {auroc}");
        double weakestTrue = Math.Min(Mean(graphs, 0, 1), Mean(graphs, 1, 2));
        double strongestFalse = new[] { (0, 2), (1, 0), (2, 0), (2, 1) }.Max(e => Mean(graphs, e.Item1, e.Item2));
        Assert.True(weakestTrue > strongestFalse, $"true edges {Mean(graphs, 0, 1):F2}, {Mean(graphs, 1, 2):F2}; strongest false edge {strongestFalse:F2}");
    }

    /// <summary>Two channels; y responds to x0 on the same day only (y = 0.5 + x0 + noise); x1 does nothing.</summary>
    private static NumericPanel SameDayPanel(int shops = 12, int length = 60)
    {
        var random = new Random(2);
        var values = new double[shops * length * 3];
        for (int s = 0; s < shops; s++)
        for (int t = 0; t < length; t++)
        {
            double x0 = random.NextDouble(), x1 = random.NextDouble();
            int row = (s * length + t) * 3;
            values[row] = x0;
            values[row + 1] = x1;
            values[row + 2] = 0.5 + x0 + 0.05 * random.NextDouble();
        }
        return new NumericPanel(Enumerable.Range(0, shops).Select(i => $"s{i}").ToArray(), new[] { "x0", "x1", "y" }, 2, values, length);
    }

    [Fact]
    public void With_same_day_edges_a_plan_moves_the_forecast_on_the_day_it_changes_and_the_graph_marks_the_edge()
    {
        NumericPanel panel = SameDayPanel();
        var options = new CausalMmmOptions { Epochs = 60, LearningRate = 5e-3, HiddenSize = 16, BatchSize = 4, Variance = 2.5e-3, Seed = 3, SameDayMedia = true };
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        Assert.True(model.HasSameDayEdges);

        const int horizon = 7, day = 3;
        IReadOnlyList<double[,]> Plan(double factor) => Enumerable.Range(0, panel.ShopCount).Select(_ =>
        {
            var plan = new double[horizon, 2];
            for (int h = 0; h < horizon; h++) { plan[h, 0] = 0.5 * (h == day ? factor : 1); plan[h, 1] = 0.5; }
            return plan;
        }).ToArray();
        IReadOnlyList<double[,]> baseline = model.ForecastScenario(panel, panel.Length, Plan(1)), doubled = model.ForecastScenario(panel, panel.Length, Plan(2)),
            halved = model.ForecastScenario(panel, panel.Length, Plan(0.5));
        for (int s = 0; s < panel.ShopCount; s++)
        {
            // y = 0.5 + x0 on the day: +0.5 when x0 doubles from 0.5, -0.25 when it halves.
            Assert.True(doubled[s][day, 2] > baseline[s][day, 2] + 0.2, $"shop {s}: doubled {doubled[s][day, 2]:F3} vs {baseline[s][day, 2]:F3}");
            Assert.True(halved[s][day, 2] < baseline[s][day, 2] - 0.1, $"shop {s}: halved {halved[s][day, 2]:F3} vs {baseline[s][day, 2]:F3}");
            Assert.Equal(baseline[s][day - 1, 2], doubled[s][day - 1, 2]); // nothing changes before the plan does
        }

        (IReadOnlyList<double[,]> lagged, IReadOnlyList<double[,]>? sameDay) = model.Graphs(panel);
        Assert.NotNull(sameDay);
        Assert.True(Mean(sameDay!, 0, 2) > 0.5, $"same-day x0 -> y {Mean(sameDay!, 0, 2):F2}");
        Assert.True(Mean(sameDay!, 0, 2) > Mean(sameDay!, 1, 2) + 0.2, $"same-day x0 -> y {Mean(sameDay!, 0, 2):F2} against x1 -> y {Mean(sameDay!, 1, 2):F2}");
        Assert.Equal(0, sameDay![0][2, 0]); // no same-day edge into a given series
        var set = new CausalGraphSet(panel.NodeNames, panel.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, lagged[s])),
            panel.ShopIds.Select((id, s) => new KeyValuePair<string, double[,]>(id, sameDay[s])));
        CausalEdge strongest = set.Edges("s0", threshold: 0).First(e => e.To == "y");
        Assert.Equal(("x0", true), (strongest.From, strongest.SameDay));
    }

    [Fact]
    public void Without_same_day_edges_the_forecast_of_the_day_cannot_see_its_plan()
    {
        NumericPanel panel = SameDayPanel(shops: 6, length: 30);
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, new CausalMmmOptions { Epochs = 3, HiddenSize = 8, BatchSize = 3, Seed = 3 });
        Assert.False(model.HasSameDayEdges);
        var plan = Enumerable.Range(0, 6).Select(_ => new double[,] { { 0.5, 0.5 }, { 0.5, 0.5 } }).ToArray();
        var changed = Enumerable.Range(0, 6).Select(_ => new double[,] { { 0.5, 0.5 }, { 2, 0.5 } }).ToArray();
        Assert.Equal(model.ForecastScenario(panel, 30, plan)[0][1, 2], model.ForecastScenario(panel, 30, changed)[0][1, 2]);
        Assert.Null(model.Graphs(panel).SameDay);
    }

    [Fact]
    public void Decoder_options_round_trip_through_save_and_load_and_the_old_defaults_stay_reachable()
    {
        IDataView data = MarketingData.View();
        var ml = new MLContext(seed: 1);
        var options = new CausalMmmOptions
        {
            Epochs = 2, HiddenSize = 8, BatchSize = 3, Messages = MessageSource.HiddenStatesAndValues, Aggregation = MessageAggregation.SumOverNodes,
            FeedbackSteps = 2, SameDayMedia = true,
        };
        using CausalGraphTransformer graph = ml.CausalMmm().CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = options }).Fit(data);
        IDataView scored = graph.Transform(data);
        Assert.NotNull(scored.Schema.GetColumnOrNull("Graph.SameDay"));
        string path = Path.Combine(Path.GetTempPath(), $"cmm-options-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveCausalMmm(graph, data.Schema, path);
            using var loaded = (CausalGraphTransformer)new MLContext(seed: 2).Model.LoadCausalMmm(path, out _).Single();
            CausalMmmOptions back = loaded.Model.Options;
            Assert.Equal((MessageSource.HiddenStatesAndValues, MessageAggregation.SumOverNodes, 2, true), (back.Messages, back.Aggregation, back.FeedbackSteps, back.SameDayMedia));
            Assert.Equal(MarketingData.Fingerprint(scored), MarketingData.Fingerprint(loaded.Transform(data)));
        }
        finally
        {
            File.Delete(path);
        }

        // The estimators default to same-day edges for marketing data; the earlier Granger-only graph is one option away.
        Assert.True(new CausalGraphEstimator.Options().Model.SameDayMedia);
        Assert.False(new CausalMmmOptions().SameDayMedia);
        var grangerOnly = new CausalGraphEstimator.Options { Model = new CausalMmmOptions { Epochs = 2, HiddenSize = 8, BatchSize = 3 } };
        using CausalGraphTransformer lagged = ml.CausalMmm().CausalDiscovery.Trainers.CausalGraph(grangerOnly).Fit(data);
        Assert.Null(lagged.Transform(data).Schema.GetColumnOrNull("Graph.SameDay"));
        Assert.False(lagged.Graphs(data).HasSameDay);
    }

    [Fact]
    public void Bad_decoder_options_name_the_option()
    {
        NumericPanel panel = SameDayPanel(shops: 3, length: 10);
        Assert.Contains("FeedbackSteps", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, new CausalMmmOptions { FeedbackSteps = -1 })).Message);
        Assert.Contains("Messages", Assert.Throws<ArgumentException>(() => CausalMmmTrainer.Fit(panel, new CausalMmmOptions { Messages = (MessageSource)7 })).Message);
    }
}
