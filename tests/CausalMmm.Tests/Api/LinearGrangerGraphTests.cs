using CausalMmm.Baselines;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

/// <summary>The Linear Granger baseline as a pipeline component beside CausalGraph.</summary>
public sealed class LinearGrangerGraphTests
{
    [Fact]
    public void Its_graph_column_holds_each_shops_var_scores_scaled_by_the_largest_and_feeds_a_forecaster()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 4, length: 60, seed: 3);
        IDataView history = ml.Data.FilterRowsByColumn(simulated.Data, "t", upperBound: 50);
        LinearGrangerGraphTransformer granger = mmm.CausalDiscovery.Trainers.LinearGranger().Fit(history);

        // The graphs of the full data are read from the dates before the forecast origin (the first date after the fit's history).
        CausalGraphSet graphs = granger.Graphs(simulated.Data);
        NumericPanel before = simulated.Panel.SliceTime(0, 50).ToNumeric();
        LinearGranger var = LinearGranger.Fit(before, lags: 3, ridge: 1.0);
        for (int s = 0; s < before.ShopCount; s++)
        {
            double[,] scores = var.EdgeScores(s);
            double largest = scores.Cast<double>().Max();
            double[,] graph = graphs[before.ShopIds[s]];
            for (int i = 0; i < before.NodeCount; i++)
            for (int j = 0; j < before.NodeCount; j++) Assert.Equal(scores[i, j] / largest, graph[i, j], 5); // the view holds Singles
            Assert.Equal(1.0, graph.Cast<double>().Max(), 12);
        }

        // The same column as CausalGraph's: a forecaster reads it as its graph.
        var first = granger.Transform(simulated.Data).GetColumn<VBuffer<float>>(GraphColumn.DefaultName).First().DenseValues().ToArray();
        Assert.Equal(GraphColumn.Flatten(graphs[before.ShopIds[0]]), first);
        using var forecaster = (IDisposable)mmm.CausalDiscovery.Trainers.LinearGranger()
            .Append(mmm.Forecasting.Trainers.MarketingResponse(epochs: 2)).Fit(history);
        var chain = (TransformerChain<MarketingResponseTransformer>)forecaster;
        Assert.Equal(GraphSource.Upstream, chain.LastTransformer.GraphSource);
        Assert.All(chain.Transform(simulated.Data).GetColumn<float>("Score").Skip(50).Take(10), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void It_round_trips_through_save_and_load_with_its_training_graphs()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 3, length: 40, seed: 4);
        LinearGrangerGraphTransformer granger = mmm.CausalDiscovery.Trainers.LinearGranger(lags: 2).Fit(simulated.Data);
        Assert.NotNull(granger.TrainingGraphs);
        string path = Path.Combine(Path.GetTempPath(), $"granger-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveCausalMmm(granger, simulated.Data.Schema, path);
            LinearGrangerGraphTransformer loaded = new MLContext().Model.LoadCausalMmm<LinearGrangerGraphTransformer>(path, out _).LastTransformer;
            Assert.Equal((2, granger.HistoryEnd), (loaded.Lags, loaded.HistoryEnd));
            string shop = simulated.Panel.ShopIds[1];
            Assert.Equal(granger.TrainingGraphs![shop], loaded.TrainingGraphs![shop]);
            Assert.Equal(granger.Graphs(simulated.Data)[shop], loaded.Graphs(simulated.Data)[shop]);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => mmm.CausalDiscovery.Trainers.LinearGranger(lags: 0));
    }
}
