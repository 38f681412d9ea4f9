using CausalMmm.Data;

namespace CausalMmm.Forecasting;

/// <summary>Which steps a forecasting transformer forecasts.</summary>
internal static class ForecastWindow
{
    /// <summary>
    /// From <see cref="MarketingPanel.HoldoutStart"/> to the end when a holdout is marked; otherwise the last
    /// <paramref name="horizon"/> steps (a backtest of the panel's end).
    /// </summary>
    public static (int Origin, int Steps) Of(MarketingPanel panel, int horizon, string component)
    {
        if (panel.HoldoutStart is { } start) return (start, panel.Length - start);
        if (horizon >= panel.Length)
            throw new ArgumentException($"{component}: the panel has {panel.Length} steps, too few to forecast its last {horizon} from the ones before. Mark a holdout with SplitByTime or WithHoldout, or lower the horizon.");
        return (panel.Length - horizon, horizon);
    }

    /// <summary>The given series (channels and covariates) of one shop over steps [origin, origin + steps), [step, series].</summary>
    public static double[,] GivenPlan(NumericPanel panel, int shop, int origin, int steps)
    {
        var plan = new double[steps, panel.ChannelCount];
        for (int h = 0; h < steps; h++)
        for (int c = 0; c < panel.ChannelCount; c++) plan[h, c] = panel[shop, origin + h, c];
        return plan;
    }
}
