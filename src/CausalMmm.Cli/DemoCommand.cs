using CausalMmm.Baselines;
using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Modeling;
using CausalMmm.Simulation;
using Spectre.Console;
using TorchSharp;

namespace CausalMmm.Cli;

/// <summary>
/// The main job on built-in synthetic data: simulates a panel with known causal graphs, fits CausalMMM on
/// all but the last 30 steps, and compares the learned graph of one shop with the true one, the AUROC over
/// shops, and forecast MSE at horizons 1, 7 and 30 against Linear Granger's VAR.
/// </summary>
internal static class DemoCommand
{
    private const int Holdout = 30;

    public static int Run(int shops, int channels, int length, int epochs, int seed, int threads)
    {
        torch.set_num_threads(threads);
        AnsiConsole.MarkupLine($"[bold]causalmmm demo[/]: {shops} shops, {channels} channels, {length} steps (Simulation 1); TorchSharp (libtorch {torch.__version__}), {threads} threads");
        SyntheticDataset data = SyntheticPanelGenerator.Generate(new SyntheticPanelOptions { Shops = shops, Channels = channels, Length = length, Graphs = 5, Seed = seed });
        NumericPanel panel = data.Panel;
        NumericPanel train = panel.SliceTime(0, panel.Length - Holdout);
        var options = CausalMmmOptions.Paper() with { Epochs = epochs, Seed = seed };

        CausalMmmModel? model = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask("training CausalMMM", maxValue: epochs);
                model = CausalMmmTrainer.Fit(train, options, p =>
                {
                    task.Value = p.Epoch;
                    task.Description = double.IsNaN(p.ValidationLoss)
                        ? $"epoch {p.Epoch}: loss {p.TrainingLoss:G3}"
                        : $"epoch {p.Epoch}: loss {p.TrainingLoss:G3}, validation {p.ValidationLoss:G3}";
                });
                task.Value = epochs;
            });
        using CausalMmmModel fitted = model!;
        TrainingSummary summary = fitted.Summary!;
        AnsiConsole.MarkupLine($"trained {summary.EpochsRun} epochs in {summary.Seconds:F1} s ({summary.SecondsPerEpoch:F2} s/epoch), kept epoch {summary.BestEpoch}");

        var truths = Enumerable.Range(0, panel.ShopCount).Select(data.TrueGraph).ToArray();
        IReadOnlyList<double[,]> learned = fitted.EdgeProbabilities(train);
        LinearGranger var = LinearGranger.Fit(train);
        (MetricSummary cmAuroc, MetricSummary cmAcc) = GraphMetrics.Summarise(learned, truths);
        (MetricSummary lgAuroc, MetricSummary lgAcc) = GraphMetrics.Summarise(Enumerable.Range(0, panel.ShopCount).Select(var.EdgeScores).ToArray(), truths);

        AnsiConsole.Write(GraphTable(panel, learned[0], truths[0]));
        var graphs = new Table().Title("causal graph recovery over all shops (mean ± sd)").AddColumns("method", "AUROC", "ACC");
        graphs.AddRow("CausalMMM", cmAuroc.ToString(), cmAcc.ToString());
        graphs.AddRow("Linear Granger", lgAuroc.ToString(), lgAcc.ToString());
        AnsiConsole.Write(graphs);

        int origin = train.Length, target = panel.TargetIndex;
        IReadOnlyList<double[,]> forecasts = fitted.Forecast(panel, origin, Holdout);
        var actual = Enumerable.Range(0, panel.ShopCount).Select(s => Enumerable.Range(0, Holdout).Select(h => panel[s, origin + h, target]).ToArray()).ToArray();
        var cm = forecasts.Select(f => Enumerable.Range(0, Holdout).Select(h => f[h, target]).ToArray()).ToArray();
        var lg = Enumerable.Range(0, panel.ShopCount).Select(s =>
        {
            double[,] f = var.Forecast(panel, s, origin, Holdout);
            return Enumerable.Range(0, Holdout).Select(h => f[h, target]).ToArray();
        }).ToArray();
        int[] horizons = { 1, 7, 30 };
        IReadOnlyList<HorizonError> cmErrors = ForecastMetrics.AtHorizons(cm, actual, horizons);
        IReadOnlyList<HorizonError> lgErrors = ForecastMetrics.AtHorizons(lg, actual, horizons);
        var errors = new Table().Title($"target forecast MSE from step {origin} (autonomous, every node recursive)").AddColumns("horizon", "CausalMMM", "Linear Granger VAR");
        for (int i = 0; i < horizons.Length; i++) errors.AddRow(horizons[i].ToString(), cmErrors[i].Mse.ToString("G4"), lgErrors[i].Mse.ToString("G4"));
        AnsiConsole.Write(errors);
        return 0;
    }

    private static Table GraphTable(NumericPanel panel, double[,] learned, bool[,] truth)
    {
        var table = new Table().Title($"shop {panel.ShopIds[0]}: learned edge probability (row causes column); [green]green[/] = true edge");
        table.AddColumn("from \\ to");
        foreach (string name in panel.NodeNames) table.AddColumn(name);
        for (int i = 0; i < panel.NodeCount; i++)
        {
            var cells = new List<string> { panel.NodeNames[i] };
            for (int j = 0; j < panel.NodeCount; j++)
            {
                if (i == j) { cells.Add("·"); continue; }
                string p = learned[i, j].ToString("F2");
                cells.Add(truth[i, j] ? $"[green]{p}[/]" : p);
            }
            table.AddRow(cells.ToArray());
        }
        return table;
    }
}
