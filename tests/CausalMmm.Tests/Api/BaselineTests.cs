using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Planning;
using Microsoft.ML;
using Xunit.Abstractions;

namespace CausalMmm.Tests.Api;

/// <summary>
/// The baseline component: a panel whose target is a pure trend and weekly season, with channels that do nothing. Both
/// forecasters must forecast its holdout from the calendar, and give the channels no contribution.
/// </summary>
public sealed class BaselineTests(ITestOutputHelper output)
{
    private const int Shops = 8, Length = 126, History = 112;

    /// <summary>gmv = size * (10 + 0.02 t) * (1 + 0.15 sin(2 pi day-of-week / 7)) + small noise; x0 and x1 are spend gmv ignores.</summary>
    private static MarketingPanel Panel() => Panel(_ => 0.02, weekly: 0.15);

    /// <summary>
    /// gmv = size * (10 + slope(shop) t) * (1 + weekly sin(2 pi day-of-week / 7)) + small noise; x0 and x1 are spend gmv
    /// ignores.
    /// </summary>
    private static MarketingPanel Panel(Func<int, double> slope, double weekly)
    {
        var random = new Random(5);
        var variables = new List<PanelVariable>
        {
            new("x0", VariableRole.Channel), new("x1", VariableRole.Channel), new("gmv", VariableRole.Target), new("size", VariableRole.Context),
        };
        DateOnly start = new(2024, 3, 4);
        var series = new double[Shops * Length * 3];
        var context = new double[Shops];
        for (int s = 0; s < Shops; s++)
        {
            double size = 1 + 2 * random.NextDouble();
            context[s] = size;
            for (int t = 0; t < Length; t++)
            {
                int row = (s * Length + t) * 3;
                series[row] = random.NextDouble() < 0.3 ? 0 : size * 5 * random.NextDouble();
                series[row + 1] = random.NextDouble() < 0.3 ? 0 : size * 5 * random.NextDouble();
                double week = 1 + weekly * Math.Sin(2 * Math.PI * (start.AddDays(t).DayNumber % 7) / 7.0);
                series[row + 2] = size * (10 + slope(s) * t) * week + 0.05 * size * (random.NextDouble() - 0.5);
            }
        }
        DateOnly[] dates = Enumerable.Range(0, Length).Select(t => start.AddDays(t)).ToArray();
        return new MarketingPanel(Enumerable.Range(0, Shops).Select(i => $"s{i}").ToArray(), dates, variables, series, context);
    }

    private static (double Mape, ContributionReport Report) Holdout(MLContext ml, IEstimator<ITransformer> estimator, MarketingPanel? panel = null)
    {
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView all = PanelDataView.Create(panel ?? Panel());
        IDataView history = ml.Data.FilterRowsByColumn(all, "t", upperBound: History);
        ITransformer model = estimator.Fit(history);
        float[] score = MarketingData.Column(ml.Data.FilterRowsByColumn(model.Transform(all), "t", lowerBound: History), "Score");
        float[] truth = MarketingData.Column(ml.Data.FilterRowsByColumn(all, "t", lowerBound: History), "gmv");
        double mape = score.Zip(truth, (f, y) => Math.Abs(f - y) / y).Average();
        ContributionReport report = mmm.Planning.Contributions(model, history, mmm.Planning.RepeatLast(history, Length - History), new ContributionOptions { Samples = 0 });
        return (mape, report);
    }

    private static double ChannelShare(ContributionReport report) =>
        report.Daily.Sum(c => Math.Abs(c.Contribution)) / report.Decomposition.Sum(d => Math.Abs(d.Forecast));

    private static CausalMmmOptions Model(SeasonalBaseline seasonality)
    {
        CausalMmmOptions options = new CausalMmmOptions();
        // Batches of two shops: four steps an epoch, enough for the calendar weights to reach the season in 150 epochs.
        (options.Epochs, options.HiddenSize, options.BatchSize, options.ValidationFraction, options.Seasonality) = (150, 16, 2, 0, seasonality);
        options.Trend = true; // the panel's gmv climbs: a trend per shop carries that, the calendar terms the season
        return options;
    }

    [Fact]
    public void CausalMmm_forecasts_a_pure_trend_and_season_from_its_baseline_and_gives_idle_channels_no_contribution()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        (double mape, ContributionReport report) = Holdout(ml, mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Model(SeasonalBaseline.Auto) }));
        (double without, _) = Holdout(ml, mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Model(SeasonalBaseline.None) }));
        double share = ChannelShare(report);
        // Both with a trend per shop, which carries the trend; the calendar terms must carry the season.
        output.WriteLine($"CausalMMM holdout MAPE {mape:P2} with the seasonal baseline, {without:P2} without; channels' share {share:P2}");
        // 0.21% measured; the bound leaves room for other CPUs' numerics and fails if the baseline stops carrying the panel.
        Assert.True(mape < 0.005, $"holdout MAPE {mape:P2} with the seasonal baseline ({without:P2} without)");
        // Under the robust likelihood the recurrent part learns much of the weekly cycle on its own (MAPE 0.27% without
        // calendar terms against 2.86% under the fixed-variance one), so the calendar terms are asked to help, not to
        // carry all of it.
        Assert.True(mape < without, $"holdout MAPE {mape:P2} with the seasonal baseline against {without:P2} without: the calendar terms should help carry the season");
        Assert.True(share < 0.02, $"channels that do nothing get {share:P2} of the forecast");
    }

    [Fact]
    public void CausalMmm_with_a_trend_keeps_each_shops_climb_or_fall_past_the_origin()
    {
        // Half the shops climb, half fall, each at its own rate; no season, channels idle.
        MarketingPanel panel = Panel(s => (s % 2 == 0 ? 1 : -1) * (0.01 + 0.005 * s), weekly: 0);
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        CausalMmmOptions Trend(bool on)
        {
            CausalMmmOptions options = Model(SeasonalBaseline.None);
            options.Trend = on;
            return options;
        }
        (double mape, ContributionReport report) = Holdout(ml, mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Trend(true) }), panel);
        (double without, _) = Holdout(ml, mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = Trend(false) }), panel);
        double share = ChannelShare(report);
        output.WriteLine($"CausalMMM holdout MAPE {mape:P2} with the trend, {without:P2} without; channels' share {share:P2}");
        Assert.True(mape < 0.03, $"holdout MAPE {mape:P2} with the trend ({without:P2} without)");
        // Measured 1.85% against 4.14% on one CPU and 2.18% against 3.78% on another (an AMD EPYC): the trend takes at least
        // a third off the error on both; without it the recurrence carries part of each slope on its own.
        Assert.True(mape < 0.7 * without, $"holdout MAPE {mape:P2} with the trend against {without:P2} without: the trend should carry each shop's slope");
        Assert.True(share < 0.02, $"channels that do nothing get {share:P2} of the forecast");
    }

    [Fact]
    public void The_classic_chain_forecasts_the_same_panel_from_its_calendar_and_trend_terms()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IEstimator<ITransformer> Chain(RidgeEstimator.Options ridge) => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge(ridge));
        (double mape, ContributionReport report) = Holdout(ml, Chain(new RidgeEstimator.Options()));
        (double without, _) = Holdout(ml, Chain(new RidgeEstimator.Options { Seasonality = SeasonalBaseline.None, Trend = false }));
        output.WriteLine($"Chain holdout MAPE {mape:P2} with calendar and trend terms, {without:P2} without; channels' share {ChannelShare(report):P2}");
        // The season grows with the trend (the panel multiplies them) where the regression adds them: a little error remains.
        Assert.True(mape < 0.02, $"holdout MAPE {mape:P2} with calendar and trend terms ({without:P2} without)");
        Assert.True(mape < 0.3 * without, $"holdout MAPE {mape:P2} with calendar and trend terms against {without:P2} without");
        double share = ChannelShare(report);
        Assert.True(share < 0.02, $"channels that do nothing get {share:P2} of the forecast");
    }

    [Fact]
    public void Seasonal_terms_are_chosen_from_the_dates_and_a_model_with_them_refuses_a_panel_without_dates()
    {
        MarketingPanel panel = Panel();
        NumericPanel numeric = panel.ToNumeric();
        Assert.Equal(new SeasonalTerms(1, SeasonalTerms.WeekHarmonics, 0), SeasonalTerms.Choose(numeric, numeric.Length, SeasonalBaseline.Auto));
        Assert.Null(SeasonalTerms.Choose(numeric, numeric.Length, SeasonalBaseline.None));
        Assert.Null(SeasonalTerms.Choose(numeric, 20, SeasonalBaseline.Auto)); // under four weeks
        Assert.Equal(new SeasonalTerms(7, 0, SeasonalTerms.YearHarmonics), SeasonalTerms.Choose(7, 104, SeasonalBaseline.Auto)); // two years of weeks
        Assert.Equal(new SeasonalTerms(1, SeasonalTerms.WeekHarmonics, SeasonalTerms.YearHarmonics), SeasonalTerms.Choose(1, 728, SeasonalBaseline.Auto));
        Assert.Null(SeasonalTerms.Choose(7, 60, SeasonalBaseline.Auto));

        CausalMmmOptions options = Model(SeasonalBaseline.Auto);
        options.Epochs = 2;
        using CausalMmmModel model = CausalMmmTrainer.Fit(numeric, options);
        Assert.NotNull(model.Seasonal);
        var undated = new NumericPanel(numeric.ShopIds, numeric.NodeNames, numeric.ChannelCount, numeric.Values.ToArray(), numeric.Length, numeric.ContextNames, numeric.ContextValues.ToArray());
        var error = Assert.Throws<ArgumentException>(() => model.Forecast(undated, numeric.Length, 3));
        Assert.Contains("no dates", error.Message);
        Assert.Equal(3, model.Forecast(numeric, numeric.Length, 3)[0].GetLength(0));
    }
}
