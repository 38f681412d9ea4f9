using System.Reflection;
using CausalMmm.CausalDiscovery;
using CausalMmm.Data;
using CausalMmm.Forecasting;
using CausalMmm.Modeling;
using Microsoft.ML;
using TorchSharp;

namespace CausalMmm.Tests.Api;

/// <summary>
/// Every public option of the two CausalMMM estimators either changes what a fit produces or is refused with a message;
/// none is silently ignored. Each option has a check below, and a new public option without one fails the test. The
/// thread-count check changes libtorch's process-wide setting, so these run apart from every other test.
/// </summary>
[Collection(nameof(ProcessWideTorchSettings))]
public sealed class PublicOptionsTests
{
    private const int HistoryDays = 50;
    private static readonly IDataView All = MarketingData.View(shops: 6, length: 60);
    private static readonly string[] Nodes = { "x0", "x1", "x2", "pv", "gmv" };

    /// <summary>The first 50 of 60 days: scoring <see cref="All"/> then forecasts the last 10 from the origin.</summary>
    private static IDataView History(IDataView data) => new MLContext(seed: 1).Data.FilterRowsByColumn(data, "t", upperBound: HistoryDays);

    /// <summary>
    /// What one fit produced: every number of its output on the whole panel, its columns, the epochs run and the roles
    /// the transformer keeps (which columns a plan may move, which are covariates held at their planned values, which
    /// may be negative when it scores).
    /// </summary>
    private sealed record Run(float[] Output, string Columns, int EpochsRun, string Roles)
    {
        public bool DiffersFrom(Run other) => !Output.SequenceEqual(other.Output) || Columns != other.Columns || EpochsRun != other.EpochsRun || Roles != other.Roles;
    }

    private static Run Describe(IDataView scored, CausalMmmModel model, PanelRoles roles) =>
        new(MarketingData.Fingerprint(scored), string.Join(",", scored.Schema.Where(c => !c.IsHidden).Select(c => c.Name)), model.Summary!.EpochsRun,
            string.Join(" | ", new[] { roles.Channels, roles.Covariates, roles.Mediators, roles.Context, roles.Unconstrained }.Select(names => string.Join(",", names))));

    // ---- the graph estimator ----

    private static Run Graph(Action<CausalGraphEstimator.Options>? change = null)
    {
        var options = new CausalGraphEstimator.Options { Epochs = 3, HiddenSize = 8, BatchSize = 3 };
        change?.Invoke(options);
        using CausalGraphTransformer fitted = new MLContext(seed: 1).CausalMmm().CausalDiscovery.Trainers.CausalGraph(options).Fit(History(All));
        return Describe(fitted.Transform(All), fitted.Model, fitted.Roles);
    }

    private static readonly Lazy<Run> GraphDefault = new(() => Graph());

    /// <summary>
    /// The checks of the options both estimators share (<see cref="CausalTrainerOptions"/> and the column names), for
    /// the estimator <paramref name="fit"/> trains with a change applied, against <paramref name="baseline"/>.
    /// </summary>
    private static Dictionary<string, Func<string?>> SharedChecks<T>(Func<Action<T>?, Run> fit, Lazy<Run> baseline) where T : CausalTrainerOptions => new()
    {
        [nameof(CausalTrainerOptions.Epochs)] = () => Changes(() => fit(o => o.Epochs = 4), baseline),
        [nameof(CausalTrainerOptions.PlateauTolerance)] = () => Changes(() => fit(o => { o.Epochs = 45; o.PlateauTolerance = 0.9; }),
            new Lazy<Run>(() => fit(o => { o.Epochs = 45; o.PlateauTolerance = null; }))),
        [nameof(CausalTrainerOptions.HiddenSize)] = () => Changes(() => fit(o => o.HiddenSize = 6), baseline),
        [nameof(CausalTrainerOptions.BatchSize)] = () => Changes(() => fit(o => o.BatchSize = 2), baseline),
        [nameof(CausalTrainerOptions.LearningRate)] = () => Changes(() => fit(o => o.LearningRate = 1e-3), baseline),
        [nameof(CausalTrainerOptions.ValidationFraction)] = () => Changes(() => fit(o => o.ValidationFraction = 0.34), baseline),
        [nameof(CausalTrainerOptions.SameDayMedia)] = () => Changes(() => fit(o => o.SameDayMedia = false), baseline),
        [nameof(CausalTrainerOptions.Seasonality)] = () => Changes(() => fit(o => o.Seasonality = SeasonalBaseline.Auto), baseline),
        [nameof(CausalTrainerOptions.Trend)] = () => Changes(() => fit(o => o.Trend = true), new Lazy<Run>(() => fit(o => o.Trend = false))),
        [nameof(CausalTrainerOptions.NumberOfThreads)] = () => SetsThreads(threads => fit(o => o.NumberOfThreads = threads)),
        [nameof(CausalTrainerOptions.Progress)] = () => Reports(progress => fit(o => o.Progress = progress)),
        [nameof(CausalTrainerOptions.CancellationToken)] = () => Cancels(token => fit(o => o.CancellationToken = token)),
        [nameof(CausalTrainerOptions.ShopColumnName)] = () => Refused(() => fit(o => o.ShopColumnName = "store"), "store"),
        [nameof(CausalTrainerOptions.DateColumnName)] = () => Refused(() => fit(o => o.DateColumnName = "day"), "day"),
        [nameof(CausalTrainerOptions.LabelColumnName)] = () => Refused(() => fit(o => o.LabelColumnName = "sales"), "sales"),
        [nameof(CausalTrainerOptions.ChannelColumnNames)] = () => Changes(() => fit(o => o.ChannelColumnNames = new[] { "x0", "x1" }), baseline),
        [nameof(CausalTrainerOptions.MediatorColumnNames)] = () => Changes(() => fit(o => o.MediatorColumnNames = Array.Empty<string>()), baseline),
        [nameof(CausalTrainerOptions.CovariateColumnNames)] = () => Changes(() => fit(o => o.CovariateColumnNames = new[] { "x2" }), baseline),
        [nameof(CausalTrainerOptions.ContextColumnNames)] = () => Changes(() => fit(o => o.ContextColumnNames = new[] { "context0" }), baseline),
        [nameof(CausalTrainerOptions.UnconstrainedColumnNames)] = () => Changes(() => fit(o => o.UnconstrainedColumnNames = new[] { "x0" }), baseline),
    };

    private static Dictionary<string, Func<string?>> GraphChecks()
    {
        Dictionary<string, Func<string?>> checks = SharedChecks<CausalGraphEstimator.Options>(Graph, GraphDefault);
        checks[nameof(CausalGraphEstimator.Options.EdgePrior)] = () => Changes(() => Graph(o => o.EdgePrior = 0.4), GraphDefault);
        checks[nameof(CausalGraphEstimator.Options.EncoderWindow)] = () => Changes(() => Graph(o => o.EncoderWindow = 20), GraphDefault);
        checks[nameof(CausalGraphEstimator.Options.GraphColumnName)] = () => Changes(() => Graph(o => o.GraphColumnName = "Learned"), GraphDefault);
        return checks;
    }

    [Fact]
    public void Every_public_option_of_the_graph_estimator_changes_its_fit_or_is_refused()
    {
        Assert.False(Graph().DiffersFrom(GraphDefault.Value), "two fits with the same options and seed differ, so no comparison below means anything");
        CheckAll(typeof(CausalGraphEstimator.Options), GraphChecks());
    }

    // ---- the forecaster ----

    /// <summary>
    /// The whole panel with a learned graph column named "Learned", which the forecaster reads only when told to. The
    /// transformer stays alive for the test run, since the view is computed from it on every read.
    /// </summary>
    private static readonly Lazy<IDataView> WithLearnedGraph = new(() =>
        new MLContext(seed: 2).CausalMmm().CausalDiscovery.Trainers.CausalGraph(
            new CausalGraphEstimator.Options { Epochs = 3, HiddenSize = 8, BatchSize = 3, GraphColumnName = "Learned" }).Fit(History(All)).Transform(All));

    private static Run Forecaster(Action<MarketingResponseForecaster.Options>? change = null)
    {
        var options = new MarketingResponseForecaster.Options { Epochs = 3, HiddenSize = 8, BatchSize = 3 };
        change?.Invoke(options);
        IDataView data = WithLearnedGraph.Value;
        using MarketingResponseTransformer fitted = new MLContext(seed: 1).CausalMmm().Forecasting.Trainers.MarketingResponse(options).Fit(History(data));
        return Describe(fitted.Transform(data), fitted.Model, fitted.Roles);
    }

    private static readonly Lazy<Run> ForecasterDefault = new(() => Forecaster());

    private static CausalGraphSet Known()
    {
        var known = new double[5, 5];
        known[0, 3] = known[3, 4] = known[1, 4] = 1;
        return CausalGraphSet.Shared(Nodes, known, Enumerable.Range(0, 6).Select(i => $"s{i}"));
    }

    private static Dictionary<string, Func<string?>> ForecasterChecks()
    {
        Dictionary<string, Func<string?>> checks = SharedChecks<MarketingResponseForecaster.Options>(Forecaster, ForecasterDefault);
        checks[nameof(MarketingResponseForecaster.Options.Mode)] = () => Changes(() => Forecaster(o => o.Mode = ForecastMode.Autonomous), ForecasterDefault);
        checks[nameof(MarketingResponseForecaster.Options.Graph)] = () => Changes(() => Forecaster(o => o.Graph = Known()), ForecasterDefault);
        checks[nameof(MarketingResponseForecaster.Options.GraphColumnName)] = () => Changes(() => Forecaster(o => o.GraphColumnName = "Learned"), ForecasterDefault);
        checks[nameof(MarketingResponseForecaster.Options.ScoreColumnName)] = () => Changes(() => Forecaster(o => o.ScoreColumnName = "Forecast"), ForecasterDefault);
        return checks;
    }

    [Fact]
    public void Every_public_option_of_the_forecaster_changes_its_fit_or_is_refused()
    {
        Assert.False(Forecaster().DiffersFrom(ForecasterDefault.Value), "two fits with the same options and seed differ, so no comparison below means anything");
        CheckAll(typeof(MarketingResponseForecaster.Options), ForecasterChecks());
    }

    [Fact]
    public void A_known_graph_beside_an_upstream_graph_column_is_refused_not_ignored()
    {
        var error = Assert.Throws<ArgumentException>(() => Forecaster(o => { o.GraphColumnName = "Learned"; o.Graph = Known(); }));
        Assert.Contains("'Learned'", error.Message);
        Assert.Contains("Options.Graph", error.Message);
    }

    [Fact]
    public void Settings_that_would_be_ignored_in_context_are_refused_with_what_to_do()
    {
        // A graph column named but absent: the forecaster would fall back to the full graph.
        Assert.Contains("'Missing'", Assert.Throws<ArgumentException>(() => Forecaster(o => o.GraphColumnName = "Missing")).Message);
        // Same-day edges in the graph with a forecaster that has none: they would be dropped.
        Assert.Contains("same-day", Assert.Throws<ArgumentException>(() => Forecaster(o => { o.GraphColumnName = "Learned"; o.SameDayMedia = false; })).Message);
        // Only channels are checked for negative values.
        Assert.Contains("not a channel", Assert.Throws<ArgumentException>(() => Graph(o => o.UnconstrainedColumnNames = new[] { "pv" })).Message);
        // A validation split holds out whole shops: with one shop there is none to hold out.
        var oneShop = MarketingData.View(shops: 1, length: 60);
        var split = Assert.Throws<ArgumentException>(() => new MLContext(seed: 1).CausalMmm().CausalDiscovery.Trainers.CausalGraph(
            new CausalGraphEstimator.Options { Epochs = 2, HiddenSize = 8, ValidationFraction = 0.5 }).Fit(oneShop));
        Assert.Contains("one shop", split.Message);
    }

    [Fact]
    public void Options_the_trainer_would_ignore_are_refused()
    {
        var patience = Assert.Throws<ArgumentException>(() => (new CausalMmmOptions { Patience = 10, PlateauTolerance = null }).Validate());
        Assert.Contains("Patience", patience.Message);
        var step = Assert.Throws<ArgumentException>(() => (new CausalMmmOptions { Schedule = LearningRateSchedule.Cosine, LearningRateDecay = 0.9 }).Validate());
        Assert.Contains("Cosine", step.Message);
        // With a rule that reads them, the same values are accepted.
        (new CausalMmmOptions { Patience = 10 }).Validate();
        (CausalMmmOptions.Paper() with { Patience = 10, ValidationFraction = 0.2 }).Validate();
        (new CausalMmmOptions { LearningRateDecay = 0.9 }).Validate();
    }

    // ---- the checks ----

    /// <summary>Every public settable member has a check, and every check passes (a check returns null or what failed).</summary>
    private static void CheckAll(Type options, Dictionary<string, Func<string?>> checks)
    {
        string[] members = options.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name)
            .Concat(options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }).Select(p => p.Name))
            .OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(members, checks.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray());
        var failures = checks.Select(c => (c.Key, Failure: c.Value())).Where(c => c.Failure is not null).Select(c => $"{c.Key}: {c.Failure}").ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static string? Changes(Func<Run> changed, Lazy<Run> baseline) =>
        changed().DiffersFrom(baseline.Value) ? null : "changing it left every output, column and epoch count as they were (silently ignored)";

    private static string? Refused(Action fit, string named)
    {
        try
        {
            fit();
            return "a column that the panel does not have was accepted";
        }
        catch (ArgumentException error) when (error.Message.Contains(named, StringComparison.Ordinal))
        {
            return null;
        }
    }

    private static string? SetsThreads(Action<int> fit)
    {
        int before = torch.get_num_threads();
        int wanted = before == 1 ? 2 : 1;
        try
        {
            fit(wanted);
            return torch.get_num_threads() == wanted ? null : $"asked for {wanted} threads, libtorch has {torch.get_num_threads()}";
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    private static string? Reports(Action<Action<TrainingProgress>> fit)
    {
        int calls = 0;
        fit(_ => calls++);
        return calls == 3 ? null : $"{calls} progress reports for 3 epochs";
    }

    private static string? Cancels(Action<CancellationToken> fit)
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        try
        {
            fit(cancelled.Token);
            return "a cancelled token did not stop training";
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
