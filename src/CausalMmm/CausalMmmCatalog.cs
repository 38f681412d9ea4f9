using CausalMmm.Data;
using CausalMmm.Evaluation;
using CausalMmm.Forecasting;
using CausalMmm.Planning;
using CausalMmm.Simulation;
using Microsoft.ML;

namespace CausalMmm;

/// <summary>
/// <c>mlContext.CausalMmm()</c>: the root of everything this library adds to ML.NET. It keeps the user's
/// <see cref="MLContext"/> (seed, log, GPU settings), which ML.NET's own catalogs do not expose to other assemblies, and an
/// optional <see cref="MarketingSchema"/> that says which columns are channels, mediators, the target and context, for
/// every component created from it. Components hang off the sub-catalogs as extension methods, each with one overload
/// taking named arguments and one taking its <c>Options</c>.
/// </summary>
public sealed class CausalMmmCatalog
{
    internal CausalMmmCatalog(MLContext mlContext, MarketingSchema schema)
    {
        Context = mlContext;
        Schema = schema;
        Data = new DataCatalog(this);
        Transforms = new TransformsCatalog(this);
        CausalDiscovery = new CausalDiscoveryCatalog(this);
        Forecasting = new ForecastingCatalog(this);
        Planning = new PlanningCatalog(this);
    }

    /// <summary>The ML.NET context: its seed seeds every component, its log receives their messages, its GPU settings pick the device.</summary>
    public MLContext Context { get; }

    /// <summary>Column roles and CSV settings shared by the components of this catalog; a component's options override them.</summary>
    public MarketingSchema Schema { get; }

    /// <summary>Reading and writing panels: CSV, simulators, conversion to and from <see cref="MarketingPanel"/>.</summary>
    public DataCatalog Data { get; }

    /// <summary>Feature transforms: adstock (carry-over) and Hill (saturation).</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Causal graph learning per shop, and graph metrics.</summary>
    public CausalDiscoveryCatalog CausalDiscovery { get; }

    /// <summary>The causal forecaster, the classic baselines, and per-horizon forecast metrics.</summary>
    public ForecastingCatalog Forecasting { get; }

    /// <summary>Media plans for what-if forecasts.</summary>
    public PlanningCatalog Planning { get; }

    /// <summary>Base of the sub-catalogs: each knows the root, so components share its context and schema.</summary>
    public abstract class SubCatalog
    {
        private protected SubCatalog(CausalMmmCatalog root) => Root = root;

        /// <summary>The root catalog.</summary>
        public CausalMmmCatalog Root { get; }
    }

    /// <summary>Reading and writing panels.</summary>
    public sealed class DataCatalog : SubCatalog
    {
        internal DataCatalog(CausalMmmCatalog root) : base(root)
        {
        }

        /// <summary>
        /// Reads a wide CSV (one row per shop and date, one column per variable; the AirMMM layout
        /// <c>shop_id,ds,context0..,x0..,pv,gmv</c>) into the long <see cref="IDataView"/> the components read, with the
        /// step index <c>t</c> added for splitting history from holdout. Roles come from <paramref name="schema"/>, else
        /// the catalog's schema, else the column names; they travel with the view as column annotations
        /// (<see cref="PanelAnnotations"/>), so the components downstream need no second schema. Column names are the
        /// file's, the shop and date columns' included.
        /// </summary>
        /// <exception cref="PanelDataException">The data is invalid; the message names the file, line, column and value, and how to fix it.</exception>
        public IDataView LoadPanelCsv(string path, MarketingSchema? schema = null)
        {
            MarketingSchema s = schema ?? Root.Schema;
            MarketingPanel panel = PanelCsv.ReadWide(path, s);
            (string shop, string date) = PanelCsv.KeyColumnNames(path, s);
            return Annotated(panel, shop, date, s.DateFormats);
        }

        /// <summary>Reads a long CSV (<c>shop,date,variable,value</c>), as <see cref="LoadPanelCsv"/> does a wide one.</summary>
        /// <exception cref="PanelDataException">The data is invalid; the message names the file, line, column and value, and how to fix it.</exception>
        public IDataView LoadLongPanelCsv(string path, MarketingSchema? schema = null)
        {
            MarketingSchema s = schema ?? Root.Schema;
            MarketingPanel panel = PanelCsv.ReadLong(path, s);
            (string shop, string date) = PanelCsv.KeyColumnNames(path, s);
            return Annotated(panel, shop, date, s.DateFormats);
        }

        /// <summary>Reads a wide CSV into a typed <see cref="MarketingPanel"/> (the checks of <see cref="LoadPanelCsv"/>).</summary>
        /// <exception cref="PanelDataException">The data is invalid.</exception>
        public MarketingPanel ReadPanelCsv(string path, MarketingSchema? schema = null) => PanelCsv.ReadWide(path, schema ?? Root.Schema);

        /// <summary>
        /// The long <see cref="IDataView"/> of a typed panel (the rows of <see cref="PanelDataView"/>), with the panel's roles
        /// and unconstrained flags as column annotations (<see cref="PanelAnnotations"/>). The shop and date columns are
        /// named by <paramref name="schema"/> (else the catalog's schema), else <c>shop_id</c> and <c>date</c>.
        /// </summary>
        public IDataView ToDataView(MarketingPanel panel, MarketingSchema? schema = null)
        {
            ArgumentNullException.ThrowIfNull(panel);
            MarketingSchema s = schema ?? Root.Schema;
            return Annotated(panel, s.ShopColumn ?? PanelDataView.DefaultShopColumnName, s.DateColumn ?? PanelDataView.DefaultDateColumnName, s.DateFormats);
        }

        /// <summary>
        /// <paramref name="data"/> with the roles the components would resolve for it (<paramref name="columns"/>, then
        /// annotations it already has, then the catalog's schema, then the names) attached as column annotations, so a
        /// view read by other means (<c>LoadFromTextFile</c>, a <c>DataFrame</c>) carries them downstream as
        /// <see cref="LoadPanelCsv"/>'s does.
        /// </summary>
        /// <exception cref="ArgumentException">The roles cannot be resolved (no shop, date, target or channel column); the message says which.</exception>
        public IDataView WithRoles(IDataView data, PanelColumnOptions? columns = null)
        {
            ArgumentNullException.ThrowIfNull(data);
            PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(data.Schema), columns ?? new PanelColumnOptions(), Root.Schema, requireTarget: true, nameof(WithRoles), out _);
            return PanelAnnotations.Annotate(data, roles);
        }

        private static IDataView Annotated(MarketingPanel panel, string shop, string date, IEnumerable<string>? dateFormats = null)
        {
            PanelVariable[] variables = panel.SeriesVariables.Concat(panel.ContextVariables).ToArray();
            string[] Of(VariableRole role) => variables.Where(v => v.Role == role).Select(v => v.Name).ToArray();
            var roles = new PanelRoles(shop, date, Of(VariableRole.Target).FirstOrDefault(), Of(VariableRole.Channel), Of(VariableRole.Covariate),
                Of(VariableRole.Mediator), Of(VariableRole.Context), variables.Where(v => v.Unconstrained).Select(v => v.Name).ToArray());
            return PanelAnnotations.Annotate(PanelDataView.Create(panel, shop, date), roles, dateFormats?.ToArray());
        }

        /// <summary>
        /// Reads a long <see cref="IDataView"/> into a typed, checked <see cref="MarketingPanel"/>, with roles resolved as the
        /// components resolve them (<paramref name="columns"/>, then the catalog's schema, then column names).
        /// </summary>
        /// <exception cref="PanelDataException">The rows are not a valid panel; the message names the row, shop, date, column and value.</exception>
        public MarketingPanel ToPanel(IDataView data, PanelColumnOptions? columns = null)
        {
            ArgumentNullException.ThrowIfNull(data);
            PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(data.Schema), columns ?? new PanelColumnOptions(), Root.Schema, requireTarget: true, nameof(ToPanel), out _);
            return PanelReader.Read(data, roles, roles.Variables(), nameof(ToPanel), allowMissingOutcomes: false, Root.Schema.DateFormats.ToArray()).Panel;
        }

        /// <summary>Writes a typed panel as a wide CSV, atomically.</summary>
        public void SavePanelCsv(MarketingPanel panel, string path) => PanelCsv.WriteWide(panel, path);

        /// <summary>
        /// The paper's synthetic benchmark (Simulation 1 or 2) with each shop's true graph. Its series go below zero, so the
        /// returned view carries the channels' unconstrained flags as annotations, and <see cref="SimulatedPanel.Schema"/>
        /// declares them for views that lose them (create the catalog with it).
        /// </summary>
        public SimulatedPanel Simulate(SyntheticPanelOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            SyntheticDataset data = SyntheticPanelGenerator.Generate(options);
            var panel = MarketingPanel.FromNumeric(data.Panel, new DateOnly(2024, 1, 1), unconstrained: true);
            var truth = data.Panel.ShopIds.Select((id, s) => (id, s)).ToDictionary(p => p.id, p => data.TrueGraph(p.s));
            var schema = new MarketingSchema();
            foreach (PanelVariable v in panel.SeriesVariables.Concat(panel.ContextVariables)) schema.WithRole(v.Name, v.Role, v.Unconstrained);
            return new SimulatedPanel(Annotated(panel, PanelDataView.DefaultShopColumnName, PanelDataView.DefaultDateColumnName), panel, truth, schema);
        }

        /// <summary>
        /// A marketing panel with plausible business numbers and a known graph (see <see cref="MarketingSimulator"/>): spends
        /// <c>x0..</c>, page views <c>pv</c>, <c>gmv</c> and two context columns. The seed defaults to one drawn from the context.
        /// </summary>
        public SimulatedPanel SimulateMarketing(int shops = MarketingSimulationOptions.Defaults.Shops, int length = MarketingSimulationOptions.Defaults.Length,
            int channels = MarketingSimulationOptions.Defaults.Channels, int? seed = null)
        {
            int s = seed ?? ComponentHost.DrawSeed(Root.Context, nameof(SimulateMarketing));
            (MarketingPanel panel, IReadOnlyDictionary<string, bool[,]> truth) = MarketingSimulator.Simulate(
                new MarketingSimulationOptions { Shops = shops, Length = length, Channels = channels, Seed = s });
            var schema = new MarketingSchema();
            foreach (PanelVariable v in panel.SeriesVariables.Concat(panel.ContextVariables)) schema.WithRole(v.Name, v.Role, v.Unconstrained);
            return new SimulatedPanel(Annotated(panel, PanelDataView.DefaultShopColumnName, PanelDataView.DefaultDateColumnName), panel, truth, schema);
        }
    }

    /// <summary>Feature transforms; components attach as extension methods (<see cref="TransformsCatalogExtensions"/>).</summary>
    public sealed class TransformsCatalog : SubCatalog
    {
        internal TransformsCatalog(CausalMmmCatalog root) : base(root)
        {
        }
    }

    /// <summary>Causal discovery: graph learners (<see cref="Trainers"/>) and graph metrics.</summary>
    public sealed class CausalDiscoveryCatalog : SubCatalog
    {
        internal CausalDiscoveryCatalog(CausalMmmCatalog root) : base(root) => Trainers = new CausalDiscoveryTrainers(root);

        /// <summary>Graph learners; they attach as extension methods (<see cref="CausalDiscoveryCatalogExtensions"/>).</summary>
        public CausalDiscoveryTrainers Trainers { get; }

        /// <summary>AUROC and accuracy (at 0.5) of learned graphs against known ones, per shop, averaged.</summary>
        /// <exception cref="ArgumentException">A shop has no true graph, or the sizes differ.</exception>
        public GraphEvaluation Evaluate(CausalGraphSet graphs, IReadOnlyDictionary<string, bool[,]> trueGraphs) => PanelEvaluation.Graphs(graphs, trueGraphs);
    }

    /// <summary>Forecasting: forecasters (<see cref="Trainers"/>) and per-horizon metrics.</summary>
    public sealed class ForecastingCatalog : SubCatalog
    {
        internal ForecastingCatalog(CausalMmmCatalog root) : base(root) => Trainers = new ForecastingTrainers(root);

        /// <summary>Forecasters; they attach as extension methods (<see cref="ForecastingCatalogExtensions"/>).</summary>
        public ForecastingTrainers Trainers { get; }

        /// <summary>
        /// MSE, MAE, MAPE and R² of <paramref name="scoreColumnName"/> against the label for each horizon: rows dated
        /// <paramref name="firstForecastDate"/> are horizon 1, the next date horizon 2, and so on; over all of them, also the
        /// skill against repeating each shop's last value (<see cref="ForecastEvaluation.Mase"/>, which needs the rows before
        /// <paramref name="firstForecastDate"/> in <paramref name="scored"/>: transform the whole panel, do not filter it
        /// first) and the R² within each shop. <c>mlContext.Regression.Evaluate</c> on the same rows gives the pooled figures.
        /// </summary>
        /// <exception cref="ArgumentException">A column is missing, or no row is dated on or after <paramref name="firstForecastDate"/>.</exception>
        public ForecastEvaluation Evaluate(IDataView scored, DateTime firstForecastDate, string? labelColumnName = null, string scoreColumnName = "Score",
            PanelColumnOptions? columns = null)
        {
            ArgumentNullException.ThrowIfNull(scored);
            var options = new PanelColumnOptions();
            if (columns is not null) options.CopyColumnsFrom(columns);
            options.LabelColumnName ??= labelColumnName;
            PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(scored.Schema), options, Root.Schema, requireTarget: true, nameof(Evaluate), out _);
            return PanelEvaluation.Forecast(scored, roles, scoreColumnName, DateOnly.FromDateTime(firstForecastDate), Root.Schema.DateFormats.ToArray());
        }

        /// <summary>
        /// A rolling-origin backtest: for each of <see cref="BacktestOptions.Folds"/> origins (the last fold's window ends
        /// where <paramref name="data"/> ends, the others <see cref="BacktestOptions.Step"/> steps apart before it), every
        /// model is fitted afresh on the dates before the origin only, then transforms the panel up to the window's end with
        /// the window's target and mediators missing (its actual spends and covariates given), and is scored
        /// (<see cref="Evaluate"/>) on the window's actual values. Each model must add a <c>Score</c> column. The views the
        /// models see hold the shop, date, step (<c>t</c>), context and role columns only. Include the naive forecasts (<c>Trainers.Naive</c>) among the models: a
        /// forecaster that does not beat them has no skill.
        /// </summary>
        /// <param name="data">The whole panel (rows of every shop and date).</param>
        /// <param name="models">Named estimators, fitted once per fold.</param>
        /// <param name="options">Folds, horizon and step; null takes the defaults.</param>
        /// <param name="columns">Column roles; null uses the catalog's schema and the column names.</param>
        /// <exception cref="ArgumentException">The data is too short for the folds asked, no model or two of the same name is given, or an option is out of range.</exception>
        /// <exception cref="PanelDataException">The rows are not a valid panel.</exception>
        public BacktestResult Backtest(IDataView data, IReadOnlyList<(string Name, IEstimator<ITransformer> Estimator)> models, BacktestOptions? options = null,
            PanelColumnOptions? columns = null) => Backtesting.Run(Root, data, models, options ?? new BacktestOptions(), columns);
    }

    /// <summary>Where graph learners attach.</summary>
    public sealed class CausalDiscoveryTrainers : SubCatalog
    {
        internal CausalDiscoveryTrainers(CausalMmmCatalog root) : base(root)
        {
        }
    }

    /// <summary>Where forecasters attach.</summary>
    public sealed class ForecastingTrainers : SubCatalog
    {
        internal ForecastingTrainers(CausalMmmCatalog root) : base(root)
        {
        }
    }

    /// <summary>
    /// Media plans and the decisions made from a fitted model: the future spends a scenario forecast takes, contributions,
    /// response curves with ROI, and budget allocation. The decision tools take a fitted pipeline that ends in the
    /// MarketingResponse forecaster (CausalMMM) or in Ridge (the classic chain), the history, and the plan to judge.
    /// </summary>
    public sealed class PlanningCatalog : SubCatalog
    {
        internal PlanningCatalog(CausalMmmCatalog root) : base(root)
        {
        }

        /// <summary>
        /// The plan that repeats, for every shop, the last <paramref name="steps"/> dates of <paramref name="history"/> for
        /// every channel and covariate: "carry on as before", the usual baseline plan.
        /// </summary>
        /// <exception cref="ArgumentException">The history is shorter than <paramref name="steps"/>, or its columns do not resolve.</exception>
        /// <exception cref="PanelDataException">The history is not a valid panel.</exception>
        public MediaPlan RepeatLast(IDataView history, int steps, PanelColumnOptions? columns = null)
        {
            ArgumentNullException.ThrowIfNull(history);
            PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(history.Schema), columns ?? new PanelColumnOptions(), Root.Schema, requireTarget: true, nameof(RepeatLast), out _);
            MarketingPanel panel = PanelReader.Read(history, roles, roles.Variables(), nameof(RepeatLast), allowMissingOutcomes: false, Root.Schema.DateFormats.ToArray()).Panel;
            return MediaPlan.RepeatLast(panel, steps, roles, Root.Schema.DateFormats.ToArray());
        }

        /// <summary>
        /// Reads a media plan saved with <see cref="SavePlanCsv"/> (or written by hand in that layout: header
        /// <c>&lt;shop column&gt;,step,&lt;channels...&gt;,&lt;covariates...&gt;</c>, one row per shop and step, steps 1..N for
        /// every shop), or one with dates instead of steps, as an analyst's calendar has them: header
        /// <c>&lt;shop column&gt;,&lt;date column&gt;,&lt;channels...&gt;,&lt;covariates...&gt;</c>, dates in the history's format,
        /// starting the day (or week) after <paramref name="history"/> ends and going on without gaps or repeats. The columns
        /// are resolved from <paramref name="history"/> as <see cref="RepeatLast"/> resolves them, so the file must give exactly
        /// the history's channels and covariates: an unknown column (a misspelt channel) is an error.
        /// </summary>
        /// <param name="path">The CSV file.</param>
        /// <param name="history">The data the plan continues: its columns, and for a plan with dates its dates (the plan's dates may be in any date format the history was read with, carried by its date column as <see cref="PanelAnnotations.DateFormats"/>, or in the catalog schema's).</param>
        /// <param name="columns">Column roles, as for <see cref="RepeatLast"/>; null uses the catalog's schema and the column names.</param>
        /// <exception cref="ArgumentException">The history's columns do not resolve (no target or no channel, a named column missing).</exception>
        /// <exception cref="FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="PanelDataException">The history is not a valid panel (read only for a plan with dates), or the file is not a valid plan: a missing or unknown column, a missing or repeated step or date, dates that do not start right after the history, shops with different numbers of steps, a value that is not a finite number, a negative spend, an empty file. The message names the file, line, column and value, and how to fix it.</exception>
        public MediaPlan LoadPlanCsv(string path, IDataView history, PanelColumnOptions? columns = null)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(history);
            PanelRoles roles = PanelRoles.Resolve(PanelRoles.Columns(history.Schema), columns ?? new PanelColumnOptions(), Root.Schema, requireTarget: true, nameof(LoadPlanCsv), out _);
            // The formats the history was read with (LoadPanelCsv's schema travels with the view), then the catalog's.
            string[] formats = PanelAnnotations.ReadDateFormats(history.Schema).Concat(Root.Schema.DateFormats).Distinct(StringComparer.Ordinal).ToArray();
            // Only a plan with dates needs the history's dates, to place them after it.
            PlanCalendar Calendar()
            {
                MarketingPanel panel = PanelReader.Read(history, roles, roles.Variables(), nameof(LoadPlanCsv), allowMissingOutcomes: true, formats).Panel;
                return new PlanCalendar(panel.Dates[^1], panel.StepDays);
            }
            return MediaPlanCsv.Read(path, roles, formats, Calendar);
        }

        /// <summary>
        /// Saves <paramref name="plan"/> as a wide CSV, atomically (a temporary file in the same folder, then a move):
        /// <c>&lt;shop column&gt;,step,&lt;series...&gt;</c>, shops in ordinal order, numbers in invariant round-trip format, so
        /// <see cref="LoadPlanCsv"/> reads back exactly the same plan.
        /// </summary>
        /// <param name="plan">The plan to save.</param>
        /// <param name="path">The file to write; it is replaced if it exists.</param>
        /// <exception cref="ArgumentException">A column of the plan is named <c>step</c>, which the file uses to number the steps.</exception>
        /// <exception cref="IOException">The file cannot be written.</exception>
        public void SavePlanCsv(MediaPlan plan, string path)
        {
            ArgumentNullException.ThrowIfNull(plan);
            plan.SaveCsv(path);
        }

        /// <summary>
        /// Each channel's contribution to the forecast target on every day of <paramref name="plan"/>: the forecast under
        /// the plan minus the forecast with the channel at its baseline (zero spend unless
        /// <see cref="ContributionOptions.Baseline"/> says otherwise), split into the direct part (the channel's own edges
        /// into the target) and the mediated part (through mediators of the graph), with bands from graph samples. The
        /// base (every channel at its baseline) plus the channels plus the printed residual (their interaction) is the forecast.
        /// </summary>
        /// <exception cref="NotSupportedException">The pipeline does not end in MarketingResponse or Ridge.</exception>
        /// <exception cref="ArgumentException">An option is invalid, or the plan does not fit the history; the message says which and how to fix it.</exception>
        public ContributionReport Contributions(ITransformer model, IDataView history, MediaPlan plan, ContributionOptions? options = null)
        {
            options ??= new ContributionOptions();
            using ScenarioModel scenario = ScenarioModel.Create(model, history, plan, nameof(Contributions));
            return ContributionBuilder.Build(scenario, options, options.Seed ?? ComponentHost.DrawSeed(Root.Context, nameof(Contributions)), nameof(Contributions));
        }

        /// <summary>
        /// Per shop and channel, the forecast target over <paramref name="plan"/> as the channel's spend is scaled
        /// (0 to 3 times by default), and from it ROI, marginal ROI at the plan (by autograd) and the saturation point, with
        /// bands from graph samples; also summed over all shops.
        /// </summary>
        /// <exception cref="NotSupportedException">The pipeline does not end in MarketingResponse or Ridge.</exception>
        /// <exception cref="ArgumentException">An option is invalid, or the plan does not fit the history.</exception>
        public ResponseCurveSet ResponseCurves(ITransformer model, IDataView history, MediaPlan plan, ResponseCurveOptions? options = null)
        {
            options ??= new ResponseCurveOptions();
            using ScenarioModel scenario = ScenarioModel.Create(model, history, plan, nameof(ResponseCurves));
            return ResponseCurveBuilder.Build(scenario, options, options.Seed ?? ComponentHost.DrawSeed(Root.Context, nameof(ResponseCurves)), nameof(ResponseCurves));
        }

        /// <summary>
        /// The plan that does best by the forecast: the most target for each shop's budget, the least spend that reaches a
        /// target, or the largest spend that keeps a target ROI (<see cref="BudgetOptimizationOptions.Objective"/>),
        /// within per-channel bounds and with fixed channels kept. Gradient-based through the differentiable scenario
        /// forecast, projected onto the constraints, which hold exactly in the result.
        /// </summary>
        /// <exception cref="NotSupportedException">The pipeline does not end in MarketingResponse or Ridge.</exception>
        /// <exception cref="ArgumentException">A constraint cannot be met (a negative budget, bounds that cannot hold it, an unknown channel, an unreachable target); the message says which and how to fix it.</exception>
        public BudgetAllocation OptimizeBudget(ITransformer model, IDataView history, MediaPlan plan, BudgetOptimizationOptions? options = null)
        {
            using ScenarioModel scenario = ScenarioModel.Create(model, history, plan, nameof(OptimizeBudget));
            return BudgetPlanning.Optimize(scenario, options ?? new BudgetOptimizationOptions(), nameof(OptimizeBudget));
        }
    }
}

/// <summary>Simulated data with its known causal graphs.</summary>
/// <param name="Data">The long table the components read (a <c>DataFrame</c>).</param>
/// <param name="Panel">The same data as a typed panel.</param>
/// <param name="TrueGraphs">Per shop id, the true adjacency over the panel's series (channels, mediators, target).</param>
/// <param name="Schema">The roles of the columns; pass it to <c>mlContext.CausalMmm(schema)</c>.</param>
public sealed record SimulatedPanel(IDataView Data, MarketingPanel Panel, IReadOnlyDictionary<string, bool[,]> TrueGraphs, MarketingSchema Schema);

/// <summary><c>mlContext.CausalMmm()</c>.</summary>
public static class CausalMmmMLContextExtensions
{
    /// <summary>The root catalog of CausalMMM components for <paramref name="mlContext"/>.</summary>
    /// <param name="mlContext">The ML.NET context: seed, log, GPU settings.</param>
    /// <param name="schema">Column roles shared by the components created from this catalog; null infers roles from column names.</param>
    public static CausalMmmCatalog CausalMmm(this MLContext mlContext, MarketingSchema? schema = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new CausalMmmCatalog(mlContext, schema ?? new MarketingSchema());
    }
}
