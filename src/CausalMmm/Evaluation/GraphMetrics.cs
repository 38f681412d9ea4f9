namespace CausalMmm.Evaluation;

/// <summary>Mean and standard deviation of a metric over shops.</summary>
/// <param name="Mean">The average.</param>
/// <param name="StandardDeviation">The population standard deviation (0 for one shop).</param>
/// <param name="Count">How many values were averaged (shops with an undefined value are left out).</param>
public readonly record struct MetricSummary(double Mean, double StandardDeviation, int Count)
{
    /// <summary>Summarises the finite values of <paramref name="values"/>.</summary>
    public static MetricSummary Of(IEnumerable<double> values)
    {
        double[] v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return new MetricSummary(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double variance = v.Sum(x => (x - mean) * (x - mean)) / v.Length;
        return new MetricSummary(mean, Math.Sqrt(variance), v.Length);
    }

    /// <summary>"mean ± sd" with three decimals.</summary>
    public override string ToString() => $"{Mean:F3} ± {StandardDeviation:F3}";
}

/// <summary>
/// Causal-structure metrics over the off-diagonal entries of a shop's adjacency: AUROC of the edge
/// scores (rank-based, ties get their average rank) and accuracy of thresholded scores.
/// </summary>
public static class GraphMetrics
{
    /// <summary>
    /// The area under the ROC curve of <paramref name="scores"/> against <paramref name="truth"/> over all
    /// i != j entries: the probability that a random true edge outscores a random non-edge, ties counting
    /// one half. NaN when the truth has no edges or no non-edges (AUROC is undefined then).
    /// </summary>
    /// <exception cref="ArgumentException">The matrices are not square of the same size.</exception>
    public static double Auroc(double[,] scores, bool[,] truth)
    {
        (double[] s, bool[] t) = OffDiagonal(scores, truth);
        return Auroc(s, t);
    }

    /// <summary>AUROC of flat score and label vectors, with ties handled by average ranks (Mann-Whitney U).</summary>
    public static double Auroc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count) throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        int positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        int[] order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double averageRank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = averageRank;
            start = end + 1;
        }
        double positiveRankSum = 0;
        for (int i = 0; i < ranks.Length; i++) if (labels[i]) positiveRankSum += ranks[i];
        double u = positiveRankSum - positives * (positives + 1) / 2.0;
        return u / ((double)positives * negatives);
    }

    /// <summary>The fraction of i != j entries where (score &gt; threshold) equals the truth.</summary>
    public static double Accuracy(double[,] scores, bool[,] truth, double threshold = 0.5)
    {
        (double[] s, bool[] t) = OffDiagonal(scores, truth);
        int correct = 0;
        for (int i = 0; i < s.Length; i++) if ((s[i] > threshold) == t[i]) correct++;
        return (double)correct / s.Length;
    }

    /// <summary>AUROC and ACC per shop, summarised as mean and standard deviation.</summary>
    public static (MetricSummary Auroc, MetricSummary Accuracy) Summarise(IReadOnlyList<double[,]> scores, IReadOnlyList<bool[,]> truths, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(truths);
        if (scores.Count != truths.Count) throw new ArgumentException($"{scores.Count} score matrices but {truths.Count} true graphs.", nameof(truths));
        return (MetricSummary.Of(scores.Select((s, i) => Auroc(s, truths[i]))),
                MetricSummary.Of(scores.Select((s, i) => Accuracy(s, truths[i], threshold))));
    }

    private static (double[] Scores, bool[] Truth) OffDiagonal(double[,] scores, bool[,] truth)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(truth);
        int n = scores.GetLength(0);
        if (scores.GetLength(1) != n || truth.GetLength(0) != n || truth.GetLength(1) != n)
            throw new ArgumentException($"Scores are {scores.GetLength(0)}x{scores.GetLength(1)} and truth {truth.GetLength(0)}x{truth.GetLength(1)}; both must be the same square size.");
        var s = new List<double>(n * (n - 1));
        var t = new List<bool>(n * (n - 1));
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
        {
            if (i == j) continue;
            s.Add(scores[i, j]);
            t.Add(truth[i, j]);
        }
        return (s.ToArray(), t.ToArray());
    }
}
