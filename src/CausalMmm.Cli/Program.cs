using System.CommandLine;
using CausalMmm.Cli;

var seedOption = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same CPU run.", DefaultValueFactory = _ => 1 };
var threadsOption = new Option<int>("--threads") { Description = "libtorch intra-op threads (default: every core).", DefaultValueFactory = _ => Environment.ProcessorCount };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 200 };

var smoke = new Command("smoke", "Train a small GRU regressor on generated data and show its loss falling (checks the native stack).")
{
    epochsOption, seedOption, threadsOption,
};
smoke.SetAction(result => SmokeCommand.Run(result.GetValue(epochsOption), result.GetValue(seedOption), result.GetValue(threadsOption)));

var demo = new Command("demo", "Run the main job on built-in synthetic data.") { epochsOption, seedOption, threadsOption };
demo.SetAction(result => SmokeCommand.Run(result.GetValue(epochsOption), result.GetValue(seedOption), result.GetValue(threadsOption)));

var root = new RootCommand("causalmmm: causal marketing-mix modeling (CausalMMM, WSDM 2024) on libtorch.") { demo, smoke };
return root.Parse(args).Invoke();
