using System.Globalization;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using Microsoft.ML;
using Spectre.Console;

namespace CausalMmm.Cli;

/// <summary>
/// <c>causalmmm backtest</c>: refit CausalMMM, the classic chain and the naive forecasts at several origins and score each
/// following window with the actual spends given, per fold and over all folds.
/// </summary>
internal static class BacktestCommand
{
    public static int Run(CommonSettings settings, string data, string? schemaPath, string? target, int folds, int horizon, int epochs, string? reportPath, CancellationToken cancel)
    {
        if (epochs < 1) throw new ArgumentException($"--epochs {epochs}: train at least 1 epoch.");
        MLContext ml = settings.Context();
        MarketingSchema schema = CliData.Schema(data, schemaPath, target, fitted: null);
        CausalMmmCatalog mmm = ml.CausalMmm(schema);
        MarketingPanel panel = mmm.Data.ReadPanelCsv(data, schema);
        IDataView all = mmm.Data.ToDataView(panel, schema);
        var options = new BacktestOptions { Folds = folds, Horizon = horizon, CancellationToken = cancel };

        var models = new List<(string, IEstimator<ITransformer>)>
        {
            ("CausalMMM", mmm.CausalDiscovery.Trainers.CausalGraph(new CausalDiscovery.CausalGraphEstimator.Options { Epochs = epochs, CancellationToken = cancel })
                .Append(mmm.Forecasting.Trainers.MarketingResponse(new MarketingResponseForecaster.Options { Epochs = epochs, CancellationToken = cancel }))),
            ("Adstock+Hill+Ridge", mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge())),
            ("Naive: last value", mmm.Forecasting.Trainers.Naive(NaiveMethod.LastValue)),
        };
        // The seasonal naive forecast needs a season of history in the first fold (7 days, or 52 weeks).
        int season = NaiveForecastEstimator.DefaultSeasonLength(panel.StepDays);
        if (season > 1 && panel.Length - horizon * folds >= season) models.Add(($"Naive: {season} steps earlier", mmm.Forecasting.Trainers.Naive(NaiveMethod.SeasonalNaive)));
        models.Add(("Naive: recent mean", mmm.Forecasting.Trainers.Naive(NaiveMethod.RecentMean)));

        bool chatty = !settings.Quiet && !settings.Json;
        options.Progress = (fold, score) =>
        {
            if (chatty) AnsiConsole.MarkupLineInterpolated($"[grey]fold {fold}/{folds}:[/] {score.Model} fitted in {score.FitTime.TotalSeconds:0} s, MASE {score.Evaluation.Mase.ToString("0.00", CultureInfo.InvariantCulture)}");
        };
        BacktestResult result = mmm.Forecasting.Backtest(all, models, options);
        IReadOnlyList<BacktestSummary> overall = result.Overall;
        string verdict = "Over all folds: " + HoldoutScoring.Verdict(overall.Select(o => new HoldoutRow(o.Model, o.Rmse, o.Mae, o.PooledRSquared, o.WithinShopRSquared, o.Mase)).ToList());

        string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        string[] header = { "model", "RMSE", "MAE", "MAPE %", "MASE vs last value", "R² within shops", "R² pooled" };
        string[] Row(string model, double rmse, double mae, double mape, double mase, double within, double pooled) =>
            new[] { model, F(rmse, "N1"), F(mae, "N1"), F(mape, "0.0"), F(mase, "0.00"), F(within, "0.000"), F(pooled, "0.000") };
        var foldRows = result.Folds.Select(f => (f, f.Scores.Select(s => Row(s.Model, s.Evaluation.Rmse, s.Evaluation.Overall.Mae, s.Evaluation.Overall.Mape, s.Evaluation.Mase,
            s.Evaluation.WithinShopRSquared, s.Evaluation.Overall.RSquared)).ToArray())).ToArray();
        var overallRows = overall.Select(o => Row(o.Model, o.Rmse, o.Mae, o.Mape, o.Mase, o.WithinShopRSquared, o.PooledRSquared).Append($"{o.FoldsAhead}/{folds}").ToArray()).ToArray();
        string[] overallHeader = header.Append("folds beating last value").ToArray();

        if (reportPath is not null)
        {
            var html = new HtmlReport($"CausalMMM backtest: {Path.GetFileName(data)}");
            html.Section("backtest", $"Rolling-origin backtest: {folds} folds of {horizon} steps");
            html.Paragraph($"At each origin every model is fitted afresh on the dates before it only, then forecasts the next {horizon} dates with the actual spends given. "
                + "MASE divides each shop's mean absolute error by that of repeating its last value before the origin (below 1 beats it); R² within shops says how much of each shop's own course a forecast explains.");
            html.Table(overallHeader, overallRows);
            html.Paragraph(verdict);
            foreach ((BacktestFold fold, string[][] rows) in foldRows)
            {
                html.Paragraph($"Fold {fold.Fold}: fitted on {fold.HistoryLength} dates, forecasting {fold.Origin:yyyy-MM-dd} to {fold.End:yyyy-MM-dd}.");
                html.Table(header, rows);
            }
            AtomicFile.Write(reportPath, writer => writer.Write(html.ToString()));
        }

        AnalystCommands.Report(settings, new
        {
            command = "backtest", data, folds, horizon, epochs,
            foldResults = result.Folds.Select(f => new
            {
                fold = f.Fold, origin = f.Origin.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), end = f.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), historyLength = f.HistoryLength,
                models = f.Scores.Select(s => new
                {
                    model = s.Model, rmse = s.Evaluation.Rmse, mae = s.Evaluation.Overall.Mae, mape = s.Evaluation.Overall.Mape, mase = s.Evaluation.Mase,
                    withinShopR2 = s.Evaluation.WithinShopRSquared, pooledR2 = s.Evaluation.Overall.RSquared, fitSeconds = s.FitTime.TotalSeconds,
                }),
            }),
            overall, verdict, report = reportPath,
        }, () =>
        {
            foreach ((BacktestFold fold, string[][] rows) in foldRows)
            {
                var table = new Table().Title($"fold {fold.Fold}: fitted on {fold.HistoryLength} dates, forecasting {fold.Origin:yyyy-MM-dd} to {fold.End:yyyy-MM-dd}").AddColumns(header);
                foreach (string[] row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
                AnsiConsole.Write(table);
            }
            var summary = new Table().Title($"over {folds} folds (mean of each fold's figure)").AddColumns(overallHeader);
            foreach (string[] row in overallRows) summary.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(summary);
            AnsiConsole.WriteLine(verdict);
            if (reportPath is not null) AnsiConsole.MarkupLineInterpolated($"Wrote the backtest report to [bold]{reportPath}[/]");
        });
        return 0;
    }
}
