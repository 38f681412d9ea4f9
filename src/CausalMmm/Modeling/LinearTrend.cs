using CausalMmm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// The time axis of each shop's linear trend (<see cref="CausalMmmOptions.Trend"/>): steps counted from the first step of
/// the training window, centred on that window and divided by its length, so a slope of 1 moves a scaled series by its
/// whole training range over the window and the line carries no level of its own.
/// </summary>
internal static class LinearTrend
{
    /// <summary>The trend times [count] of the steps <paramref name="first"/>.. (0 is the training window's first step).</summary>
    public static Tensor Times(long first, int count, int windowSteps, Device device)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        double centre = (windowSteps - 1) / 2.0;
        return ((torch.arange(count, dtype: ScalarType.Float32, device: device) + (first - centre)) / windowSteps).MoveToOuterDisposeScope();
    }

    /// <summary>Lags of each given series the trend statistic regresses out (the day's value and three before it).</summary>
    private const int StatisticLags = 3;

    /// <summary>
    /// Rows the trend statistic needs beyond its regressors: with few to spare, a flat series' squared partial correlation
    /// is about one over their number by chance alone, so a short window with many channels would read as a trend.
    /// </summary>
    internal const int MinimumSpareRows = 30;

    /// <summary>
    /// Per shop, how much of the target's variance over the steps <paramref name="start"/>.. (<paramref name="count"/> of
    /// them) a straight line explains beyond the media: the squared partial correlation of time with the target once the
    /// given series (the day's values and <see cref="StatisticLags"/> before) and, for daily data, the day of the week are
    /// regressed out of both. Media bursts dominate a marketing series' variance, so the line's share of the raw series
    /// says little; what is left after them is the baseline a trend would model. Every column is centred and scaled to
    /// unit length first, so the figure does not depend on the currency or units of any series. Null when the window
    /// has fewer than <see cref="MinimumSpareRows"/> steps beyond the regressors.
    /// </summary>
    public static double[]? TargetTrendShares(NumericPanel panel, int start, int count)
    {
        int given = panel.ChannelCount;
        bool weekdays = panel.StepDays == 1 && count >= 28;
        int first = Math.Min(StatisticLags, Math.Max(count - 2, 0)); // the first step every lag reaches inside the window
        int rows = count - first;
        int columns = (weekdays ? 6 : 0) + given * (StatisticLags + 1);
        if (rows < columns + 1 + MinimumSpareRows) return null; // too short to tell a line from the regressors
        var shares = new double[panel.ShopCount];
        for (int s = 0; s < panel.ShopCount; s++)
        {
            var design = new List<double[]>(columns);
            if (weekdays)
                for (int d = 1; d < 7; d++) design.Add(Enumerable.Range(0, rows).Select(r => (first + r) % 7 == d ? 1.0 : 0.0).ToArray());
            for (int i = 0; i < given; i++)
                for (int lag = 0; lag <= StatisticLags; lag++)
                {
                    int channel = i, back = lag;
                    design.Add(Enumerable.Range(0, rows).Select(r => panel[s, start + first + r - back, channel]).ToArray());
                }
            // Centred (which stands in for the intercept) and of unit length; a column that never moves is dropped.
            double[][] kept = design.Select(Standardised).Where(c => c is not null).Select(c => c!).ToArray();
            double[]? target = Standardised(Enumerable.Range(0, rows).Select(r => panel[s, start + first + r, panel.TargetIndex]).ToArray());
            double[] time = Standardised(Enumerable.Range(0, rows).Select(r => (double)r).ToArray())!;
            if (target is null) continue; // a constant target has nothing a line could explain
            (double[] targetLeft, double[] timeLeft) = kept.Length == 0 ? (target, time) : Residuals(kept, target, time);
            double cross = Dot(targetLeft, timeLeft), targetSquares = Dot(targetLeft, targetLeft), timeSquares = Dot(timeLeft, timeLeft);
            shares[s] = targetSquares > 1e-12 && timeSquares > 1e-12 ? Math.Clamp(cross * cross / (targetSquares * timeSquares), 0, 1) : 0;
        }
        return shares;
    }

    /// <summary>The median over shops of <see cref="TargetTrendShares"/>, the statistic a fit compares with <see cref="CausalMmmOptions.Defaults.TrendShareThreshold"/>; null when the window is too short.</summary>
    public static double? MedianTargetTrendShare(NumericPanel panel, int start, int count)
    {
        double[]? shares = TargetTrendShares(panel, start, count)?.Order().ToArray();
        if (shares is null || shares.Length == 0) return null;
        int middle = shares.Length / 2;
        return shares.Length % 2 == 1 ? shares[middle] : (shares[middle - 1] + shares[middle]) / 2;
    }

    /// <summary>A column less its mean, divided by its length; null for a column with no variation.</summary>
    private static double[]? Standardised(double[] column)
    {
        double mean = column.Average();
        double[] centred = column.Select(v => v - mean).ToArray();
        double length = Math.Sqrt(Dot(centred, centred));
        return length > 1e-9 * Math.Max(1, column.Max(Math.Abs)) ? centred.Select(v => v / length).ToArray() : null;
    }

    /// <summary>What is left of <paramref name="target"/> and <paramref name="time"/> after their least-squares fit on the unit-length <paramref name="columns"/>.</summary>
    private static (double[] Target, double[] Time) Residuals(double[][] columns, double[] target, double[] time)
    {
        var design = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfColumnArrays(columns);
        // Unit-length columns: a tiny ridge keeps the solve defined when two move together, whatever the series' units.
        var gram = design.TransposeThisAndMultiply(design);
        for (int c = 0; c < columns.Length; c++) gram[c, c] += 1e-8;
        var cholesky = gram.Cholesky();
        double[] Left(double[] values)
        {
            var vector = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(values);
            return (vector - design * cholesky.Solve(design.TransposeThisAndMultiply(vector))).ToArray();
        }
        return (Left(target), Left(time));
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>The line [S, T, n] of slopes [S, n] at times [T].</summary>
    public static Tensor Line(Tensor slopes, Tensor times) => slopes.unsqueeze(1) * times.to(slopes.device).view(1, times.size(0), 1);
}
