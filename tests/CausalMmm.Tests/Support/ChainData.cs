using CausalMmm.Data;
using CausalMmm.Modeling;
using CausalMmm.Simulation;

namespace CausalMmm.Tests;

/// <summary>A 3-node chain x0 -> x1 -> y with strong lag-1 links, and a CausalMMM trained on it once per test class.</summary>
public sealed class ChainFixture : IDisposable
{
    public const int Shops = 16;
    public const int Length = 50;

    public ChainFixture()
    {
        Panel = Generate(seed: 1);
        Truth = LaggedChain.TrueGraph();
        Model = CausalMmmTrainer.Fit(Panel, TrainingOptions());
    }

    public NumericPanel Panel { get; }
    public bool[,] Truth { get; }
    public CausalMmmModel Model { get; }

    /// <summary>Small and fast; the larger variance gives the sparse edge prior real weight against the likelihood.</summary>
    public static CausalMmmOptions TrainingOptions() => CausalMmmOptions.Paper() with
    {
        Epochs = 80, LearningRate = 5e-3, HiddenSize = 32, BatchSize = 8, ValidationFraction = 0, Variance = 2.5e-3, Seed = 7,
    };

    /// <summary>The lag-1 chain, with x0 and x1 as given series (channels) so scenario forecasts can plan x1.</summary>
    public static NumericPanel Generate(int seed, int shops = Shops, int length = Length) => LaggedChain.Generate(1, shops, length, seed, givenCount: 2);

    public void Dispose() => Model.Dispose();
}
