using CausalMmm.Data;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>Whether the baseline of a model's mediators and target has calendar (Fourier) terms.</summary>
public enum SeasonalBaseline
{
    /// <summary>No calendar terms: the recurrence alone follows any season.</summary>
    None,

    /// <summary>
    /// Chosen from the training dates: weekly terms for daily data of at least four weeks, yearly terms when the history
    /// spans at least two years, none for a panel without dates (the choice is logged and kept with the model).
    /// </summary>
    Auto,
}

/// <summary>
/// The calendar terms of a seasonal baseline: the sine and cosine of each harmonic of the week (day of the week) and of
/// the year (day of the year), read from a step's date. Each mediator and the target add a learned weight per term, shared
/// by every shop on the per-shop scaled series; the decoder models the series less that baseline, so media effects stay
/// increments over it (see <see cref="CausalMmmOptions.Seasonality"/>).
/// </summary>
/// <param name="StepDays">Days between the training panel's steps; forecast dates advance by it.</param>
/// <param name="WeeklyHarmonics">Harmonics of the week (0 for weekly or coarser data).</param>
/// <param name="YearlyHarmonics">Harmonics of the year (0 when the training history spans less than two years).</param>
public sealed record SeasonalTerms(int StepDays, int WeeklyHarmonics, int YearlyHarmonics)
{
    /// <summary>Harmonics of the week when weekly terms are on: three pairs span every day-of-week pattern (six free values).</summary>
    public const int WeekHarmonics = 3;

    /// <summary>Harmonics of the year when yearly terms are on: a smooth annual shape that two years of data can pin down.</summary>
    public const int YearHarmonics = 2;

    /// <summary>The shortest daily history, in steps, that gets weekly terms.</summary>
    public const int MinimumWeeklySteps = 28;

    /// <summary>The shortest history, in days covered (steps times days per step), that gets yearly terms: 104 weeks or 728 days.</summary>
    public const int MinimumYearlyDays = 728;

    /// <summary>The most harmonics a stored model may hold (a check on files read back).</summary>
    private const int MaximumHarmonics = 26;

    private const double DaysPerYear = 365.25;

    /// <summary>Features per date: a sine and a cosine per harmonic.</summary>
    public int Count => 2 * (WeeklyHarmonics + YearlyHarmonics);

    /// <summary>
    /// The terms <paramref name="setting"/> gives a model trained on <paramref name="panel"/>'s last
    /// <paramref name="window"/> steps, or null for none (no dates, <see cref="SeasonalBaseline.None"/>, or too short a history).
    /// </summary>
    internal static SeasonalTerms? Choose(NumericPanel panel, int window, SeasonalBaseline setting) =>
        panel.StepDays is int stepDays ? Choose(stepDays, window, setting) : null;

    /// <summary>The terms <paramref name="setting"/> gives <paramref name="steps"/> steps <paramref name="stepDays"/> days apart, or null for none.</summary>
    internal static SeasonalTerms? Choose(int stepDays, int steps, SeasonalBaseline setting)
    {
        if (setting == SeasonalBaseline.None) return null;
        int window = steps;
        int weekly = stepDays == 1 && window >= MinimumWeeklySteps ? WeekHarmonics : 0;
        int yearly = (long)window * stepDays >= MinimumYearlyDays ? YearHarmonics : 0;
        return weekly + yearly == 0 ? null : new SeasonalTerms(stepDays, weekly, yearly);
    }

    /// <summary>Checks stored terms: non-negative harmonics, a positive step, at least one term.</summary>
    internal void Validate()
    {
        if (StepDays < 1 || WeeklyHarmonics < 0 || YearlyHarmonics < 0 || WeeklyHarmonics > MaximumHarmonics || YearlyHarmonics > MaximumHarmonics
            || WeeklyHarmonics + YearlyHarmonics == 0)
            throw new InvalidDataException($"its seasonal terms (step {StepDays} days, {WeeklyHarmonics} weekly and {YearlyHarmonics} yearly harmonics) are inconsistent");
    }

    /// <summary>The features of <paramref name="steps"/> dates from <paramref name="first"/>, <see cref="StepDays"/> apart: [steps, <see cref="Count"/>].</summary>
    internal Tensor Features(DateOnly first, int steps, Device? device = null)
    {
        var data = new float[steps * Count];
        for (int t = 0; t < steps; t++)
        {
            double[] at = At(first.AddDays(t * StepDays));
            for (int k = 0; k < Count; k++) data[t * Count + k] = (float)at[k];
        }
        return Tensors.FromArray(data, new long[] { steps, Count }, device);
    }

    /// <summary>The <see cref="Count"/> features of <paramref name="date"/>: sine and cosine of each weekly, then each yearly harmonic.</summary>
    public double[] At(DateOnly date)
    {
        var features = new double[Count];
        int day = date.DayNumber, k = 0;
        for (int h = 1; h <= WeeklyHarmonics; h++)
        {
            double angle = 2 * Math.PI * h * (day % 7) / 7.0;
            features[k++] = Math.Sin(angle);
            features[k++] = Math.Cos(angle);
        }
        for (int h = 1; h <= YearlyHarmonics; h++)
        {
            double angle = 2 * Math.PI * h * (day / DaysPerYear);
            features[k++] = Math.Sin(angle);
            features[k++] = Math.Cos(angle);
        }
        return features;
    }

    /// <summary>A short description for logs: which terms, e.g. "weekly (3 harmonics)".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (WeeklyHarmonics > 0) parts.Add($"weekly ({WeeklyHarmonics} harmonics)");
        if (YearlyHarmonics > 0) parts.Add($"yearly ({YearlyHarmonics} harmonics)");
        return string.Join(" and ", parts);
    }
}
