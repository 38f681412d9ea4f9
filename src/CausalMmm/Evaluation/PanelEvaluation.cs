using CausalMmm.Data;

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
/// <param name="Overall">Metrics over every shop and horizon (its Horizon field is 0).</param>
public sealed record ForecastEvaluation(string Variable, IReadOnlyList<HorizonMetrics> PerHorizon, HorizonMetrics Overall)
{
    /// <summary>The metrics at horizon <paramref name="horizon"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The forecast is shorter.</exception>
    public HorizonMetrics At(int horizon) => horizon >= 1 && horizon <= PerHorizon.Count ? PerHorizon[horizon - 1]
        : throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"The forecast covers horizons 1..{PerHorizon.Count}.");
}

/// <summary>Causal-graph accuracy against known graphs, per shop averaged.</summary>
/// <param name="Auroc">AUROC over off-diagonal entries (ties count one half).</param>
/// <param name="Accuracy">Accuracy at a 0.5 threshold.</param>
public sealed record GraphEvaluation(MetricSummary Auroc, MetricSummary Accuracy);

/// <summary>Scores what transformers attach to a panel.</summary>
public static class PanelEvaluation
{
    /// <summary>
    /// Compares the forecast attached to <paramref name="scored"/> with the panel's actual values of
    /// <paramref name="variable"/> (default: the target) over the forecast steps.
    /// </summary>
    /// <exception cref="ArgumentException">No forecast is attached, or it does not cover the variable.</exception>
    public static ForecastEvaluation Forecast(MarketingPanel scored, string? variable = null)
    {
        ArgumentNullException.ThrowIfNull(scored);
        PanelForecast forecast = scored.Forecast ?? throw new ArgumentException("The panel carries no forecast; pass the output of a forecasting transformer's Transform.", nameof(scored));
        variable ??= scored.Target.Name;
        if (forecast.Origin + forecast.Horizon > scored.Length)
            throw new ArgumentException($"The forecast runs to step {forecast.Origin + forecast.Horizon} but the panel has {scored.Length} steps of actual values.", nameof(scored));
        var forecasts = Enumerable.Range(0, scored.ShopCount).Select(s => forecast.Get(s, variable)).ToArray();
        var actuals = Enumerable.Range(0, scored.ShopCount).Select(s => scored.GetSeries(s, variable)[forecast.Origin..(forecast.Origin + forecast.Horizon)]).ToArray();
        var perHorizon = Enumerable.Range(0, forecast.Horizon)
            .Select(h => Score(h + 1, Enumerable.Range(0, scored.ShopCount).Select(s => (forecasts[s][h], actuals[s][h])).ToArray())).ToArray();
        HorizonMetrics overall = Score(0, Enumerable.Range(0, scored.ShopCount).SelectMany(s => Enumerable.Range(0, forecast.Horizon).Select(h => (forecasts[s][h], actuals[s][h]))).ToArray());
        return new ForecastEvaluation(variable, perHorizon, overall);
    }

    /// <summary>Scores the graphs attached to <paramref name="scored"/> against <paramref name="truth"/> (shop id to adjacency over the same nodes).</summary>
    /// <exception cref="ArgumentException">No graphs are attached, or a shop has no true graph.</exception>
    public static GraphEvaluation Graphs(MarketingPanel scored, IReadOnlyDictionary<string, bool[,]> truth)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(truth);
        CausalGraphSet graphs = scored.Graphs ?? throw new ArgumentException("The panel carries no graphs; pass the output of a causal-graph transformer's Transform.", nameof(scored));
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
