using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Modeling;
using CausalMmm.Simulation;

namespace CausalMmm.Benchmarks;

/// <summary>
/// Graph recovery on a 3-node chain x0 -> x1 -> y whose causes act only at one lag (tanh links, little noise), for each
/// decoder message source: which of them sees a cause that acts at lag 1, 2, 3...
/// </summary>
internal static class LagChainBenchmark
{
    public static int Run(int lag, int shops, int length, int epochs, string sources)
    {
        Console.WriteLine($"3-node chain, cause at lag {lag}: {shops} shops x {length} steps, {epochs} epochs, hidden 32, batch 8, seed 7");
        Console.WriteLine($"command: dotnet run -c Release --project benchmarks/CausalMmm.Benchmarks -- lagchain --lag {lag} --shops {shops} --length {length} --epochs {epochs} --messages {sources}");
        NumericPanel panel = LaggedChain.Generate(lag, shops, length, seed: 1);
        bool[,] truth = LaggedChain.TrueGraph();
        foreach (MessageSource source in sources.Split(',').Select(s => Enum.Parse<MessageSource>(s.Trim(), ignoreCase: true)))
        {
            var options = CausalMmmOptions.Paper() with { Epochs = epochs, LearningRate = 5e-3, HiddenSize = 32, BatchSize = 8, Variance = 2.5e-3, Seed = 7, Messages = source };
            using CausalMmmModel model = CausalMmmTrainer.Fit(panel, options);
            IReadOnlyList<double[,]> p = model.EdgeProbabilities(panel);
            (MetricSummary auroc, _) = GraphMetrics.Summarise(p, Enumerable.Repeat(truth, shops).ToArray());
            double Mean(int i, int j) => p.Average(g => g[i, j]);
            Console.WriteLine($"  {source,-22} AUROC {auroc.Mean:F3}   true: x0->x1 {Mean(0, 1):F2}, x1->y {Mean(1, 2):F2}   "
                + $"false: x0->y {Mean(0, 2):F2}, x1->x0 {Mean(1, 0):F2}, y->x1 {Mean(2, 1):F2}, y->x0 {Mean(2, 0):F2}   {model.Summary!.Seconds:F1} s");
        }
        return 0;
    }
}
