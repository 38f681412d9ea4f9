using System.Globalization;
using CausalMmm.Baselines;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Simulation;

namespace CausalMmm.Tests;

public sealed class SimulationTests
{
    [Fact]
    public void Generated_graphs_have_the_requested_nodes_sources_and_density()
    {
        var options = new SyntheticPanelOptions { Channels = 8, SourceCount = 3, EdgeDensity = 0.4, Graphs = 20, Shops = 30, Length = 20, Seed = 5 };
        SyntheticDataset data = SyntheticPanelGenerator.Generate(options);
        Assert.Equal(20, data.LatentGraphs.Count);
        foreach (bool[,] g in data.LatentGraphs)
        {
            Assert.Equal(9, g.GetLength(0));
            int sources = Enumerable.Range(0, 8).Count(j => !Enumerable.Range(0, 8).Any(i => g[i, j]));
            Assert.Equal(3, sources);
            int channelEdges = Enumerable.Range(0, 8).Sum(i => Enumerable.Range(0, 8).Count(j => g[i, j]));
            Assert.Equal((int)Math.Round(0.4 * 8 * 7 / 2), channelEdges);
            Assert.True(Enumerable.Range(0, 8).Any(i => g[i, 8]), "the target has a parent");
            Assert.False(Enumerable.Range(0, 9).Any(j => g[8, j]), "the target drives nothing");
            Assert.True(IsAcyclic(g));
        }
        Assert.Equal(9, data.Panel.NodeCount);
        Assert.Equal(8, data.Panel.ChannelCount);
        Assert.Equal(30, data.Panel.ShopCount);
        Assert.Empty(data.Panel.ContextNames);
    }

    [Fact]
    public void The_same_seed_gives_the_same_panel_and_simulation_2_has_context_and_bounded_targets()
    {
        var options = new SyntheticPanelOptions { Simulation = 2, Shops = 6, Channels = 4, Length = 30, Seed = 9 };
        SyntheticDataset a = SyntheticPanelGenerator.Generate(options);
        SyntheticDataset b = SyntheticPanelGenerator.Generate(options);
        Assert.Equal(a.Panel.Values.ToArray(), b.Panel.Values.ToArray());
        options.Seed = 10;
        Assert.NotEqual(a.Panel.Values.ToArray(), SyntheticPanelGenerator.Generate(options).Panel.Values.ToArray());
        Assert.Equal(new[] { "context0", "context1" }, a.Panel.ContextNames);
        for (int s = 0; s < 6; s++)
        for (int t = 0; t < 30; t++)
            Assert.InRange(a.Panel[s, t, a.Panel.TargetIndex], 0, 1);
    }

    [Fact]
    public void Paper_normal_link_weights_give_links_of_either_sign_and_their_magnitudes_push_one_way()
    {
        // One source channel driving the target alone: y's covariance with tanh(x0) summed over lags 1-3 has the link's sign.
        static double Covariance(SyntheticDataset data, int shop)
        {
            double[] x = Enumerable.Range(3, 297).Select(t => Enumerable.Range(1, 3).Sum(l => Math.Tanh(data.Panel[shop, t - l, 0]))).ToArray();
            double[] y = Enumerable.Range(3, 297).Select(t => data.Panel[shop, t, 1]).ToArray();
            double mx = x.Average(), my = y.Average();
            return x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        }
        var options = new SyntheticPanelOptions { Channels = 1, Shops = 40, Length = 300, Graphs = 1, LinkWeights = SyntheticLinkWeights.PaperNormal, Seed = 4 };
        SyntheticDataset signed = SyntheticPanelGenerator.Generate(options);
        Assert.Equal(signed.Panel.Values.ToArray(), SyntheticPanelGenerator.Generate(options).Panel.Values.ToArray());
        double[] covariances = Enumerable.Range(0, 40).Select(s => Covariance(signed, s)).ToArray();
        Assert.Contains(covariances, c => c > 0);
        Assert.Contains(covariances, c => c < 0);
        // The magnitudes of the same draws: links push one way (noise can still hide a weak one in a shop).
        SyntheticDataset magnitude = SyntheticPanelGenerator.Generate(new SyntheticPanelOptions
        {
            Channels = 1, Shops = 40, Length = 300, Graphs = 1, LinkWeights = SyntheticLinkWeights.PaperNormalMagnitude, Seed = 4,
        });
        double[] magnitudes = Enumerable.Range(0, 40).Select(s => Covariance(magnitude, s)).ToArray();
        Assert.True(magnitudes.Count(c => c > 0) >= 36, $"{magnitudes.Count(c => c > 0)} of 40 shops covary positively");
        // The default draws every link positive.
        SyntheticDataset positive = SyntheticPanelGenerator.Generate(new SyntheticPanelOptions { Channels = 1, Shops = 10, Length = 300, Graphs = 1, Seed = 4 });
        Assert.All(Enumerable.Range(0, 10), s => Assert.True(Covariance(positive, s) > 0, $"shop {s}: {Covariance(positive, s)}"));
    }

    [Fact]
    public void Panels_and_graphs_are_written_as_csv()
    {
        SyntheticDataset data = SyntheticPanelGenerator.Generate(new SyntheticPanelOptions { Simulation = 2, Shops = 2, Channels = 3, Length = 5, Graphs = 1 });
        var panel = new StringWriter();
        data.Panel.WriteWideCsv(panel, new DateOnly(2024, 1, 30));
        string[] lines = panel.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("shop_id,ds,context0,context1,x0,x1,x2,y", lines[0]);
        Assert.Equal(11, lines.Length);
        Assert.StartsWith("shop0,20240130,", lines[1]);
        Assert.StartsWith("shop1,20240203,", lines[^1]);
        Assert.Equal(data.Panel[1, 4, 3], double.Parse(lines[^1].Split(',')[^1], CultureInfo.InvariantCulture));
        var graphs = new StringWriter();
        data.WriteGraphsCsv(graphs);
        string[] rows = graphs.ToString().TrimEnd().Split('\n');
        Assert.Equal("shop_id,source,target,edge", rows[0].TrimEnd('\r'));
        Assert.Equal(1 + 2 * 4 * 3, rows.Length);
    }

    [Fact]
    public void Bad_options_name_the_setting()
    {
        Assert.Contains("SourceCount", Assert.Throws<ArgumentException>(() => SyntheticPanelGenerator.Generate(new SyntheticPanelOptions { Channels = 3, SourceCount = 5 })).Message);
        Assert.Contains("Simulation", Assert.Throws<ArgumentException>(() => SyntheticPanelGenerator.Generate(new SyntheticPanelOptions { Simulation = 3 })).Message);
    }

    private static bool IsAcyclic(bool[,] g)
    {
        int n = g.GetLength(0);
        var state = new int[n];
        bool Visit(int v)
        {
            if (state[v] == 1) return false;
            if (state[v] == 2) return true;
            state[v] = 1;
            for (int w = 0; w < n; w++) if (g[v, w] && !Visit(w)) return false;
            state[v] = 2;
            return true;
        }
        return Enumerable.Range(0, n).All(Visit);
    }
}

public sealed class MetricTests
{
    [Fact]
    public void Auroc_counts_ties_as_one_half()
    {
        // positives score 0.9 and 0.5, negatives 0.5 and 0.1: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5 tie, 0.5>0.1) = 3.5 / 4.
        Assert.Equal(0.875, GraphMetrics.Auroc(new[] { 0.9, 0.5, 0.5, 0.1 }, new[] { true, true, false, false }));
        Assert.Equal(0.5, GraphMetrics.Auroc(new[] { 0.3, 0.3, 0.3 }, new[] { true, false, false }));
        Assert.Equal(0.0, GraphMetrics.Auroc(new[] { 0.1, 0.9 }, new[] { true, false }));
        Assert.True(double.IsNaN(GraphMetrics.Auroc(new[] { 0.1, 0.9 }, new[] { true, true })));
    }

    [Fact]
    public void Paired_differences_give_the_student_t_interval_and_test()
    {
        // Differences 1, 2, 3: mean 2, sample sd 1, standard error 1 / sqrt 3, t = 2 sqrt 3
        // on 2 degrees of freedom, where the t distribution has the closed form F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so the
        // two-sided p is 1 - t / sqrt(2 + t^2) and the 97.5% quantile is 0.95 / sqrt(2 * 0.975 * 0.025).
        PairedDifference gap = PairedDifference.Of(new[] { 1.5, 2.0, 4.0 }, new[] { 0.5, 0.0, 1.0 });
        double t = 2 * Math.Sqrt(3), quantile = 0.95 / Math.Sqrt(2 * 0.975 * 0.025);
        Assert.Equal(2, gap.Mean, 12);
        Assert.Equal(1, gap.StandardDeviation, 12);
        Assert.Equal(1 - t / Math.Sqrt(2 + t * t), gap.PValue, 9);
        Assert.Equal(2 - quantile / Math.Sqrt(3), gap.Lower, 9);
        Assert.Equal(2 + quantile / Math.Sqrt(3), gap.Upper, 9);
        Assert.Equal((3, 3), (gap.Wins, gap.Count));
        Assert.Equal("+2.000 (CI -0.484 to +4.484, p 0.07), ahead on 3 of 3", gap.ToString());

        // Swapping the methods mirrors the interval and keeps the p-value; a pair with a missing value is left out.
        PairedDifference mirrored = PairedDifference.Of(new[] { 0.5, 0.0, 1.0, double.NaN }, new[] { 1.5, 2.0, 4.0, 0.3 });
        Assert.Equal((-gap.Upper, -gap.Lower, 0, 3), (mirrored.Lower, mirrored.Upper, mirrored.Wins, mirrored.Count));
        Assert.Equal(gap.PValue, mirrored.PValue, 12);

        // A tied pair is no win; a tie on every seed is no difference; the same gap on every seed is a decided test.
        PairedDifference withTie = PairedDifference.Of(new[] { 1.0, 2.0, 3.0 }, new[] { 1.0, 1.0, 2.0 });
        Assert.Equal((2, 3), (withTie.Wins, withTie.Count));
        Assert.Equal(1.0, PairedDifference.Of(new[] { 0.9, 0.8 }, new[] { 0.9, 0.8 }).PValue);
        PairedDifference constant = PairedDifference.Of(new[] { 1.5, 2.5, 3.5 }, new[] { 1.0, 2.0, 3.0 });
        Assert.Equal((0.5, 0.5, 0.0), (constant.Lower, constant.Upper, constant.PValue));
        Assert.Equal("+0.500 (CI +0.500 to +0.500, p < 0.01), ahead on 3 of 3", constant.ToString());
        // A wider confidence gives a wider interval around the same gap.
        Assert.True(PairedDifference.Of(new[] { 1.5, 2.0, 4.0 }, new[] { 0.5, 0.0, 1.0 }, confidence: 0.99).Upper > gap.Upper);
        // One pair gives a gap without an interval, none gives nothing.
        PairedDifference single = PairedDifference.Of(new[] { 0.9 }, new[] { 0.7 });
        Assert.Equal((0.2, 1, 1), (Math.Round(single.Mean, 12), single.Wins, single.Count));
        Assert.True(double.IsNaN(single.Lower) && double.IsNaN(single.PValue));
        Assert.Equal(0, PairedDifference.Of(Array.Empty<double>(), Array.Empty<double>()).Count);

        var unpaired = Assert.Throws<ArgumentException>(() => PairedDifference.Of(new[] { 1.0, 2.0 }, new[] { 1.0 }));
        Assert.Contains("2 first values but 1 second values", unpaired.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedDifference.Of(new[] { 1.0, 2.0 }, new[] { 1.0, 2.0 }, confidence: 95));
    }

    [Fact]
    public void Graph_metrics_use_only_off_diagonal_entries()
    {
        var truth = new bool[3, 3];
        truth[0, 1] = true;
        var scores = new double[3, 3] { { 99, 0.8, 0.6 }, { 0.1, -99, 0.2 }, { 0.3, 0.4, 99 } };
        Assert.Equal(1.0, GraphMetrics.Auroc(scores, truth));
        Assert.Equal(5.0 / 6, GraphMetrics.Accuracy(scores, truth), 12); // 0.6 on (0,2) is the one false positive
        (MetricSummary auroc, MetricSummary acc) = GraphMetrics.Summarise(new[] { scores, scores }, new[] { truth, truth });
        Assert.Equal(1.0, auroc.Mean);
        Assert.Equal(0.0, acc.StandardDeviation);
        Assert.Equal(2, acc.Count);
    }

    [Fact]
    public void Forecast_errors_are_computed_per_horizon()
    {
        var forecasts = new[] { new[] { 1.0, 2.0, 3.0 }, new[] { 0.0, 0.0, 0.0 } };
        var actuals = new[] { new[] { 1.0, 0.0, 0.0 }, new[] { 2.0, 0.0, 1.0 } };
        IReadOnlyList<HorizonError> errors = ForecastMetrics.AtHorizons(forecasts, actuals, new[] { 1, 2, 3, 7 });
        Assert.Equal(2.0, errors[0].Mse);
        Assert.Equal(1.0, errors[0].Mae);
        Assert.Equal(2.0, errors[1].Mse);
        Assert.Equal(5.0, errors[2].Mse);
        Assert.Equal(0, errors[3].Count);
    }

    [Fact]
    public void Linear_granger_recovers_a_linear_var_and_forecasts_it()
    {
        // x1_t = 0.8 x0_{t-1} + noise; y_t = 0.8 x1_{t-1} + noise; x0 white noise.
        var random = new Random(2);
        const int shops = 3, length = 300;
        var values = new double[shops * length * 3];
        for (int s = 0; s < shops; s++)
        for (int t = 0; t < length; t++)
        {
            long i = (s * length + t) * 3L;
            values[i] = SyntheticPanelGenerator.Gaussian(random);
            values[i + 1] = (t > 0 ? 0.8 * values[i - 3] : 0) + 0.3 * SyntheticPanelGenerator.Gaussian(random);
            values[i + 2] = (t > 0 ? 0.8 * values[i - 2] : 0) + 0.3 * SyntheticPanelGenerator.Gaussian(random);
        }
        var panel = new NumericPanel(new[] { "a", "b", "c" }, new[] { "x0", "x1", "y" }, 2, values, length);
        LinearGranger var = LinearGranger.Fit(panel, lags: 2, ridge: 0.1);
        var truth = new bool[3, 3];
        truth[0, 1] = truth[1, 2] = true;
        for (int s = 0; s < shops; s++) Assert.Equal(1.0, GraphMetrics.Auroc(var.EdgeScores(s), truth));
        double[,] forecast = var.Forecast(panel, 0, length - 1, 1);
        Assert.Equal(0.8 * panel[0, length - 2, 1], forecast[0, 2], 1);
    }
}
