using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Planning;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace CausalMmm.Tests.Api;

/// <summary>
/// Same-day paths through mediators: a channel that moves page views, which move GMV on the same day, with no edge of its
/// own into GMV; a channel that moves nothing; a promotion known in advance.
/// </summary>
public sealed class MediatedPathTests
{
    private const int Shops = 8, Length = 90, Days = 7;
    private static readonly string[] Nodes = { "x0", "x1", "promo", "pv", "gmv" };

    /// <summary>
    /// x0 -> pv -> gmv on the same day (adstock and a concave curve into pv, linear pv -> gmv), x1 spends in bursts and
    /// drives nothing, promo (0/1) raises gmv; context0 scales the shop. Page views also move with organic traffic of their
    /// own (an AR(1) that no channel drives), as real page views do, which GMV follows too.
    /// </summary>
    internal static MarketingPanel ChainPanel(int shops = Shops, int length = Length, int seed = 3)
    {
        var random = new Random(seed);
        var variables = new[]
        {
            new PanelVariable("x0", VariableRole.Channel), new PanelVariable("x1", VariableRole.Channel), new PanelVariable("promo", VariableRole.Covariate),
            new PanelVariable("pv", VariableRole.Mediator), new PanelVariable("gmv", VariableRole.Target), new PanelVariable("context0", VariableRole.Context),
        };
        var series = new double[shops * length * 5];
        var context = new double[shops];
        for (int s = 0; s < shops; s++)
        {
            double size = 1 + random.NextDouble();
            context[s] = size;
            bool on0 = true, on1 = true;
            double adstock = 0, organic = 0;
            for (int t = 0; t < length; t++)
            {
                if (random.NextDouble() < 0.15) on0 = !on0;
                if (random.NextDouble() < 0.15) on1 = !on1;
                double x0 = on0 ? size * (50 + 50 * random.NextDouble()) : 0, x1 = on1 ? size * (50 + 50 * random.NextDouble()) : 0;
                double promo = random.NextDouble() < 0.1 ? 1 : 0;
                adstock = 0.7 * x0 + 0.3 * adstock;
                organic = 0.7 * organic + 0.3 * Gaussian(random);
                double pv = size * 100 * (1.5 + organic + 1.5 * (1 - Math.Exp(-adstock / (60 * size)))) * (1 + 0.05 * Gaussian(random));
                double gmv = (size * 50 + 1.5 * pv + size * 60 * promo) * (1 + 0.02 * Gaussian(random));
                int row = (s * length + t) * 5;
                (series[row], series[row + 1], series[row + 2], series[row + 3], series[row + 4]) = (Math.Round(x0, 2), Math.Round(x1, 2), promo, pv, gmv);
            }
        }
        DateOnly[] dates = Enumerable.Range(0, length).Select(t => new DateOnly(2024, 1, 1).AddDays(t)).ToArray();
        return new MarketingPanel(Enumerable.Range(0, shops).Select(i => $"s{i}").ToArray(), dates, variables, series, context);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static CausalMmmOptions Small(int epochs, bool graph = false)
    {
        CausalMmmOptions options = graph ? CausalMmmOptions.ForGraphEstimator() : new CausalMmmOptions();
        (options.Epochs, options.HiddenSize, options.BatchSize, options.LearningRate) = (epochs, 16, 4, 5e-3);
        return options;
    }

    [Fact]
    public void A_same_day_chain_through_a_mediator_is_learned_and_a_plan_moves_the_target_on_the_day()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = PanelDataView.Create(ChainPanel());
        ITransformer model = mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = Small(200, graph: true) })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Small(80) })).Fit(history);

        // The mediator's same-day edge into the target is learned.
        var graph = (CausalGraphTransformer)((IEnumerable<ITransformer>)model).First();
        CausalGraphSet graphs = graph.Graphs(history);
        double[] pvToGmv = graphs.ShopIds.Select(id => graphs.SameDayProbability(id, "pv", "gmv")).ToArray();
        Assert.True(pvToGmv.Average() >= 0.8, $"pv -> gmv (same day) should be learned: {string.Join(", ", pvToGmv.Select(p => p.ToString("0.00")))}");

        // x0's contribution flows through page views.
        MediaPlan plan = mmm.Planning.RepeatLast(history, Days);
        ContributionReport contributions = mmm.Planning.Contributions(model, history, plan, new ContributionOptions { Samples = 0 });
        ChannelContribution x0 = contributions.Totals.Single(t => t.ShopId == Planning.ResponseCurveSet.AllShops && t.Channel == "x0");
        Assert.True(x0.Contribution > 0, $"x0 should add gmv: {x0.Contribution}");
        Assert.True(x0.Mediated / x0.Contribution >= 0.9, $"x0 acts only through pv, so at least 90% of its contribution is mediated: {x0.Mediated / x0.Contribution:P1}; "
            + $"x0 -> gmv same day {string.Join(", ", graphs.ShopIds.Select(id => graphs.SameDayProbability(id, "x0", "gmv").ToString("0.00")))}, lagged {string.Join(", ", graphs.ShopIds.Select(id => graphs[id][0, 4].ToString("0.00")))}, x0 -> pv {string.Join(", ", graphs.ShopIds.Select(id => graphs.SameDayProbability(id, "x0", "pv").ToString("0.00")))}, pv -> gmv {string.Join(", ", pvToGmv.Select(p => p.ToString("0.000")))}");

        // Doubling x0 raises gmv on the plan's first day already: the day's page views carry it.
        double FirstDay(MediaPlan p) => ml.Data.FilterRowsByColumn(model.Transform(p.AppendTo(history)), "t", lowerBound: Length, upperBound: Length + 1)
            .GetColumn<float>("Score").Sum(v => (double)v);
        Assert.True(FirstDay(plan.Scale("x0", 2)) > FirstDay(plan) * 1.005, $"doubling x0 should raise the first day's gmv: {FirstDay(plan)} then {FirstDay(plan.Scale("x0", 2))}");
        (model as IDisposable)?.Dispose();
    }

    [Fact]
    public void A_promotion_in_the_plan_moves_the_forecast_and_zeroing_a_channel_without_a_path_changes_nothing()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = PanelDataView.Create(ChainPanel());
        // The true graph: x0 -> pv and pv -> gmv on the same day, promo -> pv and gmv, and x1 connected to nothing.
        var lagged = new double[5, 5];
        var sameDay = new double[5, 5];
        lagged[3, 4] = lagged[0, 3] = 1;
        sameDay[0, 3] = sameDay[3, 4] = sameDay[2, 3] = sameDay[2, 4] = 1;
        CausalGraphSet truth = CausalGraphSet.Shared(Nodes, lagged, Enumerable.Range(0, Shops).Select(i => $"s{i}"), sameDay);
        using MarketingResponseTransformer model = mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Small(40) with { CovariateEdgesOn = true }, Graph = truth }).Fit(history);
        Assert.False(model.Model.Options.CovariateEdgesOn, "a supplied graph is taken as it is, its covariates' edges included");

        MediaPlan plan = mmm.Planning.RepeatLast(history, Days);
        float[] Forecast(MediaPlan p) => ml.Data.FilterRowsByColumn(model.Transform(p.AppendTo(history)), "t", lowerBound: Length).GetColumn<float>("Score").ToArray();
        float[] planned = Forecast(plan);
        Assert.Equal(planned, Forecast(plan.Scale("x1", 0)));
        // x0 carries a large share of page views, so cutting it must cost a visible share of gmv, not a rounding error.
        double plannedTotal = planned.Sum(v => (double)v), withoutX0 = Forecast(plan.Scale("x0", 0)).Sum(v => (double)v);
        Assert.True(withoutX0 < plannedTotal * 0.98, $"zeroing x0 should lower the forecast by more than 2%: {plannedTotal} planned, {withoutX0} without x0");

        MediaPlan Promotion(double value) => new(plan.Roles, plan.ShopIds.ToDictionary(id => id, id =>
        {
            double[,] p = plan[id];
            for (int h = 0; h < Days; h++) p[h, 2] = value;
            return p;
        }));
        double withPromo = Forecast(Promotion(1)).Sum(v => (double)v), withoutPromo = Forecast(Promotion(0)).Sum(v => (double)v);
        Assert.True(withPromo > withoutPromo * 1.01, $"a promotion on every planned day should raise the forecast: {withoutPromo} without, {withPromo} with");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_same_day_graph_is_acyclic_whatever_the_edge_weights(bool centred)
    {
        // Given series 0-1, mediators 2-3, target 4.
        using var edges = new EdgeIndex(5, givenCount: 2, sameDay: true, sameDayMediators: true);
        Assert.Equal(2 * 3 + 3, edges.SameDayEdgeCount); // 2 x (2 mediators + target) from the given series; 2 -> 3, 2 -> 4, 3 -> 4
        Assert.Equal(3, edges.MediatorSameDayEdgeCount);
        for (int e = 0; e < edges.SameDayEdgeCount; e++) Assert.True(edges.SameDaySenders[e] < edges.SameDayReceivers[e], $"same-day edge {e} runs backwards");

        CausalMmmOptions options = new CausalMmmOptions();
        (options.HiddenSize, options.CentredMediatorEdges) = (4, centred);
        using var decoder = new MarketingResponseDecoder(edges, 1, options);
        Assert.True(decoder.HasMediatorEdges);
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        // Whatever the encoder says: edge weights anywhere in [0, 1] (and beyond, as shop gains make them).
        Tensor weights = rand(3, edges.TotalEdgeCount) * 3;
        Tensor unsettled = randn(3, 1, 5);
        Tensor? anchors = centred ? rand(3, 5) : null; // the window means the centred edges measure their senders from
        Assert.Equal(centred, decoder.CentresMediators);
        Tensor settled = decoder.Settle(unsettled, weights, anchors);
        // The day's equations hold: every node is its own part plus what the mediators before it send.
        Assert.True(settled.allclose(unsettled + decoder.MediatorTerms(settled, weights, anchors), rtol: 1e-5, atol: 1e-6));
        if (anchors is not null)
        {
            // Centred: a mediator at its anchor sends nothing, so the later nodes keep their own parts.
            Tensor atAnchors = unsettled.clone();
            atAnchors.narrow(2, 2, 2).copy_(anchors.narrow(1, 2, 2).unsqueeze(1));
            Assert.True(decoder.MediatorTerms(atAnchors, weights, anchors).abs().max().item<float>() < 1e-6, "a mediator at its window mean should send nothing");
        }
        // Nothing flows back: moving the target's own part leaves every mediator as it was; moving the second mediator's
        // leaves the first as it was and moves the target; moving the first mediator's moves both later nodes.
        Tensor Moved(int node)
        {
            Tensor moved = unsettled.clone();
            moved.narrow(2, node, 1).add_(10);
            return decoder.Settle(moved, weights, anchors);
        }
        Tensor target = Moved(4), second = Moved(3), first = Moved(2);
        Assert.True(target.narrow(2, 0, 4).allclose(settled.narrow(2, 0, 4)), "the target's part moved a mediator");
        Assert.True(second.narrow(2, 0, 3).allclose(settled.narrow(2, 0, 3)), "the second mediator's part moved the first mediator");
        Assert.False(second.narrow(2, 4, 1).allclose(settled.narrow(2, 4, 1)), "the target should follow the second mediator");
        Assert.True(first.narrow(2, 0, 2).allclose(settled.narrow(2, 0, 2)), "a mediator moved a given series");
        Assert.False(first.narrow(2, 3, 2).allclose(settled.narrow(2, 3, 2)), "the second mediator and the target should follow the first");
    }
}
