using CausalMmm.Data;

namespace CausalMmm.Simulation;

/// <summary>
/// A 3-node chain x0 -> x1 -> y whose causes act at exactly one lag: x0 is noise in [-1, 1],
/// x1[t] = 1.5 tanh(2 x0[t - lag]) and y[t] = 1.5 tanh(2 x1[t - lag]), each plus uniform noise of width 0.05. A small,
/// fast check of which lags a decoder can see (the graph is known: x0 -> x1 and x1 -> y).
/// </summary>
public static class LaggedChain
{
    /// <summary>The chain's nodes, x0 (the given series) first.</summary>
    public static IReadOnlyList<string> NodeNames { get; } = new[] { "x0", "x1", "y" };

    /// <summary>The true graph over <see cref="NodeNames"/>.</summary>
    public static bool[,] TrueGraph()
    {
        var truth = new bool[3, 3];
        truth[0, 1] = truth[1, 2] = true;
        return truth;
    }

    /// <summary>Simulates <paramref name="shops"/> shops of <paramref name="length"/> steps.</summary>
    /// <param name="lag">The one lag at which each cause acts.</param>
    /// <param name="shops">Number of shops.</param>
    /// <param name="length">Steps per shop.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <param name="givenCount">How many of the nodes, from x0 on, count as given series (channels) in the panel.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the lag leaves no step with a cause, or givenCount is not 1 or 2.</exception>
    public static NumericPanel Generate(int lag, int shops, int length, int seed, int givenCount = 1)
    {
        if (lag < 1 || shops < 1 || length <= lag) throw new ArgumentOutOfRangeException(nameof(lag), $"Need lag >= 1, shops >= 1 and length > lag; got lag {lag}, {shops} shops, length {length}.");
        if (givenCount is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(givenCount), givenCount, "The chain's given series are x0, or x0 and x1.");
        var random = new Random(seed);
        var values = new double[shops * length * 3];
        for (int s = 0; s < shops; s++)
        {
            var x0 = new double[length];
            var x1 = new double[length];
            for (int t = 0; t < length; t++)
            {
                x0[t] = random.NextDouble() * 2 - 1;
                x1[t] = (t >= lag ? 1.5 * Math.Tanh(2 * x0[t - lag]) : 0) + 0.05 * (random.NextDouble() - 0.5);
                double y = (t >= lag ? 1.5 * Math.Tanh(2 * x1[t - lag]) : 0) + 0.05 * (random.NextDouble() - 0.5);
                int row = (s * length + t) * 3;
                values[row] = x0[t];
                values[row + 1] = x1[t];
                values[row + 2] = y;
            }
        }
        return new NumericPanel(Enumerable.Range(0, shops).Select(i => $"shop{i}").ToArray(), NodeNames, givenCount, values, length);
    }
}
