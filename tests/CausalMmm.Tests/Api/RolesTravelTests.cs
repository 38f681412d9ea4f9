using System.Globalization;
using System.Text;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

/// <summary>Roles travel with the data: a schema given once, to the reader, is enough for every component downstream.</summary>
public sealed class RolesTravelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("causalmmm-roles-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// The test panel under names no rule infers (store, when, tv, radio, promo_net, traffic, orders, size, reach) in a
    /// dd.MM.yyyy calendar; promo_net is a channel centred at zero, so it goes negative and must be declared unconstrained.
    /// </summary>
    private string WriteCsv(int shops, int length)
    {
        MarketingPanel panel = MarketingData.Panel(shops, length);
        var text = new StringBuilder("store,when,size,reach,tv,radio,promo_net,traffic,orders\n");
        for (int s = 0; s < shops; s++)
        {
            double mean = Enumerable.Range(0, length).Average(t => panel[s, t, "x2"]);
            for (int t = 0; t < length; t++)
            {
                double[] row = { panel.GetContext(s, "context0"), panel.GetContext(s, "context1"), panel[s, t, "x0"], panel[s, t, "x1"], panel[s, t, "x2"] - mean, panel[s, t, "pv"], panel[s, t, "gmv"] };
                text.Append(panel.ShopIds[s]).Append(',').Append(panel.Dates[t].ToString("dd.MM.yyyy", CultureInfo.InvariantCulture));
                foreach (double v in row) text.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
                text.Append('\n');
            }
        }
        string path = Path.Combine(_folder, "shops.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static MarketingSchema Schema() => new MarketingSchema { ShopColumn = "store", DateColumn = "when", DateFormats = { "dd.MM.yyyy" } }
        .WithRole("size", VariableRole.Context).WithRole("reach", VariableRole.Context)
        .WithRole("tv", VariableRole.Channel).WithRole("radio", VariableRole.Channel).WithRole("promo_net", VariableRole.Channel, unconstrained: true)
        .WithRole("traffic", VariableRole.Mediator).WithRole("orders", VariableRole.Target);

    private static IEstimator<ITransformer> CausalChain(CausalMmmCatalog mmm) =>
        mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = EstimatorTests.Tiny() })
            .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = EstimatorTests.Tiny() }));

    [Fact]
    public void A_schema_given_only_to_LoadPanelCsv_is_enough_for_the_whole_causal_chain()
    {
        string path = WriteCsv(shops: 4, length: 40);
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm(); // no schema here: it was given to the reader only
        IDataView data = mmm.Data.LoadPanelCsv(path, Schema());
        Assert.NotNull(data.Schema.GetColumnOrNull("store")); // the file's key names are kept
        Assert.NotNull(data.Schema.GetColumnOrNull("when"));
        Assert.Contains(data.GetColumn<float>("promo_net"), v => v < 0);

        IDataView history = ml.Data.FilterRowsByColumn(data, PanelRoles.StepColumnName, upperBound: 30); // a stock transform in between
        IEstimator<ITransformer> chain = CausalChain(mmm);
        SchemaShape shape = chain.GetOutputSchema(EstimatorChecks.ShapeOf(history.Schema)); // the shape path reads the roles from annotation names
        Assert.Contains(shape, c => c.Name == "Score");

        using var model = (TransformerChain<MarketingResponseTransformer>)chain.Fit(history);
        var graph = (CausalGraphTransformer)model.First();
        Assert.Equal(new[] { "tv", "radio", "promo_net", "traffic", "orders" }, graph.NodeNames);
        Assert.Equal(new[] { "promo_net" }, model.LastTransformer.Roles.Unconstrained);
        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.Equal(4 * 40, scores.Length);
        Assert.True(scores.Count(float.IsFinite) >= 4 * 39, "a score for every day after each shop's first");
    }

    [Fact]
    public void Without_the_annotations_the_same_rows_need_a_second_schema()
    {
        string path = WriteCsv(shops: 3, length: 30);
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        MarketingPanel panel = mmm.Data.ReadPanelCsv(path, Schema());
        IDataView plain = PanelDataView.Create(panel, "store", "ds"); // the same rows, no annotations (key names the components know)
        var error = Assert.Throws<ArgumentException>(() => CausalChain(mmm).Fit(plain));
        Assert.Contains("no target column", error.Message);

        IDataView annotated = mmm.Data.ToDataView(panel, new MarketingSchema { ShopColumn = "store", DateColumn = "ds" });
        using var model = (TransformerChain<MarketingResponseTransformer>)CausalChain(mmm).Fit(annotated);
        Assert.Equal(new[] { "tv", "radio", "promo_net", "traffic", "orders" }, ((CausalGraphTransformer)model.First()).NodeNames);
    }

    [Fact]
    public void WithRoles_annotates_a_view_read_by_other_means()
    {
        string path = WriteCsv(shops: 3, length: 30);
        var ml = new MLContext(seed: 1);
        MarketingPanel panel = ml.CausalMmm().Data.ReadPanelCsv(path, Schema());
        IDataView plain = PanelDataView.Create(panel, "store", "when");
        var columns = new PanelColumnOptions
        {
            ShopColumnName = "store", DateColumnName = "when", LabelColumnName = "orders", ChannelColumnNames = new[] { "tv", "radio", "promo_net" },
            MediatorColumnNames = new[] { "traffic" }, ContextColumnNames = new[] { "size", "reach" }, UnconstrainedColumnNames = new[] { "promo_net" },
        };
        IDataView annotated = ml.CausalMmm().Data.WithRoles(plain, columns);

        DataViewSchema.Column tv = annotated.Schema["tv"];
        Assert.Contains(tv.Annotations.Schema, a => a.Name == PanelAnnotations.Role(VariableRole.Channel));
        Assert.Contains(annotated.Schema["promo_net"].Annotations.Schema, a => a.Name == PanelAnnotations.Unconstrained);
        Assert.Contains(annotated.Schema["when"].Annotations.Schema, a => a.Name == PanelAnnotations.Date);
        Assert.Equal(MarketingData.Fingerprint(plain), MarketingData.Fingerprint(annotated)); // the rows are untouched

        using var model = (TransformerChain<MarketingResponseTransformer>)CausalChain(ml.CausalMmm()).Fit(annotated); // a catalog with no options
        Assert.Equal(new[] { "tv", "radio", "promo_net", "traffic", "orders" }, ((CausalGraphTransformer)model.First()).NodeNames);
    }

    [Fact]
    public void A_model_fitted_on_other_key_names_reads_the_annotated_keys()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        MarketingPanel panel = MarketingData.Panel(shops: 3, length: 30);
        IDataView asDate = mmm.Data.ToDataView(panel); // shop_id, date
        IDataView asDs = mmm.Data.ToDataView(panel, new MarketingSchema { ShopColumn = "store", DateColumn = "ds" });
        using CausalGraphTransformer graph = mmm.CausalDiscovery.Trainers.CausalGraph(new CausalGraphEstimator.Options { Model = EstimatorTests.Tiny() }).Fit(asDate);
        Assert.Equal(graph.Transform(asDate).GetColumn<float[]>("Graph").First(), graph.Transform(asDs).GetColumn<float[]>("Graph").First());
        var unannotated = PanelDataView.Create(panel, "store", "ds");
        var error = Assert.Throws<ArgumentException>(() => graph.Transform(unannotated).GetColumn<float[]>("Graph").First());
        Assert.Contains("'shop_id'", error.Message);
    }
    [Fact]
    public void A_dated_plan_in_the_historys_own_format_reads_with_the_schema_given_only_to_LoadPanelCsv()
    {
        string path = WriteCsv(shops: 2, length: 30);
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm(); // default date formats (yyyyMMdd, yyyy-MM-dd, yyyy/MM/dd): not the file's
        IDataView data = mmm.Data.LoadPanelCsv(path, Schema());
        IDataView history = ml.Data.FilterRowsByColumn(data, PanelRoles.StepColumnName, upperBound: 27); // a stock transform in between
        Assert.Contains("dd.MM.yyyy", PanelAnnotations.ReadDateFormats(history.Schema));
        DateTime[] dates = data.GetColumn<DateTime>("when").Take(30).ToArray();
        var plan = new StringBuilder("store,when,tv,radio,promo_net\n");
        foreach (string shop in new[] { "s0", "s1" })
            for (int t = 27; t < 30; t++)
                plan.Append(shop).Append(',').Append(dates[t].ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)).Append(",10,20,-1.5\n");
        string planPath = Path.Combine(_folder, "plan.csv");
        File.WriteAllText(planPath, plan.ToString());
        MediaPlan read = mmm.Planning.LoadPlanCsv(planPath, history);
        Assert.Equal(3, read.Steps);
        Assert.Equal(-1.5, read["s1"][2, read.Series.ToList().IndexOf("promo_net")]);
        // A day late, in the same format: still placed against the history's calendar, and refused.
        File.WriteAllText(planPath, plan.ToString().Replace(dates[27].ToString("dd.MM.yyyy", CultureInfo.InvariantCulture), dates[29].AddDays(5).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)));
        Assert.Throws<PanelDataException>(() => mmm.Planning.LoadPlanCsv(planPath, history));
    }
}
