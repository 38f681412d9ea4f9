using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Persistence;
using Xunit.Abstractions;

namespace CausalMmm.Tests;

/// <summary>
/// A trend left to the data (<see cref="CausalMmmOptions.Trend"/> null): the statistic tells a baseline that climbs from
/// spend that climbs, and a fit turns the trend on for the first and leaves it off for a flat panel.
/// </summary>
public sealed class TrendChoiceTests(ITestOutputHelper output)
{
    private const int Shops = 8, Length = 120;

    /// <summary>
    /// gmv = 10 + 3 x0 + 0.5 x1 + baselineSlope t + noise, where x0 is on nine days in ten at a level that
    /// <paramref name="spendRamps"/> makes grow over the window; dated daily.
    /// </summary>
    private static NumericPanel Panel(double baselineSlope, bool spendRamps, bool dated = true, double spendUnit = 1)
    {
        var random = new Random(7);
        var values = new double[Shops * Length * 3];
        for (int s = 0; s < Shops; s++)
            for (int t = 0; t < Length; t++)
            {
                int row = (s * Length + t) * 3;
                double level = spendRamps ? 1 + 4.0 * t / Length : 3;
                values[row] = random.NextDouble() < 0.1 ? 0 : level * (0.8 + 0.4 * random.NextDouble());
                values[row + 1] = random.NextDouble() < 0.5 ? 0 : 2 * random.NextDouble();
                values[row + 2] = 10 + 3 * values[row] + 0.5 * values[row + 1] + baselineSlope * t + 0.3 * (random.NextDouble() - 0.5);
                // The same panel with spend counted in other units (cents, won): gmv is unchanged.
                values[row] *= spendUnit;
                values[row + 1] *= spendUnit;
            }
        DateOnly start = new(2024, 1, 1);
        return new NumericPanel(Enumerable.Range(0, Shops).Select(s => $"s{s}").ToArray(), new[] { "x0", "x1", "gmv" }, 2, values, Length,
            dates: dated ? Enumerable.Range(0, Length).Select(t => start.AddDays(t)).ToArray() : null);
    }

    /// <summary>The share of the target's variance a plain line through it explains, median over shops (what the statistic improves on).</summary>
    private static double PlainLineShare(NumericPanel panel)
    {
        var shares = new List<double>();
        for (int s = 0; s < panel.ShopCount; s++)
        {
            double[] y = Enumerable.Range(0, panel.Length).Select(t => panel[s, t, panel.TargetIndex]).ToArray();
            double[] time = Enumerable.Range(0, panel.Length).Select(t => (double)t).ToArray();
            double correlation = MathNet.Numerics.Statistics.Correlation.Pearson(time, y);
            shares.Add(correlation * correlation);
        }
        return shares.Order().ElementAt(shares.Count / 2);
    }

    [Fact]
    public void Spend_that_climbs_is_not_read_as_a_trend_but_a_baseline_that_climbs_is()
    {
        NumericPanel rampingSpend = Panel(baselineSlope: 0, spendRamps: true);
        NumericPanel climbingBaseline = Panel(baselineSlope: 0.03, spendRamps: false);
        double spendShare = LinearTrend.MedianTargetTrendShare(rampingSpend, 0, Length)!.Value;
        double baselineShare = LinearTrend.MedianTargetTrendShare(climbingBaseline, 0, Length)!.Value;
        double plain = PlainLineShare(rampingSpend);
        output.WriteLine($"ramping spend: trend share {spendShare:F3} (a plain line explains {plain:F3}); climbing baseline: {baselineShare:F3}");
        // GMV follows the spend up, so a plain line explains much of it; with the spend regressed out nothing is left to a line.
        Assert.True(plain > 0.3, $"the ramping spend should carry gmv up (plain line share {plain:F3})");
        Assert.True(spendShare < CausalMmmOptions.Defaults.TrendShareThreshold / 2, $"trend share {spendShare:F3} for spend that climbs over a flat baseline");
        Assert.True(baselineShare > 0.5, $"trend share {baselineShare:F3} for a baseline that climbs 3.6 over the window against noise of 0.3");
    }

    [Fact]
    public void The_statistic_does_not_depend_on_the_units_of_spend_and_needs_enough_steps_beyond_its_regressors()
    {
        foreach (double slope in new[] { 0.0, 0.03 })
        {
            double[] units = LinearTrend.TargetTrendShares(Panel(slope, spendRamps: true), 0, Length)!;
            double[] cents = LinearTrend.TargetTrendShares(Panel(slope, spendRamps: true, spendUnit: 1e4), 0, Length)!;
            double[] tiny = LinearTrend.TargetTrendShares(Panel(slope, spendRamps: true, spendUnit: 1e-4), 0, Length)!;
            for (int s = 0; s < Shops; s++)
            {
                Assert.Equal(units[s], cents[s], 6);
                Assert.Equal(units[s], tiny[s], 6);
            }
        }
        // Two given series at four lags and six weekday terms are 14 regressors: 14 + 1 + 30 steps after the first three.
        int shortest = 3 + 14 + 1 + LinearTrend.MinimumSpareRows;
        Assert.NotNull(LinearTrend.MedianTargetTrendShare(Panel(0.03, spendRamps: false), 0, shortest));
        Assert.Null(LinearTrend.MedianTargetTrendShare(Panel(0.03, spendRamps: false), 0, shortest - 1));
    }

    [Fact]
    public void A_fit_left_to_the_data_takes_a_trend_for_a_climbing_baseline_only_and_keeps_the_choice()
    {
        CausalMmmOptions Options(bool? trend) => new() { Epochs = 2, HiddenSize = 8, BatchSize = 4, ValidationFraction = 0, Trend = trend };

        using CausalMmmModel climbing = CausalMmmTrainer.Fit(Panel(baselineSlope: 0.03, spendRamps: false), Options(null));
        using CausalMmmModel flat = CausalMmmTrainer.Fit(Panel(baselineSlope: 0, spendRamps: true), Options(null));
        using CausalMmmModel forcedOff = CausalMmmTrainer.Fit(Panel(baselineSlope: 0.03, spendRamps: false), Options(false));
        using CausalMmmModel undated = CausalMmmTrainer.Fit(Panel(baselineSlope: 0.03, spendRamps: false, dated: false), Options(null));
        foreach (var (name, model, setting) in new[] { ("climbing", climbing, (bool?)null), ("flat", flat, null), ("forced off", forcedOff, false), ("undated", undated, null) })
            output.WriteLine($"{name}: {CausalTraining.TrendLine(model, setting)}");

        Assert.NotNull(climbing.TrendStart);
        Assert.True(climbing.Options.Trend, "the fitted model keeps the choice it made");
        Assert.True(climbing.Summary!.TrendShare >= CausalMmmOptions.Defaults.TrendShareThreshold);
        Assert.Contains("chosen from the data", CausalTraining.TrendLine(climbing, null));

        Assert.Null(flat.TrendStart);
        Assert.False(flat.Options.Trend);
        Assert.True(flat.Summary!.TrendShare < CausalMmmOptions.Defaults.TrendShareThreshold);

        // A forced setting is not second-guessed, and an undated panel has no time axis to choose on.
        Assert.Null(forcedOff.TrendStart);
        Assert.Null(forcedOff.Summary!.TrendShare);
        Assert.Equal("Trend: none (Trend off)", CausalTraining.TrendLine(forcedOff, false));
        using (CausalMmmModel forcedOn = CausalMmmTrainer.Fit(Panel(baselineSlope: 0, spendRamps: true), Options(true)))
        {
            Assert.NotNull(forcedOn.TrendStart);
            Assert.Null(forcedOn.Summary!.TrendShare);
            Assert.EndsWith("(Trend on)", CausalTraining.TrendLine(forcedOn, true));
        }
        Assert.Null(undated.TrendStart);
        Assert.Null(undated.Summary!.TrendShare);
        Assert.Contains("no dates", CausalTraining.TrendLine(undated, null));

        // The caller's options are left as given, and a saved model reads back with the choice and the statistic.
        CausalMmmOptions mine = Options(null);
        using CausalMmmModel fitted = CausalMmmTrainer.Fit(Panel(baselineSlope: 0.03, spendRamps: false), mine);
        Assert.Null(mine.Trend);
        var saved = new Dictionary<string, byte[]>();
        fitted.WriteTo(new ComponentStateWriter(saved, "m/"));
        using CausalMmmModel back = CausalMmmModel.ReadFrom(new ComponentStateReader(saved, "m/", 1));
        Assert.Equal(true, back.Options.Trend);
        Assert.Equal(fitted.TrendStart, back.TrendStart);
        Assert.Equal(fitted.Summary!.TrendShare, back.Summary!.TrendShare);
    }
}
