// Scenario planning: fit CausalMMM and the classic adstock + Hill + ridge model on a panel, then forecast the next four
// weeks of GMV under two media plans, "carry on as before" and "move 30% of the brand budget (even channels) into
// performance (odd channels)", and compare spend and GMV per plan under each model.
//
//   dotnet run -c Release --project examples/ScenarioPlanning [-- epochs]
using System.Globalization;
using CausalMmm;
using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 1);
CausalMmmCatalog mmm = ml.CausalMmm();
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
const int days = 28;

SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 20, length: 150, seed: 11);
IDataView history = simulated.Data;
var causal = mmm.CausalDiscovery.Trainers.CausalGraph(epochs: epochs, hiddenSize: 32)
    .Append(mmm.Forecasting.Trainers.MarketingResponse(epochs: epochs))
    .Fit(history);
var classic = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history);

MediaPlan asBefore = mmm.Planning.RepeatLast(history, days);
string[] channels = asBefore.Roles.Channels;
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

float firstPlanned = history.GetColumn<float>("t").Max() + 1;
Console.WriteLine($"Forecasting {days} days after the {firstPlanned:F0} days of history for {simulated.Panel.ShopCount} shops");
Console.WriteLine($"{"model",-20} {"plan",-28} {"spend",14} {"GMV",16} {"GMV / spend",12}");
foreach ((string model, ITransformer transformer) in new (string, ITransformer)[] { ("CausalMMM", causal), ("Adstock+Hill+Ridge", classic) })
{
    foreach ((string name, MediaPlan plan) in new[] { ("carry on as before", asBefore), ("30% brand -> performance", shifted) })
    {
        // The plan's days come after the history with gmv and pv left empty: any fitted chain forecasts them, reading
        // graphs, carry-over and scales from the history only, with the planned spends given.
        IDataView scored = ml.Data.FilterRowsByColumn(transformer.Transform(plan.AppendTo(history)), "t", lowerBound: firstPlanned);
        double gmv = scored.GetColumn<float>("Score").Sum(v => (double)v);
        double spend = channels.Sum(plan.Total);
        Console.WriteLine($"{model,-20} {name,-28} {spend,14:N0} {gmv,16:N0} {gmv / spend,12:F2}");
    }
}
