using CausalMmm.Baselines;
using CausalMmm.Evaluation;
using CausalMmm.Simulation;

namespace CausalMmm.Tests;

/// <summary>The graph simulator's members: known graphs that the data really carries.</summary>
public sealed class GraphSimulatorTests
{
    [Fact]
    public void Roots_have_no_parents_children_have_one_to_three_earlier_parents_and_few_graphs_are_shared_by_many_shops()
    {
        GraphSimulation data = GraphSimulator.Simulate(new GraphSimulationOptions { Shops = 30, Length = 60, DistinctGraphs = 3, Seed = 2 });
        Assert.Equal((30, 60, 8, 5), (data.Panel.ShopCount, data.Panel.Length, data.Panel.NodeCount, data.Panel.ChannelCount));
        Assert.Equal(new[] { "x0", "x1", "x2", "x3", "x4", "m0", "m1", "y" }, data.Panel.NodeNames);
        Assert.Equal(3, data.TrueGraphs.Select(Key).Distinct().Count());
        foreach (bool[,] g in data.TrueGraphs)
        {
            for (int j = 0; j < 8; j++)
            {
                int parents = Enumerable.Range(0, 8).Count(i => g[i, j]);
                if (j < 5) Assert.Equal(0, parents);
                else Assert.InRange(parents, 1, 3);
                Assert.All(Enumerable.Range(j, 8 - j), i => Assert.False(g[i, j], "a parent after its child"));
            }
        }
        // Centred signals take both signs.
        Assert.Contains(Enumerable.Range(0, 60).Select(t => data.Panel[0, t, 7]), v => v < 0);
        Assert.Contains(Enumerable.Range(0, 60).Select(t => data.Panel[0, t, 7]), v => v > 0);
    }

    [Fact]
    public void A_lag_one_linear_member_is_recovered_by_linear_granger_and_a_lag_two_to_three_member_carries_its_links()
    {
        // Linear Granger should find the lag-1 linear graph nearly perfectly: the data carries what the truth says.
        GraphSimulation linear = GraphSimulator.Simulate(new GraphSimulationOptions { Shops = 20, Length = 200, MinLag = 1, MaxLag = 1, NonlinearRoots = false, Seed = 3 });
        LinearGranger var = LinearGranger.Fit(linear.Panel);
        double auroc = Enumerable.Range(0, 20).Average(s => GraphMetrics.Auroc(var.EdgeScores(s), linear.TrueGraphs[s]));
        Assert.True(auroc > 0.9, $"Linear Granger AUROC {auroc:F3} on lag-1 linear data");

        // At lags 2-3 a VAR(3) still sees the links, if less clearly (the links are tanh-shaped).
        GraphSimulation lagged = GraphSimulator.Simulate(new GraphSimulationOptions { Shops = 20, Length = 200, Seed = 3 });
        LinearGranger var3 = LinearGranger.Fit(lagged.Panel);
        double lagAuroc = Enumerable.Range(0, 20).Average(s => GraphMetrics.Auroc(var3.EdgeScores(s), lagged.TrueGraphs[s]));
        Assert.True(lagAuroc > 0.7, $"Linear Granger AUROC {lagAuroc:F3} on lag-2/3 data");
    }

    [Fact]
    public void The_funnel_runs_channels_to_page_views_to_search_to_gmv()
    {
        GraphSimulation funnel = GraphSimulator.Simulate(new GraphSimulationOptions { Funnel = true, Shops = 10, Length = 80, Seed = 4 });
        Assert.Equal(new[] { "x0", "x1", "x2", "x3", "x4", "x5", "pv", "search0", "search1", "gmv" }, funnel.Panel.NodeNames);
        foreach (bool[,] g in funnel.TrueGraphs)
        {
            Assert.True(Enumerable.Range(0, 6).Count(c => g[c, 6]) >= 2, "at least two channels reach page views");
            Assert.True(g[6, 7] && g[6, 8]);
            Assert.True(g[7, 9] || g[8, 9]);
            Assert.Equal(0, Enumerable.Range(0, 6).Count(c => g[c, 9])); // channels reach gmv only through the funnel
        }
        Assert.All(Enumerable.Range(0, 80), t => Assert.True(funnel.Panel[0, t, 9] > 0));
    }

    private static string Key(bool[,] g) => string.Concat(g.Cast<bool>().Select(b => b ? '1' : '0'));
}
