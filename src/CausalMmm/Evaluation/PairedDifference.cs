using System.Globalization;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace CausalMmm.Evaluation;

/// <summary>
/// How one method's metric differs from another's when both ran on the same seeds (or shops), pair by pair: the mean
/// gap, a Student-t confidence interval for it, a two-sided paired t-test and how often the first method came out ahead.
/// </summary>
/// <remarks>
/// Comparing two "mean ± sd" rows hides that both methods saw the same data: a seed that is hard for one is hard for the
/// other. Pairing takes that shared difficulty out, so the interval says whether a gap is larger than the noise between
/// seeds. A gap whose interval includes 0 cannot be told from no difference at this many seeds, whichever side its mean
/// falls on; the interval's width says how large a gap is still possible.
/// </remarks>
/// <param name="Mean">The mean of first - second over the pairs.</param>
/// <param name="StandardDeviation">The sample standard deviation (n - 1) of the differences; NaN for fewer than 2 pairs.</param>
/// <param name="Lower">The lower end of the confidence interval for the mean difference; NaN for fewer than 2 pairs, and
/// the mean itself when every pair differs by the same amount.</param>
/// <param name="Upper">The upper end of the confidence interval; NaN for fewer than 2 pairs, the mean when every pair
/// differs by the same amount.</param>
/// <param name="PValue">The two-sided p-value of a paired t-test of "no difference"; NaN for fewer than 2 pairs. When every
/// pair differs by the same amount the test is decided: 1 if that amount is 0, else 0.</param>
/// <param name="Wins">The pairs where the first value is strictly larger.</param>
/// <param name="Count">The pairs compared (pairs with a non-finite value are left out).</param>
public readonly record struct PairedDifference(double Mean, double StandardDeviation, double Lower, double Upper, double PValue, int Wins, int Count)
{
    /// <summary>The confidence level used when none is given.</summary>
    public const double DefaultConfidence = 0.95;

    /// <summary>Compares <paramref name="first"/>[i] with <paramref name="second"/>[i] for every i.</summary>
    /// <param name="first">The first method's metric per seed.</param>
    /// <param name="second">The second method's metric on the same seeds, in the same order.</param>
    /// <param name="confidence">The confidence level of the interval, in (0, 1).</param>
    /// <exception cref="ArgumentNullException">A list is null.</exception>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The confidence is outside (0, 1).</exception>
    public static PairedDifference Of(IReadOnlyList<double> first, IReadOnlyList<double> second, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
            throw new ArgumentException($"Paired values must come in pairs: {first.Count} first values but {second.Count} second values.", nameof(second));
        if (!(confidence > 0 && confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence level must lie strictly between 0 and 1, e.g. 0.95.");

        double[] differences = first.Zip(second, (a, b) => a - b).Where(double.IsFinite).ToArray();
        int wins = differences.Count(x => x > 0), n = differences.Length;
        if (n == 0) return new PairedDifference(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, 0);
        double mean = differences.Mean();
        if (n == 1) return new PairedDifference(mean, double.NaN, double.NaN, double.NaN, double.NaN, wins, 1);

        double sd = differences.StandardDeviation();
        double standardError = sd / Math.Sqrt(n);
        if (standardError == 0)
            // Every pair differs by exactly the same amount: the interval is that one value, and the test is decided.
            return new PairedDifference(mean, 0, mean, mean, mean == 0 ? 1 : 0, wins, n);
        double quantile = StudentT.InvCDF(0, 1, n - 1, (1 + confidence) / 2);
        double pValue = 2 * StudentT.CDF(0, 1, n - 1, -Math.Abs(mean / standardError));
        return new PairedDifference(mean, sd, mean - quantile * standardError, mean + quantile * standardError, pValue, wins, n);
    }

    /// <summary>
    /// "+0.003 (CI -0.004 to +0.010, p 0.35), ahead on 4 of 5": the mean gap, the interval, the p-value ("p &lt; 0.01" below
    /// 0.005) and the wins, in the invariant culture. A value that rounds to zero prints as 0.000, without a sign.
    /// </summary>
    public override string ToString()
    {
        static string Signed(double value) => value.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
        string wins = $"ahead on {Wins} of {Count}";
        if (Count < 2) return $"{Signed(Mean)}, {wins}";
        string p = PValue < 0.005 ? "p < 0.01" : "p " + PValue.ToString("0.00", CultureInfo.InvariantCulture);
        return $"{Signed(Mean)} (CI {Signed(Lower)} to {Signed(Upper)}, {p}), {wins}";
    }
}
