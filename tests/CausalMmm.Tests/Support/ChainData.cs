using CausalMmm.Data;
using CausalMmm.Modeling;

namespace CausalMmm.Tests;

/// <summary>A 3-node chain x0 -> x1 -> y with strong lag-1 links, and a CausalMMM trained on it once per test class.</summary>
public sealed class ChainFixture : IDisposable
{
    public const int Shops = 16;
    public const int Length = 50;

    public ChainFixture()
    {
        Panel = Generate(seed: 1);
        Truth = new bool[3, 3];
        Truth[0, 1] = true;
        Truth[1, 2] = true;
        Model = CausalMmmTrainer.Fit(Panel, TrainingOptions());
    }

    public NumericPanel Panel { get; }
    public bool[,] Truth { get; }
    public CausalMmmModel Model { get; }

    /// <summary>Small and fast; the larger variance gives the sparse edge prior real weight against the likelihood.</summary>
    public static CausalMmmOptions TrainingOptions() => new()
    {
        Epochs = 80, LearningRate = 5e-3, HiddenSize = 32, BatchSize = 8, ValidationFraction = 0, Variance = 2.5e-3, Seed = 7,
    };

    public static NumericPanel Generate(int seed, int shops = Shops, int length = Length)
    {
        var random = new Random(seed);
        var values = new double[shops * length * 3];
        for (int s = 0; s < shops; s++)
        {
            double previous0 = 0, previous1 = 0;
            for (int t = 0; t < length; t++)
            {
                double x0 = random.NextDouble() * 2 - 1;
                double x1 = (t > 0 ? 1.5 * Math.Tanh(2 * previous0) : 0) + 0.05 * (random.NextDouble() - 0.5);
                double y = (t > 0 ? 1.5 * Math.Tanh(2 * previous1) : 0) + 0.05 * (random.NextDouble() - 0.5);
                values[(s * length + t) * 3] = x0;
                values[(s * length + t) * 3 + 1] = x1;
                values[(s * length + t) * 3 + 2] = y;
                previous0 = x0;
                previous1 = x1;
            }
        }
        return new NumericPanel(Enumerable.Range(0, shops).Select(i => $"shop{i}").ToArray(), new[] { "x0", "x1", "y" }, 2, values, length);
    }

    public void Dispose() => Model.Dispose();
}
