using System.CommandLine;
using CausalMmm.Cli;
using CausalMmm.Data;
using CausalMmm.Forecasting;

// Exit codes: 0 ok, 1 bad input, 2 usage, 130 cancelled (Ctrl-C).
var seedOption = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same CPU run.", DefaultValueFactory = _ => 1 };
var threadsOption = new Option<int>("--threads") { Description = "libtorch intra-op threads (default: every core).", DefaultValueFactory = _ => Environment.ProcessorCount };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 200 };

var smoke = new Command("smoke", "Train a small GRU regressor on generated data and show its loss falling (checks that TorchSharp loads and trains).\n\nExample:\n  causalmmm smoke --epochs 50")
{
    epochsOption, seedOption, threadsOption,
};
smoke.SetAction(result => SmokeCommand.Run(result.GetValue(epochsOption), result.GetValue(seedOption), result.GetValue(threadsOption)));

var shopsOption = new Option<int>("--shops") { Description = "Simulated shops.", DefaultValueFactory = _ => 50 };
var channelsOption = new Option<int>("--channels") { Description = "Simulated channels.", DefaultValueFactory = _ => 5 };
var lengthOption = new Option<int>("--length") { Description = "Simulated steps per shop (the last 30 are held out).", DefaultValueFactory = _ => 120 };
var demoEpochsOption = new Option<int>("--epochs") { Description = "Training epochs (the paper's configuration trains a fixed count).", DefaultValueFactory = _ => 60 };
var paper = new Command("paper", "The paper's synthetic benchmark: simulate a panel with known causal graphs, fit CausalMMM, and compare graphs and forecasts with Linear Granger.\n\nExample:\n  causalmmm paper --shops 50 --channels 5 --epochs 60")
{
    shopsOption, channelsOption, lengthOption, demoEpochsOption, seedOption, threadsOption,
};
paper.SetAction(result => DemoCommand.Run(result.GetValue(shopsOption), result.GetValue(channelsOption), result.GetValue(lengthOption),
    result.GetValue(demoEpochsOption), (int)result.GetValue(seedOption), result.GetValue(threadsOption)));

// Options every analyst command takes.
var jsonOption = new Option<bool>("--json") { Description = "Print one JSON document instead of tables (for scripts)." };
var quietOption = new Option<bool>("--quiet", "-q") { Description = "No progress bars or tables (for CI); errors still go to stderr." };
var deviceOption = new Option<string>("--device") { Description = "cpu or cuda (CUDA needs the TorchSharp CUDA build; see the README).", DefaultValueFactory = _ => "cpu" };
deviceOption.AcceptOnlyFromAmong("cpu", "cuda");
var analystSeedOption = new Option<int>("--seed") { Description = "The MLContext seed: the same seed gives the same CPU run.", DefaultValueFactory = _ => 1 };
Option[] common = { jsonOption, quietOption, deviceOption, threadsOption, analystSeedOption };
CommonSettings Settings(ParseResult r) => new(r.GetValue(jsonOption), r.GetValue(quietOption), r.GetValue(deviceOption)!, r.GetValue(threadsOption), r.GetValue(analystSeedOption));
Command WithCommon(Command command)
{
    foreach (Option option in common) command.Options.Add(option);
    return command;
}

var outputOption = new Option<string>("--output", "-o") { Description = "The file to write (replaced whole, never half-written).", Required = true };

var sampleShops = new Option<int>("--shops") { Description = "Shops.", DefaultValueFactory = _ => 20 };
var sampleLength = new Option<int>("--length") { Description = "Days per shop.", DefaultValueFactory = _ => 150 };
var sampleChannels = new Option<int>("--channels") { Description = "Media channels.", DefaultValueFactory = _ => 4 };
var sample = WithCommon(new Command("sample", "Write the marketing simulator's panel as a CSV to try the other commands on.\n\nExample:\n  causalmmm sample -o shops.csv --shops 20 --length 150")
{
    outputOption, sampleShops, sampleLength, sampleChannels,
});
sample.SetAction(r => Cli.Run(r, c => AnalystCommands.Sample(Settings(r), r.GetValue(outputOption)!, r.GetValue(sampleShops), r.GetValue(sampleLength), r.GetValue(sampleChannels))));

var dataArgument = new Argument<string>("DATA") { Description = "A wide CSV: shop_id, date, context*, channels x0.. (or *spend*), pv, gmv." };
var schemaOption = new Option<string?>("--schema") { Description = "A JSON file of column roles (MarketingSchema) when names do not say them." };
var targetOption = new Option<string?>("--target") { Description = "The target column (default: gmv or sales)." };
var holdoutOption = new Option<int>("--holdout") { Description = "Last days held out to score the fit against adstock+Hill+ridge and the naive forecasts (0: none).", DefaultValueFactory = _ => 28 };
var fitEpochs = new Option<int>("--epochs") { Description = "Most training epochs of each network; each stops earlier once its loss gains less than 0.1% in 40 epochs.", DefaultValueFactory = _ => CausalMmm.Modeling.CausalMmmOptions.Defaults.Epochs };
var graphLearnerOption = new Option<string>("--graph") { Description = "The graph the forecaster runs on: causalmmm (learned) or linear-granger (the baseline).", DefaultValueFactory = _ => "causalmmm" };
graphLearnerOption.AcceptOnlyFromAmong("causalmmm", "linear-granger");
var fit = WithCommon(new Command("fit", "Learn a causal graph per shop and fit the CausalMMM forecaster on a CSV, score the holdout against adstock+Hill+ridge and the naive forecasts (MASE, R² within shops), save the model.\n\nExample:\n  causalmmm fit shops.csv --holdout 28 -o model.zip")
{
    dataArgument, schemaOption, targetOption, holdoutOption, fitEpochs, graphLearnerOption, outputOption,
});
fit.SetAction(r => Cli.Run(r, cancel => AnalystCommands.Fit(Settings(r), r.GetValue(dataArgument)!, r.GetValue(schemaOption), r.GetValue(targetOption), r.GetValue(holdoutOption),
    r.GetValue(fitEpochs), r.GetValue(outputOption)!, cancel, r.GetValue(graphLearnerOption)!)));

var foldsOption = new Option<int>("--folds") { Description = "Forecast origins; the last window ends where the data ends.", DefaultValueFactory = _ => BacktestOptions.Defaults.Folds };
var backtestHorizon = new Option<int>("--horizon") { Description = "Steps forecast from each origin.", DefaultValueFactory = _ => BacktestOptions.Defaults.Horizon };
var backtestReport = new Option<string?>("--report") { Description = "Also write the tables as one offline HTML file." };
var backtest = WithCommon(new Command("backtest", "Rolling-origin backtest: refit CausalMMM, adstock+Hill+ridge and the naive forecasts at several origins, forecast each following window with the actual spends given, and score every fold and all together (MASE against the last value, R² within shops).\n\nExample:\n  causalmmm backtest shops.csv --folds 4 --horizon 13")
{
    dataArgument, schemaOption, targetOption, foldsOption, backtestHorizon, fitEpochs, backtestReport,
});
backtest.SetAction(r => Cli.Run(r, cancel => BacktestCommand.Run(Settings(r), r.GetValue(dataArgument)!, r.GetValue(schemaOption), r.GetValue(targetOption), r.GetValue(foldsOption),
    r.GetValue(backtestHorizon), r.GetValue(fitEpochs), r.GetValue(backtestReport), cancel)));

var modelArgument = new Argument<string>("MODEL") { Description = "A model saved by 'causalmmm fit'." };
var planOption = new Option<string?>("--plan") { Description = "A plan CSV: shop_id, step (1, 2, ...) or date (from the day after the data), then every channel and covariate; default: the last --horizon days repeated." };
var optimizePlanOption = new Option<string?>("--plan") { Description = "The plan to improve on, as for forecast: its covariates (a promo calendar) are kept, its spends set the current budget; default: the last --horizon days repeated." };
var horizonOption = new Option<int>("--horizon") { Description = "Days to forecast or plan after the data.", DefaultValueFactory = _ => 28 };
var dataSchemaOption = new Option<string?>("--schema") { Description = "The JSON schema the model was fitted with, when the CSV's shop or date column or date format needed one." };
var forecast = WithCommon(new Command("forecast", "Forecast the target for the days after the data under a media plan.\n\nExample:\n  causalmmm forecast model.zip shops.csv --plan plan.csv -o forecast.csv")
{
    modelArgument, dataArgument, dataSchemaOption, planOption, horizonOption, outputOption,
});
forecast.SetAction(r => Cli.Run(r, cancel => AnalystCommands.Forecast(Settings(r), r.GetValue(modelArgument)!, r.GetValue(dataArgument)!, r.GetValue(dataSchemaOption), r.GetValue(planOption),
    r.GetValue(horizonOption), r.GetValue(outputOption)!, cancel)));

var budgetOption = new Option<double?>("--budget") { Description = "Each shop's total channel spend over the horizon (default: its current spend)." };
var boundsOption = new Option<string?>("--bounds") { Description = "A CSV channel,min,max[,relative]: bounds per channel, multiples of current spend unless relative is false." };
var fixOption = new Option<string?>("--fix") { Description = "Channels kept at their plan, comma-separated." };
var objectiveOption = new Option<string>("--objective") { Description = "max-target, min-spend (reach 5% more) or target-roi.", DefaultValueFactory = _ => "max-target" };
objectiveOption.AcceptOnlyFromAmong("max-target", "min-spend", "target-roi");
var roiOption = new Option<double?>("--target-roi") { Description = "The ROI to keep with --objective target-roi (default 1)." };
var optimize = WithCommon(new Command("optimize", "Optimise the next --horizon days' budget by the model's forecast and write the plan as CSV.\n\nExample:\n  causalmmm optimize model.zip shops.csv --plan promo-calendar.csv --bounds bounds.csv --fix x0 -o plan.csv")
{
    modelArgument, dataArgument, dataSchemaOption, optimizePlanOption, budgetOption, boundsOption, fixOption, objectiveOption, roiOption, horizonOption, outputOption,
});
// A plan sets its own horizon (its days): a --horizon beside it would be ignored, so it is refused.
void PlanSetsHorizon(Command command, Option<string?> plan)
{
    command.Validators.Add(result =>
    {
        if (result.GetResult(plan) is not null && result.GetResult(horizonOption) is { Implicit: false })
            result.AddError($"{command.Name}: --plan sets the horizon (the plan's days), so --horizon would be ignored; give one of them.");
    });
}
PlanSetsHorizon(forecast, planOption);
PlanSetsHorizon(optimize, optimizePlanOption);
optimize.SetAction(r => Cli.Run(r, cancel => AnalystCommands.Optimize(Settings(r), r.GetValue(modelArgument)!, r.GetValue(dataArgument)!, r.GetValue(dataSchemaOption), r.GetValue(budgetOption),
    r.GetValue(boundsOption), r.GetValue(fixOption), r.GetValue(objectiveOption)!, r.GetValue(roiOption), r.GetValue(horizonOption), r.GetValue(outputOption)!, cancel, r.GetValue(optimizePlanOption))));

var shopOption = new Option<string?>("--shop") { Description = "One shop's graph (default: every edge's mean over shops)." };
var minOption = new Option<double>("--min") { Description = "Show edges with at least this probability.", DefaultValueFactory = _ => 0.5 };
var graph = WithCommon(new Command("graph", "Show the causal graph the model learned: one shop's edges, or each edge's mean over shops.\n\nExample:\n  causalmmm graph model.zip --shop shop003")
{
    modelArgument, shopOption, minOption,
});
graph.SetAction(r => Cli.Run(r, _ => AnalystCommands.Graph(Settings(r), r.GetValue(modelArgument)!, r.GetValue(shopOption), r.GetValue(minOption))));

var reportShops = new Option<int>("--shops") { Description = "Shops whose graphs and fits are shown.", DefaultValueFactory = _ => 3 };
var samplesOption = new Option<int>("--samples") { Description = "Graph samples per shop for the bands.", DefaultValueFactory = _ => 20 };
var baselineEpochs = new Option<int>("--baseline-epochs") { Description = "Training epochs of the Wide baseline.", DefaultValueFactory = _ => 60 };
var report = WithCommon(new Command("report", "Write one self-contained HTML report (works offline): data and checks, graphs, fit and holdout against the baselines, contributions, response curves, ROI and the optimised allocation.\n\nExample:\n  causalmmm report model.zip shops.csv -o report.html")
{
    modelArgument, dataArgument, dataSchemaOption, outputOption, reportShops, horizonOption, samplesOption, baselineEpochs,
});
report.SetAction(r => Cli.Run(r, cancel => ReportCommand.Run(Settings(r), r.GetValue(modelArgument)!, r.GetValue(dataArgument)!, r.GetValue(dataSchemaOption), r.GetValue(outputOption)!, r.GetValue(reportShops),
    r.GetValue(horizonOption), r.GetValue(samplesOption), r.GetValue(baselineEpochs), cancel)));

var demoDir = new Option<string>("--out") { Description = "Folder for the sample CSV, the model and the report.", DefaultValueFactory = _ => "causalmmm-demo" };
var demoEpochs = new Option<int>("--epochs") { Description = "Most training epochs of each network, as in fit: each stops earlier once its loss gains less than 0.1% in 40 epochs.", DefaultValueFactory = _ => CausalMmm.Modeling.CausalMmmOptions.Defaults.Epochs };
var demo = WithCommon(new Command("demo", "The main job on built-in synthetic data: write a sample CSV, fit CausalMMM with a 28-day holdout, write the HTML report and print its path.\n\nExample:\n  causalmmm demo --out demo")
{
    demoDir, demoEpochs,
});
demo.SetAction(r => Cli.Run(r, cancel => DemoRun.Run(Settings(r), r.GetValue(demoDir)!, r.GetValue(demoEpochs), cancel)));

var root = new RootCommand("causalmmm: causal marketing-mix modeling (CausalMMM, WSDM 2024) on ML.NET and TorchSharp.") { demo, sample, fit, backtest, graph, forecast, optimize, report, paper, smoke };
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"usage: {error.Message} (see 'causalmmm {parsed.CommandResult.Command.Name} --help')");
    return 2;
}
return parsed.Invoke();

namespace CausalMmm.Cli
{
    /// <summary>Runs a command with Ctrl-C wired to cancellation and every failure turned into one line on stderr and an exit code.</summary>
    internal static class Cli
    {
        public static int Run(ParseResult result, Func<CancellationToken, int> command)
        {
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                // The first Ctrl-C asks the command to stop at its next check (an epoch, or before a write); a second one ends the
                // process at once. Either way outputs are written whole or not at all.
                e.Cancel = !cancel.IsCancellationRequested;
                cancel.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                return command(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("cancelled: the file this step was writing was not written.");
                return 130;
            }
            catch (Exception e) when (e is PanelDataException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
                                          or NotSupportedException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {OneLine(e.Message)}");
                return 1;
            }
            catch (Exception e)
            {
                // Not a known kind of bad input: still one line and exit 1, but say it is ours to fix.
                Console.Error.WriteLine($"error: {e.GetType().Name}: {OneLine(e.Message)} (an unexpected failure inside causalmmm; please report it with the command line)");
                return 1;
            }
        }

        private static string OneLine(string message) => string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
