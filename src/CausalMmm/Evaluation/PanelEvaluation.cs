using CausalMmm.Data;
using Microsoft.ML;

namespace CausalMmm.Evaluation;

/// <summary>Forecast accuracy at one horizon, on the original scale.</summary>
/// <param name="Horizon">Steps ahead (1 = the first forecast step).</param>
/// <param name="Mse">Mean squared error over shops.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Mape">Mean absolute percentage error in percent, over actual values that are not zero (NaN if all are).</param>
/// <param name="RSquared">1 - SSE/SST across shops at this horizon (NaN when the actual values do not vary).</param>
/// <param name="Count">Number of shops scored.</param>
public readonly record struct HorizonMetrics(int Horizon, double Mse, double Mae, double Mape, double RSquared, int Count);

/// <summary>Forecast accuracy of one variable, per horizon and over every horizon together.</summary>
/// <param name="Variable">The scored variable.</param>
/// <param name="PerHorizon">Metrics at each horizon 1..H.</param>
/// <param name="Overall">Metrics over every shop and horizon (its Horizon field is 0). Its R² is pooled over shops, so it
/// mostly measures how well the forecast tells shops apart; see <see cref="WithinShopRSquared"/>.</param>
/// <param name="Mase">
/// Scale-free skill against the last-value forecast: per shop, the forecast's mean absolute error over the scored dates
/// divided by that of repeating the shop's last value before them (a relative MAE against the multi-step naive forecast,
/// not Hyndman's MASE, which scales by the in-sample one-step naive error); the mean over shops. Below 1 beats "repeat
/// the last value", above 1 loses to it. Shops whose last-value error is next to nothing (below 1e-9 of their mean
/// absolute value), or with no value before the scored dates, are left out (NaN when none is left).
/// </param>
/// <param name="WithinShopRSquared">
/// Per shop, 1 - SSE/SST over its scored dates (how much of the shop's own ups and downs the forecast explains); the
/// mean over shops whose values vary. Negative when the shop's own mean would have done better.
/// </param>
/// <param name="ShopCount">Shops scored.</param>
public sealed record ForecastEvaluation(string Variable, IReadOnlyList<HorizonMetrics> PerHorizon, HorizonMetrics Overall, double Mase, double WithinShopRSquared, int ShopCount)
{
    /// <summary>Root mean squared error over every shop and horizon.</summary>
    public double Rmse => Math.Sqrt(Overall.Mse);

    /// <summary>The metrics at horizon <paramref name="horizon"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The forecast is shorter.</exception>
    public HorizonMetrics At(int horizon) => horizon >= 1 && horizon <= PerHorizon.Count ? PerHorizon[horizon - 1]
        : throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"The forecast covers horizons 1..{PerHorizon.Count}.");
}

/// <summary>Causal-graph accuracy against known graphs, per shop averaged.</summary>
/// <param name="Auroc">AUROC over off-diagonal entries (ties count one half).</param>
/// <param name="Accuracy">Accuracy at a 0.5 threshold.</param>
public sealed record GraphEvaluation(MetricSummary Auroc, MetricSummary Accuracy);

/// <summary>Scores forecasts and graphs.</summary>
public static class PanelEvaluation
{
    /// <summary>
    /// Compares <paramref name="scoreColumnName"/> with the label of <paramref name="scored"/> on the rows dated
    /// <paramref name="firstForecastDate"/> or later: each shop's first such date is horizon 1, its next horizon 2, and so on.
    /// Rows whose score or label is NaN are left out.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing, or no row is dated on or after <paramref name="firstForecastDate"/>.</exception>
    internal static ForecastEvaluation Forecast(IDataView scored, PanelRoles roles, string scoreColumnName, DateOnly firstForecastDate, string[] dateFormats)
    {
        const string component = "Forecasting.Evaluate";
        if (scored.Schema.GetColumnOrNull(scoreColumnName) is not { } scoreColumn || PanelRoles.KindOf(scoreColumn.Type) != ColumnValueKind.Number)
            throw new ArgumentException($"{component}: the input has no numeric score column '{scoreColumnName}'; pass the output of a forecaster's Transform.");
        var label = new PanelVariable(roles.Target!, VariableRole.Covariate);
        var score = new PanelVariable(scoreColumnName, VariableRole.Covariate);
        var rows = new Dictionary<string, List<(DateOnly Date, double Actual, double Forecast)>>(StringComparer.Ordinal);
        // Each shop's last finite label before the scored dates: the last-value forecast MASE compares with.
        var lastBefore = new Dictionary<string, (DateOnly Date, double Value)>(StringComparer.Ordinal);
        foreach ((string shop, DateOnly date, double[] values) in PanelReader.Rows(scored, roles, new[] { label, score }, component, dateFormats))
        {
            if (date < firstForecastDate)
            {
                if (double.IsFinite(values[0]) && (!lastBefore.TryGetValue(shop, out var seen) || seen.Date < date)) lastBefore[shop] = (date, values[0]);
                continue;
            }
            if (!rows.TryGetValue(shop, out var list)) rows[shop] = list = new();
            list.Add((date, values[0], values[1]));
        }
        if (rows.Count == 0) throw new ArgumentException($"{component}: no row is dated on or after {firstForecastDate:yyyy-MM-dd}.");
        var byHorizon = new SortedDictionary<int, List<(double, double)>>();
        foreach (var list in rows.Values)
        {
            list.Sort((a, b) => a.Date.CompareTo(b.Date));
            for (int h = 0; h < list.Count; h++)
            {
                if (!double.IsFinite(list[h].Forecast) || !double.IsFinite(list[h].Actual)) continue;
                if (!byHorizon.TryGetValue(h + 1, out var pairs)) byHorizon[h + 1] = pairs = new();
                pairs.Add((list[h].Forecast, list[h].Actual));
            }
        }
        var perHorizon = byHorizon.Select(kv => Score(kv.Key, kv.Value.ToArray())).ToArray();
        HorizonMetrics overall = Score(0, byHorizon.Values.SelectMany(p => p).ToArray());
        var mase = new List<double>();
        var withinR2 = new List<double>();
        foreach ((string shop, var list) in rows)
        {
            var pairs = list.Where(p => double.IsFinite(p.Forecast) && double.IsFinite(p.Actual)).ToArray();
            if (pairs.Length == 0) continue;
            if (lastBefore.TryGetValue(shop, out var last))
            {
                // A shop whose holdout the last value matches almost exactly would make the ratio explode: left out.
                double naive = pairs.Average(p => Math.Abs(p.Actual - last.Value));
                double scale = pairs.Average(p => Math.Abs(p.Actual));
                if (naive > 1e-9 * Math.Max(scale, 1e-300)) mase.Add(pairs.Average(p => Math.Abs(p.Forecast - p.Actual)) / naive);
            }
            double mean = pairs.Average(p => p.Actual);
            double sst = pairs.Sum(p => (p.Actual - mean) * (p.Actual - mean));
            if (sst > 1e-12 * Math.Max(1, mean * mean)) withinR2.Add(1 - pairs.Sum(p => (p.Forecast - p.Actual) * (p.Forecast - p.Actual)) / sst);
        }
        return new ForecastEvaluation(roles.Target!, perHorizon, overall, mase.Count > 0 ? mase.Average() : double.NaN,
            withinR2.Count > 0 ? withinR2.Average() : double.NaN, rows.Count);
    }

    /// <summary>Scores <paramref name="graphs"/> against <paramref name="truth"/> (shop id to adjacency over the same nodes).</summary>
    /// <exception cref="ArgumentException">A shop has no true graph, or the sizes differ.</exception>
    public static GraphEvaluation Graphs(CausalGraphSet graphs, IReadOnlyDictionary<string, bool[,]> truth)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ArgumentNullException.ThrowIfNull(truth);
        var scores = new List<double[,]>();
        var labels = new List<bool[,]>();
        foreach (string shop in graphs.ShopIds)
        {
            if (!truth.TryGetValue(shop, out bool[,]? t)) throw new ArgumentException($"No true graph for shop '{shop}'.", nameof(truth));
            scores.Add(graphs[shop]);
            labels.Add(t);
        }
        (MetricSummary auroc, MetricSummary accuracy) = GraphMetrics.Summarise(scores, labels);
        return new GraphEvaluation(auroc, accuracy);
    }

    private static HorizonMetrics Score(int horizon, (double Forecast, double Actual)[] pairs)
    {
        if (pairs.Length == 0) return new HorizonMetrics(horizon, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double mse = pairs.Average(p => (p.Forecast - p.Actual) * (p.Forecast - p.Actual));
        double mae = pairs.Average(p => Math.Abs(p.Forecast - p.Actual));
        var nonZero = pairs.Where(p => Math.Abs(p.Actual) > 1e-12).ToArray();
        double mape = nonZero.Length == 0 ? double.NaN : 100 * nonZero.Average(p => Math.Abs((p.Forecast - p.Actual) / p.Actual));
        double mean = pairs.Average(p => p.Actual);
        double sst = pairs.Sum(p => (p.Actual - mean) * (p.Actual - mean));
        double r2 = sst > 1e-300 ? 1 - mse * pairs.Length / sst : double.NaN;
        return new HorizonMetrics(horizon, mse, mae, mape, r2, pairs.Length);
    }
}
