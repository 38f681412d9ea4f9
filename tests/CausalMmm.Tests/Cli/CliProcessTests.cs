using System.Globalization;
using System.Text.Json;

namespace CausalMmm.Tests.Cli;

/// <summary>The built <c>causalmmm</c> run as a process, as an analyst runs it: exit codes, files and stderr.</summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("causalmmm-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Sample_fit_forecast_and_optimize_run_end_to_end()
    {
        Assert.Equal(0, Run("sample -o shops.csv --shops 3 --length 50 --quiet").Code);
        Assert.StartsWith("shop_id,", File.ReadLines(Path.Combine(_dir, "shops.csv")).First());

        (int code, string stdout, string stderr) = Run("fit shops.csv --holdout 7 --epochs 3 --json -o model.zip");
        Assert.True(code == 0, stderr);
        using (JsonDocument fit = JsonDocument.Parse(stdout))
        {
            Assert.Equal("gmv", fit.RootElement.GetProperty("target").GetString());
            JsonElement[] rows = fit.RootElement.GetProperty("holdoutMetrics").EnumerateArray().ToArray();
            Assert.Equal(new[] { "CausalMMM", "Adstock+Hill+Ridge", "Naive: last value", "Naive: 7 steps earlier", "Naive: mean of last 28" }, rows.Select(r => r.GetProperty("model").GetString()));
            Assert.All(rows, r => Assert.True(double.IsFinite(r.GetProperty("rmse").GetDouble())));
            // Skill against the last value: the last-value forecast itself scores exactly 1, the others something finite.
            Assert.Equal(1.0, rows[2].GetProperty("mase").GetDouble(), 9);
            Assert.All(rows, r => Assert.True(double.IsFinite(r.GetProperty("mase").GetDouble()) && double.IsFinite(r.GetProperty("withinShopR2").GetDouble())));
            // The verdict says which side of the last value CausalMMM's MASE falls.
            Assert.Contains(rows[0].GetProperty("mase").GetDouble() < 1 ? "CausalMMM beats repeating" : "CausalMMM LOSES to repeating", fit.RootElement.GetProperty("verdict").GetString());
            // The graph network says which edge prior it chose: spend, never below zero, keeps the flat one.
            JsonElement graph = fit.RootElement.GetProperty("training").EnumerateArray().Single(t => t.GetProperty("network").GetString() == "causal graph");
            Assert.Equal("edge prior None (spend: 0.0% of channel values below zero)", graph.GetProperty("edgePrior").GetString());
            // The forecaster says how its covariate enters: the sample's promotions raise gmv, so as they are.
            JsonElement response = fit.RootElement.GetProperty("training").EnumerateArray().Single(t => t.GetProperty("network").GetString() == "response");
            Assert.StartsWith("Covariates: promo as it is (correlation with the target 0.", response.GetProperty("covariates").GetString());
        }
        Assert.True(File.Exists(Path.Combine(_dir, "model.zip")));

        // The graphs kept in the model: every possible edge at --min 0, one shop's at its own probabilities.
        (code, stdout, stderr) = Run("graph model.zip --min 0 --json");
        Assert.True(code == 0, stderr);
        using (JsonDocument graph = JsonDocument.Parse(stdout))
        {
            JsonElement[] edges = graph.RootElement.GetProperty("edges").EnumerateArray().ToArray();
            Assert.Equal(3, graph.RootElement.GetProperty("shops").GetInt32());
            // 42 lagged edges among 7 nodes (x0-x3, promo, pv, gmv); same-day edges from the 5 given series to pv and gmv, and pv -> gmv.
            Assert.Equal(7 * 6 + 5 * 2 + 1, edges.Length);
            Assert.All(edges, e => Assert.InRange(e.GetProperty("probability").GetDouble(), 0, 1));
            Assert.Equal(11, edges.Count(e => e.GetProperty("kind").GetString() == "same day"));
            Assert.Contains(edges, e => e.GetProperty("kind").GetString() == "same day" && e.GetProperty("from").GetString() == "pv" && e.GetProperty("to").GetString() == "gmv");
        }
        (code, stdout, _) = Run("graph model.zip --shop shop001 --min 0");
        Assert.Equal(0, code);
        Assert.Contains("shop001", stdout);
        Assert.Contains("same day", stdout);

        (code, stdout, stderr) = Run("forecast model.zip shops.csv --horizon 5 --json -o forecast.csv");
        Assert.True(code == 0, stderr);
        string[] lines = File.ReadAllLines(Path.Combine(_dir, "forecast.csv"));
        Assert.Equal("shop_id,ds,forecast", lines[0]); // the input file's key names
        Assert.Equal(1 + 3 * 5, lines.Length);
        double written = lines.Skip(1).Sum(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture));
        using (JsonDocument forecast = JsonDocument.Parse(stdout)) Assert.Equal(written, forecast.RootElement.GetProperty("total").GetDouble(), 1e-3 * Math.Abs(written));

        File.WriteAllText(Path.Combine(_dir, "bounds.csv"), "channel,min,max\nx1,0.5,2\nx2,100,100000,false\n");
        (code, stdout, stderr) = Run("optimize model.zip shops.csv --horizon 5 --bounds bounds.csv --fix x0 --json -o plan.csv");
        Assert.True(code == 0, stderr);
        string[] plan = File.ReadAllLines(Path.Combine(_dir, "plan.csv"));
        Assert.Equal("shop_id,step,x0,x1,x2,x3,promo", plan[0]);
        using JsonDocument optimized = JsonDocument.Parse(stdout);
        Assert.Equal(optimized.RootElement.GetProperty("currentSpend").GetDouble(), optimized.RootElement.GetProperty("optimizedSpend").GetDouble(), 1e-6 * optimized.RootElement.GetProperty("currentSpend").GetDouble());
        // The JSON's channel totals are the plan file's.
        foreach (JsonElement channel in optimized.RootElement.GetProperty("channels").EnumerateArray())
        {
            int column = Array.IndexOf(plan[0].Split(','), channel.GetProperty("channel").GetString());
            double total = plan.Skip(1).Sum(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture));
            Assert.Equal(total, channel.GetProperty("optimized").GetDouble(), 1e-6 * Math.Max(total, 1));
        }

        // The same command without --json prints a table with the same channels.
        (code, stdout, _) = Run("optimize model.zip shops.csv --horizon 5 --bounds bounds.csv --fix x0 -o plan2.csv");
        Assert.Equal(0, code);
        Assert.Contains("optimised spend", stdout);
        // Each table row (channel, current, optimised, change) shows the JSON's numbers, rounded.
        var tableRows = stdout.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries)).Where(c => c.Length >= 5 && c[1].StartsWith('x')).ToDictionary(c => c[1], c => c);
        foreach (JsonElement channel in optimized.RootElement.GetProperty("channels").EnumerateArray())
        {
            string[] row = tableRows[channel.GetProperty("channel").GetString()!];
            Assert.Equal(channel.GetProperty("current").GetDouble().ToString("N0", CultureInfo.InvariantCulture), row[2]);
            Assert.Equal(channel.GetProperty("optimized").GetDouble().ToString("N0", CultureInfo.InvariantCulture), row[3]);
        }
        Assert.Equal(4, tableRows.Count);

        // A plan with dates, as an analyst's calendar has them, and a promotion on every day: optimize keeps the promotion
        // and forecast reads the same file.
        string lastDate = File.ReadLines(Path.Combine(_dir, "shops.csv")).Last().Split(',')[1];
        DateOnly end = DateOnly.ParseExact(lastDate, "yyyyMMdd", CultureInfo.InvariantCulture); // the sample's format, which the plan keeps
        int promo = Array.IndexOf(plan[0].Split(','), "promo");
        IEnumerable<string> dated = plan.Skip(1).Select(l =>
        {
            string[] f = l.Split(',');
            f[1] = end.AddDays(int.Parse(f[1], CultureInfo.InvariantCulture)).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            f[promo] = "1";
            return string.Join(",", f);
        });
        File.WriteAllLines(Path.Combine(_dir, "calendar.csv"), dated.Prepend(plan[0].Replace(",step,", ",ds,"))); // the sample file's own date column
        (code, _, stderr) = Run("optimize model.zip shops.csv --plan calendar.csv --fix x0 --quiet -o promo-plan.csv");
        Assert.True(code == 0, stderr);
        Assert.All(File.ReadAllLines(Path.Combine(_dir, "promo-plan.csv")).Skip(1), l => Assert.Equal("1", l.Split(',')[promo]));
        (code, _, stderr) = Run("forecast model.zip shops.csv --plan calendar.csv --quiet -o promo-forecast.csv");
        Assert.True(code == 0, stderr);
        Assert.Equal(1 + 3 * 5, File.ReadAllLines(Path.Combine(_dir, "promo-forecast.csv")).Length);
        // The plan sets the horizon: a --horizon beside it would be ignored, so it is a usage error.
        (code, _, stderr) = Run("forecast model.zip shops.csv --plan calendar.csv --horizon 9 --quiet -o ignored.csv");
        Assert.Equal(2, code);
        Assert.Contains("--horizon would be ignored", stderr);
    }

    [Fact]
    public void Fit_on_the_Linear_Granger_graph_gives_graph_and_report_the_baseline_graph()
    {
        Assert.Equal(0, Run("sample -o shops.csv --shops 3 --length 50 --quiet").Code);
        (int code, string stdout, string stderr) = Run("fit shops.csv --graph linear-granger --holdout 7 --epochs 2 --quiet -o lg.zip");
        Assert.True(code == 0, stderr);
        (code, stdout, stderr) = Run("graph lg.zip --min 0 --json");
        Assert.True(code == 0, stderr);
        using (JsonDocument graph = JsonDocument.Parse(stdout))
        {
            // Linear Granger's graph is lagged only: 42 edges among 7 nodes, none on the same day.
            JsonElement[] edges = graph.RootElement.GetProperty("edges").EnumerateArray().ToArray();
            Assert.Equal(7 * 6, edges.Length);
            Assert.All(edges, e => Assert.Equal("lagged", e.GetProperty("kind").GetString()));
        }
        (code, _, stderr) = Run("report lg.zip shops.csv --samples 2 --baseline-epochs 2 --quiet -o lg.html");
        Assert.True(code == 0, stderr);
        Assert.Contains("Causal graphs", File.ReadAllText(Path.Combine(_dir, "lg.html")));
        Assert.Equal(2, Run("fit shops.csv --graph granger -o x.zip").Code); // only the two learners are accepted
    }

    [Fact]
    public void Backtest_scores_every_fold_and_model_against_the_last_value_and_writes_its_report()
    {
        Assert.Equal(0, Run("sample -o shops.csv --shops 3 --length 40 --quiet").Code);
        (int code, string stdout, string stderr) = Run("backtest shops.csv --folds 2 --horizon 7 --epochs 2 --json --report backtest.html");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement[] folds = json.RootElement.GetProperty("foldResults").EnumerateArray().ToArray();
        Assert.Equal(new[] { 26, 33 }, folds.Select(f => f.GetProperty("historyLength").GetInt32()));
        foreach (JsonElement fold in folds)
        {
            JsonElement[] models = fold.GetProperty("models").EnumerateArray().ToArray();
            Assert.Equal(new[] { "CausalMMM", "Adstock+Hill+Ridge", "Naive: last value", "Naive: 7 steps earlier", "Naive: recent mean" }, models.Select(m => m.GetProperty("model").GetString()));
            Assert.Equal(1.0, models[2].GetProperty("mase").GetDouble(), 9);
            Assert.All(models, m => Assert.True(double.IsFinite(m.GetProperty("rmse").GetDouble())));
        }
        Assert.Equal(5, json.RootElement.GetProperty("overall").GetArrayLength());
        double mase = json.RootElement.GetProperty("overall")[0].GetProperty("mase").GetDouble();
        Assert.Contains(mase < 1 ? "CausalMMM beats repeating" : "CausalMMM LOSES to repeating", json.RootElement.GetProperty("verdict").GetString());
        Assert.Contains("Rolling-origin backtest", File.ReadAllText(Path.Combine(_dir, "backtest.html")));

        (code, _, stderr) = Run("backtest shops.csv --folds 6 --horizon 7 --epochs 2 --quiet");
        Assert.Equal(1, code);
        Assert.Contains("use fewer folds or a shorter horizon", stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Bad_input_exits_1_with_one_line_naming_the_place_and_usage_errors_exit_2()
    {
        Assert.Equal(0, Run("sample -o shops.csv --shops 2 --length 30 --quiet").Code);
        string[] lines = File.ReadAllLines(Path.Combine(_dir, "shops.csv"));
        string[] cells = lines[5].Split(',');
        cells[^1] = "lots";
        lines[5] = string.Join(',', cells);
        File.WriteAllLines(Path.Combine(_dir, "bad.csv"), lines);

        (int code, string stdout, string stderr) = Run("fit bad.csv --epochs 1 -o model.zip");
        Assert.Equal(1, code);
        string error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("bad.csv", error);
        Assert.Contains("line 6", error);
        Assert.Contains("lots", error);
        Assert.False(File.Exists(Path.Combine(_dir, "model.zip")));

        (code, _, stderr) = Run("forecast missing.zip shops.csv -o f.csv");
        Assert.Equal(1, code);
        Assert.Contains("causalmmm fit", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        (code, _, stderr) = Run("fit shops.csv --epochs 1");
        Assert.Equal(2, code);
        Assert.Contains("--output", stderr);
        Assert.Equal(2, Run("optimize a b --objective most -o p.csv").Code);
        Assert.Equal(2, Run("frobnicate").Code);

        (code, stdout, _) = Run("optimize --help");
        Assert.Equal(0, code);
        Assert.Contains("Example:", stdout);
    }

    [Fact]
    public void A_csv_with_its_own_column_names_goes_through_fit_forecast_and_optimize_with_its_schema()
    {
        Assert.Equal(0, Run("sample -o shops.csv --shops 3 --length 50 --quiet").Code);
        // The analyst's layout: store_code and when (dd.MM.yyyy) for shop and date, the target called sales, and a
        // revenue column that would pass for a second target by its name.
        string[] lines = File.ReadAllLines(Path.Combine(_dir, "shops.csv"));
        var rewritten = new List<string> { "store_code,when,context0,context1,x0,x1,x2,x3,promo,pv,sales,revenue" };
        foreach (string line in lines.Skip(1))
        {
            string[] c = line.Split(',');
            string day = DateTime.ParseExact(c[1], "yyyyMMdd", CultureInfo.InvariantCulture).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
            rewritten.Add(string.Join(',', c.Take(1).Append(day).Concat(c.Skip(2)).Append(c[^1])));
        }
        File.WriteAllLines(Path.Combine(_dir, "mine.csv"), rewritten);
        File.WriteAllText(Path.Combine(_dir, "schema.json"), "{ \"shop\": \"store_code\", \"date\": \"when\", \"dateFormat\": \"dd.MM.yyyy\" }");

        (int code, _, string stderr) = Run("fit mine.csv --schema schema.json --target sales --holdout 5 --epochs 2 --quiet -o model.zip");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = Run("forecast model.zip mine.csv --schema schema.json --horizon 3 --quiet -o forecast.csv");
        Assert.True(code == 0, stderr);
        Assert.Equal("store_code,when,forecast", File.ReadLines(Path.Combine(_dir, "forecast.csv")).First());
        (code, _, stderr) = Run("optimize model.zip mine.csv --schema schema.json --horizon 3 --quiet -o plan.csv");
        Assert.True(code == 0, stderr);
        Assert.Equal("store_code,step,x0,x1,x2,x3,promo", File.ReadLines(Path.Combine(_dir, "plan.csv")).First());

        // Without the schema the shop column is not found: one line that says so.
        (code, _, stderr) = Run("forecast model.zip mine.csv --horizon 3 -o f2.csv");
        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("mine.csv", stderr);
    }

    [Fact]
    public void Demo_writes_the_sample_the_model_and_the_report_and_ends_with_its_path()
    {
        (int code, string stdout, string stderr) = Run("demo --out run --epochs 2");
        Assert.True(code == 0, stderr);
        string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.StartsWith("report: ", last);
        string report = last["report: ".Length..];
        Assert.Equal(Path.Combine(_dir, "run", "report.html"), report);
        Assert.True(File.Exists(Path.Combine(_dir, "run", "shops.csv")) && File.Exists(Path.Combine(_dir, "run", "model.zip")));
        string html = File.ReadAllText(report);
        Assert.Contains("<section id=\"allocation\">", html);
        Assert.DoesNotContain("<script src=", html); // plotly.js is inlined, not fetched
    }

    [InterruptibleFact]
    public async Task Ctrl_c_stops_training_with_exit_130_and_writes_nothing()
    {
        Assert.Equal(0, Run("sample -o shops.csv --shops 3 --length 50 --quiet").Code);
        using System.Diagnostics.Process fit = CliRunner.Start(_dir, "fit shops.csv --epochs 100000 --quiet -o model.zip");
        Task<string> stderr = fit.StandardError.ReadToEndAsync();
        // Interrupt once training has begun: libtorch is loaded only inside the command, after the Ctrl-C handler is in
        // place, so a slow start on a loaded machine cannot turn this into a test of the runtime's default SIGINT.
        string maps = $"/proc/{fit.Id}/maps";
        DateTime giveUp = DateTime.UtcNow.AddMinutes(2);
        while (!fit.HasExited && DateTime.UtcNow < giveUp && !ReadOrEmpty(maps).Contains("libtorch", StringComparison.Ordinal))
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.False(fit.HasExited, "the fit ended before it could be interrupted");
        Assert.True(ReadOrEmpty(maps).Contains("libtorch", StringComparison.Ordinal), "the fit did not load libtorch within 2 minutes");
        await Task.Delay(TimeSpan.FromSeconds(2)); // into the epochs: 100000 of them take far longer
        Assert.False(fit.HasExited, "the fit ended before it could be interrupted");
        using (var signal = System.Diagnostics.Process.Start("kill", $"-INT {fit.Id}")) signal.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await fit.WaitForExitAsync(timeout.Token);
        Assert.Equal(130, fit.ExitCode);
        Assert.Contains("cancelled", await stderr);
        Assert.Equal(new[] { "shops.csv" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    private (int Code, string Stdout, string Stderr) Run(string arguments) => CliRunner.Run(_dir, arguments);

    /// <summary>A /proc file's text, or empty when the process ended while it was read.</summary>
    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
