using System.Globalization;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using Microsoft.ML;

namespace CausalMmm.Benchmarks;

/// <summary>
/// A rolling-origin backtest of a panel from a CSV (as <c>causalmmm backtest</c> runs it) with the internal options the
/// benchmarks reach: CausalMMM with <c>--set</c> / <c>--set-graph</c> overrides, adstock + Hill + ridge and the last
/// value, each refitted at every origin, for one or more MLContext seeds (with several, each model's mean and largest RMSE
/// and MASE over them). For real panels the repository does not hold (benchmarks/real/).
/// </summary>
internal static class PanelBacktestBenchmark
{
    /// <summary>
    /// Backtests the panel in <paramref name="data"/> at <paramref name="folds"/> origins of <paramref name="horizon"/>
    /// steps, once per <c>MLContext</c> seed from <paramref name="firstSeed"/>, CausalMMM with the given overrides
    /// (<c>--set</c>, and <c>--set-graph</c> for the graph estimator alone); prints every fold, every seed's figures over
    /// the folds and, with several seeds, each model's mean and largest RMSE and MASE over them.
    /// </summary>
    /// <returns>0 when it ran; 2 when an argument is missing or out of range (the message goes to stderr).</returns>
    public static int Run(string data, string? schemaPath, int folds, int horizon, int? epochs, string overrides, string graphOverrides, int seeds, int firstSeed)
    {
        if (string.IsNullOrEmpty(data))
        {
            Console.Error.WriteLine("backtest needs --data panel.csv (and --schema schema.json when the column names do not say the roles).");
            return 2;
        }
        if (seeds < 1 || firstSeed < 0 || firstSeed > int.MaxValue - seeds)
        {
            Console.Error.WriteLine($"backtest: --seeds {seeds} --first-seed {firstSeed}: run at least one seed, from a seed of 0 or more.");
            return 2;
        }
        Action<CausalMmm.Modeling.CausalMmmOptions> apply = OptionOverrides.Parse(overrides), applyGraph = OptionOverrides.Parse(graphOverrides);
        MarketingSchema schema = schemaPath is null ? new MarketingSchema() : MarketingSchema.Load(schemaPath);
        // Every MLContext seed refits every model at every origin; the mean and the worst seed say how much of a figure
        // is the run's luck (the networks' initialisation and batches) rather than the settings.
        var overall = new List<(int Seed, BacktestSummary Summary)>();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            var ml = new MLContext(seed: seed);
            CausalMmmCatalog mmm = ml.CausalMmm(schema);
            MarketingPanel panel = mmm.Data.ReadPanelCsv(data, schema);
            IDataView all = mmm.Data.ToDataView(panel, schema);
            Console.WriteLine($"Backtest of {Path.GetFileName(data)}: {panel.ShopCount} shops x {panel.Length} steps, {folds} folds of {horizon} steps, MLContext seed {seed}"
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
            {
                overall.Add((seed, o));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  over the folds: {o.Model,-20} RMSE {o.Rmse,10:F1}  MAPE {o.Mape,6:F1}%  MASE {o.Mase:F2}  R2 within shops {o.WithinShopRSquared:F3}  folds beating last value {o.FoldsAhead}/{folds}"));
            }
        }
        if (seeds > 1)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Over seeds {firstSeed}-{firstSeed + seeds - 1}: mean (the largest, with its seed)"));
            foreach (IGrouping<string, (int Seed, BacktestSummary Summary)> model in overall.GroupBy(o => o.Summary.Model))
            {
                (int Seed, BacktestSummary Summary) rmse = model.MaxBy(o => o.Summary.Rmse), mase = model.MaxBy(o => o.Summary.Mase);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {model.Key,-20} RMSE {model.Average(o => o.Summary.Rmse),10:F1} ({rmse.Summary.Rmse:F1}, seed {rmse.Seed})  MASE {model.Average(o => o.Summary.Mase):F2} ({mase.Summary.Mase:F2}, seed {mase.Seed})  "
                    + $"per seed: MASE {string.Join(", ", model.Select(o => o.Summary.Mase.ToString("F2", CultureInfo.InvariantCulture)))}; RMSE {string.Join(", ", model.Select(o => o.Summary.Rmse.ToString("F1", CultureInfo.InvariantCulture)))}"));
            }
        }
        return 0;
    }
}
