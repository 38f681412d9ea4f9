using System.Globalization;
using System.Text.Json;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using CausalMmm.Planning;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;
using TorchSharp;

namespace CausalMmm.Cli;

/// <summary>Settings every analyst command shares.</summary>
/// <param name="Json">Print one JSON document instead of tables (for scripts).</param>
/// <param name="Quiet">No progress bars or tables; errors still go to stderr.</param>
/// <param name="Device">"cpu" or "cuda".</param>
/// <param name="Threads">libtorch threads.</param>
/// <param name="Seed">The MLContext seed: the same seed gives the same CPU run.</param>
internal sealed record CommonSettings(bool Json, bool Quiet, string Device, int Threads, int Seed)
{
    /// <summary>The ML.NET context these settings describe; CUDA without fallback, so a missing GPU is an error, not a silent CPU run.</summary>
    public MLContext Context()
    {
        if (Threads < 1) throw new ArgumentException($"--threads {Threads}: give at least 1 thread.");
        torch.set_num_threads(Threads);
        var ml = new MLContext(Seed);
        if (Device == "cuda")
        {
            ml.GpuDeviceId = 0;
            ml.FallbackToCpu = false;
        }
        return ml;
    }
}

/// <summary>How the commands read an analyst's CSV: the same column layout at fit time and afterwards.</summary>
internal static class CliData
{
    /// <summary>
    /// The schema to read <paramref name="data"/> with: the <c>--schema</c> file (shop and date columns, date formats,
    /// roles), with <c>--target</c> made the only target; after fitting, the fitted model's roles fix every series and
    /// nothing else is guessed, so a column the model does not know is ignored rather than taken for a second target.
    /// </summary>
    public static MarketingSchema Schema(string data, string? schemaPath, string? target, PanelRoles? fitted)
    {
        MarketingSchema schema = schemaPath is null ? new MarketingSchema() : MarketingSchema.Load(schemaPath);
        if (fitted is not null)
        {
            foreach (string c in fitted.Channels) schema.WithRole(c, VariableRole.Channel, fitted.Unconstrained.Contains(c));
            foreach (string c in fitted.Covariates) schema.WithRole(c, VariableRole.Covariate);
            foreach (string c in fitted.Mediators) schema.WithRole(c, VariableRole.Mediator);
            foreach (string c in fitted.Context) schema.WithRole(c, VariableRole.Context);
            schema.WithRole(fitted.Target!, VariableRole.Target);
            schema.InferRoles = false;
            // Columns the model was not fitted on are read past, whatever their names suggest.
            foreach (string column in Header(data))
            {
                bool key = column == schema.ShopColumn || column == schema.DateColumn
                    || (schema.ShopColumn is null && MarketingSchema.Defaults.ShopColumns.Contains(column))
                    || (schema.DateColumn is null && MarketingSchema.Defaults.DateColumns.Contains(column));
                if (!key && !schema.Roles.ContainsKey(column)) schema.Ignore.Add(column);
            }
        }
        if (target is not null)
        {
            schema.WithRole(target, VariableRole.Target);
            // Other columns named like a target (gmv, sales, ...) would be a second one: --target says which is meant.
            foreach (string column in Header(data))
            {
                if (column != target && !schema.Roles.ContainsKey(column) && MarketingSchema.InferRole(column) == VariableRole.Target) schema.Ignore.Add(column);
            }
        }
        return schema;
    }

    private static IEnumerable<string> Header(string data)
    {
        if (!File.Exists(data)) return Array.Empty<string>(); // the loader says the file is missing, with its path
        string? first = File.ReadLines(data).FirstOrDefault();
        return first is null ? Array.Empty<string>() : first.Split(',').Select(c => c.Trim().Trim('"'));
    }
}

/// <summary>
/// The commands an analyst runs on a CSV: <c>sample</c>, <c>fit</c>, <c>forecast</c> and <c>optimize</c>. Each returns
/// the process exit code: 0 ok, 1 bad input (one line on stderr saying what, where and what to do), 130 cancelled.
/// Files are written whole or not at all.
/// </summary>
internal static class AnalystCommands
{
    /// <summary><c>causalmmm sample</c>: the marketing simulator's panel as a wide CSV.</summary>
    public static int Sample(CommonSettings settings, string output, int shops, int length, int channels)
    {
        MLContext ml = settings.Context();
        CausalMmmCatalog mmm = ml.CausalMmm();
        SimulatedPanel simulated = mmm.Data.SimulateMarketing(shops, length, channels, settings.Seed);
        mmm.Data.SavePanelCsv(simulated.Panel, output);
        Report(settings, new { command = "sample", output, shops, days = length, channels },
            () => AnsiConsole.MarkupLineInterpolated($"Wrote {shops} shops x {length} days ({channels} channels, pv, gmv) to [bold]{output}[/]"));
        return 0;
    }

    /// <summary>
    /// <c>causalmmm fit</c>: CausalMMM (graph + response) on all but the last <paramref name="holdout"/> days, scored on
    /// them against adstock + Hill + ridge and the naive forecasts, then saved with <c>SaveCausalMmm</c>.
    /// </summary>
    public static int Fit(CommonSettings settings, string data, string? schemaPath, string? target, int holdout, int epochs, string output, CancellationToken cancel,
        string graphLearner = "causalmmm")
    {
        MLContext ml = settings.Context();
        MarketingSchema schema = CliData.Schema(data, schemaPath, target, fitted: null);
        CausalMmmCatalog mmm = ml.CausalMmm(schema);
        IDataView all = mmm.Data.LoadPanelCsv(data, schema);
        int days = (int)all.GetColumn<float>("t").Max() + 1;
        if (holdout < 0 || holdout > days - 10)
            throw new ArgumentException($"--holdout {holdout} leaves {days - holdout} of {days} days to fit on; hold out between 0 and {days - 10} days.");
        IDataView history = ml.Data.FilterRowsByColumn(all, "t", upperBound: days - holdout);

        // The library's marketing defaults, as its named-argument estimators use: spends are plans, known on their day, and
        // act through a response curve per same-day edge.
        var graphOptions = new CausalDiscovery.CausalGraphEstimator.Options { Epochs = epochs, CancellationToken = cancel };
        var responseOptions = new MarketingResponseForecaster.Options { Epochs = epochs, CancellationToken = cancel };
        ITransformer model = WithProgress(settings, epochs, (graphProgress, responseProgress) =>
        {
            graphOptions.Progress = graphProgress;
            responseOptions.Progress = responseProgress;
            // Linear Granger is the baseline graph: the same Graph column, so the forecaster, `graph` and the report read it alike.
            return graphLearner == "linear-granger"
                ? mmm.CausalDiscovery.Trainers.LinearGranger().Append(mmm.Forecasting.Trainers.MarketingResponse(responseOptions)).Fit(history)
                : mmm.CausalDiscovery.Trainers.CausalGraph(graphOptions).Append(mmm.Forecasting.Trainers.MarketingResponse(responseOptions)).Fit(history);
        });
        cancel.ThrowIfCancellationRequested();
        string label = ((IEnumerable<ITransformer>)model).OfType<MarketingResponseTransformer>().Single().Roles.Target!;
        var rows = new List<HoldoutRow>();
        if (holdout > 0)
        {
            ITransformer ridge = mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history);
            PanelRoles roles = ((IEnumerable<ITransformer>)model).OfType<MarketingResponseTransformer>().Single().Roles;
            DateTime firstDate = ml.Data.FilterRowsByColumn(all, "t", lowerBound: days - holdout, upperBound: days - holdout + 1).GetColumn<DateTime>(roles.Date).First();
            var models = new List<(string, ITransformer)> { ("CausalMMM", model), ("Adstock+Hill+Ridge", ridge) };
            models.AddRange(HoldoutScoring.NaiveModels(mmm, history));
            foreach ((string name, ITransformer m) in models)
                rows.Add(HoldoutScoring.Score(ml, mmm, name, m, all, days - holdout, firstDate, label));
        }
        cancel.ThrowIfCancellationRequested(); // a cancelled fit saves nothing
        ml.Model.SaveCausalMmm(model, all.Schema, output);
        // Why each network stopped: the epoch cap or a plateau of its loss.
        var training = ((IEnumerable<ITransformer>)model).Select(t => t switch
        {
            CausalDiscovery.CausalGraphTransformer g => ("causal graph", g.Model.Summary, EdgePrior(g.Model), (string?)null),
            MarketingResponseTransformer r => ("response", r.Model.Summary, (string?)null, r.Model.CovariatesDescription),
            _ => ("", null, null, null),
        }).Where(p => p.Item2 is not null)
            .Select(p => new { network = p.Item1, epochs = p.Item2!.EpochsRun, bestEpoch = p.Item2.BestEpoch, stopped = p.Item2.StopReason, edgePrior = p.Item3, covariates = p.Item4 }).ToArray();
        Report(settings, new { command = "fit", data, output, days, holdout, epochs, target = label, training, holdoutMetrics = rows, verdict = rows.Count > 0 ? HoldoutScoring.Verdict(rows) : null }, () =>
        {
            foreach (var t in training)
                AnsiConsole.MarkupLineInterpolated($"[grey]{t.network}: {t.epochs} epochs, kept epoch {t.bestEpoch}; stopped on {t.stopped}{(t.edgePrior is null ? "" : "; " + t.edgePrior)}{(t.covariates is null ? "" : "; " + t.covariates)}[/]");
            if (rows.Count > 0)
            {
                var table = new Table().AddColumns("model", $"holdout RMSE ({holdout} days)", "MAE", "R² pooled", "R² within shops", "MASE vs last value");
                string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
                foreach (HoldoutRow r in rows) table.AddRow(r.Model, F(r.Rmse, "N1"), F(r.Mae, "N1"), F(r.R2, "0.000"), F(r.WithinShopR2, "0.000"), F(r.Mase, "0.00"));
                AnsiConsole.Write(table);
                AnsiConsole.WriteLine(HoldoutScoring.Verdict(rows));
            }
            AnsiConsole.MarkupLineInterpolated($"Saved the fitted model to [bold]{output}[/]");
        });
        return 0;
    }

    /// <summary>
    /// <c>causalmmm graph</c>: the causal graph the model learned for one shop (<paramref name="shop"/>), or, without it,
    /// each edge's mean probability over all shops and how many shops have it, from the graphs kept in the model.
    /// </summary>
    public static int Graph(CommonSettings settings, string modelPath, string? shop, double threshold)
    {
        MLContext ml = settings.Context();
        RequireModelFile(modelPath);
        if (!(threshold >= 0 && threshold <= 1)) throw new ArgumentException($"--min {threshold} is not a probability; give a number between 0 and 1.");
        ITransformer model = ml.Model.LoadCausalMmm(modelPath, out _);
        CausalDiscovery.GraphTransformerBase learner = ((IEnumerable<ITransformer>)model).OfType<CausalDiscovery.GraphTransformerBase>().FirstOrDefault()
            ?? throw new ArgumentException($"'{modelPath}' holds no learned graph (it was fitted on a supplied graph or without one).");
        CausalGraphSet graphs = learner.TrainingGraphs
            ?? throw new ArgumentException($"'{modelPath}' was saved before models kept their graphs; refit it with 'causalmmm fit'.");
        List<EdgeRow> rows;
        if (shop is not null)
        {
            if (!graphs.ShopIds.Contains(shop))
                throw new ArgumentException($"--shop '{shop}' is not in the model; its shops are {string.Join(", ", graphs.ShopIds.Take(5))}{(graphs.ShopIds.Count > 5 ? ", ..." : "")}.");
            rows = graphs.Edges(shop, threshold).Select(e => new EdgeRow(e.From, e.To, e.SameDay ? "same day" : "lagged", e.Probability, 1)).ToList();
        }
        else
        {
            rows = graphs.ShopIds.SelectMany(id => graphs.Edges(id, 0)).GroupBy(e => (e.From, e.To, e.SameDay))
                .Select(g => new EdgeRow(g.Key.From, g.Key.To, g.Key.SameDay ? "same day" : "lagged", g.Average(e => e.Probability), g.Count(e => e.Probability >= threshold)))
                .Where(r => r.Probability >= threshold || r.Shops > 0).OrderByDescending(r => r.Probability).ToList();
        }
        Report(settings, new { command = "graph", shop, shops = graphs.ShopIds.Count, threshold, edges = rows }, () =>
        {
            AnsiConsole.MarkupLineInterpolated($"{(shop is null ? $"Edges over {graphs.ShopIds.Count} shops (mean probability; shops where it is at least {threshold})" : $"Edges of shop {shop} with probability at least {threshold}")}:");
            var table = new Table().AddColumns("from", "to", "kind", shop is null ? "mean probability" : "probability");
            if (shop is null) table.AddColumn("shops");
            foreach (EdgeRow r in rows)
            {
                var cells = new List<string> { r.From, r.To, r.Kind, r.Probability.ToString("0.00", CultureInfo.InvariantCulture) };
                if (shop is null) cells.Add(r.Shops.ToString(CultureInfo.InvariantCulture));
                table.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(table);
        });
        return 0;
    }

    /// <summary><c>causalmmm forecast</c>: the target on the <paramref name="horizon"/> days after the data, under a plan (default: the last days repeated).</summary>
    public static int Forecast(CommonSettings settings, string modelPath, string data, string? schemaPath, string? planPath, int horizon, string output, CancellationToken cancel)
    {
        MLContext ml = settings.Context();
        (CausalMmmCatalog mmm, ITransformer model, IDataView history) = Load(ml, modelPath, data, schemaPath);
        MediaPlan plan = planPath is null ? mmm.Planning.RepeatLast(history, horizon) : mmm.Planning.LoadPlanCsv(planPath, history);
        int days = (int)history.GetColumn<float>("t").Max() + 1;
        IDataView scored = ml.Data.FilterRowsByColumn(model.Transform(plan.AppendTo(history)), "t", lowerBound: days);
        string shopColumn = plan.Roles.Shop, dateColumn = plan.Roles.Date;
        string[] shops = Busy(settings, "forecasting", () => scored.GetColumn<ReadOnlyMemory<char>>(shopColumn).Select(m => m.ToString()).ToArray());
        DateTime[] dates = scored.GetColumn<DateTime>(dateColumn).ToArray();
        float[] score = scored.GetColumn<float>("Score").ToArray();
        cancel.ThrowIfCancellationRequested();
        AtomicFile.Write(output, writer =>
        {
            using var csv = new CsvHelper.CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true); // quotes shop ids with commas
            foreach (string header in new[] { shopColumn, dateColumn, "forecast" }) csv.WriteField(header);
            csv.NextRecord();
            for (int r = 0; r < score.Length; r++)
            {
                csv.WriteField(shops[r]);
                csv.WriteField(dates[r].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                csv.WriteField(score[r].ToString("R", CultureInfo.InvariantCulture));
                csv.NextRecord();
            }
        });
        Report(settings, new { command = "forecast", output, shops = shops.Distinct().Count(), days = plan.Steps, total = score.Sum(v => (double)v) },
            () => AnsiConsole.MarkupLineInterpolated($"Forecast {plan.Steps} days for {shops.Distinct().Count()} shops (total {score.Sum(v => (double)v):N0}) to [bold]{output}[/]"));
        return 0;
    }

    /// <summary><c>causalmmm optimize</c>: the optimised plan for the next <paramref name="horizon"/> days, written as a plan CSV.</summary>
    public static int Optimize(CommonSettings settings, string modelPath, string data, string? schemaPath, double? budget, string? boundsPath, string? fix, string objective,
        double? targetRoi, int horizon, string output, CancellationToken cancel, string? planPath = null)
    {
        MLContext ml = settings.Context();
        (CausalMmmCatalog mmm, ITransformer model, IDataView history) = Load(ml, modelPath, data, schemaPath);
        // The plan to improve on: its covariates known in advance (a promo calendar) stay as planned, its spends are the
        // current ones the budget and relative bounds refer to.
        MediaPlan plan = planPath is null ? mmm.Planning.RepeatLast(history, horizon) : mmm.Planning.LoadPlanCsv(planPath, history);
        var options = new BudgetOptimizationOptions
        {
            Objective = objective switch
            {
                "max-target" => BudgetObjective.MaximizeTarget,
                "min-spend" => BudgetObjective.MinimizeSpend,
                "target-roi" => BudgetObjective.TargetRoi,
                _ => throw new ArgumentException($"--objective '{objective}' is not one of max-target, min-spend, target-roi."),
            },
            Budget = budget,
        };
        if (targetRoi is { } roi) options.TargetRoi = roi;
        if (!string.IsNullOrWhiteSpace(fix)) options.FixedChannels.AddRange(fix.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (boundsPath is not null)
        {
            foreach ((string channel, SpendBounds bounds) in BoundsCsv.Read(boundsPath)) options.ChannelBounds[channel] = bounds;
        }
        BudgetAllocation allocation = Busy(settings, "optimising the budget", () => mmm.Planning.OptimizeBudget(model, history, plan, options));
        cancel.ThrowIfCancellationRequested();
        allocation.OptimizedPlan.SaveCsv(output);
        var channels = allocation.Channels.GroupBy(c => c.Channel).Select(g => new { channel = g.Key, current = g.Sum(c => c.CurrentSpend), optimized = g.Sum(c => c.OptimizedSpend) }).ToArray();
        double before = allocation.Shops.Sum(s => s.CurrentTarget), after = allocation.Shops.Sum(s => s.OptimizedTarget);
        Report(settings, new { command = "optimize", output, objective, channels, currentTarget = before, optimizedTarget = after,
            currentSpend = allocation.Shops.Sum(s => s.CurrentSpend), optimizedSpend = allocation.Shops.Sum(s => s.OptimizedSpend) }, () =>
        {
            var table = new Table().AddColumns("channel", "current spend", "optimised spend", "change");
            foreach (var c in channels)
                table.AddRow(c.channel, c.current.ToString("N0", CultureInfo.InvariantCulture), c.optimized.ToString("N0", CultureInfo.InvariantCulture),
                    c.current > 0 ? (c.optimized / c.current - 1).ToString("+0%;-0%", CultureInfo.InvariantCulture) : "new");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Forecast target {before:N0} -> {after:N0}; the optimised plan is in [bold]{output}[/]");
        });
        return 0;
    }

    /// <summary>The graph network's edge prior and, when the fit chose it, why: channels of either sign read as signals, others as spend.</summary>
    private static string EdgePrior(CausalMmmModel graph)
    {
        string prior = $"edge prior {graph.Options.GrangerPrior}";
        return graph.Summary?.NegativeChannelShare is double share
            ? prior + $" ({(share >= CausalMmmOptions.Defaults.SignedChannelShare ? "signals" : "spend")}: {(100 * share).ToString("0.0", CultureInfo.InvariantCulture)}% of channel values below zero)"
            : prior;
    }

    /// <summary>Fails, saying how to make one, when <paramref name="modelPath"/> does not exist.</summary>
    internal static void RequireModelFile(string modelPath)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"The model file '{modelPath}' does not exist; create it with 'causalmmm fit DATA.csv -o {modelPath}'.", modelPath);
    }

    /// <summary>A model saved by <c>fit</c> and its forecaster.</summary>
    internal static (ITransformer Model, MarketingResponseTransformer Response) LoadModel(MLContext ml, string modelPath)
    {
        RequireModelFile(modelPath);
        ITransformer model = ml.Model.LoadCausalMmm(modelPath, out _);
        MarketingResponseTransformer response = ((IEnumerable<ITransformer>)model).OfType<MarketingResponseTransformer>().SingleOrDefault()
            ?? throw new ArgumentException($"'{modelPath}' is not a CausalMMM forecaster; create it with 'causalmmm fit'.");
        return (model, response);
    }

    /// <summary>The fitted model and the data read the way it was fitted (see <see cref="CliData.Schema"/>).</summary>
    internal static (CausalMmmCatalog, ITransformer, IDataView) Load(MLContext ml, string modelPath, string data, string? schemaPath)
    {
        (ITransformer model, MarketingResponseTransformer response) = LoadModel(ml, modelPath);
        MarketingSchema schema = CliData.Schema(data, schemaPath, target: null, response.Roles);
        CausalMmmCatalog mmm = ml.CausalMmm(schema);
        return (mmm, model, mmm.Data.LoadPanelCsv(data, schema));
    }

    /// <summary>Runs the two trainings under one progress display (epoch, loss, ETA), or silently in quiet and JSON modes.</summary>
    private static ITransformer WithProgress(CommonSettings settings, int epochs, Func<Action<TrainingProgress>?, Action<TrainingProgress>?, ITransformer> fit)
    {
        if (settings.Quiet || settings.Json || Console.IsOutputRedirected && !AnsiConsole.Profile.Capabilities.Interactive)
            return fit(null, null);
        ITransformer? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask graph = context.AddTask("causal graph", maxValue: epochs);
                ProgressTask response = context.AddTask("response", maxValue: epochs);
                Action<TrainingProgress> Track(ProgressTask task, string name) => p =>
                {
                    task.Value = p.Epoch;
                    task.Description = $"{name}: epoch {p.Epoch}, loss {p.TrainingLoss:G3}";
                };
                result = fit(Track(graph, "causal graph"), Track(response, "response"));
                // The bars end full, and each says why its training stopped: the epoch cap or a plateau of its loss.
                foreach (ITransformer t in result as IEnumerable<ITransformer> ?? Array.Empty<ITransformer>())
                {
                    (ProgressTask? task, string name, TrainingSummary? summary) = t switch
                    {
                        CausalDiscovery.CausalGraphTransformer g => (graph, "causal graph", g.Model.Summary),
                        CausalDiscovery.LinearGrangerGraphTransformer => (graph, "Linear Granger graph", null),
                        MarketingResponseTransformer r => (response, "response", r.Model.Summary),
                        _ => (null, "", null),
                    };
                    if (task is null) continue;
                    task.Description = summary is null ? $"{name}: fitted (no epochs)" : $"{name}: {summary.EpochsRun} epochs, stopped on {summary.StopReason}";
                }
                graph.Value = graph.MaxValue;
                response.Value = response.MaxValue;
            });
        return result!;
    }

    /// <summary>A step without epochs: a spinner on a terminal, nothing in quiet or JSON mode or when output is redirected.</summary>
    private static T Busy<T>(CommonSettings settings, string what, Func<T> work)
    {
        if (settings.Quiet || settings.Json || !AnsiConsole.Profile.Capabilities.Interactive) return work();
        return AnsiConsole.Status().Start(what, _ => work());
    }

    internal static void Report(CommonSettings settings, object json, Action tables)
    {
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(json, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN (say R² of a flat holdout) as "NaN", not an error
        }));
        else if (!settings.Quiet) tables();
    }
}

/// <summary>One edge in <c>graph</c>'s output: its kind ("lagged" or "same day"), probability (or mean over shops) and the shops that have it.</summary>
internal sealed record EdgeRow(string From, string To, string Kind, double Probability, int Shops);


/// <summary>Channel bounds for <c>optimize --bounds</c>: a CSV <c>channel,min,max[,relative]</c>, where relative (true/false, default true) makes min and max multiples of the current plan.</summary>
internal static class BoundsCsv
{
    public static IEnumerable<(string Channel, SpendBounds Bounds)> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The bounds file '{path}' does not exist.", path);
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !lines[0].Replace(" ", "").StartsWith("channel,min,max", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path}, line 1: the header must be 'channel,min,max' or 'channel,min,max,relative'.");
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            string[] cells = lines[i].Split(',').Select(c => c.Trim()).ToArray();
            if (cells.Length < 3) throw new ArgumentException($"{path}, line {i + 1}: '{lines[i]}' needs channel, min and max.");
            double Number(int column) => double.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new ArgumentException($"{path}, line {i + 1}, column {column + 1}: '{cells[column]}' is not a number; write it like 0.5 or 1000.");
            bool relative = cells.Length < 4 || cells[3].Length == 0 || (bool.TryParse(cells[3], out bool r) ? r
                : throw new ArgumentException($"{path}, line {i + 1}, column 4: '{cells[3]}' is not true or false."));
            yield return (cells[0], new SpendBounds(Number(1), Number(2), relative));
        }
    }
}

/// <summary>Writes a text file whole or not at all: to a temporary file beside it, then moved over it.</summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<TextWriter> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var writer = new StreamWriter(temp)) write(writer);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
