// Quickstart: a marketing CSV into ML.NET, CausalMMM beside the classic MMM baselines and stock ML.NET regressors on the
// same holdout rows (mlContext.Regression.Evaluate), then the causal model saved, reloaded and checked.
//
//   dotnet run -c Release --project examples/Quickstart                 (writes and uses a simulated shops.csv)
//   dotnet run -c Release --project examples/Quickstart -- my.csv 60    (your file: shop_id,ds,x0..,pv,gmv; at most 60 epochs)
//
// CausalMMM trains with the estimators' defaults: up to 300 epochs, stopping on a plateau of the loss (about 2 minutes
// on 2 cores for the simulated panel).
using System.Globalization;
using CausalMmm;
using CausalMmm.CausalDiscovery;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using Microsoft.Data.Analysis;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 1);
CausalMmmCatalog mmm = ml.CausalMmm();
string csv = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "causalmmm-quickstart-shops.csv");
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : CausalMmmOptions.Defaults.Epochs;
const int holdoutDays = 14;

if (args.Length == 0)
{
    SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 20, length: 120, seed: 7);
    mmm.Data.SavePanelCsv(simulated.Panel, csv);
    Console.WriteLine($"Wrote a simulated panel to {csv}");
}

// Roles come from the column names (x* channels, pv mediator, gmv target, context* context); give
// ml.CausalMmm(MarketingSchema.Load("schema.json")) to set them explicitly. The loader adds t, the day index.
IDataView data = mmm.Data.LoadPanelCsv(csv);
float lastDay = data.GetColumn<float>("t").Max();
float cutoff = lastDay + 1 - holdoutDays;
IDataView history = ml.Data.FilterRowsByColumn(data, "t", upperBound: cutoff);
string[] channels = data.Schema.Select(c => c.Name).Where(n => n.StartsWith('x')).ToArray();
string[] context = data.Schema.Select(c => c.Name).Where(n => n.StartsWith("context", StringComparison.Ordinal)).ToArray();
Console.WriteLine($"Loaded {data.GetRowCount()} rows; history t < {cutoff}, holdout the last {holdoutDays} days");

// Stock ML.NET regressors see one row at a time: the shop (one-hot), its context and the day's spend,
// either raw or through our fitted adstock (carry-over) and Hill (saturation) transforms.
IEstimator<ITransformer> Stock(string[] spend, Func<IEstimator<ITransformer>> trainer) =>
    ml.Transforms.Categorical.OneHotEncoding("shop", "shop_id")
        .Append(ml.Transforms.Concatenate("Features", spend.Concat(context).Prepend("shop").ToArray()))
        .Append(ml.Transforms.NormalizeMinMax("Features"))
        .Append(trainer());
IEstimator<ITransformer> AdstockHill(IEstimator<ITransformer> next) => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(next);
string[] saturated = channels.Select(c => c + "_adstock_hill").ToArray();
var sdca = () => (IEstimator<ITransformer>)ml.Regression.Trainers.Sdca(labelColumnName: "gmv");
var fastTree = () => (IEstimator<ITransformer>)ml.Regression.Trainers.FastTree(labelColumnName: "gmv");
var lightGbm = () => (IEstimator<ITransformer>)ml.Regression.Trainers.LightGbm(labelColumnName: "gmv");

var pipelines = new (string Name, IEstimator<ITransformer> Pipeline)[]
{
    ("CausalMMM", mmm.CausalDiscovery.Trainers.CausalGraph(epochs: epochs).Append(mmm.Forecasting.Trainers.MarketingResponse(epochs: epochs))),
    ("Adstock+Hill+Ridge", mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge())),
    ("Wide", mmm.Forecasting.Trainers.Wide()),
    ("Sdca (raw spend)", Stock(channels, sdca)),
    ("FastTree (raw spend)", Stock(channels, fastTree)),
    ("LightGbm (raw spend)", Stock(channels, lightGbm)),
    ("Sdca (adstock+Hill)", AdstockHill(Stock(saturated, sdca))),
    ("FastTree (adstock+Hill)", AdstockHill(Stock(saturated, fastTree))),
    ("LightGbm (adstock+Hill)", AdstockHill(Stock(saturated, lightGbm))),
    // The forecasts every model must beat: each shop's last value, the same weekday last week, its last 28 days' mean.
    ("Naive: last value", mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue)),
    ("Naive: a season earlier", mmm.Forecasting.Trainers.Naive(NaiveMethod.SeasonalNaive)), // 7 days, or 52 weeks for weekly data
    ("Naive: recent mean", mmm.Forecasting.Trainers.Naive(NaiveMethod.RecentMean)),          // the last 28 days, or 13 weeks
};
DateTime firstHoldoutDate = ml.Data.FilterRowsByColumn(data, "t", lowerBound: cutoff, upperBound: cutoff + 1).GetColumn<DateTime>("ds").First(); // the file's date column

Console.WriteLine();
Console.WriteLine($"Holdout gmv, the same {holdoutDays * 20} rows for every model (spends given): RMSE, MAE and pooled R2 from");
Console.WriteLine("mlContext.Regression.Evaluate; R2 within each shop and MASE (each shop's MAE over that of repeating its last value,");
Console.WriteLine("below 1 beats it) from mmm.Forecasting.Evaluate:");
Console.WriteLine($"{"model",-26} {"RMSE",10} {"MAE",10} {"R2",7} {"R2 shop",8} {"MASE",6}");
ITransformer? causal = null;
var skills = new List<(string Name, double Mase)>();
foreach ((string name, IEstimator<ITransformer> pipeline) in pipelines)
{
    ITransformer model;
    try
    {
        model = pipeline.Fit(history);
    }
    catch (ArgumentException e) when (name.StartsWith("Naive", StringComparison.Ordinal))
    {
        Console.WriteLine($"{name,-26} skipped: {e.Message}"); // a seasonal forecast needs a season of history
        continue;
    }
    causal ??= model;
    // Score the whole panel, then keep the holdout rows: carry-over and forecasts read the history before them.
    IDataView scoredPanel = model.Transform(data);
    RegressionMetrics m = ml.Regression.Evaluate(ml.Data.FilterRowsByColumn(scoredPanel, "t", lowerBound: cutoff), labelColumnName: "gmv", scoreColumnName: "Score");
    CausalMmm.Evaluation.ForecastEvaluation skill = mmm.Forecasting.Evaluate(scoredPanel, firstHoldoutDate, "gmv");
    Console.WriteLine($"{name,-26} {m.RootMeanSquaredError,10:F1} {m.MeanAbsoluteError,10:F1} {m.RSquared,7:F3} {skill.WithinShopRSquared,8:F3} {skill.Mase,6:F2}");
    skills.Add((name, skill.Mase));
}
// Said plainly: a model that reads well against the regressors may still lose to a naive forecast.
(string bestNaive, double bestNaiveMase) = skills.Where(s => s.Name.StartsWith("Naive", StringComparison.Ordinal)).MinBy(s => s.Mase);
double causalMase = skills[0].Mase;
Console.WriteLine(causalMase < bestNaiveMase
    ? $"CausalMMM beats every naive forecast (MASE {causalMase:F2}; best naive: {bestNaive}, {bestNaiveMase:F2})."
    : $"CausalMMM does NOT beat the naive forecast '{bestNaive}' (MASE {causalMase:F2} against {bestNaiveMase:F2}).");

// A fitted chain is an IEnumerable<ITransformer>; the graph learner's typed accessors stay on its transformer.
CausalGraphTransformer graphs = ((IEnumerable<ITransformer>)causal!).OfType<CausalGraphTransformer>().First();
CausalMmm.Data.CausalGraphSet learned = graphs.Graphs(data);
string shop = learned.ShopIds[0];
Console.WriteLine();
Console.WriteLine($"Learned graph of {shop}, its 6 strongest edges, lagged and same-day (an edge counts at probability >= 0.5):");
foreach (CausalMmm.Data.CausalEdge edge in learned.Edges(shop, threshold: 0).Take(6))
    Console.WriteLine($"  {edge}");

string path = Path.Combine(Path.GetTempPath(), "causalmmm-quickstart-model.zip");
ml.Model.SaveCausalMmm(causal!, data.Schema, path);
var reloaded = new MLContext(seed: 99).Model.LoadCausalMmm<MarketingResponseTransformer>(path, out _);
float[] before = causal!.Transform(data).GetColumn<float>("Score").ToArray();
IDataView reloadedScores = reloaded.Transform(data); // one view: its scores are computed once, for both uses below
float[] after = reloadedScores.GetColumn<float>("Score").ToArray();
Console.WriteLine();
Console.WriteLine($"Saved to {path} and reloaded in a new MLContext: Score {(before.SequenceEqual(after) ? "bitwise identical" : "DIFFERENT")} on {before.Length} rows; "
    + $"trained {reloaded.LastTransformer.Model.Summary!.EpochsRun} epochs, graph from {reloaded.LastTransformer.GraphSource}.");
DataFrame scored = ml.Data.FilterRowsByColumn(reloadedScores, "t", lowerBound: lastDay).ToDataFrame(-1, "shop_id", "ds", "gmv", "Score");
Console.WriteLine();
Console.WriteLine($"The last day as a DataFrame ({scored.Rows.Count} rows), first 3:");
Console.WriteLine(scored.Head(3));
