using System.Globalization;
using System.Text;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Transforms;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Tests.Api;

/// <summary>Our components inside stock ML.NET pipelines, evaluators, persistence and data sources.</summary>
public sealed class StockInteropTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cmm-stock-").FullName;
    private static readonly IDataView Data = MarketingData.View();

    [Fact]
    public void Our_transforms_and_stock_onehot_concatenate_normalize_and_sdca_fit_evaluate_save_and_load_as_one_chain()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        var pipeline = mmm.Transforms.Adstock()
            .Append(mmm.Transforms.Hill())
            .Append(ml.Transforms.Categorical.OneHotEncoding("shop", "shop_id"))
            .Append(ml.Transforms.Concatenate("Features", "shop", "x0_adstock_hill", "x1_adstock_hill", "x2_adstock_hill", "context0"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.Regression.Trainers.Sdca(labelColumnName: "gmv"));
        IDataView history = ml.Data.FilterRowsByColumn(Data, "t", upperBound: 50);
        var model = pipeline.Fit(history);
        IDataView scored = model.Transform(Data);
        RegressionMetrics metrics = ml.Regression.Evaluate(ml.Data.FilterRowsByColumn(scored, "t", lowerBound: 50), labelColumnName: "gmv", scoreColumnName: "Score");
        Assert.True(metrics.RSquared > 0.5, $"R² {metrics.RSquared}");

        // Plain ML.NET persistence cannot hold our parts, and says which method can.
        var plain = Assert.Throws<NotSupportedException>(() => ml.Model.Save(model, Data.Schema, Path.Combine(_directory, "plain.zip")));
        Assert.Contains("SaveCausalMmm", plain.Message);

        string path = Path.Combine(_directory, "chain.zip");
        ml.Model.SaveCausalMmm(model, Data.Schema, path);
        var reloaded = new MLContext(seed: 42).Model.LoadCausalMmm(path, out _);
        Assert.Equal(new[] { typeof(AdstockTransformer), typeof(HillTransformer) }, reloaded.Take(2).Select(t => t.GetType()));
        Assert.Equal(MarketingData.Column(scored, "Score"), MarketingData.Column(reloaded.Transform(Data), "Score"));
        Assert.ThrowsAny<Exception>(() => ml.Model.Load(path, out _)); // ML.NET's own loader does not read our file
    }

    [Fact]
    public void The_forecaster_and_stock_regressors_are_scored_on_the_same_holdout_rows()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        IDataView history = ml.Data.FilterRowsByColumn(Data, "t", upperBound: 50);
        IEstimator<ITransformer> Stock(Func<IEstimator<ITransformer>> trainer) => ml.Transforms.Categorical.OneHotEncoding("shop", "shop_id")
            .Append(ml.Transforms.Concatenate("Features", "shop", "x0", "x1", "x2"))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(trainer());
        var pipelines = new IEstimator<ITransformer>[]
        {
            mmm.CausalDiscovery.Trainers.CausalGraph(new CausalDiscovery.CausalGraphEstimator.Options { Model = EstimatorTests.Tiny() })
                .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Model = EstimatorTests.Tiny() })),
            mmm.Forecasting.Trainers.Wide(epochs: 20),
            Stock(() => ml.Regression.Trainers.Sdca(labelColumnName: "gmv")),
            Stock(() => ml.Regression.Trainers.FastTree(labelColumnName: "gmv", numberOfTrees: 10)),
            Stock(() => ml.Regression.Trainers.LightGbm(labelColumnName: "gmv", numberOfIterations: 10)),
        };
        foreach (IEstimator<ITransformer> pipeline in pipelines)
        {
            ITransformer model = pipeline.Fit(history);
            IDataView holdout = ml.Data.FilterRowsByColumn(model.Transform(Data), "t", lowerBound: 50);
            float[] score = MarketingData.Column(holdout, "Score");
            Assert.Equal(60, score.Length);
            Assert.All(score, s => Assert.True(float.IsFinite(s)));
            RegressionMetrics metrics = ml.Regression.Evaluate(holdout, labelColumnName: "gmv", scoreColumnName: "Score");
            Assert.True(double.IsFinite(metrics.RootMeanSquaredError));
            foreach (IDisposable part in CausalMmmModelOperations.Flatten(model).OfType<IDisposable>()) part.Dispose();
        }
    }

    [Fact]
    public void A_text_file_a_data_frame_and_an_enumerable_give_the_same_scores()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        var model = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(Data);
        float[] expected = MarketingData.Column(model.Transform(Data), "Score");

        DataFrame frame = (DataFrame)Data;
        string csv = Path.Combine(_directory, "long.csv");
        var text = new StringBuilder("shop_id,date,x0,x1,x2,pv,gmv,context0,context1\n");
        var rows = new List<Row>();
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            var row = new Row
            {
                shop_id = (string)frame["shop_id"][r], date = (DateTime)frame["date"][r], x0 = (float)frame["x0"][r], x1 = (float)frame["x1"][r],
                x2 = (float)frame["x2"][r], pv = (float)frame["pv"][r], gmv = (float)frame["gmv"][r], context0 = (float)frame["context0"][r], context1 = (float)frame["context1"][r],
            };
            rows.Add(row);
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{row.shop_id},{row.date:yyyy-MM-dd},{row.x0:R},{row.x1:R},{row.x2:R},{row.pv:R},{row.gmv:R},{row.context0:R},{row.context1:R}\n"));
        }
        File.WriteAllText(csv, text.ToString());

        IDataView fromText = ml.Data.LoadFromTextFile(csv, new[]
        {
            new TextLoader.Column("shop_id", DataKind.String, 0), new TextLoader.Column("date", DataKind.DateTime, 1),
            new TextLoader.Column("x0", DataKind.Single, 2), new TextLoader.Column("x1", DataKind.Single, 3), new TextLoader.Column("x2", DataKind.Single, 4),
            new TextLoader.Column("pv", DataKind.Single, 5), new TextLoader.Column("gmv", DataKind.Single, 6),
            new TextLoader.Column("context0", DataKind.Single, 7), new TextLoader.Column("context1", DataKind.Single, 8),
        }, separatorChar: ',', hasHeader: true);
        IDataView fromFrame = DataFrame.LoadCsv(csv);
        IDataView fromEnumerable = ml.Data.LoadFromEnumerable(rows);

        Assert.Equal(expected, MarketingData.Column(model.Transform(fromText), "Score"));
        Assert.Equal(expected, MarketingData.Column(model.Transform(fromFrame), "Score"));
        Assert.Equal(expected, MarketingData.Column(model.Transform(fromEnumerable), "Score"));

        // Scored output goes back to a DataFrame.
        DataFrame scored = model.Transform(fromFrame).ToDataFrame(-1);
        Assert.Equal(expected.Length, scored.Rows.Count);
        Assert.Equal(expected[17], (float)scored["Score"][17]);
    }

    [Fact]
    public void Shuffled_rows_give_the_same_result_per_shop_and_date()
    {
        var ml = new MLContext(seed: 1);
        CausalMmmCatalog mmm = ml.CausalMmm();
        var model = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(Data);
        DataFrame frame = (DataFrame)Data;
        var random = new Random(3);
        long[] order = Enumerable.Range(0, (int)frame.Rows.Count).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray();
        DataFrame shuffled = frame[order];
        var refit = ml.CausalMmm().Transforms.Adstock().Append(ml.CausalMmm().Transforms.Hill()).Append(ml.CausalMmm().Forecasting.Trainers.Ridge()).Fit(shuffled);
        Assert.Equal(model.LastTransformer.Parameters.Shops["s2"].Coefficients, refit.LastTransformer.Parameters.Shops["s2"].Coefficients);

        Dictionary<(string, DateTime), float> Keyed(IDataView scored)
        {
            DataFrame f = scored.ToDataFrame(-1, "shop_id", "date", "Score");
            return Enumerable.Range(0, (int)f.Rows.Count).ToDictionary(r => ((string)f["shop_id"][r], (DateTime)f["date"][r]), r => (float)f["Score"][r]);
        }
        Assert.Equal(Keyed(model.Transform(Data)), Keyed(model.Transform(shuffled)));
    }

    [Fact]
    public void Shuffled_rows_train_the_same_causal_model()
    {
        DataFrame frame = (DataFrame)Data;
        var random = new Random(5);
        DataFrame shuffled = frame[Enumerable.Range(0, (int)frame.Rows.Count).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray()];
        CausalGraphSet Graphs(IDataView data)
        {
            using CausalGraphTransformer graph = new MLContext(seed: 4).CausalMmm().CausalDiscovery.Trainers
                .CausalGraph(new CausalDiscovery.CausalGraphEstimator.Options { Model = EstimatorTests.Tiny() }).Fit(data);
            return graph.Graphs(Data);
        }
        CausalGraphSet ordered = Graphs(Data), fromShuffled = Graphs(shuffled);
        foreach (string shop in ordered.ShopIds) Assert.Equal(ordered[shop].Cast<double>(), fromShuffled[shop].Cast<double>());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class Row
    {
        public string shop_id { get; set; } = "";
        public DateTime date { get; set; }
        public float x0 { get; set; }
        public float x1 { get; set; }
        public float x2 { get; set; }
        public float pv { get; set; }
        public float gmv { get; set; }
        public float context0 { get; set; }
        public float context1 { get; set; }
    }
}
