using System.CommandLine;
using CausalMmm.Cli;

var seedOption = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives the same CPU run.", DefaultValueFactory = _ => 1 };
var threadsOption = new Option<int>("--threads") { Description = "libtorch intra-op threads (default: every core).", DefaultValueFactory = _ => Environment.ProcessorCount };
var epochsOption = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 200 };

var smoke = new Command("smoke", "Train a small GRU regressor on generated data and show its loss falling (checks that TorchSharp loads and trains).")
{
    epochsOption, seedOption, threadsOption,
};
smoke.SetAction(result => SmokeCommand.Run(result.GetValue(epochsOption), result.GetValue(seedOption), result.GetValue(threadsOption)));

var shopsOption = new Option<int>("--shops") { Description = "Simulated shops.", DefaultValueFactory = _ => 50 };
var channelsOption = new Option<int>("--channels") { Description = "Simulated channels.", DefaultValueFactory = _ => 5 };
var lengthOption = new Option<int>("--length") { Description = "Simulated steps per shop (the last 30 are held out).", DefaultValueFactory = _ => 120 };
var demoEpochsOption = new Option<int>("--epochs") { Description = "Maximum training epochs.", DefaultValueFactory = _ => 60 };
var demo = new Command("demo", "Simulate a panel with known causal graphs, fit CausalMMM, and compare graphs and forecasts with Linear Granger.")
{
    shopsOption, channelsOption, lengthOption, demoEpochsOption, seedOption, threadsOption,
};
demo.SetAction(result => DemoCommand.Run(result.GetValue(shopsOption), result.GetValue(channelsOption), result.GetValue(lengthOption),
    result.GetValue(demoEpochsOption), (int)result.GetValue(seedOption), result.GetValue(threadsOption)));

var root = new RootCommand("causalmmm: causal marketing-mix modeling (CausalMMM, WSDM 2024) on ML.NET and TorchSharp.") { demo, smoke };
return root.Parse(args).Invoke();
