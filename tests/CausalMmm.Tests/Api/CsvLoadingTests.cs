using System.Text;
using CausalMmm.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

public sealed class CsvLoadingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cmm-csv-").FullName;

    private const string Good = "shop_id,ds,context0,x0,x1,pv,gmv\n"
        + "a,20240101,1.5,10,0,5,100\n"
        + "a,20240102,1.5,12,3,6,110\n"
        + "a,20240103,1.5,0,4,4,90\n"
        + "b,20240101,2.5,1,1,1,10\n"
        + "b,20240102,2.5,2,2,2,20\n"
        + "b,20240103,2.5,3,3,3,30\n";

    private string Write(string text, string name = "data.csv", bool bom = false)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text, new UTF8Encoding(bom));
        return path;
    }

    private PanelDataException Fails(string text, MarketingSchema? schema = null)
    {
        string path = Write(text);
        var error = Assert.Throws<PanelDataException>(() => PanelCsv.ReadWide(path, schema));
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path, error.Message);
        return error;
    }

    [Fact]
    public void A_wide_file_loads_with_roles_inferred_from_names()
    {
        MarketingPanel panel = PanelCsv.ReadWide(Write(Good));
        Assert.Equal(new[] { "a", "b" }, panel.ShopIds);
        Assert.Equal(new DateOnly(2024, 1, 2), panel.Dates[1]);
        Assert.Equal(VariableRole.Channel, panel.Schema.Find("x1")!.Role);
        Assert.Equal(VariableRole.Mediator, panel.Schema.Find("pv")!.Role);
        Assert.Equal("gmv", panel.Target.Name);
        Assert.Equal(2.5, panel.GetContext(1, "context0"));
        Assert.Equal(110, panel[0, 1, "gmv"]);
    }

    [Fact]
    public void A_bom_quoted_numbers_and_crlf_line_endings_load()
    {
        string text = Good.Replace("a,20240102,1.5,12,3,6,110", "\"a\",\"20240102\",\"1.5\",\"12\",\"3\",\"6\",\"110\"").Replace("\n", "\r\n");
        MarketingPanel panel = PanelCsv.ReadWide(Write(text, bom: true));
        Assert.Equal(new[] { "a", "b" }, panel.ShopIds);
        Assert.Equal(12, panel[0, 1, "x0"]);
        Assert.Equal(110, panel[0, 1, "gmv"]);
        Assert.Equal(PanelCsv.ReadWide(Write(Good, "plain.csv")).SeriesValues.ToArray(), panel.SeriesValues.ToArray());
    }

    [Fact]
    public void A_malformed_row_names_its_line()
    {
        var error = Fails(Good.Replace("a,20240102,1.5,12,3,6,110", "a,20240102,1.5,12,3,6"));
        Assert.Equal(3, error.Line);
        Assert.Contains("6 fields but the header has 7", error.Message);
    }

    [Fact]
    public void Nan_names_line_column_and_value()
    {
        var error = Fails(Good.Replace("b,20240102,2.5,2,2,2,20", "b,20240102,2.5,2,2,NaN,20"));
        Assert.Equal(6, error.Line);
        Assert.Equal("pv", error.Column);
        Assert.Equal("NaN", error.Value);
        Assert.Contains("finite", error.Message);
    }

    [Fact]
    public void A_non_numeric_value_is_refused()
    {
        var error = Fails(Good.Replace("a,20240103,1.5,0,4,4,90", "a,20240103,1.5,0,4,4,ninety"));
        Assert.Equal((4, "gmv", "ninety"), (error.Line!.Value, error.Column, error.Value));
        Assert.Contains("must be a number", error.Message);
    }

    [Fact]
    public void Negative_spend_is_refused_unless_the_schema_declares_it_unconstrained()
    {
        string text = Good.Replace("a,20240103,1.5,0,4,4,90", "a,20240103,1.5,-3,4,4,90");
        var error = Fails(text);
        Assert.Equal((4, "x0", "-3"), (error.Line!.Value, error.Column, error.Value));
        Assert.Contains("unconstrained", error.Message);
        var schema = new MarketingSchema().WithRole("x0", VariableRole.Channel, unconstrained: true);
        Assert.Equal(-3, PanelCsv.ReadWide(Write(text, "ok.csv"), schema)[0, 2, "x0"]);
    }

    [Fact]
    public void A_duplicate_date_names_both_lines()
    {
        var error = Fails(Good + "a,20240102,1.5,1,1,1,1\n");
        Assert.Equal(8, error.Line);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("Duplicate date", error.Message);
    }

    [Fact]
    public void A_missing_date_names_the_gap()
    {
        var error = Fails(Good.Replace("b,20240102,2.5,2,2,2,20\n", ""));
        Assert.Contains("2024-01-02 is missing", error.Message);
        Assert.Contains("shop 'b'", error.Message);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Shops_on_different_dates_are_refused()
    {
        var error = Fails(Good.Replace("b,20240101,2.5,1,1,1,10\n", ""));
        Assert.Contains("same dates", error.Message);
    }

    [Fact]
    public void An_empty_file_and_a_header_only_file_are_refused()
    {
        Assert.Contains("empty", Fails("").Message);
        Assert.Contains("no data rows", Fails("shop_id,ds,x0,gmv\n").Message);
    }

    [Fact]
    public void A_column_without_a_role_and_an_unknown_role_in_a_schema_file_are_refused()
    {
        var noRole = Fails(Good.Replace("pv,gmv", "mystery,gmv"));
        Assert.Equal("mystery", noRole.Column);
        Assert.Contains("Roles[\"mystery\"]", noRole.Message);

        string schemaPath = Write("{ \"roles\": { \"pv\": \"influencer\" } }", "schema.json");
        var unknown = Assert.Throws<PanelDataException>(() => MarketingSchema.Load(schemaPath));
        Assert.Equal(schemaPath, unknown.FilePath);
        Assert.Equal("influencer", unknown.Value);
        Assert.Contains("Channel, Mediator, Target, Context, Covariate", unknown.Message);
    }

    [Fact]
    public void A_schema_file_sets_columns_roles_and_formats()
    {
        string data = Write("store,day,spend_tv,visits,sales\nA,2024-03-01,1,2,3\nA,2024-03-08,4,5,6\n", "weekly.csv");
        string schemaPath = Write("{ \"shop\": \"store\", \"date\": \"day\", \"dateFormat\": \"yyyy-MM-dd\", \"roles\": { \"visits\": \"mediator\" } }", "s.json");
        MarketingPanel panel = PanelCsv.ReadWide(data, MarketingSchema.Load(schemaPath));
        Assert.Equal(7, panel.StepDays);
        Assert.Equal(VariableRole.Channel, panel.Schema.Find("spend_tv")!.Role);
        Assert.Equal("sales", panel.Target.Name);
    }

    [Fact]
    public void Context_that_changes_over_time_is_refused()
    {
        var error = Fails(Good.Replace("a,20240102,1.5,12", "a,20240102,1.7,12"));
        Assert.Equal((3, "context0", "1.7"), (error.Line!.Value, error.Column, error.Value));
        Assert.Contains("Covariate", error.Message);
    }

    [Fact]
    public void Long_files_round_trip_and_report_missing_and_duplicate_cells()
    {
        MarketingPanel wide = PanelCsv.ReadWide(Write(Good));
        var text = new StringWriter();
        PanelCsv.WriteLong(wide, text);
        MarketingPanel back = PanelCsv.ReadLong(new StringReader(text.ToString()));
        Assert.Equal(wide.SeriesValues.ToArray(), back.SeriesValues.ToArray());
        Assert.Equal(wide.Dates, back.Dates);
        Assert.Equal(1.5, back.GetContext(0, "context0"));

        string[] lines = text.ToString().Split('\n');
        string withoutOne = string.Join('\n', lines.Where((_, i) => i != 4));
        var missing = Assert.Throws<PanelDataException>(() => PanelCsv.ReadLong(new StringReader(withoutOne), sourceName: "long.csv"));
        Assert.Contains("Missing value", missing.Message);
        Assert.StartsWith("long.csv", missing.Message);
        var duplicate = Assert.Throws<PanelDataException>(() => PanelCsv.ReadLong(new StringReader(text + lines[4] + "\n"), sourceName: "long.csv"));
        Assert.Contains("Duplicate row", duplicate.Message);
    }

    [Fact]
    public void Writing_and_reading_a_wide_file_gives_the_same_panel()
    {
        MarketingPanel panel = MarketingData.Panel(shops: 3, length: 12);
        string path = Path.Combine(_directory, "round.csv");
        PanelCsv.WriteWide(panel, path);
        MarketingPanel back = PanelCsv.ReadWide(path);
        Assert.Equal(panel.SeriesValues.ToArray(), back.SeriesValues.ToArray());
        Assert.Equal(panel.Schema, back.Schema);
    }

    [Fact]
    public void The_catalog_loads_a_csv_into_long_rows_with_a_day_index_and_keeps_the_checks()
    {
        CausalMmmCatalog mmm = new MLContext(seed: 1).CausalMmm();
        IDataView data = mmm.Data.LoadPanelCsv(Write(Good));
        Assert.Equal(new[] { "shop_id", "ds", "t", "context0", "x0", "x1", "pv", "gmv" }, data.Schema.Select(c => c.Name)); // the file's names
        Assert.Equal(new float[] { 0, 1, 2, 0, 1, 2 }, data.GetColumn<float>("t"));
        Assert.Equal(new DateTime(2024, 1, 2), data.GetColumn<DateTime>("ds").ElementAt(1));
        Assert.Equal(110f, data.GetColumn<float>("gmv").ElementAt(1));
        MarketingPanel panel = mmm.Data.ToPanel(data);
        Assert.Equal(PanelCsv.ReadWide(Write(Good, "again.csv")).SeriesValues.ToArray(), panel.SeriesValues.ToArray());

        string path = Write(Good.Replace("b,20240102,2.5,2,2,2,20", "b,20240102,2.5,2,NaN,2,20"), "nan.csv");
        var error = Assert.Throws<PanelDataException>(() => mmm.Data.LoadPanelCsv(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(6, error.Line);
        Assert.Equal("x1", error.Column);

        // Roles from a schema file reach both the loader and every component of the catalog.
        string schema = Path.Combine(_directory, "schema.json");
        File.WriteAllText(schema, "{\"roles\": {\"tv\": \"channel\"}}");
        CausalMmmCatalog withSchema = new MLContext(seed: 1).CausalMmm(MarketingSchema.Load(schema));
        IDataView renamed = withSchema.Data.LoadPanelCsv(Write(Good.Replace("x1", "tv"), "tv.csv"));
        Assert.Equal(new[] { "x0", "tv" }, withSchema.Transforms.Adstock(decay: 0.3).Fit(renamed).Parameters.Channels.Select(c => c.Input));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
