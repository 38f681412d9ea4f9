using System.Globalization;
using CausalMmm.Data;

namespace CausalMmm.Modeling;

/// <summary>Runs <see cref="CausalMmmTrainer"/> for an ML.NET estimator: seed, device, threads, progress to the log, cancellation.</summary>
internal static class CausalTraining
{
    /// <remarks>
    /// <paramref name="suppliedGraph"/>: <paramref name="fixedEdges"/> come from a graph the user supplied, taken as it is,
    /// covariates' edges included (<see cref="CausalMmmOptions.CovariateEdgesOn"/> off), rather than from a learned one.
    /// </remarks>
    public static CausalMmmModel Fit(ComponentHost host, CausalTrainerOptions options, int seed, NumericPanel panel, float[][]? fixedEdges, bool suppliedGraph = false)
    {
        CausalMmmOptions model = options.Model with { };
        model.Seed = seed;
        if (suppliedGraph) model.CovariateEdgesOn = false;
        model.Device = host.PrepareTorch(model.Device, options.NumberOfThreads);
        host.Info($"Training on {panel.ShopCount} shops x {panel.Length} dates, nodes [{string.Join(", ", panel.NodeNames)}], device {model.Device}, seed {seed}");
        void Report(TrainingProgress p)
        {
            options.Progress?.Invoke(p);
            if (p.Epoch == 1 || p.Epoch % 10 == 0 || p.Epoch == p.Epochs)
                host.Info($"epoch {p.Epoch}/{p.Epochs}: training loss {p.TrainingLoss:G4}" + (double.IsNaN(p.ValidationLoss) ? "" : $", validation loss {p.ValidationLoss:G4}")
                    + $", {p.Elapsed.TotalSeconds:F1} s");
        }
        CausalMmmModel fitted = CausalMmmTrainer.Fit(panel, model, fixedEdges, Report, options.CancellationToken);
        host.Info(fitted.Seasonal is { } seasonal ? $"Seasonal baseline: {seasonal} terms for the mediators and the target (Seasonality {model.Seasonality})"
            : model.Seasonality == SeasonalBaseline.None ? "Seasonal baseline: none (Seasonality None)"
            : $"Seasonal baseline: none ({(panel.Dates is null ? "the panel has no dates" : "calendar terms need a training window of 4+ weeks of daily data or 2+ years")})");
        host.Info(TrendLine(fitted, model.Trend));
        if (fixedEdges is null) host.Info(SignalsLine(fitted));
        if (CovariatesLine(fitted) is { } covariates) host.Info(covariates);
        if (fixedEdges is not null && fitted.Options.CovariateEdgesOn && panel.CovariateCount > 0)
            host.Info($"Covariates' same-day edges kept on whatever the learned graph says (controls): {string.Join(", ", panel.NodeNames.Skip(panel.ChannelCount - panel.CovariateCount).Take(panel.CovariateCount))}");
        TrainingSummary summary = fitted.Summary!;
        host.Info($"Trained {summary.EpochsRun} epochs in {summary.Seconds:F1} s ({summary.SecondsPerEpoch:F2} s/epoch); kept epoch {summary.BestEpoch} (loss {summary.BestValidationLoss:G4}); stopped on {summary.StopReason}");
        return fitted;
    }

    /// <summary>The training log's line on how a fit that learns edges read its channels (spend or signed signals), its edge prior and why.</summary>
    internal static string SignalsLine(CausalMmmModel fitted)
    {
        GrangerPrior prior = fitted.Options.GrangerPrior;
        double threshold = 100 * CausalMmmOptions.Defaults.SignedChannelShare;
        string why = fitted.Summary?.NegativeChannelShare is double share
            ? share >= CausalMmmOptions.Defaults.SignedChannelShare
                ? string.Create(CultureInfo.InvariantCulture, $"signed signals, chosen from the data: {100 * share:F1}% of the channels' values are below zero, at least {threshold:F0}%")
                : string.Create(CultureInfo.InvariantCulture, $"spend, chosen from the data: {100 * share:F1}% of the channels' values are below zero, under {threshold:F0}%")
            : "set by the options";
        return $"Edge prior: GrangerPrior {prior} ({why})";
    }

    /// <summary>
    /// The training log's line on how the covariates enter: reflected where they lower the target, with the correlation
    /// read; null for a panel without covariates.
    /// </summary>
    internal static string? CovariatesLine(CausalMmmModel fitted)
    {
        int covariates = fitted.Options.CovariateSenders;
        if (covariates == 0) return null;
        IReadOnlyList<double>? r = fitted.Summary?.CovariateCorrelations;
        var parts = Enumerable.Range(0, covariates).Select(k =>
        {
            string name = fitted.NodeNames[fitted.ChannelCount - covariates + k];
            bool reflected = fitted.Options.ReflectedCovariates?[k] == true;
            string read = r is null ? "" : string.Create(CultureInfo.InvariantCulture, $"correlation with the target {r[k]:F2}");
            return reflected ? $"{name} reflected (it lowers the target{(read.Length > 0 ? ": " + read : "")})"
                : $"{name} as it is{(read.Length > 0 ? $" ({read})" : "")}";
        });
        // Correlations exist only where the fit chose; a loaded model has no training summary and says what it stores.
        return $"Covariates: {string.Join("; ", parts)}{(r is null ? "" : " (chosen from the data)")}";
    }

    /// <summary>The training log's line on the trend: what the fit has and why (forced, chosen from the data, or no dates).</summary>
    internal static string TrendLine(CausalMmmModel fitted, bool? setting)
    {
        string why = fitted.Summary?.TrendShare is double share
            ? $"chosen from the data: the target's median trend share {share:F3} is {(share >= CausalMmmOptions.Defaults.TrendShareThreshold ? "at or above" : "below")} {CausalMmmOptions.Defaults.TrendShareThreshold}; set Trend to force it"
            : setting switch
            {
                true when fitted.TrendStart is not null => "Trend on",
                false => "Trend off",
                true => "the panel has no dates",
                null => $"left to the data, but the panel has no dates or its window is too short to tell a line from its given series (it needs {LinearTrend.MinimumSpareRows} steps beyond them); set Trend to force it",
            };
        return fitted.TrendStart is { } trendStart ? $"Trend: a slope per shop for the mediators and the target, from {trendStart:yyyy-MM-dd} ({why})" : $"Trend: none ({why})";
    }
}
