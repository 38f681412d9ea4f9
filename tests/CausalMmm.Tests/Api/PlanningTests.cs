using CausalMmm.Forecasting;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

public sealed class PlanningTests
{
    [Fact]
    public void Scenario_forecasts_follow_the_media_plan_through_any_fitted_pipeline()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = MarketingData.View();
        var classic = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history);
        MediaPlan baseline = mmm.Planning.RepeatLast(history, 14);
        MediaPlan doubled = baseline.ScaleChannels(2.0);
        Assert.Equal(2 * baseline.Total("x1"), doubled.Total("x1"), 9);
        Assert.Equal(baseline.Total("x0"), baseline.Scale("x1", 3).Total("x0"));

        IDataView planned = doubled.AppendTo(history);
        DataFrame frame = planned.ToDataFrame(-1, "shop_id", "t", "x1", "gmv");
        Assert.Equal(6 * 74, frame.Rows.Count);
        Assert.Equal(doubled["s0"][0, 1], (float)frame["x1"][60], 5); // the plan's first date of shop s0
        Assert.True(float.IsNaN((float)frame["gmv"][60]));

        double Gmv(ITransformer model, MediaPlan plan) =>
            ml.Data.FilterRowsByColumn(model.Transform(plan.AppendTo(history)), "t", lowerBound: 60).GetColumn<float>("Score").Sum(v => (double)v);
        double gmvBaseline = Gmv(classic, baseline), gmvDoubled = Gmv(classic, doubled);
        Assert.True(gmvDoubled > gmvBaseline, $"doubling spend should raise GMV where every channel helps: {gmvBaseline} vs {gmvDoubled}");

        using MarketingResponseTransformer causal = mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = EstimatorTests.Tiny() }).Fit(history);
        PanelPrediction prediction = causal.Predict(planned);
        Assert.Equal(60, prediction.Origin); // the first date whose gmv is missing
        double[] x1 = prediction.Series("s0", "x1");
        for (int h = 0; h < 14; h++) Assert.Equal(doubled["s0"][h, 1], x1[60 + h], 4);
        Assert.All(prediction.Series("s0", "gmv").Skip(60), v => Assert.True(double.IsFinite(v)));
        Assert.All(MarketingData.Column(ml.Data.FilterRowsByColumn(causal.Transform(planned), "t", lowerBound: 60), "Score"), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void A_plan_must_cover_every_shop_and_hold_finite_spends()
    {
        var ml = new MLContext(seed: 1);
        IDataView history = MarketingData.View();
        MediaPlan plan = ml.CausalMmm().Planning.RepeatLast(history, 7);
        var bad = new Dictionary<string, double[,]> { ["s0"] = new double[7, 3] };
        bad["s0"][2, 1] = double.NaN;
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => new MediaPlan(plan.Roles, bad)).Message);
        var partial = new MediaPlan(plan.Roles, new Dictionary<string, double[,]> { ["s0"] = new double[7, 3] });
        Assert.Contains("'s1'", Assert.Throws<ArgumentException>(() => partial.AppendTo(history)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.CausalMmm().Planning.RepeatLast(history, 61));
        Assert.Contains("'tv'", Assert.Throws<ArgumentException>(() => plan.Scale("tv", 2)).Message);
    }
}
