using System.Globalization;
using CausalMmm.Forecasting;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Cli;

/// <summary>One model's holdout metrics in <c>fit</c>'s output and the report's table.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Rmse">Root mean squared error over every holdout row.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="R2">R² pooled over shops (mostly how well shops are told apart).</param>
/// <param name="WithinShopR2">R² within each shop's holdout, averaged over shops.</param>
/// <param name="Mase">Per shop, MAE over that of repeating the shop's last value; averaged. Below 1 beats the naive forecast.</param>
internal sealed record HoldoutRow(string Model, double Rmse, double Mae, double R2, double WithinShopR2, double Mase);

/// <summary>
/// Scores models on a holdout the same way in <c>fit</c> and the report: ML.NET's regression metrics on the holdout rows,
/// with the skill against the naive forecasts beside them (<see cref="CausalMmmCatalog.ForecastingCatalog.Evaluate"/>).
/// </summary>
internal static class HoldoutScoring
{
    /// <summary>
    /// The naive forecasts every model is compared with, fitted on <paramref name="history"/>: the last value, the same
    /// date one season earlier (left out when the history is shorter than a season) and the recent mean.
    /// </summary>
    public static IEnumerable<(string Name, ITransformer Model)> NaiveModels(CausalMmmCatalog mmm, IDataView history)
    {
        yield return ("Naive: last value", mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue).Fit(history));
        NaiveForecastTransformer? seasonal = null;
        try
        {
            seasonal = mmm.Forecasting.Trainers.Naive(NaiveMethod.SeasonalNaive).Fit(history);
        }
        catch (ArgumentException)
        {
            // Less than one season of history: there is no seasonal naive forecast to compare with.
        }
        // A season of one step (dates neither daily nor weekly) would repeat the last value under another name.
        if (seasonal is not null && seasonal.SeasonLength > 1) yield return ($"Naive: {seasonal.SeasonLength} steps earlier", seasonal);
        NaiveForecastTransformer recent = mmm.Forecasting.Trainers.Naive(NaiveMethod.RecentMean).Fit(history);
        yield return ($"Naive: mean of last {recent.RecentWindow}", recent);
    }

    /// <summary>
    /// Scores <paramref name="model"/> on the rows of <paramref name="all"/> from step <paramref name="firstStep"/> (dated
    /// <paramref name="firstDate"/>) on: the whole panel is transformed, so forecasts and the last-value skill read the history.
    /// </summary>
    public static HoldoutRow Score(MLContext ml, CausalMmmCatalog mmm, string name, ITransformer model, IDataView all, int firstStep, DateTime firstDate, string label)
    {
        IDataView scored = model.Transform(all);
        RegressionMetrics metrics = ml.Regression.Evaluate(ml.Data.FilterRowsByColumn(scored, "t", lowerBound: firstStep), label, "Score");
        Evaluation.ForecastEvaluation skill = mmm.Forecasting.Evaluate(scored, firstDate, label);
        return new HoldoutRow(name, metrics.RootMeanSquaredError, metrics.MeanAbsoluteError, metrics.RSquared, skill.WithinShopRSquared, skill.Mase);
    }

    /// <summary>
    /// How the first row (the model under test) stands against the naive forecasts and the best row, so a metric that reads
    /// well against regression baselines but loses to a naive forecast is said as such: its MASE against repeating the last
    /// value, any naive forecast whose MASE is as good or better, and the lowest RMSE. Rows whose figures are not finite are
    /// left out of each comparison.
    /// </summary>
    public static string Verdict(IReadOnlyList<HoldoutRow> rows)
    {
        HoldoutRow model = rows[0];
        string I(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var parts = new List<string>();
        if (double.IsFinite(model.Mase))
        {
            parts.Add(model.Mase < 1
                ? $"{model.Model} beats repeating each shop's last value (MASE {I(model.Mase, "0.00")})."
                : $"{model.Model} LOSES to repeating each shop's last value (MASE {I(model.Mase, "0.00")}, 1 = as good).");
            HoldoutRow? naive = rows.Skip(1).Where(r => r.Model.StartsWith("Naive", StringComparison.Ordinal) && double.IsFinite(r.Mase) && r.Mase <= model.Mase && r.Mase != 1)
                .MinBy(r => r.Mase);
            if (naive is not null) parts.Add($"The naive forecast '{naive.Model}' does as well or better (MASE {I(naive.Mase, "0.00")}).");
        }
        else
        {
            parts.Add($"{model.Model}'s skill against the last value could not be measured (no shop with a value before the holdout and a moving holdout).");
        }
        HoldoutRow? best = rows.Where(r => double.IsFinite(r.Rmse)).MinBy(r => r.Rmse);
        if (best is not null)
            parts.Add(ReferenceEquals(best, model) ? $"{model.Model} has the lowest RMSE." : $"Lowest RMSE: {best.Model} ({I(best.Rmse, "N1")}; {model.Model} {I(model.Rmse, "N1")}).");
        return string.Join(" ", parts);
    }
}
