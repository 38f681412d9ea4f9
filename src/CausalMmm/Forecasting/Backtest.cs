using System.Diagnostics;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CausalMmm.Forecasting;

/// <summary>Settings of a rolling-origin backtest (<see cref="CausalMmmCatalog.ForecastingCatalog.Backtest"/>).</summary>
public sealed class BacktestOptions
{
    /// <summary>Documented defaults.</summary>
    public static class Defaults
    {
        /// <summary>Forecast origins.</summary>
        public const int Folds = 4;

        /// <summary>Steps forecast from each origin.</summary>
        public const int Horizon = 28;

        /// <summary>The fewest steps of history the first fold may fit on.</summary>
        public const int MinimumHistory = 10;
    }

    /// <summary>Forecast origins; the last fold's window ends where the data ends.</summary>
    public int Folds { get; set; } = Defaults.Folds;

    /// <summary>Steps forecast from each origin (each fold's window).</summary>
    public int Horizon { get; set; } = Defaults.Horizon;

    /// <summary>Steps between consecutive origins; null means <see cref="Horizon"/> (windows that meet without overlapping).</summary>
    public int? Step { get; set; }

    /// <summary>The fewest steps of history the first fold may fit on.</summary>
    public int MinimumHistory { get; set; } = Defaults.MinimumHistory;

    /// <summary>Stops between models (a model's own fit stops at its next epoch only if its options carry the same token).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Told of each model fitted and scored: the fold (1-based), the model's name and its scores.</summary>
    public Action<int, BacktestScore>? Progress { get; set; }
}

/// <summary>One model's scores in one fold.</summary>
/// <param name="Model">The model's name, as given.</param>
/// <param name="Evaluation">Its forecast accuracy over the fold's window (MASE against the last value before the origin).</param>
/// <param name="FitTime">How long fitting took.</param>
public sealed record BacktestScore(string Model, ForecastEvaluation Evaluation, TimeSpan FitTime);

/// <summary>One forecast origin of a backtest.</summary>
/// <param name="Fold">1 for the earliest origin.</param>
/// <param name="Origin">The first forecast date: every model was fitted on the dates before it only.</param>
/// <param name="End">The window's last date.</param>
/// <param name="HistoryLength">Steps of history fitted on.</param>
/// <param name="Scores">Each model's scores, in the order given.</param>
public sealed record BacktestFold(int Fold, DateOnly Origin, DateOnly End, int HistoryLength, IReadOnlyList<BacktestScore> Scores);

/// <summary>One model's figures over every fold: the mean of each fold's figure (folds where it is not finite, such as R² of a flat window, are left out of that mean).</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Rmse">Mean over folds of the RMSE.</param>
/// <param name="Mae">Mean over folds of the MAE.</param>
/// <param name="Mape">Mean over folds of the MAPE (percent).</param>
/// <param name="Mase">Mean over folds of the MASE against the last value (below 1 beats it).</param>
/// <param name="WithinShopRSquared">Mean over folds of the R² within shops.</param>
/// <param name="PooledRSquared">Mean over folds of the R² pooled over shops.</param>
/// <param name="FoldsAhead">Folds in which the model's MASE is below 1.</param>
public sealed record BacktestSummary(string Model, double Rmse, double Mae, double Mape, double Mase, double WithinShopRSquared, double PooledRSquared, int FoldsAhead);

/// <summary>The result of a rolling-origin backtest: every fold, and each model's figures over all of them.</summary>
/// <param name="Folds">The folds, earliest origin first.</param>
/// <param name="Horizon">Steps in each fold's window.</param>
public sealed record BacktestResult(IReadOnlyList<BacktestFold> Folds, int Horizon)
{
    /// <summary>Each model's mean figures over the folds, in the order the models were given.</summary>
    public IReadOnlyList<BacktestSummary> Overall => Folds[0].Scores.Select((first, m) =>
    {
        ForecastEvaluation[] e = Folds.Select(f => f.Scores[m].Evaluation).ToArray();
        static double Mean(IEnumerable<double> v)
        {
            double[] finite = v.Where(double.IsFinite).ToArray();
            return finite.Length > 0 ? finite.Average() : double.NaN;
        }
        return new BacktestSummary(first.Model, Mean(e.Select(x => x.Rmse)), Mean(e.Select(x => x.Overall.Mae)), Mean(e.Select(x => x.Overall.Mape)), Mean(e.Select(x => x.Mase)),
            Mean(e.Select(x => x.WithinShopRSquared)), Mean(e.Select(x => x.Overall.RSquared)), e.Count(x => x.Mase < 1));
    }).ToArray();
}

/// <summary>Runs rolling-origin backtests: refit at each origin on the dates before it, forecast the window after it.</summary>
internal static class Backtesting
{
    private const string ScoreColumnName = "Score";

    public static BacktestResult Run(CausalMmmCatalog catalog, IDataView data, IReadOnlyList<(string Name, IEstimator<ITransformer> Estimator)> models, BacktestOptions options,
        PanelColumnOptions? columns)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        const string component = "Backtest";
        if (models.Count == 0) throw new ArgumentException($"{component}: give at least one model to backtest.", nameof(models));
        if (models.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count() != models.Count)
            throw new ArgumentException($"{component}: model names must differ; got [{string.Join(", ", models.Select(m => m.Name))}].", nameof(models));
        int step = options.Step ?? options.Horizon;
        if (options.Folds < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Folds, $"{component}: {nameof(BacktestOptions.Folds)} must be at least 1.");
        if (options.Horizon < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Horizon, $"{component}: {nameof(BacktestOptions.Horizon)} must be at least 1 step.");
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(options), step, $"{component}: {nameof(BacktestOptions.Step)} must be at least 1 step.");
        if (options.MinimumHistory < 2) throw new ArgumentOutOfRangeException(nameof(options), options.MinimumHistory, $"{component}: {nameof(BacktestOptions.MinimumHistory)} must be at least 2 steps.");

        PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(data.Schema), columns ?? new PanelColumnOptions(), catalog.Schema, requireTarget: true, component, out _);
        string[] formats = catalog.Schema.DateFormats.ToArray();
        MarketingPanel panel = PanelReader.Read(data, roles, roles.Variables(), component, allowMissingOutcomes: false, formats).Panel;
        int firstOrigin = panel.Length - options.Horizon - (options.Folds - 1) * step;
        if (firstOrigin < options.MinimumHistory)
            throw new ArgumentException($"{component}: {options.Folds} folds of {options.Horizon} steps, {step} apart, need at least {options.MinimumHistory + options.Horizon + (options.Folds - 1) * step} dates "
                + $"({options.MinimumHistory} of history before the first); the data has {panel.Length}. Use fewer folds or a shorter horizon.", nameof(options));

        var folds = new List<BacktestFold>();
        for (int k = 0; k < options.Folds; k++)
        {
            int origin = firstOrigin + k * step;
            // Each fold fits on nothing at or after its origin, and forecasts its window from the spends and covariates
            // alone: the views are rebuilt from slices of the panel, the window's target and mediators written as missing,
            // so no later outcome can reach a model however it reads its input. The actual values are joined back only to score.
            MarketingPanel windowPanel = panel.SliceTime(0, origin + options.Horizon);
            // The roles travel with the fold's views as with the input (PanelAnnotations), so an estimator that read them
            // from the input's annotations finds them again.
            IDataView history = PanelAnnotations.Annotate(PanelDataView.Create(panel.SliceTime(0, origin), roles.Shop, roles.Date), roles);
            IDataView window = PanelAnnotations.Annotate(PanelDataView.Create(windowPanel, roles.Shop, roles.Date, missingOutcomesFrom: origin), roles);
            var actual = PanelDataView.Create(windowPanel, roles.Shop, roles.Date); // each model's forecast joins it in turn, to be scored
            var scores = new List<BacktestScore>();
            foreach ((string name, IEstimator<ITransformer> estimator) in models)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                ITransformer fitted = estimator.Fit(history);
                TimeSpan fitTime = clock.Elapsed;
                try
                {
                    float[] forecast = fitted.Transform(window).GetColumn<float>(ScoreColumnName).ToArray();
                    actual.Columns.Add(new Microsoft.Data.Analysis.SingleDataFrameColumn(ScoreColumnName, forecast));
                    ForecastEvaluation evaluation = PanelEvaluation.Forecast(actual, roles, ScoreColumnName, panel.Dates[origin], formats);
                    actual.Columns.Remove(ScoreColumnName);
                    var score = new BacktestScore(name, evaluation, fitTime);
                    scores.Add(score);
                    options.Progress?.Invoke(k + 1, score);
                }
                finally
                {
                    (fitted as IDisposable)?.Dispose();
                }
            }
            folds.Add(new BacktestFold(k + 1, panel.Dates[origin], panel.Dates[origin + options.Horizon - 1], origin, scores));
        }
        return new BacktestResult(folds, options.Horizon);
    }
}
