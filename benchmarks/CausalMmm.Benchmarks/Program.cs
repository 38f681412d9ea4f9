using System.Globalization;
using CausalMmm.Benchmarks;

// Usage: CausalMmm.Benchmarks step [--channels d] [--batch B] [--length T] [--hidden H] [--steps N] [--threads 1,2] [--messages HiddenStates|ObservedValues] [--current-allocator]
//          (without --current-allocator it runs twice in child processes: glibc's default allocator settings, then scripts/env.sh's)
//        CausalMmm.Benchmarks lagchain [--lag k] [--shops N] [--length T] [--epochs E] [--messages ObservedValues,HiddenStates,HiddenStatesAndValues]
//        CausalMmm.Benchmarks planning|decisions [--seeds N] [--first-seed S] [--shops N] [--length T] [--channels d] [--days H] [--epochs E] [--noise s]
//                                   [--models CausalMmm,Ridge] [--set Option=value,...]   (both names run the same suite: plan response, ROI, budget, mediated shares)
//        CausalMmm.Benchmarks forecast [--seeds N] [--first-seed S] [--shops N] [--length T] [--holdout H] [--frequency Daily|Weekly] [--drift s] [--trend s] [--yearly a] [--weekly a]
//                                   [--epochs E] [--set Option=value,...] [--set-graph Option=value,...] [--true-graph [--graph-thresholds 0.3,0.5]]   (holdout forecasts of CausalMMM, the classic chain and naive forecasts: RMSE, MAPE,
//                                   MASE, R2 within shops; --true-graph adds the forecaster on the simulator's true graphs, which tells graph error from the forecaster's, and
//                                   --graph-thresholds the forecaster on the learned graphs made certain: edges at or above each threshold kept at 1, the rest dropped)
//        CausalMmm.Benchmarks graphs [--seeds N] [--first-seed S] [--members 0,1,..] [--epochs E] [--shops N] [--set Option=value,...]
//                                   (graph recovery on the graph simulator's members: CausalMMM's defaults against Linear Granger, paired over seeds)
//        CausalMmm.Benchmarks backtest --data panel.csv [--schema schema.json] [--folds 2] [--horizon 13] [--epochs E] [--set ...] [--set-graph ...] [--seeds N] [--first-seed S]
//                                   (rolling-origin backtest of a CSV panel with internal options: CausalMMM, the chain, the last value; see benchmarks/real/)
//        CausalMmm.Benchmarks trendchoice [--seeds N]   (the statistic a fit reads to choose a trend, on the simulator's flat and drifting configurations)
//        CausalMmm.Benchmarks profile [--channels d] [--batch B] [--hidden H] [--length T] [--threads N]
//        CausalMmm.Benchmarks paper [--sweep table3|d|T|R] [--seeds N] [--epochs N] [--threads N] [--simulations 1,2]
//                                   [--variants CausalMmm,Markov,NoSaturation,FullGraph] [--set Option=value,Option=value] [--shops N] [--channels d] [--first-seed S] [--weights PositiveUniform|PaperNormal]
string command = args.Length > 0 ? args[0] : "step";
string Text(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

switch (command)
{
    case "step" when Array.IndexOf(args, "--child") < 0 && Array.IndexOf(args, "--current-allocator") < 0:
        return StepBenchmark.RunBothAllocators(args);
    case "step":
        return StepBenchmark.Run(Option("--channels", 10), Option("--batch", 8), Option("--length", 120), Option("--hidden", CausalMmm.Modeling.CausalMmmOptions.Defaults.HiddenSize),
            Option("--steps", 15), Text("--threads", "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray(),
            Enum.Parse<CausalMmm.Modeling.MessageSource>(Text("--messages", CausalMmm.Modeling.CausalMmmOptions.Defaults.Messages.ToString()), ignoreCase: true));
    case "paper":
        return PaperBenchmark.Run(Text("--sweep", "table3"), Option("--seeds", 5), Array.IndexOf(args, "--epochs") >= 0 ? Option("--epochs", 0) : null,
            Option("--threads", Environment.ProcessorCount), Text("--simulations", "1,2"), Text("--variants", "NoSaturation,Markov,CausalMmm"), Text("--set", ""),
            Array.IndexOf(args, "--shops") >= 0 ? Option("--shops", 0) : null, Array.IndexOf(args, "--channels") >= 0 ? Option("--channels", 0) : null,
            Option("--first-seed", 1), Enum.Parse<CausalMmm.Simulation.SyntheticLinkWeights>(Text("--weights", "PositiveUniform"), ignoreCase: true));
    case "planning":
    case "decisions":
        return PlanningBenchmark.Run(command, Option("--seeds", 5), Option("--first-seed", 1), Option("--shops", 40), Option("--length", 182), Option("--channels", 4), Option("--days", 28),
            Array.IndexOf(args, "--epochs") >= 0 ? Option("--epochs", 0) : null, double.Parse(Text("--noise", "0.05"), CultureInfo.InvariantCulture), Text("--set", ""), Text("--models", "CausalMmm,Ridge"), Text("--set-graph", ""));
    case "forecast":
        return ForecastBenchmark.Run(Option("--seeds", 5), Option("--first-seed", 1), Option("--shops", 40), Option("--length", 182), Option("--holdout", 28), Text("--frequency", "Daily"),
            double.Parse(Text("--drift", "0.01"), CultureInfo.InvariantCulture), double.Parse(Text("--trend", "0.002"), CultureInfo.InvariantCulture),
            double.Parse(Text("--yearly", "0.15"), CultureInfo.InvariantCulture), double.Parse(Text("--weekly", "0.1"), CultureInfo.InvariantCulture),
            Array.IndexOf(args, "--epochs") >= 0 ? Option("--epochs", 0) : null, Text("--set", ""), trueGraph: Array.IndexOf(args, "--true-graph") >= 0,
            thresholds: Text("--graph-thresholds", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray(),
            graphOverrides: Text("--set-graph", ""));
    case "graphs":
        return GraphsBenchmark.Run(Option("--seeds", 5), Option("--first-seed", 1), Text("--members", ""), Array.IndexOf(args, "--epochs") >= 0 ? Option("--epochs", 0) : null,
            Array.IndexOf(args, "--shops") >= 0 ? Option("--shops", 0) : null, Text("--set", ""));
    case "backtest":
        return PanelBacktestBenchmark.Run(Text("--data", ""), Array.IndexOf(args, "--schema") >= 0 ? Text("--schema", "") : null, Option("--folds", 2), Option("--horizon", 13),
            Array.IndexOf(args, "--epochs") >= 0 ? Option("--epochs", 0) : null, Text("--set", ""), Text("--set-graph", ""), Option("--seeds", 1), Option("--first-seed", 1));
    case "trendchoice":
        return TrendChoiceBenchmark.Run(Option("--seeds", 5));
    case "lagchain":
        return LagChainBenchmark.Run(Option("--lag", 3), Option("--shops", 16), Option("--length", 50), Option("--epochs", 80),
            Text("--messages", "ObservedValues,HiddenStates,HiddenStatesAndValues"));
    case "profile":
        return ProfileBenchmark.Run(Option("--channels", 10), Option("--batch", 8), Option("--hidden", CausalMmm.Modeling.CausalMmmOptions.Defaults.HiddenSize), Option("--length", 120), Option("--threads", Environment.ProcessorCount));
    default:
        Console.Error.WriteLine($"Unknown benchmark '{command}'. Available: step, paper, planning, decisions, forecast, graphs, backtest, trendchoice, lagchain, profile.");
        return 2;
}
