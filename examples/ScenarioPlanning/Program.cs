// Scenario planning: fit CausalMMM on a panel, then forecast the next four weeks of GMV under two media plans,
// "carry on as before" and "move 30% of the brand budget (even channels) into performance (odd channels)",
// and compare spend and GMV per plan, under CausalMMM and under the classic adstock + Hill + ridge model.
//
//   dotnet run -c Release --project examples/ScenarioPlanning [-- epochs]
using System.Globalization;
using CausalMmm;
using CausalMmm.Data;
using CausalMmm.Forecasting;

var ctx = new MmmContext(seed: 1);
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
const int weeks = 4, days = weeks * 7;

(MarketingPanel history, _) = ctx.Data.SimulateMarketing(shops: 20, length: 150);
var fitted = ctx.CausalDiscovery.Trainers.CausalGraph(epochs: epochs, hiddenSize: 32)
    .Append(ctx.Forecasting.Trainers.MarketingResponse(epochs: epochs))
    .Fit(history);
var classic = ctx.Transforms.Adstock().Append(ctx.Transforms.Hill()).Append(ctx.Forecasting.Trainers.Ridge()).Fit(history);

string[] channels = history.VariablesWithRole(VariableRole.Channel).Select(v => v.Name).ToArray();
MediaPlan asBefore = MediaPlan.RepeatLast(history, days);
MediaPlan shifted = asBefore;
double moved = 0;
foreach (string channel in channels.Where((_, i) => i % 2 == 0))
{
    moved += 0.3 * asBefore.Total(channel);
    shifted = shifted.Scale(channel, 0.7);
}
string[] performance = channels.Where((_, i) => i % 2 == 1).ToArray();
double performanceTotal = performance.Sum(asBefore.Total);
foreach (string channel in performance) shifted = shifted.Scale(channel, 1 + moved / performanceTotal);

Console.WriteLine($"Forecasting {days} days after {history.Dates[^1]:yyyy-MM-dd} for {history.ShopCount} shops");
Console.WriteLine($"{"model",-20} {"plan",-28} {"spend",14} {"GMV",16} {"GMV / spend",12}");
foreach ((string model, CausalMmm.Pipeline.ITransformer transformer) in new (string, CausalMmm.Pipeline.ITransformer)[] { ("CausalMMM", fitted), ("Adstock+Hill+Ridge", classic) })
{
    foreach ((string name, MediaPlan plan) in new[] { ("carry on as before", asBefore), ("30% brand -> performance", shifted) })
    {
        // Appending the plan marks its days as the holdout; a fitted chain reads graphs and scales from history
        // only and forecasts with the planned spends given.
        MarketingPanel scored = transformer.Transform(plan.AppendTo(history));
        double gmv = Enumerable.Range(0, scored.ShopCount).Sum(s => scored.Forecast!.Get(s, "gmv").Sum());
        double spend = channels.Sum(plan.Total);
        Console.WriteLine($"{model,-20} {name,-28} {spend,14:N0} {gmv,16:N0} {gmv / spend,12:F2}");
    }
}
