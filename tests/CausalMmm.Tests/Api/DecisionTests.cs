using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Planning;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Tests.Api;

/// <summary>
/// Fitted models shared by the decision tests: the classic chain, CausalMMM on a graph it learned, and CausalMMM on a
/// supplied graph in which x0 reaches gmv only through pv and x2 reaches nothing.
/// </summary>
public sealed class DecisionFixture : IDisposable
{
    public const int History = 60;
    public const int Days = 14;

    public DecisionFixture()
    {
        var ml = new MLContext(seed: 1);
        Mmm = ml.CausalMmm();
        Data = MarketingData.View();
        Plan = Mmm.Planning.RepeatLast(Data, Days);
        Ridge = Mmm.Transforms.Adstock().Append(Mmm.Transforms.Hill()).Append(Mmm.Forecasting.Trainers.Ridge()).Fit(Data);
        // The marketing defaults of the named-argument estimators (same-day edges acting through response curves), so the
        // roll-out's same-day and carry-over paths are exercised.
        CausalMmmOptions small = new CausalMmmOptions();
        (small.Epochs, small.HiddenSize, small.BatchSize, small.ValidationFraction) = (15, 16, 3, 0);
        Learned = Mmm.CausalDiscovery.Trainers.CausalGraph(new CausalDiscovery.CausalGraphEstimator.Options { Model = small })
            .Append(Mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = small })).Fit(Data);
        // Nodes x0, x1, x2, pv, gmv: x0 -> pv -> gmv, x1 -> gmv, and x2 isolated.
        string[] nodes = { "x0", "x1", "x2", "pv", "gmv" };
        var lagged = new double[5, 5];
        lagged[0, 3] = 1;
        lagged[3, 4] = 1;
        lagged[1, 4] = 1;
        var sameDay = new double[5, 5];
        sameDay[0, 3] = 1;
        sameDay[1, 4] = 1;
        Graph = CausalGraphSet.Shared(nodes, lagged, Enumerable.Range(0, 6).Select(i => $"s{i}"), sameDay);
        // Trained longer than the others: the mediated path must carry a visible effect.
        CausalMmmOptions longer = small with { };
        longer.Epochs = 40;
        Supplied = Mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = longer, Graph = Graph }).Fit(Data);
    }

    public CausalMmmCatalog Mmm { get; }
    public IDataView Data { get; }
    public MediaPlan Plan { get; }
    public ITransformer Ridge { get; }
    public ITransformer Learned { get; }
    public CausalGraphSet Graph { get; }
    public MarketingResponseTransformer Supplied { get; }

    public void Dispose() => Supplied.Dispose();
}

public sealed class DecisionTests : IClassFixture<DecisionFixture>
{
    private readonly DecisionFixture _f;

    public DecisionTests(DecisionFixture fixture) => _f = fixture;

    private IEnumerable<(string Name, ITransformer Model)> Models()
    {
        yield return ("ridge", _f.Ridge);
        yield return ("learned graph", _f.Learned);
        yield return ("supplied graph", _f.Supplied);
    }

    [Fact]
    public void The_differentiable_scenario_forecast_equals_the_fitted_pipelines_scores()
    {
        MediaPlan plan = _f.Plan.Scale("x1", 1.7).Scale("x0", 0.4);
        foreach ((string name, ITransformer model) in Models())
        {
            using ScenarioModel scenario = ScenarioModel.Create(model, _f.Data, plan, "test");
            using DisposeScope scope = torch.NewDisposeScope();
            float[] forecast = scenario.Forecast(scenario.BasePlan, torch.arange(6, dtype: ScalarType.Int64)).data<float>().ToArray();
            IDataView scored = model.Transform(plan.AppendTo(_f.Data));
            float[] score = MarketingData.Column(scored, "Score");
            float[] t = MarketingData.Column(scored, "t");
            string[] shops = scored.GetColumn<ReadOnlyMemory<char>>("shop_id").Select(m => m.ToString()).ToArray();
            int compared = 0;
            for (int row = 0; row < score.Length; row++)
            {
                if (t[row] < DecisionFixture.History) continue;
                int s = int.Parse(shops[row][1..]), h = (int)t[row] - DecisionFixture.History;
                double expected = score[row];
                Assert.True(Math.Abs(forecast[s * DecisionFixture.Days + h] - expected) <= 1e-3 * Math.Max(1, Math.Abs(expected)),
                    $"{name}: shop {s} day {h}: scenario model {forecast[s * DecisionFixture.Days + h]} vs Transform {expected}");
                compared++;
            }
            Assert.Equal(6 * DecisionFixture.Days, compared);
        }
    }

    [Fact]
    public void Contributions_reconcile_with_the_forecast_and_the_residual_is_reported()
    {
        ContributionReport report = _f.Mmm.Planning.Contributions(_f.Learned, _f.Data, _f.Plan, new ContributionOptions { Samples = 8, Seed = 3 });
        Assert.Equal(6 * DecisionFixture.Days * 3, report.Daily.Count);
        Assert.Equal(6 * DecisionFixture.Days, report.Decomposition.Count);
        float[] score = MarketingData.Column(_f.Mmm.Context.Data.FilterRowsByColumn(_f.Learned.Transform(_f.Plan.AppendTo(_f.Data)), "t", lowerBound: DecisionFixture.History), "Score");
        double scored = score.Sum(v => (double)v);
        Assert.Equal(scored, report.Decomposition.Sum(d => d.Forecast), 1e-4 * Math.Abs(scored));
        foreach (DailyDecomposition d in report.Decomposition)
        {
            double channels = report.Daily.Where(c => c.ShopId == d.ShopId && c.Date == d.Date).Sum(c => c.Contribution);
            Assert.Equal(channels, d.Channels, 6);
            Assert.Equal(d.Forecast, d.Base + d.Channels + d.Residual, 6);
        }
        // The one-at-a-time contributions explain most of what media adds; the rest (interaction) is small and shown.
        double media = report.Decomposition.Sum(d => Math.Abs(d.Forecast - d.Base)), residual = report.Decomposition.Sum(d => Math.Abs(d.Residual));
        Assert.True(residual <= 0.25 * media, $"|residual| {residual} against |media| {media}, summed over shops and days");
        Assert.All(report.Daily, c => Assert.Equal(c.Contribution, c.Direct + c.Mediated, 6));
        Assert.All(report.Totals, t => Assert.True(t.Lower <= t.Upper, $"{t.ShopId} {t.Channel}: band [{t.Lower}, {t.Upper}]"));
        Assert.Contains(report.Totals, t => t.Upper > t.Lower); // the graph samples do move the contributions
        Assert.Equal(6 * DecisionFixture.Days * 3, report.ToDataFrame().Rows.Count);
    }

    [Fact]
    public void Any_subset_of_shops_gets_the_same_contributions_and_bands()
    {
        var frame = (Microsoft.Data.Analysis.DataFrame)_f.Data;
        var keep = new Microsoft.Data.Analysis.PrimitiveDataFrameColumn<bool>("keep", frame["shop_id"].Cast<string>().Select(id => id is "s1" or "s4"));
        IDataView subset = frame.Filter(keep);
        var options = new ContributionOptions { Samples = 6, Seed = 9 };
        ContributionReport whole = _f.Mmm.Planning.Contributions(_f.Learned, _f.Data, _f.Plan, options);
        ContributionReport part = _f.Mmm.Planning.Contributions(_f.Learned, subset, _f.Mmm.Planning.RepeatLast(subset, DecisionFixture.Days), options);
        foreach (ChannelContribution p in part.Totals.Where(t => t.ShopId != ResponseCurveSet.AllShops))
        {
            ChannelContribution w = whole.Totals.Single(t => t.ShopId == p.ShopId && t.Channel == p.Channel);
            double scale = Math.Max(Math.Abs(w.Contribution), 1);
            Assert.Equal(w.Contribution, p.Contribution, 1e-3 * scale);
            Assert.Equal(w.Lower, p.Lower, 1e-3 * scale);
            Assert.Equal(w.Upper, p.Upper, 1e-3 * scale);
        }
        Assert.Equal(2 * 3, part.Totals.Count(t => t.ShopId != ResponseCurveSet.AllShops));
    }

    [Fact]
    public void A_channel_without_a_path_to_the_target_contributes_nothing_and_a_mediated_one_only_through_the_mediator()
    {
        ContributionReport report = _f.Mmm.Planning.Contributions(_f.Supplied, _f.Data, _f.Plan, new ContributionOptions { Samples = 0 });
        double scale = report.Decomposition.Max(d => Math.Abs(d.Forecast));
        foreach (DailyContribution c in report.Daily.Where(c => c.Channel == "x2"))
            Assert.True(Math.Abs(c.Contribution) <= 1e-4 * scale, $"x2 has no edge, yet contributes {c.Contribution} on {c.Date}");
        ChannelContribution[] x0 = report.Totals.Where(t => t.Channel == "x0" && t.ShopId != ResponseCurveSet.AllShops).ToArray();
        Assert.All(x0, t => Assert.True(Math.Abs(t.Direct) <= 1e-4 * scale, $"{t.ShopId}: x0 has no edge into gmv, yet its direct part is {t.Direct}"));
        Assert.All(report.Daily.Where(c => c.Channel == "x0"), c => Assert.Equal(c.Contribution, c.Mediated, 6));
        Assert.Contains(x0, t => Math.Abs(t.Mediated) > 1e-3 * scale);
        // x1 has only its direct edge.
        Assert.All(report.Daily.Where(c => c.Channel == "x1"), c => Assert.True(Math.Abs(c.Mediated) <= 1e-4 * scale, $"x1 has no path through pv, yet {c.Mediated} is mediated"));
    }

    [Fact]
    public void Response_curves_rise_with_spend_where_the_truth_does_and_report_roi_with_bands()
    {
        // In the data every channel raises gmv; the classic chain's curves must rise, and CausalMMM's for x1, its strongest
        // channel, point by point.
        ResponseCurveSet ridge = _f.Mmm.Planning.ResponseCurves(_f.Ridge, _f.Data, _f.Plan);
        Assert.Equal(0, ridge.Samples); // no graph, no bands
        foreach (IGrouping<(string, string), ResponsePoint> curve in ridge.Points.GroupBy(p => (p.ShopId, p.Channel)))
        {
            double[] y = curve.OrderBy(p => p.Multiplier).Select(p => p.Target).ToArray();
            for (int i = 1; i < y.Length; i++) Assert.True(y[i] >= y[i - 1] - 1e-3 * Math.Abs(y[i]), $"ridge {curve.Key}: falls from {y[i - 1]} to {y[i]}");
        }
        ResponseCurveSet causal = _f.Mmm.Planning.ResponseCurves(_f.Learned, _f.Data, _f.Plan, new ResponseCurveOptions { Samples = 8, Seed = 5, Channels = new[] { "x1" } });
        Assert.Equal(8, causal.Samples);
        double[] all = causal.Points.Where(p => p.ShopId == ResponseCurveSet.AllShops).OrderBy(p => p.Multiplier).Select(p => p.Target).ToArray();
        Assert.True(all[^1] > all[0], $"x1 at 3x forecasts {all[^1]}, at zero {all[0]}");
        // With response curves on its same-day edges, every shop's curve rises point by point, as the truth does.
        foreach (IGrouping<string, ResponsePoint> curve in causal.Points.GroupBy(p => p.ShopId))
        {
            double[] y = curve.OrderBy(p => p.Multiplier).Select(p => p.Target).ToArray();
            for (int i = 1; i < y.Length; i++) Assert.True(y[i] >= y[i - 1] - 1e-3 * Math.Abs(y[i]), $"CausalMMM {curve.Key}: x1 falls from {y[i - 1]} to {y[i]}");
        }
        foreach (ChannelReturn r in causal.Returns)
        {
            Assert.True(r.RoiLower <= r.RoiUpper && r.MarginalRoiLower <= r.MarginalRoiUpper, $"{r.ShopId}: bands out of order");
            Assert.Equal(r.Incremental / r.Spend, r.Roi, 9);
        }
        // Marginal ROI is the autograd derivative: it matches a finite difference of the same forecast.
        ChannelReturn x1 = ridge.Returns.Single(r => r.ShopId == "s0" && r.Channel == "x1");
        ResponseCurveSet near = _f.Mmm.Planning.ResponseCurves(_f.Ridge, _f.Data, _f.Plan, new ResponseCurveOptions { Multipliers = new[] { 0.99, 1.01 }, Channels = new[] { "x1" } });
        double up = near.Points.Single(p => p.ShopId == "s0" && p.Multiplier == 1.01).Target, down = near.Points.Single(p => p.ShopId == "s0" && p.Multiplier == 0.99).Target;
        Assert.Equal((up - down) / (0.02 * x1.Spend), x1.MarginalRoi, 2);
    }

    [Fact]
    public void The_optimiser_keeps_budget_bounds_and_fixed_channels_exactly()
    {
        var options = new BudgetOptimizationOptions { BudgetRatio = 1.2, DefaultBounds = SpendBounds.Relative(0.5, 2) };
        options.ChannelBounds["x1"] = SpendBounds.Absolute(10, 400);
        options.FixedChannels.Add("x2");
        foreach ((string name, ITransformer model) in Models().Take(2))
        {
            BudgetAllocation result = _f.Mmm.Planning.OptimizeBudget(model, _f.Data, _f.Plan, options);
            foreach (ShopAllocation shop in result.Shops)
            {
                Assert.Equal(1.2 * shop.CurrentSpend, shop.OptimizedSpend, 1e-9 * shop.CurrentSpend);
                Assert.True(shop.OptimizedTarget >= shop.CurrentTarget * 0.999, $"{name} {shop.ShopId}: optimised {shop.OptimizedTarget} below current {shop.CurrentTarget}");
                double[,] planned = result.OptimizedPlan[shop.ShopId], current = _f.Plan[shop.ShopId];
                for (int h = 0; h < DecisionFixture.Days; h++) Assert.Equal(current[h, 2], planned[h, 2]); // x2 fixed, day by day
                double total = 0;
                for (int h = 0; h < DecisionFixture.Days; h++) total += planned[h, 0] + planned[h, 1] + planned[h, 2];
                Assert.Equal(shop.OptimizedSpend, total, 1e-9 * total);
            }
            foreach (ChannelAllocation c in result.Channels.Where(c => !c.Fixed))
            {
                Assert.InRange(c.OptimizedSpend, c.Lower, c.Upper);
                if (c.Channel == "x1") Assert.True(c.Lower == 10 && c.Upper == 400);
                else Assert.True(c.Lower == 0.5 * c.CurrentSpend && c.Upper == 2 * c.CurrentSpend);
            }
        }
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(false, 3)]
    [InlineData(true, 2)]
    public void The_optimum_matches_a_brute_force_grid(bool causal, int channels)
    {
        ITransformer model = causal ? _f.Learned : _f.Ridge;
        using ScenarioModel scenario = ScenarioModel.Create(model, _f.Data, _f.Plan, "test");
        string[] fixedChannels = new[] { "x0", "x1", "x2" }.Skip(channels).ToArray();
        var optimizer = new BudgetOptimizer(scenario, fixedChannels);
        int shops = 6;
        double[] budget = Enumerable.Range(0, shops).Select(s => Enumerable.Range(0, channels).Sum(k => optimizer.Current[s, k])).ToArray();
        var lower = new double[shops, channels];
        var upper = new double[shops, channels];
        for (int s = 0; s < shops; s++)
        for (int k = 0; k < channels; k++) upper[s, k] = budget[s];
        (double[,] totals, double[] target) = optimizer.Maximize(budget, lower, upper, optimizer.Current, 150);
        double[] zero = optimizer.Evaluate(new double[shops, channels]);

        // Every split of the budget on a grid of 1/60 (two channels) or 1/30 (three).
        int steps = channels == 2 ? 60 : 30;
        var best = Enumerable.Repeat(double.NegativeInfinity, shops).ToArray();
        foreach (int[] split in Splits(channels, steps))
        {
            var point = new double[shops, channels];
            for (int s = 0; s < shops; s++)
            for (int k = 0; k < channels; k++) point[s, k] = budget[s] * split[k] / steps;
            double[] value = optimizer.Evaluate(point);
            for (int s = 0; s < shops; s++) best[s] = Math.Max(best[s], value[s]);
        }
        for (int s = 0; s < shops; s++)
        {
            double gainGrid = best[s] - zero[s], gainOptimiser = target[s] - zero[s];
            Assert.True(gainOptimiser >= 0.99 * gainGrid, $"shop {s}: the optimiser gains {gainOptimiser}, the grid {gainGrid}");
            Assert.Equal(budget[s], Enumerable.Range(0, channels).Sum(k => totals[s, k]), 1e-9 * budget[s]);
        }
    }

    [Fact]
    public void Spend_and_roi_objectives_meet_their_targets()
    {
        var spend = new BudgetOptimizationOptions { Objective = BudgetObjective.MinimizeSpend, TargetRatio = 1.02 };
        BudgetAllocation least = _f.Mmm.Planning.OptimizeBudget(_f.Ridge, _f.Data, _f.Plan, spend);
        foreach (ShopAllocation shop in least.Shops)
        {
            Assert.True(shop.OptimizedTarget >= 1.02 * shop.CurrentTarget * (1 - 1e-6), $"{shop.ShopId}: {shop.OptimizedTarget} misses {1.02 * shop.CurrentTarget}");
            Assert.True(shop.OptimizedSpend <= 3 * shop.CurrentSpend);
        }
        var roi = new BudgetOptimizationOptions { Objective = BudgetObjective.TargetRoi };
        roi.TargetRoi = least.Shops.Min(s => s.CurrentRoi) * 0.9;
        BudgetAllocation returning = _f.Mmm.Planning.OptimizeBudget(_f.Ridge, _f.Data, _f.Plan, roi);
        Assert.All(returning.Shops, s => Assert.True(s.OptimizedRoi >= roi.TargetRoi * (1 - 1e-6), $"{s.ShopId}: ROI {s.OptimizedRoi} below {roi.TargetRoi}"));
    }

    [Fact]
    public void Constraints_that_cannot_hold_are_refused_with_what_to_change()
    {
        BudgetAllocation Run(Action<BudgetOptimizationOptions> set)
        {
            var options = new BudgetOptimizationOptions();
            set(options);
            return _f.Mmm.Planning.OptimizeBudget(_f.Ridge, _f.Data, _f.Plan, options);
        }
        Assert.Contains("at least 0", Assert.Throws<ArgumentException>(() => Run(o => o.Budget = -5)).Message);
        Assert.Contains("'tv'", Assert.Throws<ArgumentException>(() => Run(o => o.FixedChannels.Add("tv"))).Message);
        Assert.Contains("'tv'", Assert.Throws<ArgumentException>(() => Run(o => o.ChannelBounds["tv"] = SpendBounds.Relative(0, 1))).Message);
        string cannot = Assert.Throws<ArgumentException>(() => Run(o => { o.BudgetRatio = 5; o.DefaultBounds = SpendBounds.Relative(0, 2); })).Message;
        Assert.Contains("widen the channel bounds", cannot);
        Assert.Contains("shop 's", cannot);
        string pinned = Assert.Throws<ArgumentException>(() => _f.Mmm.Planning.OptimizeBudget(_f.Ridge, _f.Data, _f.Plan.Scale("x2", 0), new BudgetOptimizationOptions { BudgetRatio = 5 })).Message;
        Assert.Contains("spends nothing on [x2]", pinned);
        Assert.Contains("SpendBounds.Absolute", pinned);
        Assert.Contains("upper bound is below", Assert.Throws<ArgumentException>(() => Run(o => o.DefaultBounds = SpendBounds.Relative(2, 1))).Message);
        Assert.Contains("nothing to allocate", Assert.Throws<ArgumentException>(() => Run(o => o.FixedChannels.AddRange(new[] { "x0", "x1", "x2" }))).Message);
        Assert.Contains("cannot be reached", Assert.Throws<ArgumentException>(() => Run(o => { o.Objective = BudgetObjective.MinimizeSpend; o.TargetRatio = 100; })).Message);
        Assert.Contains("returns the target ROI", Assert.Throws<ArgumentException>(() => Run(o => { o.Objective = BudgetObjective.TargetRoi; o.TargetRoi = 1e9; })).Message);
        Assert.Contains("ends in", Assert.Throws<NotSupportedException>(() => _f.Mmm.Planning.OptimizeBudget(_f.Mmm.Transforms.Adstock().Fit(_f.Data), _f.Data, _f.Plan)).Message);
    }

    [Fact]
    public void The_projection_is_exact_and_stays_in_bounds()
    {
        var y = new double[,] { { 5, -3, 40 }, { 1, 1, 1 } };
        var lower = new double[,] { { 0, 1, 0 }, { 0.5, 0, 0 } };
        var upper = new double[,] { { 10, 2, 12 }, { 0.5, 7, 7 } };
        double[] budget = { 15, 8 };
        double[,] x = BudgetOptimizer.Project(y, lower, upper, budget);
        for (int s = 0; s < 2; s++)
        {
            Assert.Equal(budget[s], x[s, 0] + x[s, 1] + x[s, 2], 12);
            for (int k = 0; k < 3; k++) Assert.InRange(x[s, k], lower[s, k], upper[s, k]);
        }
        Assert.Equal(12, x[0, 2], 12); // the largest coordinate stops at its bound...
        Assert.Equal(x[1, 1], x[1, 2], 12); // ...and equal coordinates stay equal
    }

    private static IEnumerable<int[]> Splits(int parts, int total)
    {
        if (parts == 1)
        {
            yield return new[] { total };
            yield break;
        }
        for (int first = 0; first <= total; first++)
        foreach (int[] rest in Splits(parts - 1, total - first)) yield return rest.Prepend(first).ToArray();
    }
}
