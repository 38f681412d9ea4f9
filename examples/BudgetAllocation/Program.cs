// Budget allocation: fit CausalMMM on a panel, print each channel's contribution and ROI over the next four weeks with
// bands from the learned graph, split into the part that reaches GMV directly and the part that goes through page
// views; then optimise next month's budget (same total, each channel between half and twice its current spend, x0
// fixed) and compare with the current plan, next to the same optimisation on the classic adstock + Hill + ridge model.
//
//   dotnet run -c Release --project examples/BudgetAllocation [-- epochs]
using System.Globalization;
using CausalMmm;
using CausalMmm.Forecasting;
using CausalMmm.Planning;
using Microsoft.ML;

var ml = new MLContext(seed: 1);
CausalMmmCatalog mmm = ml.CausalMmm();
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
const int days = 28;

SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops: 20, length: 150, seed: 11);
IDataView history = simulated.Data;
ITransformer causal = mmm.CausalDiscovery.Trainers.CausalGraph(epochs: epochs)
    .Append(mmm.Forecasting.Trainers.MarketingResponse(epochs: epochs))
    .Fit(history);
ITransformer classic = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history);
MediaPlan current = mmm.Planning.RepeatLast(history, days);

// Contributions and ROI over the plan, all shops together, with 90% bands from 30 sampled graphs per shop.
ContributionReport contributions = mmm.Planning.Contributions(causal, history, current, new ContributionOptions { Samples = 30 });
ResponseCurveSet curves = mmm.Planning.ResponseCurves(causal, history, current, new ResponseCurveOptions { Samples = 30 });
Console.WriteLine($"CausalMMM, next {days} days, all {simulated.Panel.ShopCount} shops ({contributions.BandLevel:P0} bands from {contributions.Samples} graph samples per shop)");
Console.WriteLine($"{"channel",-8} {"spend",12} {"contribution [band]",32} {"direct",11} {"mediated",11} {"ROI [band]",22} {"marginal ROI",13} {"saturates at",13}");
foreach (ChannelContribution c in contributions.Totals.Where(t => t.ShopId == ResponseCurveSet.AllShops))
{
    ChannelReturn r = curves.Returns.Single(x => x.ShopId == ResponseCurveSet.AllShops && x.Channel == c.Channel);
    Console.WriteLine($"{c.Channel,-8} {c.Spend,12:N0} {$"{c.Contribution:N0} [{c.Lower:N0}, {c.Upper:N0}]",32} {c.Direct,11:N0} {c.Mediated,11:N0} "
        + $"{$"{c.Roi:0.00} [{c.RoiLower:0.00}, {c.RoiUpper:0.00}]",22} {r.MarginalRoi,13:0.00} {$"{r.SaturationMultiplier:0.0}x spend",13}");
}
double media = contributions.Decomposition.Sum(d => d.Forecast - d.Base), residual = contributions.Decomposition.Sum(d => d.Residual);
Console.WriteLine($"Forecast GMV {contributions.Decomposition.Sum(d => d.Forecast):N0} = base {contributions.Decomposition.Sum(d => d.Base):N0} + channels {contributions.Decomposition.Sum(d => d.Channels):N0} + residual {residual:N0} ({residual / media:P1} of what media adds: the channels' interaction)");

// Next month's budget: the same total per shop, each channel within 0.5x-2x of its current spend, x0 kept as planned.
var options = new BudgetOptimizationOptions { DefaultBounds = SpendBounds.Relative(0.5, 2) };
options.FixedChannels.Add("x0");
Console.WriteLine();
Console.WriteLine("Optimised allocation of the same budget (0.5x-2x per channel, x0 fixed), all shops:");
Console.WriteLine($"{"model",-20} {"channel",-8} {"current spend",14} {"optimised",12} {"change",8}");
foreach ((string name, ITransformer model) in new[] { ("CausalMMM", causal), ("Adstock+Hill+Ridge", classic) })
{
    BudgetAllocation allocation = mmm.Planning.OptimizeBudget(model, history, current, options);
    foreach (IGrouping<string, ChannelAllocation> channel in allocation.Channels.GroupBy(c => c.Channel))
    {
        double before = channel.Sum(c => c.CurrentSpend), after = channel.Sum(c => c.OptimizedSpend);
        Console.WriteLine($"{name,-20} {channel.Key,-8} {before,14:N0} {after,12:N0} {after / before - 1,8:P0}");
    }
    double gmvBefore = allocation.Shops.Sum(s => s.CurrentTarget), gmvAfter = allocation.Shops.Sum(s => s.OptimizedTarget);
    Console.WriteLine($"{name,-20} forecast GMV {gmvBefore:N0} -> {gmvAfter:N0} ({gmvAfter / gmvBefore - 1:+0.0%;-0.0%}) at the same spend {allocation.Shops.Sum(s => s.CurrentSpend):N0}");
    string path = Path.Combine(Path.GetTempPath(), $"optimised-plan-{name.Split('+')[0].ToLowerInvariant()}.csv");
    allocation.OptimizedPlan.SaveCsv(path);
    Console.WriteLine($"{name,-20} optimised plan written to {path}");
}
