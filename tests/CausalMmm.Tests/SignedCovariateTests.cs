using CausalMmm.Simulation;
using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using Xunit.Abstractions;

namespace CausalMmm.Tests;

/// <summary>
/// A covariate that lowers the target on its day (a price): with <see cref="CausalMmmOptions.SignedCovariates"/> its
/// same-day edge responds linearly with a gain of either sign, so a plan that raises the price lowers the forecast, as
/// the channels' non-negative Hill curves cannot say.
/// </summary>
public sealed class SignedCovariateTests(ITestOutputHelper output)
{
    private const int Shops = 8, Length = 100, Horizon = 14;

    /// <summary>sales = 20 + 6 x0 / (x0 + 2) - 2 (price - 5) + noise, price stepping between 5, 6 and 7 every week or so.</summary>
    private static NumericPanel Panel()
    {
        var random = new Random(3);
        var values = new double[Shops * Length * 3];
        for (int s = 0; s < Shops; s++)
        {
            double price = 5;
            for (int t = 0; t < Length; t++)
            {
                int row = (s * Length + t) * 3;
                if (t % 7 == 0) price = 5 + random.Next(3);
                double spend = random.NextDouble() < 0.4 ? 0 : 4 * (0.5 + random.NextDouble());
                values[row] = spend;
                values[row + 1] = price;
                values[row + 2] = 20 + 6 * spend / (spend + 2) - 2 * (price - 5) + 0.2 * (random.NextDouble() - 0.5);
            }
        }
        DateOnly start = new(2024, 1, 1);
        return new NumericPanel(Enumerable.Range(0, Shops).Select(s => $"s{s}").ToArray(), new[] { "x0", "price", "sales" }, 2, values, Length,
            dates: Enumerable.Range(0, Length).Select(t => start.AddDays(t)).ToArray()) { CovariateCount = 1 };
    }

    /// <summary>The summed forecast of sales over the horizon when every shop spends 3 a day at <paramref name="price"/>.</summary>
    private static double Forecast(CausalMmmModel model, NumericPanel panel, double price)
    {
        var plan = Enumerable.Range(0, Shops).Select(_ =>
        {
            var steps = new double[Horizon, 2];
            for (int h = 0; h < Horizon; h++) (steps[h, 0], steps[h, 1]) = (3, price);
            return steps;
        }).ToArray();
        return model.ForecastScenario(panel, panel.Length, plan).Sum(f => Enumerable.Range(0, Horizon).Sum(h => f[h, 2]));
    }

    [Fact]
    public void A_price_that_lowers_sales_gets_a_negative_gain_and_a_higher_planned_price_lowers_the_forecast()
    {
        NumericPanel panel = Panel();
        // The signed response is measured on the price as it is, not reflected.
        var options = new CausalMmmOptions { Epochs = 150, HiddenSize = 8, BatchSize = 4, ValidationFraction = 0, Trend = false, SignedCovariates = true, ReflectCovariates = false };
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        ResponseCurveParameters priceEdge = model.Network.Decoder.CurveParameters().Single(c => c.Sender == 1 && c.Receiver == 2);
        ResponseCurveParameters spendEdge = model.Network.Decoder.CurveParameters().Single(c => c.Sender == 0 && c.Receiver == 2);
        double atFive = Forecast(model, panel, 5), atSeven = Forecast(model, panel, 7);
        double drop = (atFive - atSeven) / (Shops * Horizon), truth = 2 * 2;
        output.WriteLine($"price edge: gain {priceEdge.Gain:F3}, half-saturation {priceEdge.HalfSaturation}; spend edge gain {spendEdge.Gain:F3}, shape {spendEdge.Shape:F2}; "
            + $"forecast drop per shop-day from price 5 to 7: {drop:F2} (truth {truth})");
        Assert.True(priceEdge.Gain < 0, $"the price's same-day gain should be negative, got {priceEdge.Gain}");
        Assert.True(double.IsNaN(priceEdge.HalfSaturation) && double.IsNaN(priceEdge.Shape), "a covariate's linear response has no Hill curve");
        Assert.True(spendEdge.Gain > 0 && !double.IsNaN(spendEdge.Shape), "a channel keeps its Hill curve");
        Assert.True(drop > 0.4 * truth, $"raising the planned price from 5 to 7 should lower sales by about {truth} a day, got {drop:F2}");

        // The signed gains and which edges have them travel with a saved model.
        var saved = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(saved, "m/"));
        using CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1));
        Assert.Equal((true, 1), (back.Options.SignedCovariates, back.Options.CovariateSenders));
        Assert.Equal(model.Network.Decoder.CurveParameters(), back.Network.Decoder.CurveParameters());
        Assert.Equal(atSeven, Forecast(back, panel, 7), 6);

        // A file that counts every given series as a covariate (no channel left) is refused, not read as all-linear.
        var json = System.Text.Json.Nodes.JsonNode.Parse(saved["m/model.json"])!.AsObject();
        json["Options"]!["CovariateSenders"] = 2;
        saved["m/model.json"] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        var refused = Assert.ThrowsAny<InvalidDataException>(() => CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1)).Dispose());
        Assert.Contains("covariates", refused.Message);
    }

    [Fact]
    public void A_price_that_lowers_sales_enters_reflected_and_a_higher_planned_price_lowers_the_forecast()
    {
        NumericPanel panel = Panel();
        // The choice reads the data: price against sales is negative in every shop; spend is a channel, never reflected.
        Assert.Equal(new[] { true }, CausalMmmTrainer.CovariatesLoweringTarget(panel, 0, Length));
        NumericPanel promotion = panel.WithValues(v =>
        {
            for (int s = 0; s < Shops; s++)
            for (int t = 0; t < Length; t++) v[(s * Length + t) * 3 + 1] = 12 - v[(s * Length + t) * 3 + 1]; // a covariate that raises sales
        });
        Assert.Null(CausalMmmTrainer.CovariatesLoweringTarget(promotion, 0, Length));

        var options = new CausalMmmOptions { Epochs = 150, HiddenSize = 8, BatchSize = 4, ValidationFraction = 0, Trend = false }; // reflection is the default
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
        Assert.Equal(new[] { true }, model.Options.ReflectedCovariates);
        string line = CausalTraining.CovariatesLine(model)!;
        output.WriteLine(line);
        Assert.Contains("price reflected (it lowers the target: correlation with the target -", line);
        // Reflected: the window's highest price scales to 0, its lowest to 1, and unscaling undoes it.
        PanelScaling scaling = model.MeasureScaling(panel, 0, Length);
        Assert.Equal((0.0, 1.0), (scaling.Scale(0, 1, 7), scaling.Scale(0, 1, 5)));
        Assert.Equal(6.0, scaling.Unscale(0, 1, scaling.Scale(0, 1, 6)), 9);
        Assert.Equal(0.0, scaling.Scale(0, 0, 0)); // spend still from zero
        double atFive = Forecast(model, panel, 5), atSeven = Forecast(model, panel, 7);
        double drop = (atFive - atSeven) / (Shops * Horizon), truth = 2 * 2;
        output.WriteLine($"reflected price: forecast drop per shop-day from price 5 to 7: {drop:F2} (truth {truth})");
        Assert.True(drop > 0.4 * truth, $"raising the planned price from 5 to 7 should lower sales by about {truth} a day, got {drop:F2}");

        // The choice travels with a saved model, and a file whose flags do not match its covariates is refused.
        var saved = new Dictionary<string, byte[]>();
        model.WriteTo(new ComponentStateWriter(saved, "m/"));
        using (CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1)))
        {
            Assert.Equal(new[] { true }, back.Options.ReflectedCovariates);
            Assert.Equal(atSeven, Forecast(back, panel, 7), 6);
        }
        var json = System.Text.Json.Nodes.JsonNode.Parse(saved["m/model.json"])!.AsObject();
        json["Options"]!["ReflectedCovariates"] = new System.Text.Json.Nodes.JsonArray(true, false);
        saved["m/model.json"] = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        var refused = Assert.ThrowsAny<InvalidDataException>(() => CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1)).Dispose());
        Assert.Contains("reflects 2 covariates", refused.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_forecaster_keeps_a_covariates_same_day_edge_on_though_its_graph_has_none(bool kept)
    {
        NumericPanel panel = Panel();
        // The given graph has spend -> sales, on the day and lagged, and no edge at all out of the price.
        using var edges = new EdgeIndex(3, givenCount: 2, sameDay: true, sameDayMediators: true);
        var weights = new float[edges.TotalEdgeCount];
        weights[edges.Of(0, 2)] = 1;
        weights[edges.EdgeCount + edges.SameDayOf(0, 2)] = 1;
        float[][] graph = Enumerable.Range(0, Shops).Select(_ => (float[])weights.Clone()).ToArray();
        var options = new CausalMmmOptions { Epochs = 150, HiddenSize = 8, BatchSize = 4, ValidationFraction = 0, Trend = false, CovariateEdgesOn = kept };
        Assert.False(new CausalMmmOptions().CovariateEdgesOn, "an experiment, off by default");
        using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options, graph, progress: null, default);
        double Sales(double price)
        {
            var plan = Enumerable.Range(0, Shops).Select(_ =>
            {
                var steps = new double[Horizon, 2];
                for (int h = 0; h < Horizon; h++) (steps[h, 0], steps[h, 1]) = (3, price);
                return steps;
            }).ToArray();
            return model.Predict(panel, panel.Length, Horizon, plan, graph).Forecast.Sum(f => Enumerable.Range(0, Horizon).Sum(h => f[h, 2]));
        }
        double drop = (Sales(5) - Sales(7)) / (Shops * Horizon), truth = 2 * 2;
        Assert.All(graph, shop => Assert.Equal(weights, shop)); // the caller's graph is read, never overwritten
        output.WriteLine($"covariate edges {(kept ? "kept on" : "gated by the graph")}: forecast drop per shop-day from price 5 to 7: {drop:F3} (truth {truth})");
        if (kept) Assert.True(drop > 0.4 * truth, $"with the price's edge kept on, raising it from 5 to 7 should lower sales by about {truth} a day, got {drop:F3}");
        else Assert.True(Math.Abs(drop) < 1e-3, $"gated by a graph without the price's edges, the planned price should not move the forecast, got {drop:F3} a day");
    }

    [Fact]
    public void The_simulators_promotions_raise_the_target_so_no_benchmark_panel_reflects_them()
    {
        // The planning, demo, Quickstart and drifting panels: every configuration keeps its promotions as they are, so
        // the reflection leaves their figures where they were.
        var configurations = new (string Name, Func<int, MarketingSimulationOptions> Make)[]
        {
            ("demo", seed => new MarketingSimulationOptions { Shops = 20, Length = 150, Seed = seed }),
            ("planning", seed => new MarketingSimulationOptions { Shops = 40, Length = 182, Seed = seed }),
            ("drifting", seed => new MarketingSimulationOptions { Shops = 40, Length = 182, Seed = seed, LevelDrift = 0.01, Trend = 0.002, YearlySeasonality = 0.15 }),
            ("weekly", seed => new MarketingSimulationOptions { Shops = 20, Length = 109, Seed = seed, Frequency = SimulationFrequency.Weekly }),
        };
        foreach ((string name, Func<int, MarketingSimulationOptions> make) in configurations)
        for (int seed = 1; seed <= 5; seed++)
        {
            NumericPanel panel = MarketingSimulator.Simulate(make(seed)).Panel.ToNumeric();
            Assert.Equal(1, panel.CovariateCount);
            double[] r = CausalMmmTrainer.CovariateCorrelations(panel, 0, panel.Length);
            Assert.True(r[0] > 0.05, $"{name} seed {seed}: the promotion's correlation with gmv is {r[0]:F3}");
            Assert.Null(CausalMmmTrainer.CovariatesLoweringTarget(panel, 0, panel.Length));
        }
    }
}
