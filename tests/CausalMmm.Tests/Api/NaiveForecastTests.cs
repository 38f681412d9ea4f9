using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

/// <summary>The naive forecasts every model is compared with, against values computed by hand.</summary>
public sealed class NaiveForecastTests
{
    // Two shops, ten days: a's target climbs 1..10, b's alternates. The last three days are the holdout.
    private static readonly float[] ShopA = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    private static readonly float[] ShopB = { 5, 1, 5, 1, 5, 1, 5, 1, 5, 1 };

    private static DataFrame Panel(bool labelMissingInHoldout = false) => new(
        new StringDataFrameColumn("shop_id", Enumerable.Repeat("a", 10).Concat(Enumerable.Repeat("b", 10))),
        new PrimitiveDataFrameColumn<DateTime>("date", Enumerable.Range(0, 20).Select(i => new DateTime(2024, 1, 1).AddDays(i % 10))),
        new SingleDataFrameColumn("t", Enumerable.Range(0, 20).Select(i => (float)(i % 10))),
        new SingleDataFrameColumn("x0", Enumerable.Range(0, 20).Select(i => (float)(i % 3))),
        new SingleDataFrameColumn("gmv", ShopA.Concat(ShopB).Select((v, i) => labelMissingInHoldout && i % 10 >= 7 ? float.NaN : v)));

    private static float[] Scores(NaiveForecastEstimator.Options options, bool labelMissingInHoldout = false)
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView all = Panel(labelMissingInHoldout);
        IDataView history = ml.Data.FilterRowsByColumn(all, "t", upperBound: 7);
        NaiveForecastTransformer naive = mmm.Forecasting.Trainers.Naive(options).Fit(history);
        return naive.Transform(all).GetColumn<float>("Score").ToArray();
    }

    [Fact]
    public void Naive_forecasts_match_a_hand_computation_inside_the_history_and_over_the_holdout()
    {
        // Last value: one step ahead inside the history (NaN on the first day), then the last history day (day 7) repeated.
        float[] last = Scores(new NaiveForecastEstimator.Options { Method = NaiveMethod.LastValue });
        Assert.Equal(new[] { float.NaN, 1, 2, 3, 4, 5, 6, 7, 7, 7, float.NaN, 5, 1, 5, 1, 5, 1, 5, 5, 5 }, last);

        // Seasonal naive with seasons of 2 days: the value two days earlier, then the last season (days 6 and 7) repeated.
        float[] seasonal = Scores(new NaiveForecastEstimator.Options { Method = NaiveMethod.SeasonalNaive, SeasonLength = 2 });
        Assert.Equal(new[] { float.NaN, float.NaN, 1, 2, 3, 4, 5, 6, 7, 6, float.NaN, float.NaN, 5, 1, 5, 1, 5, 1, 5, 1 }, seasonal);

        // Recent mean of 3 days: inside the history the mean of up to 3 days before; over the holdout that of days 5-7.
        float[] recent = Scores(new NaiveForecastEstimator.Options { Method = NaiveMethod.RecentMean, RecentWindow = 3 });
        Assert.Equal(new[] { float.NaN, 1, 1.5f, 2, 3, 4, 5, 6, 6, 6 }, recent.Take(10));
        Assert.Equal(new[] { 7f / 3, 11f / 3, 11f / 3, 11f / 3 }, recent.Skip(16), new FloatTolerance(1e-6f));

        // A holdout whose label is missing (dates to forecast) forecasts the same way.
        Assert.Equal(last.Skip(7).Take(3), Scores(new NaiveForecastEstimator.Options { Method = NaiveMethod.LastValue }, labelMissingInHoldout: true).Skip(7).Take(3));
    }

    [Fact]
    public void The_season_and_window_come_from_the_dates_spacing_and_a_history_shorter_than_a_season_is_refused()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        NaiveForecastTransformer daily = mmm.Forecasting.Trainers.Naive(NaiveMethod.SeasonalNaive).Fit(Panel());
        Assert.Equal((7, 28), (daily.SeasonLength, daily.RecentWindow));
        IDataView shortHistory = ml.Data.FilterRowsByColumn(Panel(), "t", upperBound: 5);
        var error = Assert.Throws<ArgumentException>(() => mmm.Forecasting.Trainers.Naive(NaiveMethod.SeasonalNaive).Fit(shortHistory));
        Assert.Contains("needs at least one season of history", error.Message);
        Assert.Contains("5 dates", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => mmm.Forecasting.Trainers.Naive(new NaiveForecastEstimator.Options { SeasonLength = 0 }));
    }

    [Fact]
    public void The_last_value_forecast_has_a_mase_of_one_and_round_trips_through_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView all = Panel();
        NaiveForecastTransformer naive = mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue).Fit(ml.Data.FilterRowsByColumn(all, "t", upperBound: 7));
        ForecastEvaluation e = mmm.Forecasting.Evaluate(naive.Transform(all), new DateTime(2024, 1, 8));
        Assert.Equal(1.0, e.Mase, 12);

        string path = Path.Combine(Path.GetTempPath(), $"naive-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveCausalMmm(naive, all.Schema, path);
            NaiveForecastTransformer loaded = new MLContext().Model.LoadCausalMmm<NaiveForecastTransformer>(path, out _).LastTransformer;
            Assert.Equal((naive.Method, naive.SeasonLength, naive.RecentWindow, naive.HistoryEnd), (loaded.Method, loaded.SeasonLength, loaded.RecentWindow, loaded.HistoryEnd));
            Assert.Equal(naive.Transform(all).GetColumn<float>("Score"), loaded.Transform(all).GetColumn<float>("Score"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
