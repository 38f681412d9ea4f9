using CausalMmm.Torch;

namespace CausalMmm.Torch.Tests;

/// <summary>Tests that touch process-wide native state (the random generator, live-handle counts) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialNativeState
{
    public const string Name = "Serial native state";
}

internal static class Check
{
    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-6)
    {
        double[] got = actual.ToArray<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - got[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {got[i]} (all: [{string.Join(", ", got)}])");
        }
    }

    public static void Shape(long[] expected, Tensor actual) => Assert.Equal(expected, actual.shape);
}

/// <summary>
/// Compares autograd's gradient of sum(w * f(inputs)) for fixed random weights w with central finite
/// differences, in float64.
/// </summary>
internal static class GradCheck
{
    public static void Run(Func<Tensor[], Tensor> f, params (double[] Data, long[] Shape)[] inputs) =>
        Run(f, 1e-6, 1e-5, inputs);

    public static void Run(Func<Tensor[], Tensor> f, double step, double tolerance, params (double[] Data, long[] Shape)[] inputs)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor[] leaves = inputs.Select(i => torch.tensor(i.Data, i.Shape, requires_grad: true)).ToArray();
        Tensor output = f(leaves);
        Assert.Equal(ScalarType.Float64, output.dtype);
        var random = new Random(12345);
        double[] weights = Enumerable.Range(0, (int)output.numel()).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        Tensor w = torch.tensor(weights, output.shape);
        (output * w).sum().backward();

        for (int k = 0; k < inputs.Length; k++)
        {
            Tensor? analyticTensor = leaves[k].grad();
            Assert.NotNull(analyticTensor);
            double[] analytic = analyticTensor!.ToArray<double>();
            for (int e = 0; e < inputs[k].Data.Length; e++)
            {
                double plus = Objective(f, inputs, k, e, +step, weights);
                double minus = Objective(f, inputs, k, e, -step, weights);
                double numeric = (plus - minus) / (2 * step);
                Assert.True(Math.Abs(numeric - analytic[e]) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"input {k} element {e}: autograd {analytic[e]:G10}, finite difference {numeric:G10}");
            }
        }
    }

    private static double Objective(Func<Tensor[], Tensor> f, (double[] Data, long[] Shape)[] inputs, int which, int element, double delta, double[] weights)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        using IDisposable noGrad = torch.no_grad();
        Tensor[] args = inputs.Select((input, k) =>
        {
            double[] data = (double[])input.Data.Clone();
            if (k == which) data[element] += delta;
            return torch.tensor(data, input.Shape);
        }).ToArray();
        double[] output = f(args).ToArray<double>();
        double total = 0;
        for (int i = 0; i < output.Length; i++) total += output[i] * weights[i];
        return total;
    }
}
