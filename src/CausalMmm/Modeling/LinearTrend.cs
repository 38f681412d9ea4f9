using CausalMmm.Data;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Statistics;
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
            var design = new List<IEnumerable<double>>(columns);
            if (weekdays)
                for (int d = 1; d < 7; d++)
                {
                    int day = d;
                    design.Add(Enumerable.Range(0, rows).Select(r => (first + r) % 7 == day ? 1.0 : 0.0));
                }
            for (int i = 0; i < given; i++)
                for (int lag = 0; lag <= StatisticLags; lag++)
                {
                    int channel = i, back = lag;
                    design.Add(Enumerable.Range(0, rows).Select(r => panel[s, start + first + r - back, channel]));
                }
            // Centred (which stands in for the intercept) and of unit length; a column that never moves is dropped.
            Vector<double>[] kept = design.Select(Standardised).OfType<Vector<double>>().ToArray();
            Vector<double>? target = Standardised(Enumerable.Range(0, rows).Select(r => panel[s, start + first + r, panel.TargetIndex]));
            Vector<double> time = Standardised(Enumerable.Range(0, rows).Select(r => (double)r))!;
            if (target is null) continue; // a constant target has nothing a line could explain
            (Vector<double> targetLeft, Vector<double> timeLeft) = kept.Length == 0 ? (target, time) : Residuals(kept, target, time);
            double cross = targetLeft.DotProduct(timeLeft), targetSquares = targetLeft.DotProduct(targetLeft), timeSquares = timeLeft.DotProduct(timeLeft);
            shares[s] = targetSquares > 1e-12 && timeSquares > 1e-12 ? Math.Clamp(cross * cross / (targetSquares * timeSquares), 0, 1) : 0;
        }
        return shares;
    }

    /// <summary>The median over shops of <see cref="TargetTrendShares"/>, the statistic a fit compares with <see cref="CausalMmmOptions.Defaults.TrendShareThreshold"/>; null when the window is too short.</summary>
    public static double? MedianTargetTrendShare(NumericPanel panel, int start, int count) =>
        TargetTrendShares(panel, start, count) is { Length: > 0 } shares ? Statistics.Median(shares) : null;

    /// <summary>A column less its mean, divided by its length; null for a column with no variation.</summary>
    private static Vector<double>? Standardised(IEnumerable<double> values)
    {
        Vector<double> column = Vector<double>.Build.DenseOfEnumerable(values);
        Vector<double> centred = column - column.Average();
        double length = centred.L2Norm();
        return length > 1e-9 * Math.Max(1, column.AbsoluteMaximum()) ? centred / length : null;
    }

    /// <summary>What is left of <paramref name="target"/> and <paramref name="time"/> after their least-squares fit on the unit-length <paramref name="columns"/>.</summary>
    private static (Vector<double> Target, Vector<double> Time) Residuals(Vector<double>[] columns, Vector<double> target, Vector<double> time)
    {
        Matrix<double> design = Matrix<double>.Build.DenseOfColumnVectors(columns);
        // Unit-length columns: a tiny ridge keeps the solve defined when two move together, whatever the series' units.
        Matrix<double> gram = design.TransposeThisAndMultiply(design) + Matrix<double>.Build.DiagonalIdentity(columns.Length) * 1e-8;
        var cholesky = gram.Cholesky();
        Vector<double> Left(Vector<double> values) => values - design * cholesky.Solve(design.TransposeThisAndMultiply(values));
        return (Left(target), Left(time));
    }

    /// <summary>The line [S, T, n] of slopes [S, n] at times [T].</summary>
    public static Tensor Line(Tensor slopes, Tensor times) => slopes.unsqueeze(1) * times.to(slopes.device).view(1, times.size(0), 1);
}
