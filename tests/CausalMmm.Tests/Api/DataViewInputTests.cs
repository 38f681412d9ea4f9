using CausalMmm.Data;
using CausalMmm.Transforms;
using Microsoft.Data.Analysis;
using Microsoft.ML;

namespace CausalMmm.Tests.Api;

/// <summary>The CSV loader's checks also run on any IDataView input, with errors that name the shop, date, column and value.</summary>
public sealed class DataViewInputTests
{
    private static DataFrame Frame() => (DataFrame)MarketingData.View(shops: 3, length: 20);

    private static PanelDataException FitFails(IDataView data, AdstockEstimator.Options? options = null)
    {
        var estimator = new MLContext(seed: 1).CausalMmm().Transforms.Adstock(options ?? new AdstockEstimator.Options());
        return Assert.Throws<PanelDataException>(() => estimator.Fit(data));
    }

    [Fact]
    public void A_duplicate_shop_and_date_is_refused_naming_both_rows()
    {
        DataFrame frame = Frame();
        DataFrame duplicated = frame.Append(new[] { frame.Rows[25] }); // s1, 2024-01-06 again
        PanelDataException error = FitFails(duplicated);
        Assert.Contains("Duplicate date", error.Message);
        Assert.Equal("s1", error.Shop);
        Assert.Equal(new DateOnly(2024, 1, 6), error.Date);
        Assert.Equal(61, error.Row);
        Assert.Contains("row 26", error.Message);
    }

    [Fact]
    public void A_missing_date_names_the_shop_and_the_gap()
    {
        DataFrame frame = Frame();
        DataFrame gap = frame.Filter(new PrimitiveDataFrameColumn<bool>("keep", Enumerable.Range(0, (int)frame.Rows.Count).Select(r => r != 47)));
        PanelDataException error = FitFails(gap);
        Assert.Contains("2024-01-08 is missing", error.Message);
        Assert.Equal("s2", error.Shop);
    }

    [Fact]
    public void Nan_names_shop_date_column_and_value()
    {
        DataFrame frame = Frame();
        frame["x1"][44] = float.NaN; // s2, 2024-01-05
        PanelDataException error = FitFails(frame);
        Assert.Equal("x1", error.Column);
        Assert.Equal("NaN", error.Value);
        Assert.Equal("s2", error.Shop);
        Assert.Equal(new DateOnly(2024, 1, 5), error.Date);
        Assert.Contains("finite", error.Message);
        Assert.Contains("shop 's2', date 2024-01-05, column 'x1', value 'NaN'", error.Message);
    }

    [Fact]
    public void Negative_spend_is_refused_unless_the_column_is_unconstrained()
    {
        DataFrame frame = Frame();
        frame["x2"][3] = -4f;
        PanelDataException error = FitFails(frame);
        Assert.Contains("negative", error.Message);
        Assert.Contains("unconstrained", error.Message);
        Assert.Equal("-4", error.Value);
        var allowed = new MLContext(seed: 1).CausalMmm().Transforms.Adstock(new AdstockEstimator.Options { UnconstrainedColumnNames = new[] { "x2" } }).Fit(frame);
        Assert.Equal(3, allowed.Parameters.Channels.Count);
    }

    [Fact]
    public void Shops_on_different_dates_are_refused()
    {
        DataFrame frame = Frame();
        DataFrame shorter = frame.Filter(new PrimitiveDataFrameColumn<bool>("keep", Enumerable.Range(0, (int)frame.Rows.Count).Select(r => r != 59)));
        Assert.Contains("same dates", FitFails(shorter).Message);
    }

    [Fact]
    public void Only_the_last_dates_may_leave_the_label_empty_and_on_the_same_dates_in_every_shop()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView data = MarketingData.View(shops: 3, length: 40);
        using var forecaster = mmm.Forecasting.Trainers.MarketingResponse(new Forecasting.MarketingResponseForecaster.Options { Model = EstimatorTests.Tiny() })
            .Fit(ml.Data.FilterRowsByColumn(data, "t", upperBound: 30));

        DataFrame gap = (DataFrame)data;
        gap["gmv"][45] = float.NaN; // s1, 2024-01-06, with observed gmv after it
        var error = Assert.Throws<PanelDataException>(() => forecaster.Predict(gap));
        Assert.Contains("present again on 2024-01-07", error.Message);
        Assert.Equal("s1", error.Shop);
        Assert.Equal("gmv", error.Column);

        DataFrame uneven = (DataFrame)MarketingData.View(shops: 3, length: 40);
        for (int t = 35; t < 40; t++) uneven["gmv"][t] = float.NaN;      // s0 forecasts from 2024-02-05
        for (int t = 76; t < 80; t++) uneven["gmv"][t] = float.NaN;      // s1 from 2024-02-06
        for (int t = 115; t < 120; t++) uneven["gmv"][t] = float.NaN;    // s2 from 2024-02-05
        var startError = Assert.Throws<PanelDataException>(() => forecaster.Predict(uneven));
        Assert.Contains("same date", startError.Message);

        DataFrame tail = (DataFrame)MarketingData.View(shops: 3, length: 40);
        foreach (int s in new[] { 0, 40, 80 })
            for (int t = 35; t < 40; t++) { tail["gmv"][s + t] = float.NaN; tail["pv"][s + t] = float.NaN; }
        Assert.Equal(35, forecaster.Predict(tail).Origin);
    }

    [Fact]
    public void Roles_come_from_the_options_then_the_catalog_schema_then_the_names()
    {
        DataFrame frame = Frame();
        frame["x2"].SetName("tv");
        // "tv" has no role by name: it is ignored, and the log says so.
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.Message);
        AdstockTransformer inferred = ml.CausalMmm().Transforms.Adstock().Fit(frame);
        Assert.Equal(new[] { "x0", "x1" }, inferred.Parameters.Channels.Select(c => c.Input));
        Assert.Contains(messages, m => m.Contains("ignored: [tv]"));

        AdstockTransformer fromSchema = new MLContext(seed: 1).CausalMmm(new MarketingSchema().WithRole("tv", VariableRole.Channel)).Transforms.Adstock().Fit(frame);
        Assert.Equal(new[] { "x0", "x1", "tv" }, fromSchema.Parameters.Channels.Select(c => c.Input));

        AdstockTransformer fromOptions = new MLContext(seed: 1).CausalMmm().Transforms.Adstock(new AdstockEstimator.Options { ChannelColumnNames = new[] { "tv" } }).Fit(frame);
        Assert.Equal(new[] { "tv" }, fromOptions.Parameters.Channels.Select(c => c.Input));

        var missing = Assert.Throws<ArgumentException>(() => new MLContext().CausalMmm().Transforms.Adstock(new AdstockEstimator.Options { ChannelColumnNames = new[] { "radio" } }).Fit(frame));
        Assert.Contains("'radio'", missing.Message);
        Assert.Contains("ChannelColumnNames", missing.Message);
        var noLabel = Assert.Throws<ArgumentException>(() => new MLContext().CausalMmm().Transforms.Adstock().Fit(MarketingData.Without(frame, "gmv")));
        Assert.Contains("LabelColumnName", noLabel.Message);
    }

    [Fact]
    public void A_model_reads_dates_as_datetime_text_or_day_numbers()
    {
        DataFrame frame = Frame();
        var ml = new MLContext(seed: 1);
        var model = ml.CausalMmm().Transforms.Adstock(decay: 0.5).Fit(frame);
        float[] expected = MarketingData.Column(model.Transform(frame), "x0_adstock");

        DataFrame text = frame.Clone();
        text.Columns.Remove("date");
        text.Columns.Add(new StringDataFrameColumn("date", Enumerable.Range(0, (int)frame.Rows.Count).Select(r => ((DateTime)frame["date"][r]).ToString("yyyyMMdd"))));
        Assert.Equal(expected, MarketingData.Column(ml.CausalMmm().Transforms.Adstock(decay: 0.5).Fit(text).Transform(text), "x0_adstock"));

        var byStep = ml.CausalMmm().Transforms.Adstock(new AdstockEstimator.Options { Decay = 0.5, DateColumnName = "t" });
        IDataView numeric = MarketingData.Without(frame, "date");
        Assert.Equal(expected, MarketingData.Column(byStep.Fit(numeric).Transform(numeric), "x0_adstock"));

        DataFrame bad = text.Clone();
        bad["date"][5] = "yesterday";
        var error = Assert.Throws<PanelDataException>(() => ml.CausalMmm().Transforms.Adstock(decay: 0.5).Fit(bad));
        Assert.Equal("yesterday", error.Value);
        Assert.Equal("date", error.Column);

        // A day number before 0001-01-01 is an unreadable date, named like any other, not an overflow.
        foreach (float day in new[] { -800000f, 2.5f })
        {
            DataFrame withDay = frame.Clone();
            withDay["t"][7] = day;
            IDataView steps = MarketingData.Without(withDay, "date");
            var stepError = Assert.Throws<PanelDataException>(() => byStep.Fit(steps));
            Assert.Equal(day.ToString("R", System.Globalization.CultureInfo.InvariantCulture), stepError.Value);
            Assert.Equal("t", stepError.Column);
        }
    }
}
