// Quickstart: load a marketing CSV, fit CausalMMM and two classic baselines, compare them on a holdout,
// then save the causal model, reload it and check it forecasts the same.
//
//   dotnet run -c Release --project examples/Quickstart                 (writes and uses a simulated shops.csv)
//   dotnet run -c Release --project examples/Quickstart -- my.csv 60    (your file: shop_id,ds,x0..,pv,gmv; 60 epochs)
using System.Globalization;
using CausalMmm;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Pipeline;

var ctx = new MmmContext(seed: 1);
string csv = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "causalmmm-quickstart-shops.csv");
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
const int holdout = 14;

if (args.Length == 0)
{
    (MarketingPanel simulated, _) = ctx.Data.SimulateMarketing(shops: 20, length: 120);
    ctx.Data.SaveCsv(simulated, csv);
    Console.WriteLine($"Wrote a simulated panel to {csv}");
}

// Roles are inferred from the column names (x* channels, pv mediator, gmv target, context* context);
// pass a MarketingSchema, or MarketingSchema.Load("schema.json"), to set them explicitly.
MarketingPanel panel = ctx.Data.LoadCsv(csv);
Console.WriteLine($"Loaded {panel.ShopCount} shops x {panel.Length} days: {panel.Schema}");
(MarketingPanel train, MarketingPanel test) = ctx.Data.TrainTestSplitByTime(panel, holdout);

var causal = ctx.CausalDiscovery.Trainers.CausalGraph(epochs: epochs, hiddenSize: 32)
    .Append(ctx.Forecasting.Trainers.MarketingResponse(epochs: epochs));
var classic = ctx.Transforms.Adstock()
    .Append(ctx.Transforms.Hill())
    .Append(ctx.Forecasting.Trainers.Ridge());
var wide = ctx.Forecasting.Trainers.Wide();

var models = new (string Name, ITransformer Model)[]
{
    ("CausalMMM", causal.Fit(train)),
    ("Adstock+Hill+Ridge", classic.Fit(train)),
    ("Wide", wide.Fit(train)),
};

Console.WriteLine();
Console.WriteLine($"Holdout: the last {holdout} days, spends given (scenario forecasts of gmv)");
Console.WriteLine($"{"model",-20} {"h",3} {"MSE",14} {"MAE",10} {"MAPE %",8} {"R2",7}");
foreach ((string name, ITransformer model) in models)
{
    ForecastEvaluation e = ctx.Forecasting.Evaluate(model.Transform(test));
    foreach (HorizonMetrics m in new[] { e.At(1), e.At(7), e.At(holdout), e.Overall })
        Console.WriteLine($"{name,-20} {(m.Horizon == 0 ? "all" : m.Horizon.ToString(CultureInfo.InvariantCulture)),3} {m.Mse,14:F0} {m.Mae,10:F1} {m.Mape,8:F2} {m.RSquared,7:F3}");
}

var causalModel = (TransformerChain<MarketingResponseTransformer>)models[0].Model;
MarketingPanel scored = causalModel.Transform(test);
string shop = panel.ShopIds[0];
Console.WriteLine();
Console.WriteLine($"Learned graph of {shop}, its 6 strongest edges (an edge counts at probability >= 0.5):");
foreach ((string from, string to, double p) in scored.Graphs!.Edges(shop, threshold: 0).Take(6))
    Console.WriteLine($"  {from} -> {to}  {p:F2}");

string path = Path.Combine(Path.GetTempPath(), "causalmmm-quickstart-model.zip");
ctx.Model.Save(causalModel, path);
TransformerChain<MarketingResponseTransformer> reloaded = ctx.Model.Load<MarketingResponseTransformer>(path);
double[] before = scored.Forecast!.Get(0, "gmv"), after = reloaded.Transform(test).Forecast!.Get(0, "gmv");
Console.WriteLine();
Console.WriteLine($"Saved to {path} and reloaded: forecasts {(before.SequenceEqual(after) ? "identical" : "DIFFERENT")}; "
    + $"trained {reloaded.LastTransformer.Model.Summary!.EpochsRun} epochs, graph from {reloaded.LastTransformer.GraphSource}.");
