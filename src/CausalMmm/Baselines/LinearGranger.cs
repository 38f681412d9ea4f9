using CausalMmm.Data;
using MathNet.Numerics.LinearAlgebra;

namespace CausalMmm.Baselines;

/// <summary>
/// The Linear Granger baseline: per shop, a vector autoregression of order <see cref="Lags"/> fitted by ridge
/// regression on standardised series. The score of edge i -> j is the L2 norm of the coefficients of i's lags
/// in j's equation; the fitted VAR also forecasts recursively.
/// </summary>
public sealed class LinearGranger
{
    private readonly Matrix<double>[] _coefficients;
    private readonly double[][] _mean;
    private readonly double[][] _scale;

    private LinearGranger(int lags, double ridge, Matrix<double>[] coefficients, double[][] mean, double[][] scale, int nodes)
    {
        Lags = lags;
        Ridge = ridge;
        _coefficients = coefficients;
        _mean = mean;
        _scale = scale;
        NodeCount = nodes;
    }

    /// <summary>The VAR order.</summary>
    public int Lags { get; }

    /// <summary>The ridge penalty.</summary>
    public double Ridge { get; }

    /// <summary>Series per shop.</summary>
    public int NodeCount { get; }

    /// <summary>Fits one VAR per shop on all of <paramref name="panel"/>'s steps.</summary>
    /// <exception cref="ArgumentException">The panel is too short for the lag order, or a setting is out of range.</exception>
    public static LinearGranger Fit(NumericPanel panel, int lags = 3, double ridge = 1.0)
    {
        ArgumentNullException.ThrowIfNull(panel);
        if (lags < 1) throw new ArgumentException($"lags must be at least 1, got {lags}.", nameof(lags));
        if (!(ridge >= 0)) throw new ArgumentException($"ridge must be non-negative, got {ridge}.", nameof(ridge));
        if (panel.Length <= lags + 1) throw new ArgumentException($"A VAR({lags}) needs more than {lags + 1} steps; the panel has {panel.Length}.", nameof(panel));
        int n = panel.NodeCount, rows = panel.Length - lags, features = n * lags + 1;
        var coefficients = new Matrix<double>[panel.ShopCount];
        var means = new double[panel.ShopCount][];
        var scales = new double[panel.ShopCount][];
        for (int s = 0; s < panel.ShopCount; s++)
        {
            (means[s], scales[s]) = Standardisation(panel, s);
            var design = Matrix<double>.Build.Dense(rows, features);
            var targets = Matrix<double>.Build.Dense(rows, n);
            for (int r = 0; r < rows; r++)
            {
                int t = r + lags;
                for (int lag = 1; lag <= lags; lag++)
                for (int i = 0; i < n; i++)
                    design[r, (lag - 1) * n + i] = Standard(panel[s, t - lag, i], means[s], scales[s], i);
                design[r, features - 1] = 1;
                for (int j = 0; j < n; j++) targets[r, j] = Standard(panel[s, t, j], means[s], scales[s], j);
            }
            Matrix<double> gram = design.TransposeThisAndMultiply(design);
            for (int f = 0; f < features - 1; f++) gram[f, f] += ridge; // the intercept is not penalised
            coefficients[s] = gram.Cholesky().Solve(design.TransposeThisAndMultiply(targets));
        }
        return new LinearGranger(lags, ridge, coefficients, means, scales, n);
    }

    /// <summary>Edge scores of <paramref name="shop"/>: [i, j] = norm of i's lag coefficients in j's equation (0 on the diagonal).</summary>
    public double[,] EdgeScores(int shop)
    {
        Matrix<double> b = _coefficients[shop];
        var scores = new double[NodeCount, NodeCount];
        for (int i = 0; i < NodeCount; i++)
        for (int j = 0; j < NodeCount; j++)
        {
            if (i == j) continue;
            double sum = 0;
            for (int lag = 0; lag < Lags; lag++) sum += b[lag * NodeCount + i, j] * b[lag * NodeCount + i, j];
            scores[i, j] = Math.Sqrt(sum);
        }
        return scores;
    }

    /// <summary>
    /// Recursive forecast of every node of <paramref name="shop"/> for <paramref name="horizon"/> steps after
    /// <paramref name="origin"/>, from <paramref name="panel"/>'s steps before the origin only. Returns [step, node]
    /// on the original scale.
    /// </summary>
    public double[,] Forecast(NumericPanel panel, int shop, int origin, int horizon)
    {
        ArgumentNullException.ThrowIfNull(panel);
        if (origin < Lags || origin > panel.Length) throw new ArgumentOutOfRangeException(nameof(origin), origin, $"The origin must be in [{Lags}, {panel.Length}].");
        int n = NodeCount;
        var history = new List<double[]>();
        for (int t = origin - Lags; t < origin; t++)
            history.Add(Enumerable.Range(0, n).Select(i => Standard(panel[shop, t, i], _mean[shop], _scale[shop], i)).ToArray());
        var result = new double[horizon, n];
        Matrix<double> b = _coefficients[shop];
        for (int h = 0; h < horizon; h++)
        {
            var next = new double[n];
            for (int j = 0; j < n; j++)
            {
                double v = b[n * Lags, j];
                for (int lag = 1; lag <= Lags; lag++)
                for (int i = 0; i < n; i++) v += b[(lag - 1) * n + i, j] * history[^lag][i];
                next[j] = v;
            }
            history.Add(next);
            for (int j = 0; j < n; j++) result[h, j] = next[j] * _scale[shop][j] + _mean[shop][j];
        }
        return result;
    }

    private static (double[] Mean, double[] Scale) Standardisation(NumericPanel panel, int shop)
    {
        int n = panel.NodeCount;
        var mean = new double[n];
        var scale = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0, sumSq = 0;
            for (int t = 0; t < panel.Length; t++)
            {
                double v = panel[shop, t, i];
                sum += v;
                sumSq += v * v;
            }
            mean[i] = sum / panel.Length;
            double variance = sumSq / panel.Length - mean[i] * mean[i];
            scale[i] = variance > 1e-12 ? Math.Sqrt(variance) : 1;
        }
        return (mean, scale);
    }

    private static double Standard(double value, double[] mean, double[] scale, int i) => (value - mean[i]) / scale[i];
}
