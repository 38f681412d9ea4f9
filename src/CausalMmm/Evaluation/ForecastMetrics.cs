namespace CausalMmm.Evaluation;

/// <summary>Forecast errors at one horizon.</summary>
/// <param name="Horizon">Steps ahead of the forecast origin (1 = the next step).</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Count">Number of forecast/actual pairs.</param>
public readonly record struct HorizonError(int Horizon, double Mse, double Mae, int Count);

/// <summary>Point-forecast error metrics.</summary>
public static class ForecastMetrics
{
    /// <summary>
    /// MSE and MAE at each requested horizon h, comparing forecast[shop][h-1] with actual[shop][h-1] over shops.
    /// Horizons beyond a shop's forecast length are skipped for that shop.
    /// </summary>
    public static IReadOnlyList<HorizonError> AtHorizons(IReadOnlyList<double[]> forecasts, IReadOnlyList<double[]> actuals, IEnumerable<int> horizons)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        ArgumentNullException.ThrowIfNull(actuals);
        if (forecasts.Count != actuals.Count) throw new ArgumentException($"{forecasts.Count} forecasts but {actuals.Count} actual series.", nameof(actuals));
        var result = new List<HorizonError>();
        foreach (int h in horizons)
        {
            if (h < 1) throw new ArgumentOutOfRangeException(nameof(horizons), h, "Horizons start at 1.");
            double se = 0, ae = 0;
            int count = 0;
            for (int s = 0; s < forecasts.Count; s++)
            {
                if (forecasts[s].Length < h || actuals[s].Length < h) continue;
                double e = forecasts[s][h - 1] - actuals[s][h - 1];
                se += e * e;
                ae += Math.Abs(e);
                count++;
            }
            result.Add(new HorizonError(h, count == 0 ? double.NaN : se / count, count == 0 ? double.NaN : ae / count, count));
        }
        return result;
    }
}
