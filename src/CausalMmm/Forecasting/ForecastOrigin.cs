using CausalMmm.Data;

namespace CausalMmm.Forecasting;

/// <summary>Where a fitted model's forecasts start in a panel read at transform time.</summary>
internal static class ForecastOrigin
{
    /// <summary>
    /// The first step whose target is missing (dates to forecast appended to history); otherwise the first step dated after
    /// the history the model was fitted on (a holdout); otherwise the panel's end (nothing to forecast).
    /// </summary>
    public static int Of(AssembledPanel read, DateOnly fittedHistoryEnd)
    {
        if (read.MissingFrom is { } missing) return missing;
        IReadOnlyList<DateOnly> dates = read.Panel.Dates;
        for (int t = 0; t < dates.Count; t++)
        {
            if (dates[t] > fittedHistoryEnd) return t;
        }
        return dates.Count;
    }
}
