using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Planning;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace CausalMmm.Cli;

/// <summary>
/// <c>causalmmm report</c>: one self-contained HTML file an analyst can open offline. It shows the data and the checks
/// that ran, each selected shop's causal graph as a diagram, fit and holdout forecast against actuals, holdout metrics
/// against the baselines (refitted here on the model's history), contributions over the next days stacked, response
/// curves with bands, ROI and marginal ROI per channel, and the optimised allocation against the current plan. Charts
/// are plotly.js, inlined from the Plotly.NET package that ships it; graph diagrams are SVG written here (plotly has
/// no directed-graph chart).
/// </summary>
internal static class ReportCommand
{
    /// <summary>The section ids every report has, in order (the browser test checks them).</summary>
    public static readonly string[] Sections = { "summary", "graphs", "fit", "metrics", "contributions", "curves", "roi", "allocation" };

    public static int Run(CommonSettings settings, string modelPath, string data, string? schemaPath, string output, int shopCount, int horizon, int samples, int baselineEpochs,
        CancellationToken cancel)
    {
        MLContext ml = settings.Context();
        AnalystCommands.RequireModelFile(modelPath);
        if (shopCount < 1) throw new ArgumentException($"--shops {shopCount}: show at least 1 shop.");
        if (horizon < 1) throw new ArgumentException($"--horizon {horizon}: plan at least 1 day.");
        (ITransformer model, MarketingResponseTransformer response) = AnalystCommands.LoadModel(ml, modelPath);
        GraphTransformerBase? learner = ((IEnumerable<ITransformer>)model).OfType<GraphTransformerBase>().FirstOrDefault(); // CausalMMM's or Linear Granger's
        PanelRoles roles = response.Roles;
        string target = roles.Target!;
        MarketingSchema schema = CliData.Schema(data, schemaPath, target: null, roles);
        CausalMmmCatalog mmm = ml.CausalMmm(schema);
        MarketingPanel panel = mmm.Data.ReadPanelCsv(data, schema);
        IDataView all = mmm.Data.ToDataView(panel);
        int historyDays = panel.Dates.Count(d => d <= response.HistoryEnd);
        int holdout = panel.Length - historyDays;
        if (historyDays < 2) throw new ArgumentException($"{data} ends before the model's training data ({response.HistoryEnd:yyyy-MM-dd}); give the data the model was fitted on.");
        IDataView history = ml.Data.FilterRowsByColumn(all, "t", upperBound: historyDays);
        string[] shown = panel.ShopIds.Take(shopCount).ToArray();

        var html = new HtmlReport($"CausalMMM report: {Path.GetFileName(data)}");
        void Step(string what)
        {
            cancel.ThrowIfCancellationRequested();
            if (!settings.Quiet && !settings.Json) AnsiConsole.MarkupLineInterpolated($"[grey]report:[/] {what}");
        }
        // A long step: a progress bar on a terminal (by epoch when it trains), nothing in quiet or JSON mode.
        T Long<T>(string what, Func<Action<Modeling.TrainingProgress>?, T> work, int epochs = 0)
        {
            cancel.ThrowIfCancellationRequested();
            if (settings.Quiet || settings.Json || !AnsiConsole.Profile.Capabilities.Interactive) return work(null);
            T result = default!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    ProgressTask task = context.AddTask(what, maxValue: Math.Max(epochs, 1));
                    task.IsIndeterminate = epochs == 0;
                    result = work(epochs == 0 ? null : p =>
                    {
                        task.Value = p.Epoch;
                        task.Description = $"{what}: epoch {p.Epoch}, loss {p.TrainingLoss:G3}";
                    });
                    task.Value = task.MaxValue;
                });
            return result;
        }

        Step("data summary");
        html.Section("summary", "Data and checks");
        html.Paragraph($"{panel.ShopCount} shops, {panel.Length} dates from {panel.Dates[0]:yyyy-MM-dd} to {panel.Dates[^1]:yyyy-MM-dd} ({panel.StepDays}-day steps). "
            + $"The model was fitted on the dates up to {response.HistoryEnd:yyyy-MM-dd}; {(holdout > 0 ? $"the last {holdout} dates are its holdout." : "the data has no dates after them, so there is no holdout.")}");
        html.Table(new[] { "role", "columns" }, new[]
        {
            new[] { "channels (spend)", string.Join(", ", roles.Channels) },
            new[] { "covariates", roles.Covariates.Length > 0 ? string.Join(", ", roles.Covariates) : "none" },
            new[] { "mediators", roles.Mediators.Length > 0 ? string.Join(", ", roles.Mediators) : "none" },
            new[] { "target", target },
            new[] { "context", roles.Context.Length > 0 ? string.Join(", ", roles.Context) : "none" },
        });
        var spendRows = roles.Channels.Select(c =>
        {
            double[] values = Enumerable.Range(0, panel.ShopCount).SelectMany(s => panel.GetSeries(s, c)).ToArray();
            return new[] { c, Number(values.Average()), Number(values.Max()), (values.Count(v => v == 0) / (double)values.Length).ToString("P0", CultureInfo.InvariantCulture) };
        }).ToList();
        html.Table(new[] { "channel", "mean daily spend", "largest", "days without spend" }, spendRows);
        html.Paragraph("Checks that ran on reading (all passed, or the report would have stopped with the file, line, column and value): "
            + "every shop has every date once and the dates are evenly spaced; no value is missing, NaN or infinite; spends are not negative; "
            + "context does not change over time; the target is present on every date; the model's columns are all in the file.");

        Step("graphs");
        CausalGraphSet graphs = learner is not null ? learner.Graphs(history) : response.SuppliedGraph ?? CausalGraphSet.Shared(response.NodeNames, Full(response.NodeNames.Count), panel.ShopIds);
        html.Section("graphs", "Causal graphs");
        html.Paragraph("Each arrow is an edge the model learned, drawn when its probability is at least 0.5; thicker is more probable. "
            + "Solid arrows act from the days before (lagged), dashed arrows on the same day (a day's spend drives that day's outcomes).");
        html.Raw("<div class=\"graphs\">");
        foreach (string id in shown) html.Raw(GraphDiagram.Svg(graphs, id, roles, $"shop {id}"));
        html.Raw("</div>");

        Step("fit and holdout forecast");
        IDataView scored = model.Transform(all);
        (string[] rowShop, float[] rowT, float[] score) = Long("scoring every date", _ => (
            scored.GetColumn<ReadOnlyMemory<char>>(roles.Shop).Select(m => m.ToString()).ToArray(), scored.GetColumn<float>("t").ToArray(), scored.GetColumn<float>("Score").ToArray()));
        html.Section("fit", $"Fit and holdout forecast of {target}");
        html.Paragraph($"Actual {target} against the model: one day ahead inside the fitted dates, then the forecast over the holdout with the actual spends given.");
        foreach (string id in shown)
        {
            int s = panel.IndexOfShop(id);
            double[] actual = panel.GetSeries(s, target);
            var predicted = new double?[panel.Length];
            for (int r = 0; r < score.Length; r++)
            {
                if (rowShop[r] == id && float.IsFinite(score[r])) predicted[(int)rowT[r]] = score[r];
            }
            string[] dates = panel.Dates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
            var traces = new object[]
            {
                new { type = "scatter", mode = "lines", name = "actual", x = dates, y = actual, line = new { color = "#222" } },
                new { type = "scatter", mode = "lines", name = "CausalMMM", x = dates, y = predicted, line = new { color = "#d62728" } },
            };
            object[] shapes = holdout > 0
                ? new object[] { new { type = "line", xref = "x", yref = "paper", x0 = dates[historyDays], x1 = dates[historyDays], y0 = 0, y1 = 1, line = new { dash = "dot", color = "#888" } } }
                : Array.Empty<object>();
            html.Chart(traces, new { title = new { text = $"shop {id}" }, height = 300, shapes, yaxis = new { title = new { text = target } } });
        }

        Step("holdout metrics against the baselines");
        html.Section("metrics", "Holdout accuracy against the baselines");
        if (holdout == 0)
        {
            html.Paragraph("The data has no dates after the model's training data, so there is nothing to score. Fit with --holdout to keep some back.");
        }
        else
        {
            html.Paragraph($"Every model is scored on the same {holdout * panel.ShopCount} holdout rows with the actual spends given "
                + "(mlContext.Regression.Evaluate); the baselines were fitted here on the model's history. Pooled R² mostly says how well a "
                + "model tells shops apart; R² within shops and MASE (each shop's error over that of repeating its last value; below 1 beats it) "
                + "say whether it forecasts each shop's own course. The naive forecasts read only the target's history.");
            string[] saturated = roles.Channels.Select(c => c + "_adstock_hill").ToArray();
            IEstimator<ITransformer> Stock(IEstimator<ITransformer> trainer) => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill())
                .Append(ml.Transforms.Categorical.OneHotEncoding("__shop", roles.Shop))
                .Append(ml.Transforms.Concatenate("Features", saturated.Concat(roles.Context).Prepend("__shop").ToArray()))
                .Append(ml.Transforms.NormalizeMinMax("Features"))
                .Append(trainer);
            var models = new List<(string Name, Func<Action<Modeling.TrainingProgress>?, ITransformer> Fit, int Epochs)>
            {
                ("CausalMMM", _ => model, 0),
                ("Adstock+Hill+Ridge", _ => mmm.Transforms.Adstock().Append(mmm.Transforms.Hill()).Append(mmm.Forecasting.Trainers.Ridge()).Fit(history), 0),
                ("Wide", progress => mmm.Forecasting.Trainers.Wide(new WideEstimator.Options { Epochs = baselineEpochs, Progress = progress, CancellationToken = cancel }).Fit(history), baselineEpochs),
                ("Sdca (adstock+Hill)", _ => Stock(ml.Regression.Trainers.Sdca(labelColumnName: target)).Fit(history), 0),
                ("FastTree (adstock+Hill)", _ => Stock(ml.Regression.Trainers.FastTree(labelColumnName: target)).Fit(history), 0),
                ("LightGbm (adstock+Hill)", _ => Stock(ml.Regression.Trainers.LightGbm(labelColumnName: target)).Fit(history), 0),
            };
            foreach ((string name, ITransformer naive) in HoldoutScoring.NaiveModels(mmm, history)) models.Add((name, _ => naive, 0));
            DateTime firstDate = panel.Dates[historyDays].ToDateTime(TimeOnly.MinValue);
            var scores = new List<HoldoutRow>();
            foreach ((string name, var fit, int epochs) in models)
                scores.Add(Long(name, progress => HoldoutScoring.Score(ml, mmm, name, fit(progress), all, historyDays, firstDate, target), epochs));
            string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
            html.Table(new[] { "model", "RMSE", "MAE", "R² pooled", "R² within shops", "MASE vs last value" },
                scores.Select(r => new[] { r.Model, Number(r.Rmse), Number(r.Mae), F(r.R2, "0.000"), F(r.WithinShopR2, "0.000"), F(r.Mase, "0.00") }).ToList());
            html.Paragraph(HoldoutScoring.Verdict(scores));
        }

        Step("contributions, curves and allocation");
        MediaPlan plan = mmm.Planning.RepeatLast(all, horizon);
        // Contributions over a past period when there is one: the holdout, with the spends that actually ran; else the plan.
        MediaPlan spent = plan;
        IDataView past = all;
        string period = $"the next {horizon} days (the plan repeats the last {horizon})";
        if (holdout > 0)
        {
            MediaPlan template = mmm.Planning.RepeatLast(history, holdout);
            var actual = new Dictionary<string, double[,]>(StringComparer.Ordinal);
            for (int s = 0; s < panel.ShopCount; s++)
            {
                var values = new double[holdout, template.Series.Count];
                for (int k = 0; k < template.Series.Count; k++)
                {
                    double[] series = panel.GetSeries(s, template.Series[k]);
                    for (int h = 0; h < holdout; h++) values[h, k] = series[historyDays + h];
                }
                actual[panel.ShopIds[s]] = values;
            }
            spent = new MediaPlan(template.Roles, actual);
            past = history;
            period = $"the {holdout} holdout days, with the spends that actually ran";
        }
        ContributionReport contributions = Long("contributions", _ => mmm.Planning.Contributions(model, past, spent, new ContributionOptions { Samples = samples, Seed = settings.Seed }));
        html.Section("contributions", "Contributions over time");
        html.Paragraph($"Over {period}. Each channel's contribution is the forecast minus the forecast with that channel at zero, "
            + $"summed over all shops and stacked by day. The base (every channel at zero) is {Number(contributions.Decomposition.Sum(d => d.Base))} of the forecast "
            + $"{Number(contributions.Decomposition.Sum(d => d.Forecast))} over these days. The residual line is what the one-at-a-time counterfactuals leave unassigned "
            + $"(the channels' interaction), shown rather than spread: {Number(contributions.Decomposition.Sum(d => d.Residual))} in all.");
        string[] planDates = contributions.Decomposition.Select(d => d.Date).Distinct().Order().Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
        double[] Daily(Func<DailyDecomposition, double> value) => contributions.Decomposition.GroupBy(d => d.Date).OrderBy(g => g.Key).Select(g => g.Sum(value)).ToArray();
        // The base dwarfs the channels, so it is stated, not stacked.
        var stacked = new List<object>();
        foreach (string channel in roles.Channels)
        {
            double[] y = contributions.Daily.Where(c => c.Channel == channel).GroupBy(c => c.Date).OrderBy(g => g.Key).Select(g => g.Sum(c => c.Contribution)).ToArray();
            stacked.Add(new { type = "scatter", mode = "lines", name = channel, x = planDates, y, stackgroup = "one" });
        }
        stacked.Add(new { type = "scatter", mode = "lines", name = "residual", x = planDates, y = Daily(d => d.Residual), line = new { dash = "dot", color = "#000" } });
        html.Chart(stacked, new { height = 380, yaxis = new { title = new { text = target } } });
        html.Table(new[] { "channel", "contribution", $"band ({contributions.BandLevel:P0})", "direct", "mediated" },
            contributions.Totals.Where(t => t.ShopId == ResponseCurveSet.AllShops)
                .Select(t => new[] { t.Channel, Number(t.Contribution), $"{Number(t.Lower)} to {Number(t.Upper)}", Number(t.Direct), Number(t.Mediated) }));

        ResponseCurveSet curves = Long("response curves", _ => mmm.Planning.ResponseCurves(model, all, plan, new ResponseCurveOptions { Samples = samples, Seed = settings.Seed }));
        html.Section("curves", "Response curves");
        html.Paragraph($"{target} over the next {horizon} days, all shops, as one channel's spend is scaled from 0 to 3 times the plan; the band covers "
            + $"{curves.BandLevel:P0} of {curves.Samples} graphs sampled from the learned edge probabilities.");
        var curveTraces = new List<object>();
        string[] palette = { "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
        for (int c = 0; c < roles.Channels.Length; c++)
        {
            ResponsePoint[] points = curves.Points.Where(p => p.ShopId == ResponseCurveSet.AllShops && p.Channel == roles.Channels[c]).OrderBy(p => p.Spend).ToArray();
            string color = palette[c % palette.Length];
            double[] spend = points.Select(p => p.Spend).ToArray();
            curveTraces.Add(new { type = "scatter", mode = "lines", x = spend, y = points.Select(p => p.Lower).ToArray(), line = new { width = 0, color }, showlegend = false, hoverinfo = "skip" });
            curveTraces.Add(new { type = "scatter", mode = "lines", x = spend, y = points.Select(p => p.Upper).ToArray(), fill = "tonexty", line = new { width = 0, color }, opacity = 0.2, showlegend = false, hoverinfo = "skip" });
            curveTraces.Add(new { type = "scatter", mode = "lines+markers", name = roles.Channels[c], x = spend, y = points.Select(p => p.Target).ToArray(), line = new { color } });
        }
        html.Chart(curveTraces, new { height = 420, xaxis = new { title = new { text = $"spend over the next {horizon} days" } }, yaxis = new { title = new { text = target } } });

        html.Section("roi", "ROI and marginal ROI per channel");
        html.Paragraph("ROI: what the channel adds over the plan per unit of its spend. Marginal ROI: what one more unit of spend adds at the plan (the forecast's derivative). "
            + "A channel whose marginal ROI is far below its ROI is near saturation; the saturation point is where its curve reaches 90% of its largest gain.");
        html.Table(new[] { "channel", "spend", "ROI", $"band ({curves.BandLevel:P0})", "marginal ROI", "band", "saturates at" },
            curves.Returns.Where(r => r.ShopId == ResponseCurveSet.AllShops).Select(r => new[]
            {
                r.Channel, Number(r.Spend), Ratio(r.Roi), $"{Ratio(r.RoiLower)} to {Ratio(r.RoiUpper)}", Ratio(r.MarginalRoi), $"{Ratio(r.MarginalRoiLower)} to {Ratio(r.MarginalRoiUpper)}",
                double.IsFinite(r.SaturationMultiplier) ? $"{r.SaturationMultiplier:0.0}x the plan" : "no gain",
            }));

        BudgetAllocation allocation = Long("budget allocation", _ => mmm.Planning.OptimizeBudget(model, all, plan));
        html.Section("allocation", "Optimised allocation against the current plan");
        double before = allocation.Shops.Sum(s => s.CurrentTarget), after = allocation.Shops.Sum(s => s.OptimizedTarget);
        html.Paragraph($"Each shop's budget over the next {horizon} days stays what the plan spends; each channel may move between 0 and 3 times its planned spend. "
            + $"Forecast {target}: {Number(before)} under the plan, {Number(after)} optimised ({(after / before - 1).ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture)}).");
        var byChannel = allocation.Channels.GroupBy(c => c.Channel).Select(g => (Channel: g.Key, Current: g.Sum(c => c.CurrentSpend), Optimized: g.Sum(c => c.OptimizedSpend))).ToArray();
        html.Chart(new object[]
        {
            new { type = "bar", name = "current plan", x = byChannel.Select(c => c.Channel).ToArray(), y = byChannel.Select(c => c.Current).ToArray() },
            new { type = "bar", name = "optimised", x = byChannel.Select(c => c.Channel).ToArray(), y = byChannel.Select(c => c.Optimized).ToArray() },
        }, new { barmode = "group", height = 340, yaxis = new { title = new { text = $"spend over the next {horizon} days" } } });
        html.Table(new[] { "channel", "current spend", "optimised spend", "change" },
            byChannel.Select(c => new[] { c.Channel, Number(c.Current), Number(c.Optimized), c.Current > 0 ? (c.Optimized / c.Current - 1).ToString("+0%;-0%", CultureInfo.InvariantCulture) : "new" }));

        cancel.ThrowIfCancellationRequested();
        AtomicFile.Write(output, writer => writer.Write(html.ToString()));
        string full = Path.GetFullPath(output);
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(new { command = "report", output = full, sections = Sections }));
        else if (!settings.Quiet) AnsiConsole.MarkupLineInterpolated($"Report written to [bold]{full}[/]");
        return 0;
    }

    private static double[,] Full(int n)
    {
        var g = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) g[i, j] = i == j ? 0 : 1;
        return g;
    }

    private static string Number(double v) => double.IsFinite(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static string Ratio(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
}

/// <summary>Builds the report's HTML: sections, paragraphs, tables and plotly.js charts, with the library inlined once.</summary>
internal sealed class HtmlReport
{
    private readonly StringBuilder _body = new();
    private readonly string _title;
    private int _charts;

    public HtmlReport(string title) => _title = title;

    public void Section(string id, string heading) => _body.Append($"</section>\n<section id=\"{id}\">\n<h2>{Encode(heading)}</h2>\n");

    public void Paragraph(string text) => _body.Append($"<p>{Encode(text)}</p>\n");

    public void Raw(string html) => _body.Append(html).Append('\n');

    public void Table(IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        _body.Append("<table><thead><tr>");
        foreach (string h in header) _body.Append($"<th>{Encode(h)}</th>");
        _body.Append("</tr></thead><tbody>");
        foreach (string[] row in rows)
        {
            _body.Append("<tr>");
            foreach (string cell in row) _body.Append(Numeric(cell) ? $"<td class=\"n\">{Encode(cell)}</td>" : $"<td>{Encode(cell)}</td>");
            _body.Append("</tr>");
        }
        _body.Append("</tbody></table>\n");
    }

    /// <summary>A plotly.js chart of <paramref name="traces"/> with <paramref name="layout"/> (serialised as plotly JSON).</summary>
    public void Chart(IEnumerable<object> traces, object layout)
    {
        string id = $"chart{_charts++}";
        string data = Json(traces), options = Json(layout);
        _body.Append($"<div class=\"chart\" id=\"{id}\"></div>\n<script>Plotly.newPlot('{id}', {data}, {options}, {{responsive: true, displaylogo: false}});</script>\n");
    }

    public override string ToString()
    {
        string body = _body.ToString();
        int first = body.IndexOf("</section>", StringComparison.Ordinal);
        if (first == 0) body = body["</section>".Length..]; // Section closes the previous one; the first has none
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            + $"<title>{Encode(_title)}</title>\n<style>{Style}</style>\n<script>{PlotlyScript.Source}</script>\n</head><body>\n"
            + $"<h1>{Encode(_title)}</h1>\n<nav>{string.Join(" · ", ReportCommand.Sections.Select(s => $"<a href=\"#{s}\">{s}</a>"))}</nav>\n"
            + body + "</section>\n<footer>Written by causalmmm " + Encode(typeof(HtmlReport).Assembly.GetName().Version?.ToString() ?? "") + "; works offline.</footer>\n</body></html>\n";
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>Numbers (and "n %", "+5%", "1.2x ...") are right-aligned; words stay left.</summary>
    private static bool Numeric(string cell) => cell.Length > 0 && (char.IsDigit(cell[0]) || (cell.Length > 1 && cell[0] is '-' or '+' && char.IsDigit(cell[1])));

    /// <summary>JSON safe inside a script element.</summary>
    private static string Json(object value) => JsonSerializer.Serialize(value, JsonOptions).Replace("</", "<\\/", StringComparison.Ordinal);

    /// <summary>NaN and infinities (a flat curve's band, say) become strings plotly treats as gaps, not a serialiser error.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private const string Style = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        + "h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:1em 0}"
        + "th,td{border:1px solid #ccc;padding:.3em .7em;text-align:left}td.n{text-align:right}"
        + "nav a{margin:0 .2em}.graphs{display:flex;flex-wrap:wrap;gap:1em}.graphs figure{margin:0}.chart{width:100%}footer{margin-top:3em;color:#888}";
}

/// <summary>plotly.js, read from the Plotly.NET package, which ships it for offline HTML.</summary>
internal static class PlotlyScript
{
    private static readonly Lazy<string> Script = new(() =>
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        string name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("the Plotly.NET package carries no plotly.js; reinstall it");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        // Neither a closing tag nor a comment opener may appear raw inside the script element.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase).Replace("<!--", "<\\!--", StringComparison.Ordinal);
    });

    public static string Source => Script.Value;
}

/// <summary>
/// A shop's causal graph as SVG: given series on the left, mediators in the middle, the target on the right; lagged edges
/// solid, same-day edges dashed, width and opacity by probability, the probability written on each edge.
/// </summary>
internal static class GraphDiagram
{
    private static int _figures;

    public static string Svg(CausalGraphSet graphs, string shop, PanelRoles roles, string caption, double threshold = 0.5)
    {
        string marker = $"arrow{Interlocked.Increment(ref _figures)}"; // ids are unique in the page
        string[][] columns = { roles.Channels.Concat(roles.Covariates).ToArray(), roles.Mediators, new[] { roles.Target! } };
        const int width = 520, columnGap = 210, rowGap = 56, top = 40, left = 60;
        int height = top * 2 + rowGap * Math.Max(1, columns.Max(c => c.Length) - 1) + 20;
        var position = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        for (int c = 0; c < columns.Length; c++)
        {
            double offset = (height - rowGap * (columns[c].Length - 1)) / 2.0;
            for (int r = 0; r < columns[c].Length; r++) position[columns[c][r]] = (left + c * columnGap, offset + r * rowGap);
        }
        var svg = new StringBuilder();
        string label = WebUtility.HtmlEncode(caption);
        svg.Append($"<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{label}\">");
        svg.Append($"<defs><marker id=\"{marker}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#444\"/></marker></defs>");
        foreach (CausalEdge edge in graphs.Edges(shop, threshold))
        {
            if (!position.TryGetValue(edge.From, out var a) || !position.TryGetValue(edge.To, out var b)) continue;
            // A curve bent to one side, so i -> j and j -> i do not overlap; stop short of the node's circle.
            double dx = b.X - a.X, dy = b.Y - a.Y, length = Math.Max(Math.Sqrt(dx * dx + dy * dy), 1);
            double bend = edge.SameDay ? -28 : 28;
            double cx = (a.X + b.X) / 2 - dy / length * bend, cy = (a.Y + b.Y) / 2 + dx / length * bend;
            double ex = b.X - (b.X - cx) / Math.Max(Math.Sqrt((b.X - cx) * (b.X - cx) + (b.Y - cy) * (b.Y - cy)), 1) * 20;
            double ey = b.Y - (b.Y - cy) / Math.Max(Math.Sqrt((b.X - cx) * (b.X - cx) + (b.Y - cy) * (b.Y - cy)), 1) * 20;
            string dash = edge.SameDay ? " stroke-dasharray=\"6 4\"" : "";
            svg.Append(FormattableString.Invariant($"<path d=\"M{a.X:0.#},{a.Y:0.#} Q{cx:0.#},{cy:0.#} {ex:0.#},{ey:0.#}\" fill=\"none\" stroke=\"#444\" stroke-width=\"{1 + 3 * edge.Probability:0.##}\" opacity=\"{0.3 + 0.7 * edge.Probability:0.##}\"{dash} marker-end=\"url(#{marker})\"><title>{WebUtility.HtmlEncode(edge.ToString())}</title></path>"));
            svg.Append(FormattableString.Invariant($"<text x=\"{(a.X + 2 * cx + b.X) / 4:0.#}\" y=\"{(a.Y + 2 * cy + b.Y) / 4 - 3:0.#}\" font-size=\"10\" fill=\"#555\" text-anchor=\"middle\">{edge.Probability:0.00}</text>"));
        }
        foreach ((string node, (double x, double y)) in position)
        {
            string fill = roles.Channels.Contains(node) ? "#cfe2f3" : node == roles.Target ? "#f4cccc" : "#d9ead3";
            svg.Append(FormattableString.Invariant($"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"18\" fill=\"{fill}\" stroke=\"#333\"/><text x=\"{x:0.#}\" y=\"{y + 4:0.#}\" font-size=\"11\" text-anchor=\"middle\">{WebUtility.HtmlEncode(node)}</text>"));
        }
        svg.Append($"</svg><figcaption>{label}</figcaption></figure>");
        return svg.ToString();
    }
}

/// <summary><c>causalmmm demo</c>: sample, fit and report on the marketing simulator, each step the analyst's own command.</summary>
internal static class DemoRun
{
    public static int Run(CommonSettings settings, string folder, int epochs, CancellationToken cancel)
    {
        Directory.CreateDirectory(folder);
        string data = Path.Combine(folder, "shops.csv"), model = Path.Combine(folder, "model.zip"), report = Path.Combine(folder, "report.html");
        var quiet = settings with { Json = false };
        int code = AnalystCommands.Sample(quiet, data, shops: 20, length: 150, channels: 4);
        if (code == 0) code = AnalystCommands.Fit(quiet, data, schemaPath: null, target: null, holdout: 28, epochs, model, cancel);
        if (code == 0) code = ReportCommand.Run(quiet, model, data, schemaPath: null, report, shopCount: 3, horizon: 28, samples: 20, baselineEpochs: 60, cancel);
        if (code != 0) return code;
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(new { command = "demo", data, model, report = Path.GetFullPath(report) }));
        else Console.WriteLine($"report: {Path.GetFullPath(report)}");
        return 0;
    }
}
