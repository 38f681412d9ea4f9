using CausalMmm.Data;

namespace CausalMmm.Transforms;

/// <summary>
/// Fits the parameters of a per-channel response transform (adstock, Hill) by how well the transformed channels
/// explain the target: every shop gets its own least-squares intercept and coefficients, the transform parameters
/// are shared by all shops, and they are searched channel by channel on a grid that is refined around the best
/// point. Deterministic and derivative-free, which suits the non-convex, low-dimensional parameter spaces.
/// </summary>
internal static class ResponseSearch
{
    /// <summary>Search space of one channel's parameters.</summary>
    public sealed record Box(double[] Lower, double[] Upper, bool[] LogScale);

    /// <param name="targets">Target series per shop.</param>
    /// <param name="channels">Number of channels.</param>
    /// <param name="box">Search space (the same for every channel).</param>
    /// <param name="fixedParameters">Per channel: fixed parameters (not searched), or null to search them.</param>
    /// <param name="transform">The transformed series of one channel under given parameters, per shop.</param>
    /// <param name="gridPoints">Grid points per parameter and round.</param>
    /// <param name="sweeps">Passes over the channels (coordinate descent).</param>
    /// <param name="refinements">Rounds of zooming the grid in around the best point.</param>
    public static double[][] Fit(double[][] targets, int channels, Box box, double[]?[] fixedParameters,
        Func<int, double[], double[][]> transform, int gridPoints = 9, int sweeps = 3, int refinements = 3)
    {
        int p = box.Lower.Length;
        var chosen = new double[channels][];
        var features = new double[channels][][];
        for (int c = 0; c < channels; c++)
        {
            chosen[c] = fixedParameters[c] ?? Enumerable.Range(0, p).Select(k => Mid(box, k)).ToArray();
            features[c] = transform(c, chosen[c]);
        }
        if (fixedParameters.All(f => f is not null)) return chosen;
        for (int sweep = 0; sweep < sweeps; sweep++)
        {
            for (int c = 0; c < channels; c++)
            {
                if (fixedParameters[c] is not null) continue;
                double[] lower = box.Lower.ToArray(), upper = box.Upper.ToArray();
                double best = Loss(targets, features);
                for (int round = 0; round <= refinements; round++)
                {
                    foreach (double[] candidate in Grid(lower, upper, box.LogScale, gridPoints))
                    {
                        double[][] saved = features[c];
                        features[c] = transform(c, candidate);
                        double loss = Loss(targets, features);
                        if (loss < best - 1e-12 * Math.Abs(best))
                        {
                            best = loss;
                            chosen[c] = candidate;
                        }
                        else
                        {
                            features[c] = saved;
                        }
                    }
                    features[c] = transform(c, chosen[c]);
                    for (int k = 0; k < p; k++) // shrink the box to one grid step either side of the best point
                    {
                        double step = box.LogScale[k] ? Math.Pow(upper[k] / lower[k], 1.0 / (gridPoints - 1)) : (upper[k] - lower[k]) / (gridPoints - 1);
                        lower[k] = box.LogScale[k] ? Math.Max(box.Lower[k], chosen[c][k] / step) : Math.Max(box.Lower[k], chosen[c][k] - step);
                        upper[k] = box.LogScale[k] ? Math.Min(box.Upper[k], chosen[c][k] * step) : Math.Min(box.Upper[k], chosen[c][k] + step);
                    }
                }
            }
        }
        return chosen;
    }

    /// <summary>Sum over shops of the residual sum of squares of the target regressed on an intercept and the features.</summary>
    public static double Loss(double[][] targets, double[][][] features)
    {
        double total = 0;
        int p = features.Length + 1;
        var gram = new double[p * p];
        var rhs = new double[p];
        var row = new double[p];
        for (int s = 0; s < targets.Length; s++)
        {
            Array.Clear(gram);
            Array.Clear(rhs);
            double yy = 0;
            double[] y = targets[s];
            for (int t = 0; t < y.Length; t++)
            {
                row[0] = 1;
                for (int c = 0; c < features.Length; c++) row[c + 1] = features[c][s][t];
                for (int i = 0; i < p; i++)
                {
                    rhs[i] += row[i] * y[t];
                    for (int j = 0; j <= i; j++) gram[i * p + j] += row[i] * row[j];
                }
                yy += y[t] * y[t];
            }
            double[] beta = SolveSymmetric(gram, rhs, p);
            double explained = 0;
            for (int i = 0; i < p; i++) explained += beta[i] * rhs[i];
            total += Math.Max(0, yy - explained);
        }
        return total;
    }

    /// <summary>Solves (A + eps I) x = b for the lower triangle of a symmetric positive semi-definite A (Cholesky).</summary>
    public static double[] SolveSymmetric(double[] lower, double[] b, int p)
    {
        double trace = 0;
        for (int i = 0; i < p; i++) trace += lower[i * p + i];
        double jitter = 1e-9 * Math.Max(trace / p, 1e-12);
        var l = new double[p * p];
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = lower[i * p + j] + (i == j ? jitter : 0);
                for (int k = 0; k < j; k++) sum -= l[i * p + k] * l[j * p + k];
                l[i * p + j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / l[j * p + j];
            }
        }
        var z = new double[p];
        for (int i = 0; i < p; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i * p + k] * z[k];
            z[i] = sum / l[i * p + i];
        }
        var x = new double[p];
        for (int i = p - 1; i >= 0; i--)
        {
            double sum = z[i];
            for (int k = i + 1; k < p; k++) sum -= l[k * p + i] * x[k];
            x[i] = sum / l[i * p + i];
        }
        return x;
    }

    /// <summary>Target series of every shop.</summary>
    public static double[][] Targets(MarketingPanel panel, string target) =>
        Enumerable.Range(0, panel.ShopCount).Select(s => panel.GetSeries(s, target)).ToArray();

    private static double Mid(Box box, int k) => box.LogScale[k] ? Math.Sqrt(box.Lower[k] * box.Upper[k]) : (box.Lower[k] + box.Upper[k]) / 2;

    private static IEnumerable<double[]> Grid(double[] lower, double[] upper, bool[] log, int points)
    {
        int p = lower.Length;
        var axes = new double[p][];
        for (int k = 0; k < p; k++)
        {
            axes[k] = new double[points];
            for (int g = 0; g < points; g++)
            {
                double f = points == 1 ? 0.5 : (double)g / (points - 1);
                axes[k][g] = log[k] ? lower[k] * Math.Pow(upper[k] / lower[k], f) : lower[k] + (upper[k] - lower[k]) * f;
            }
        }
        var index = new int[p];
        while (true)
        {
            yield return Enumerable.Range(0, p).Select(k => axes[k][index[k]]).ToArray();
            int d = 0;
            while (d < p && ++index[d] == points) index[d++] = 0;
            if (d == p) yield break;
        }
    }
}
