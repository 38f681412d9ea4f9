using System.Globalization;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using Microsoft.ML;

namespace CausalMmm.Benchmarks;

/// <summary>
/// A rolling-origin backtest of a panel from a CSV (as <c>causalmmm backtest</c> runs it) with the internal options the
/// benchmarks reach: CausalMMM with <c>--set</c> / <c>--set-graph</c> overrides, adstock + Hill + ridge and the last
/// value, each refitted at every origin. For real panels the repository does not hold (benchmarks/real/).
/// </summary>
internal static class PanelBacktestBenchmark
{
    public static int Run(string data, string? schemaPath, int folds, int horizon, int? epochs, string overrides, string graphOverrides)
    {
        if (string.IsNullOrEmpty(data))
        {
            Console.Error.WriteLine("backtest needs --data panel.csv (and --schema schema.json when the column names do not say the roles).");
            return 2;
        }
        Action<CausalMmm.Modeling.CausalMmmOptions> apply = OptionOverrides.Parse(overrides), applyGraph = OptionOverrides.Parse(graphOverrides);
        var ml = new MLContext(seed: 1);
        MarketingSchema schema = schemaPath is null ? new MarketingSchema() : MarketingSchema.Load(schemaPath);
        CausalMmmCatalog mmm = ml.CausalMmm(schema);
        MarketingPanel panel = mmm.Data.ReadPanelCsv(data, schema);
        IDataView all = mmm.Data.ToDataView(panel, schema);
        Console.WriteLine($"Backtest of {Path.GetFileName(data)}: {panel.ShopCount} shops x {panel.Length} steps, {folds} folds of {horizon} steps"
            + (overrides.Length > 0 ? $"; --set {overrides}" : "") + (graphOverrides.Length > 0 ? $"; --set-graph {graphOverrides}" : ""));
        var models = new List<(string, IEstimator<ITransformer>)>
        {
            ("CausalMMM", PlanningBenchmark.CausalPipeline(mmm, epochs, apply, applyGraph)),
            ("Adstock+Hill+Ridge", mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge())),
            ("Naive: last value", mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue)),
        };
        var options = new BacktestOptions
        {
            Folds = folds, Horizon = horizon,
            Progress = (fold, score) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  fold {fold}: {score.Model,-20} RMSE {score.Evaluation.Rmse,10:F1}  MAPE {score.Evaluation.Overall.Mape,6:F1}%  MASE {score.Evaluation.Mase:F2}  R2 within shops {score.Evaluation.WithinShopRSquared:F3}  fit {score.FitTime.TotalSeconds:F0} s")),
        };
        BacktestResult result = mmm.Forecasting.Backtest(all, models, options);
        foreach (BacktestSummary o in result.Overall)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  over the folds: {o.Model,-20} RMSE {o.Rmse,10:F1}  MAPE {o.Mape,6:F1}%  MASE {o.Mase:F2}  R2 within shops {o.WithinShopRSquared:F3}  folds beating last value {o.FoldsAhead}/{folds}"));
        return 0;
    }
}
