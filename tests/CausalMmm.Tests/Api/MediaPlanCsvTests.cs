using CausalMmm.Data;
using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

public sealed class MediaPlanCsvTests : IDisposable
{
    private const int Shops = 3, Length = 40, Steps = 7;

    private readonly string _directory = Directory.CreateTempSubdirectory("cmm-plan-").FullName;
    private readonly CausalMmmCatalog _mmm = new MLContext(seed: 1).CausalMmm();
    private readonly SimulatedPanel _sim;
    private readonly MediaPlan _plan;

    public MediaPlanCsvTests()
    {
        _sim = _mmm.Data.SimulateMarketing(shops: Shops, length: Length, seed: 1);
        _plan = _mmm.Planning.RepeatLast(_sim.Data, Steps);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Saved(MediaPlan plan, string name = "plan.csv")
    {
        string path = Path.Combine(_directory, name);
        _mmm.Planning.SavePlanCsv(plan, path);
        return path;
    }

    /// <summary>Saves the baseline plan, lets <paramref name="edit"/> change its lines (header first), and expects loading it to fail.</summary>
    private PanelDataException Fails(Action<List<string>> edit)
    {
        string path = Saved(_plan, "bad.csv");
        var lines = File.ReadAllLines(path).ToList();
        edit(lines);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        var error = Assert.Throws<PanelDataException>(() => _mmm.Planning.LoadPlanCsv(path, _sim.Data));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        return error;
    }

    private static void AssertSamePlan(MediaPlan expected, MediaPlan actual)
    {
        Assert.Equal(expected.Steps, actual.Steps);
        Assert.Equal(expected.Series, actual.Series);
        Assert.Equal(expected.ShopIds.OrderBy(s => s, StringComparer.Ordinal).ToArray(), actual.ShopIds.OrderBy(s => s, StringComparer.Ordinal).ToArray());
        foreach (string shop in expected.ShopIds)
        {
            double[,] e = expected[shop], a = actual[shop];
            for (int h = 0; h < expected.Steps; h++)
            for (int k = 0; k < expected.Series.Count; k++)
                Assert.Equal(e[h, k], a[h, k]); // exact: the file holds round-trip numbers
        }
    }

    /// <summary>The data line (1-based, header is line 1) of <paramref name="shop"/> (0-based in ordinal order) and <paramref name="step"/> (1-based).</summary>
    private static int LineOf(int shop, int step) => 1 + shop * Steps + step;

    /// <summary>The field index of channel x0 in a plan file: after the shop and step columns.</summary>
    private const int X0 = 2;

    private static void SetField(List<string> lines, int line, int field, string value)
    {
        string[] fields = lines[line - 1].Split(',');
        fields[field] = value;
        lines[line - 1] = string.Join(",", fields);
    }

    [Fact]
    public void A_saved_plan_loads_back_exactly()
    {
        string path = Saved(_plan);
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(_plan.Roles.Shop + ",step," + string.Join(",", _plan.Series), lines[0]);
        Assert.Equal(1 + Shops * Steps, lines.Length);
        Assert.StartsWith(_plan.ShopIds.OrderBy(s => s, StringComparer.Ordinal).First() + ",1,", lines[1]);
        Assert.StartsWith(_plan.ShopIds.OrderBy(s => s, StringComparer.Ordinal).Last() + "," + Steps + ",", lines[^1]);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp-*"));

        MediaPlan loaded = _mmm.Planning.LoadPlanCsv(path, _sim.Data);
        Assert.Equal(Shops, loaded.ShopIds.Count);
        Assert.Equal(Steps, loaded.Steps);
        Assert.Contains("x0", loaded.Series);
        AssertSamePlan(_plan, loaded);

        // The loaded plan extends the history like the original does.
        IDataView appended = loaded.AppendTo(_sim.Data);
        float[] t = appended.GetColumn<float>("t").ToArray();
        Assert.Equal(Shops * (Length + Steps), t.Length);
        Assert.Equal((float)(Length + Steps - 1), t.Max());
    }

    [Fact]
    public void A_scaled_plan_round_trips_and_saving_again_replaces_the_file()
    {
        MediaPlan scaled = _plan.Scale("x0", 1.5);
        Assert.NotEqual(_plan.Total("x0"), scaled.Total("x0"));
        string path = Saved(_plan);
        scaled.SaveCsv(path);
        MediaPlan loaded = _mmm.Planning.LoadPlanCsv(path, _sim.Data);
        AssertSamePlan(scaled, loaded);
        Assert.Equal(scaled.Total("x0"), loaded.Total("x0"), 6);
        Assert.Equal(_plan.Total("x1"), loaded.Total("x1"), 6);
    }

    [Fact]
    public void A_misspelt_channel_column_is_named()
    {
        var error = Fails(lines => lines[0] = lines[0].Replace(",x0,", ",x_0,"));
        Assert.Equal(1, error.Line);
        Assert.Equal("x_0", error.Column);
        Assert.Contains("'x_0'", error.Message);
        Assert.Contains("[x_0]", error.Message);
        Assert.Contains("[x0]", error.Message); // the series it presumably meant, reported missing
    }

    [Fact]
    public void A_missing_step_is_reported_where_the_gap_shows()
    {
        string shop = _plan.ShopIds.OrderBy(s => s, StringComparer.Ordinal).ElementAt(1);
        var error = Fails(lines => lines.RemoveAt(LineOf(1, 3) - 1));
        Assert.Equal(LineOf(1, 3), error.Line); // step 4 moved up to step 3's line
        Assert.Equal("step", error.Column);
        Assert.Equal("4", error.Value);
        Assert.Equal(shop, error.Shop);
        Assert.Contains($"line {LineOf(1, 3)}", error.Message);
        Assert.Contains("no step 3", error.Message);
    }

    [Fact]
    public void A_shop_with_fewer_steps_is_refused()
    {
        var error = Fails(lines => lines.RemoveAt(LineOf(2, Steps) - 1));
        Assert.Equal(LineOf(2, Steps - 1), error.Line);
        Assert.Equal((Steps - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Value);
        Assert.Contains($"stops at step {Steps - 1}", error.Message);
    }

    [Fact]
    public void A_repeated_step_is_refused()
    {
        var error = Fails(lines => SetField(lines, LineOf(0, 2), 1, "1"));
        Assert.Equal(LineOf(0, 2), error.Line);
        Assert.Contains($"first on line {LineOf(0, 1)}", error.Message);
    }

    [Fact]
    public void A_negative_spend_names_line_column_and_value()
    {
        var error = Fails(lines => SetField(lines, LineOf(1, 5), X0, "-3.5"));
        Assert.Equal(LineOf(1, 5), error.Line);
        Assert.Equal("x0", error.Column);
        Assert.Equal("-3.5", error.Value);
        Assert.Contains($"line {LineOf(1, 5)}", error.Message);
        Assert.Contains("'-3.5'", error.Message);
        Assert.Contains("negative", error.Message);
    }

    [Fact]
    public void A_value_that_is_not_a_number_names_line_column_and_value()
    {
        var error = Fails(lines => SetField(lines, LineOf(0, 4), X0 + 1, "twelve"));
        Assert.Equal(LineOf(0, 4), error.Line);
        Assert.Equal("x1", error.Column);
        Assert.Equal("twelve", error.Value);
        Assert.Contains($"line {LineOf(0, 4)}", error.Message);
        Assert.Contains("'twelve'", error.Message);

        var infinite = Fails(lines => SetField(lines, LineOf(2, 1), X0, "Infinity"));
        Assert.Equal("Infinity", infinite.Value);
        Assert.Contains("finite", infinite.Message);
    }

    [Fact]
    public void An_empty_or_header_only_file_and_a_missing_file_are_refused()
    {
        var headerOnly = Fails(lines => lines.RemoveRange(1, lines.Count - 1));
        Assert.Contains("no rows", headerOnly.Message);

        string empty = Path.Combine(_directory, "empty.csv");
        File.WriteAllText(empty, "");
        Assert.Contains(empty, Assert.Throws<PanelDataException>(() => _mmm.Planning.LoadPlanCsv(empty, _sim.Data)).Message);

        string missing = Path.Combine(_directory, "missing.csv");
        Assert.Throws<FileNotFoundException>(() => _mmm.Planning.LoadPlanCsv(missing, _sim.Data));
    }

    /// <summary>The saved plan with its step column turned into dates, the first one <paramref name="shift"/> days after the history's end.</summary>
    private List<string> Dated(int shift = 1)
    {
        DateOnly end = _sim.Panel.Dates[^1];
        var lines = File.ReadAllLines(Saved(_plan, "stepped.csv")).ToList();
        lines[0] = lines[0].Replace(",step,", ",date,");
        for (int i = 1; i < lines.Count; i++)
        {
            string[] fields = lines[i].Split(',');
            fields[1] = end.AddDays(int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) - 1 + shift).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            lines[i] = string.Join(",", fields);
        }
        return lines;
    }

    private PanelDataException DatedFails(Action<List<string>> edit, int shift = 1)
    {
        List<string> lines = Dated(shift);
        edit(lines);
        string path = Path.Combine(_directory, "dated-bad.csv");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        var error = Assert.Throws<PanelDataException>(() => _mmm.Planning.LoadPlanCsv(path, _sim.Data));
        Assert.Equal(path, error.FilePath);
        Assert.Equal("date", error.Column);
        return error;
    }

    [Fact]
    public void A_plan_with_dates_from_the_day_after_the_history_loads_as_the_same_plan_with_steps()
    {
        string path = Path.Combine(_directory, "dated.csv");
        File.WriteAllText(path, string.Join("\n", Dated()) + "\n");
        MediaPlan dated = _mmm.Planning.LoadPlanCsv(path, _sim.Data);
        AssertSamePlan(_plan, dated);
        // And the same forecast as the plan in steps, read from its own file (the classic chain: no training noise).
        MediaPlan stepped = _mmm.Planning.LoadPlanCsv(Saved(_plan), _sim.Data);
        ITransformer chain = _mmm.Transforms.Adstock().Append(_mmm.Transforms.Hill()).Append(_mmm.Forecasting.Trainers.Ridge()).Fit(_sim.Data);
        float[] Forecast(MediaPlan plan) => chain.Transform(plan.AppendTo(_sim.Data)).GetColumn<float>("Score").ToArray();
        float[] fromSteps = Forecast(stepped), fromDates = Forecast(dated);
        Assert.Equal(Shops * (Length + Steps), fromDates.Length);
        Assert.Equal(fromSteps, fromDates);
    }

    [Fact]
    public void A_dated_plan_that_does_not_start_right_after_the_history_or_has_gaps_or_repeats_names_the_line()
    {
        DateOnly end = _sim.Panel.Dates[^1];
        string Day(int days) => end.AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var late = DatedFails(_ => { }, shift: 2);
        Assert.Equal(LineOf(0, 1), late.Line);
        Assert.Contains($"starts on {Day(2)}, but a plan starts the day after the history ends: {Day(1)}", late.Message);

        var early = DatedFails(lines => SetField(lines, LineOf(1, 1), 1, Day(0)));
        Assert.Equal((LineOf(1, 1), Day(0)), (early.Line, early.Value));
        Assert.Contains($"not after the history, which ends on {Day(0)}", early.Message);

        var repeated = DatedFails(lines => SetField(lines, LineOf(0, 3), 1, Day(2)));
        Assert.Equal(LineOf(0, 3), repeated.Line);
        Assert.Contains($"has {Day(2)} twice (first on line {LineOf(0, 2)})", repeated.Message);

        var gap = DatedFails(lines => lines.RemoveAt(LineOf(2, 4) - 1));
        Assert.Contains($"no row for {Day(4)}: it goes from {Day(3)} to {Day(5)}", gap.Message);
        Assert.Equal(LineOf(2, 4), gap.Line); // the line that skips the day: day 5's, moved up to where day 4 was

        // Steps and dates together: which one is meant is unclear.
        string both = Path.Combine(_directory, "both.csv");
        List<string> withBoth = Dated();
        withBoth[0] = withBoth[0].Replace(",date,", ",date,step,");
        for (int i = 1; i < withBoth.Count; i++)
        {
            string[] f = withBoth[i].Split(',');
            withBoth[i] = string.Join(",", f.Take(2).Append("1").Concat(f.Skip(2)));
        }
        File.WriteAllText(both, string.Join("\n", withBoth) + "\n");
        var twoKeys = Assert.Throws<PanelDataException>(() => _mmm.Planning.LoadPlanCsv(both, _sim.Data));
        Assert.Contains("both 'step' and the date column 'date'", twoKeys.Message);

        var malformed = DatedFails(lines => SetField(lines, LineOf(1, 2), 1, "12/31/2024"));
        Assert.Equal("12/31/2024", malformed.Value);
        Assert.Contains("not in the history's format", malformed.Message);
    }
}
