using System.Text.Json;
using CausalMmm.Data;
using CausalMmm.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// A trained CausalMMM: per-shop causal graphs, in-sample one-step predictions, and autonomous and scenario forecasts,
/// all on the original scale. Inference never reads data after the forecast origin: the encoder, the decoder and the
/// scaling see only the <see cref="EncoderWindow"/> steps before it. Every shop is computed from its own rows only, so
/// any subset of shops gives the same results as the whole panel. Safe to use from several threads (calls are serialised).
/// </summary>
public sealed class CausalMmmModel : IDisposable
{
    private const string FormatName = "causalmmm-model";
    // Version 3 added SameDayResponse and Scaling to the options: a version-2 reader would ignore them and misread the model.
    // Version 2 files lack them and load with their defaults (learned messages, range scaling), as they were trained.
    // Version 4 added CurveMaxShape: versions 2 and 3 fitted unbounded shapes, so they load with it null.
    // Version 5 added Encoder: earlier models were all trained with the window MLP, so they load with it.
    // Version 6 added Saturation: earlier models all made the saturation input positive with softplus.
    // Version 7 added EncoderGrangerScores: earlier encoders read no Granger scores (and have no weights for them).
    // Version 8 added SameDayMediators: earlier models had same-day edges from the given series only.
    // Version 9 added MessageLags, SelfMessages, ReceiverInMessages and MediatorEdgePrior: earlier decoders read one step
    // of sender and receiver in each message and had no self message; their mediator edges had the uniform prior.
    // Version 10 added Seasonality and the seasonal terms the fit chose: earlier models had no seasonal baseline.
    // Version 11 added Trend and the date its time axis starts from: earlier models had no trend.
    // Version 12 added EdgeMessageGains: earlier decoders sent one message per sender to all its receivers.
    // Version 13 added SignedCovariates and CovariateSenders: earlier covariates responded through Hill curves.
    // Version 14 added ReflectedCovariates: earlier covariates all entered as they are.
    // Version 15 added CovariateEdgesOn: earlier forecasters gated the covariates' same-day edges by the given graph.
    // Version 16 added CentredMediatorEdges: earlier mediator edges read their sender's value, not its deviation from the window's mean.
    private const int FormatVersion = 16;

    private readonly double[] _contextMean;
    private readonly double[] _contextScale;
    private readonly object _gate = new();

    private CausalMmmModel(CausalMmmOptions options, IReadOnlyList<string> nodeNames, int channelCount, IReadOnlyList<string> contextNames,
        double[] contextMean, double[] contextScale, int window, IReadOnlyList<string> shopIds, SeasonalTerms? seasonal, DateOnly? trendStart)
    {
        TrendStart = trendStart;
        ShopIds = shopIds.ToArray();
        Seasonal = seasonal;
        Options = options;
        NodeNames = nodeNames.ToArray();
        ChannelCount = channelCount;
        ContextNames = contextNames.ToArray();
        _contextMean = contextMean;
        _contextScale = contextScale;
        EncoderWindow = window;
        Network = SeededInitialisation.Create(options.Seed, () => new CausalMmmNetwork(nodeNames.Count, channelCount, window, contextNames.Count, options, ShopIds.Count, seasonal?.Count ?? 0, trendStart is not null));
        _shopRows = ShopIds.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row, StringComparer.Ordinal);
    }

    internal static CausalMmmModel Create(CausalMmmOptions options, IReadOnlyList<string> nodeNames, int channelCount, IReadOnlyList<string> contextNames,
        double[] contextMean, double[] contextScale, int window, IReadOnlyList<string> shopIds, SeasonalTerms? seasonal = null, DateOnly? trendStart = null) =>
        new(options, nodeNames, channelCount, contextNames, contextMean, contextScale, window, shopIds, seasonal, trendStart);

    /// <summary>
    /// The first date of the training window, where the time axis of each shop's trend starts
    /// (<see cref="CausalMmmOptions.Trend"/>), or null without a trend.
    /// </summary>
    public DateOnly? TrendStart { get; }

    /// <summary>
    /// Each shop's trend slopes [S, n] on the network's device in <paramref name="panel"/>'s shop order (zero for the
    /// given series and for a shop the model was not trained on), or null without a trend.
    /// </summary>
    internal Tensor? TrendSlopes(NumericPanel panel)
    {
        if (Network.TrendSlopes is not { } slopes) return null;
        using var scope = torch.NewDisposeScope();
        return Network.WithGivenZeros(PerShop(slopes, panel)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The rows of a per-training-shop parameter [S_train, k] for <paramref name="panel"/>'s shops, in its order: zero for a
    /// shop the model was not trained on (the prior's centre).
    /// </summary>
    private Tensor PerShop(Tensor parameter, NumericPanel panel)
    {
        long[] rows = panel.ShopIds.Select(id => _shopRows.TryGetValue(id, out int row) ? (long)row : -1).ToArray();
        Tensor known = torch.tensor(rows.Select(r => r >= 0 ? 1f : 0f).ToArray(), device: parameter.device).unsqueeze(1);
        return parameter.index_select(0, torch.tensor(rows.Select(r => Math.Max(r, 0)).ToArray(), device: parameter.device)) * known;
    }

    /// <summary>Steps from <see cref="TrendStart"/> to step <paramref name="step"/> of <paramref name="panel"/> (negative before it).</summary>
    private long TrendStep(NumericPanel panel, int step) =>
        (panel.DateOf(step)!.Value.DayNumber - TrendStart!.Value.DayNumber) / (panel.StepDays ?? 1);

    /// <summary>
    /// The calendar terms of the mediators' and the target's seasonal baseline, chosen from the training dates
    /// (<see cref="CausalMmmOptions.Seasonality"/>), or null for none. With terms, every panel the model reads needs dates.
    /// </summary>
    public SeasonalTerms? Seasonal { get; }

    private readonly Dictionary<string, int> _shopRows;

    /// <summary>
    /// The shops of the panel the model was fitted on, in the order of its per-shop parameters
    /// (<see cref="CausalMmmOptions.ShopGains"/>); other shops use the pooled effects. Shops held out for validation
    /// (<see cref="CausalMmmOptions.ValidationFraction"/>) are listed too, but their multipliers are never fitted and stay at
    /// the prior's centre, the pooled effect.
    /// </summary>
    public IReadOnlyList<string> ShopIds { get; }

    /// <summary>
    /// Each shop's multipliers of the same-day edges' effects [S, Ec] on the network's device, in <paramref name="panel"/>'s
    /// shop order: exp of the shop's learned log-gains, or 1 for a shop the model was not trained on. Null without shop gains.
    /// </summary>
    internal Tensor? ShopGains(NumericPanel panel)
    {
        if (Network.ShopGainLogs is not { } logs) return null;
        using var scope = torch.NewDisposeScope();
        return PerShop(logs, panel).exp().MoveToOuterDisposeScope();
    }

    /// <summary>The options the model was trained with.</summary>
    public CausalMmmOptions Options { get; }

    /// <summary>Series names: channels (and covariates), mediators, target.</summary>
    public IReadOnlyList<string> NodeNames { get; }

    /// <summary>Number of given series (channels and covariates) at the front of <see cref="NodeNames"/>; a scenario forecast takes them as input.</summary>
    public int ChannelCount { get; }

    /// <summary>Context variable names the model expects.</summary>
    public IReadOnlyList<string> ContextNames { get; }

    /// <summary>Steps of history the encoder reads before a forecast origin.</summary>
    public int EncoderWindow { get; }

    /// <summary>How training went (null for a model that was not trained here).</summary>
    public TrainingSummary? Summary { get; internal set; }

    /// <summary>
    /// How the covariates known in advance enter the model, for logs and reports: each reflected (it lowers the target,
    /// as a price does) or as it is, with the correlation the fit read when it chose; null for a model without covariates.
    /// </summary>
    public string? CovariatesDescription => CausalTraining.CovariatesLine(this);

    internal CausalMmmNetwork Network { get; }

    /// <summary>
    /// Edge probabilities per shop: [i, j] is the probability that node i Granger-causes node j (a lagged edge), read from
    /// the <see cref="EncoderWindow"/> steps before <paramref name="origin"/> (default: the panel's end).
    /// </summary>
    public IReadOnlyList<double[,]> EdgeProbabilities(NumericPanel panel, int? origin = null) => Graphs(panel, origin).Lagged;

    /// <summary>
    /// True when the model has same-day edges (<see cref="CausalMmmOptions.SameDayMedia"/>): from the given series to the
    /// others and, with <see cref="CausalMmmOptions.SameDayMediators"/>, from each mediator to later mediators and the target.
    /// </summary>
    public bool HasSameDayEdges => Network.Edges.SameDayEdgeCount > 0;

    /// <summary>
    /// Per shop, both kinds of edge probability: lagged ([i, j]: i drives j from the steps before) and, when the model has
    /// them, same-day ([i, j]: node i drives j on the same step, i a given series or a mediator before j in the fixed
    /// same-day order; zero where there is no such edge).
    /// </summary>
    /// <exception cref="ArgumentException">The panel's nodes or context differ from the model's, or the origin leaves too little history.</exception>
    public (IReadOnlyList<double[,]> Lagged, IReadOnlyList<double[,]>? SameDay) Graphs(NumericPanel panel, int? origin = null)
    {
        lock (_gate)
        {
            int end = CheckPanel(panel, origin ?? panel.Length);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            PanelScaling scaling = MeasureScaling(panel, end - EncoderWindow, end);
            float[] flat = Network.EdgeProbabilities(scaling.ToTensor(panel, end - EncoderWindow, end).to(Network.Device)).cpu().data<float>().ToArray();
            EdgeIndex edges = Network.Edges;
            int width = edges.TotalEdgeCount;
            var lagged = Enumerable.Range(0, panel.ShopCount).Select(s => edges.ToMatrix(flat.AsSpan(s * width, edges.EdgeCount))).ToArray();
            var sameDay = HasSameDayEdges
                ? Enumerable.Range(0, panel.ShopCount).Select(s => edges.SameDayToMatrix(flat.AsSpan(s * width + edges.EdgeCount, edges.SameDayEdgeCount))).ToArray()
                : null;
            return (lagged, sameDay);
        }
    }

    /// <summary>
    /// Per shop, the probability that node i drives node j at any lag, the same day included:
    /// <see cref="CausalGraphSet.AnyLag(double[,], double[,])"/> of the lagged and same-day graphs of <see cref="Graphs"/>
    /// (the lagged graph alone without same-day edges). A cause that acts a few steps later can show as either kind of edge:
    /// a same-day response curve's adstock carries the days before, a lagged edge the steps since.
    /// </summary>
    /// <exception cref="ArgumentException">The panel's nodes or context differ from the model's, or the origin leaves too little history.</exception>
    public IReadOnlyList<double[,]> AnyLagGraphs(NumericPanel panel, int? origin = null)
    {
        (IReadOnlyList<double[,]> lagged, IReadOnlyList<double[,]>? sameDay) = Graphs(panel, origin);
        return sameDay is null ? lagged : lagged.Select((g, s) => CausalGraphSet.AnyLag(g, sameDay[s])).ToArray();
    }

    /// <summary>
    /// Autonomous forecast: every node forecast recursively for <paramref name="horizon"/> steps after
    /// <paramref name="origin"/> (the first forecast is for step <paramref name="origin"/>). Returns per shop
    /// [step, node] on the original scale.
    /// </summary>
    public IReadOnlyList<double[,]> Forecast(NumericPanel panel, int origin, int horizon) =>
        Predict(panel, origin, horizon, plan: null, fixedEdges: null).Forecast;

    /// <summary>
    /// Scenario forecast: the channel spends of the next steps are given
    /// (<paramref name="channelPlan"/>[shop][step, channel], original scale); mediators and the target are
    /// forecast. Returns per shop [step, node], with the given channels copied through.
    /// </summary>
    /// <exception cref="ArgumentException">The plan does not cover every shop, step and channel.</exception>
    public IReadOnlyList<double[,]> ForecastScenario(NumericPanel panel, int origin, IReadOnlyList<double[,]> channelPlan)
    {
        CheckPlan(panel, channelPlan);
        return Predict(panel, origin, channelPlan[0].GetLength(0), channelPlan, fixedEdges: null).Forecast;
    }

    /// <summary>
    /// Teacher-forced predictions over the encoder window before <paramref name="origin"/> and the forecast of the
    /// <paramref name="horizon"/> steps from it: <see cref="Rollout"/> without gradients. With <paramref name="plan"/> the
    /// given series are taken from the plan (scenario; with same-day edges the plan's values of a step also drive that
    /// step's forecast), without it every node is forecast (autonomous). <paramref name="fixedEdges"/>[shop] (lagged then
    /// same-day edges, in <see cref="EdgeIndex"/> order) replaces the encoder's graph.
    /// </summary>
    internal ModelPrediction Predict(NumericPanel panel, int origin, int horizon, IReadOnlyList<double[,]>? plan, float[][]? fixedEdges)
    {
        if (horizon < 0) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon cannot be negative.");
        if (plan is not null) CheckPlan(panel, plan);
        lock (_gate)
        {
            int end = CheckPanel(panel, origin);
            int start = end - EncoderWindow, n = NodeNames.Count, shops = panel.ShopCount;
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            (RolloutStart from, PanelScaling scaling, Tensor means) = StartCore(panel, start, end, fixedEdges);
            using RolloutStart disposing = from;

            // means[t] predicts step start + t + 1.
            float[] teacher = means.cpu().data<float>().ToArray();
            var fitted = Enumerable.Range(0, shops).Select(_ => new double[EncoderWindow, n]).ToArray();
            for (int s = 0; s < shops; s++)
            for (int j = 0; j < n; j++)
            {
                fitted[s][0, j] = double.NaN;
                for (int t = 1; t < EncoderWindow; t++) fitted[s][t, j] = scaling.Unscale(s, j, teacher[((long)s * EncoderWindow + t - 1) * n + j]);
            }

            var forecast = Enumerable.Range(0, shops).Select(_ => new double[horizon, n]).ToArray();
            if (horizon == 0) return new ModelPrediction(start, fitted, forecast);
            Tensor? planned = null;
            if (plan is not null)
            {
                var values = new float[shops * horizon * ChannelCount];
                for (int s = 0; s < shops; s++)
                for (int h = 0; h < horizon; h++)
                for (int c = 0; c < ChannelCount; c++) values[(s * horizon + h) * ChannelCount + c] = (float)plan[s][h, c];
                planned = Tensors.FromArray(values, new long[] { shops, horizon, ChannelCount });
            }
            float[] rolled = Rollout(from, torch.arange(shops, dtype: ScalarType.Int64), planned, horizon).cpu().data<float>().ToArray();
            for (int s = 0; s < shops; s++)
            for (int h = 0; h < horizon; h++)
            for (int j = 0; j < n; j++)
                forecast[s][h, j] = plan is not null && j < ChannelCount ? plan[s][h, j] : rolled[((long)s * horizon + h) * n + j];
            return new ModelPrediction(start, fitted, forecast);
        }
    }

    /// <summary>
    /// Where every forecast from <paramref name="origin"/> starts, computed once without gradients: the scaling of the
    /// window before the origin, the decoder state after it, the last values, the context, the edge probabilities
    /// (<paramref name="fixedEdges"/>, else the encoder's) and the shops' gains. <see cref="Rollout"/> goes on from it.
    /// </summary>
    internal RolloutStart Start(NumericPanel panel, int origin, float[][]? fixedEdges)
    {
        lock (_gate)
        {
            int end = CheckPanel(panel, origin);
            using DisposeScope scope = torch.NewDisposeScope();
            using IDisposable noGrad = torch.no_grad();
            return StartCore(panel, end - EncoderWindow, end, fixedEdges).Start;
        }
    }

    /// <summary>
    /// The teacher-forced pass over steps [start, end) and the roll-out start after it, with the window's scaling and
    /// its means [S, W, n] (scaled; entry t predicts step start + t + 1). Call under the lock, in a dispose scope, without
    /// gradients: the start's tensors leave the scope, the means do not.
    /// </summary>
    private (RolloutStart Start, PanelScaling Scaling, Tensor Means) StartCore(NumericPanel panel, int start, int end, float[][]? fixedEdges)
    {
        int n = NodeNames.Count, shops = panel.ShopCount;
        (PanelScaling scaling, Tensor observed, Tensor context, Tensor edges) = WindowInputs(panel, start, end, fixedEdges);
        Device device = Network.Device;
        Tensor? gains = ShopGains(panel);
        // The decoder reads the window less its baseline (calendar terms, each shop's trend line); the means returned get
        // the baseline of the steps they predict, while the roll-out start stays on the decoder's scale.
        Tensor? slopes = TrendSlopes(panel);
        Tensor? line = slopes is null ? null : LinearTrend.Line(slopes, LinearTrend.Times(TrendStep(panel, start), EncoderWindow + 1, EncoderWindow, device));
        Tensor? baseline = CausalMmmNetwork.Baseline(SeasonalTermsOf(panel, start, EncoderWindow + 1), line);
        Tensor history = baseline is null ? observed : observed - baseline.narrow(1, 0, EncoderWindow);
        (Tensor means, Tensor state) = Network.Decoder.Forward(history, Network.Weighted(edges, gains), context);
        // With feedback, the window's last step read the prediction before it, and so does the roll-out's first step.
        Tensor last = Options.FeedbackSteps > 0 && EncoderWindow > 1 ? means.select(1, EncoderWindow - 2) : history.select(1, EncoderWindow - 1);
        Tensor weighted = Network.Weighted(edges, gains);
        Tensor? lastBase = Network.Decoder.ReadsBaselines ? Network.Decoder.DayBaseline(history, EncoderWindow - 1, last, weighted, context) : null;
        Tensor? levels = Network.Decoder.Levels(history, weighted, context);
        Tensor? anchors = Network.Decoder.Anchors(history);
        var min = new float[shops * n];
        var range = new float[shops * n];
        for (int s = 0; s < shops; s++)
        for (int j = 0; j < n; j++)
        {
            min[s * n + j] = (float)scaling.Unscale(s, j, 0);
            range[s * n + j] = (float)(scaling.Unscale(s, j, 1) - scaling.Unscale(s, j, 0));
        }
        var rolloutStart = new RolloutStart(
            Tensors.FromArray(min, new long[] { shops, n }, device).MoveToOuterDisposeScope(),
            Tensors.FromArray(range, new long[] { shops, n }, device).MoveToOuterDisposeScope(),
            state.reshape(shops, n, Network.Decoder.StateWidth).MoveToOuterDisposeScope(),
            last.MoveToOuterDisposeScope(),
            context.MoveToOuterDisposeScope(),
            edges.MoveToOuterDisposeScope(),
            Network.Decoder.TailOf(history)?.contiguous().MoveToOuterDisposeScope(),
            gains?.MoveToOuterDisposeScope(),
            lastBase?.MoveToOuterDisposeScope(),
            levels?.MoveToOuterDisposeScope(),
            Seasonal is null && slopes is null ? null : panel.DateOf(end),
            slopes?.MoveToOuterDisposeScope(), slopes is null ? 0 : TrendStep(panel, start) + EncoderWindow, anchors?.MoveToOuterDisposeScope());
        return (rolloutStart, scaling, baseline is null ? means : means + baseline.narrow(1, 1, EncoderWindow));
    }

    /// <summary>
    /// The one roll-out every forecast runs (<see cref="Predict"/>, and through it <c>Transform</c>; scenario forecasts,
    /// contributions, response curves and the budget optimiser), differentiable in <paramref name="plan"/>. From
    /// <paramref name="start"/>, for the shops at <paramref name="rows"/> [R] (indexes into the start's shops), each step
    /// emits every node's mean from the recurrent state (with same-day edges, from the plan's given series of that step),
    /// settles the day's mediators before the target, then advances the state on the day's values. The plan [R, H, given]
    /// is in original units; null forecasts the given series too (autonomous). <paramref name="edges"/> [R, E + Ec]
    /// replaces the start's edge probabilities (graph samples) from the origin on: the start's state, last baseline and
    /// levels stay those the history reached under the point graph, so a sample changes the forecast, not the past it
    /// starts from. The shops' gains apply either way. With
    /// <paramref name="alternative"/>, the edges it marks read their senders from another roll-out's
    /// <paramref name="trace"/> (path-specific effects); with <paramref name="trace"/>, each step's inputs are recorded.
    /// Returns every node [R, H, n] in original units. It reads the network without the model's lock: after fitting its
    /// weights never change and a forward pass keeps no state in the module.
    /// </summary>
    internal Tensor Rollout(RolloutStart start, Tensor rows, Tensor? plan, int horizon, Tensor? edges = null, RolloutAlternative? alternative = null,
        List<RolloutStep>? trace = null)
    {
        MarketingResponseDecoder decoder = Network.Decoder;
        int n = NodeNames.Count, given = ChannelCount, hidden = decoder.StateWidth;
        using DisposeScope scope = torch.NewDisposeScope();
        Device device = start.State.device;
        rows = rows.to(device);
        long count = rows.size(0);
        Tensor min = start.Min.index_select(0, rows), range = start.Range.index_select(0, rows);
        Tensor state = start.State.index_select(0, rows).reshape(count * n, hidden);
        Tensor previous = start.Last.index_select(0, rows);
        Tensor? previousBase = start.LastBase?.index_select(0, rows);
        Tensor? levels = start.Levels?.index_select(0, rows);
        Tensor? anchors = start.Anchors?.index_select(0, rows);
        Tensor context = start.Context.index_select(0, rows);
        Tensor weights = Network.Weighted((edges?.to(device)) ?? start.Edges.index_select(0, rows), start.Gains?.index_select(0, rows));
        Tensor? scaled = plan is null ? null : (plan.to(device) - min.narrow(1, 0, given).unsqueeze(1)) / range.narrow(1, 0, given).unsqueeze(1);
        // With response curves, the given series before each step: the history's last steps, then the plan's.
        Tensor? tail = start.GivenTail?.index_select(0, rows);
        bool sameDay = HasSameDayEdges;
        var days = new List<Tensor>(horizon);
        for (int h = 0; h < horizon; h++)
        {
            Tensor? planned = scaled?.select(1, h);
            SenderOverride? emitOverride = alternative is { } a && sameDay
                ? new SenderOverride(a.Trace[h].Values, a.Trace[h].State, a.LaggedMask, a.Trace[h].Given, a.SameDayMask, a.Trace[h].Tail) : null;
            (Tensor means, Tensor baseline) = decoder.EmitWithBaseline(state, previous, context, weights, sameDay ? planned : null, emitOverride, tail, previousBase, levels, anchors);
            Tensor day = planned is null ? means : torch.cat(new[] { planned, means.narrow(1, given, n - given) }, 1);
            // A predicted day's baseline is the head's output before its same-day responses; the given series are their own.
            Tensor? dayBase = previousBase is null ? null : torch.cat(new[] { day.narrow(1, 0, given), baseline.narrow(1, given, n - given) }, 1);
            days.Add(day);
            trace?.Add(new RolloutStep(day, state, sameDay ? planned : null, tail));
            if (tail is not null) tail = MarketingResponseDecoder.AdvanceTail(tail, day.narrow(1, 0, given));
            if (h + 1 == horizon) break;
            SenderOverride? advanceOverride = alternative is { } b ? new SenderOverride(b.Trace[h].Values, b.Trace[h].State, b.LaggedMask, null, null) : null;
            state = decoder.Advance(day, state, weights, advanceOverride, dayBase);
            previous = day;
            previousBase = dayBase;
        }
        if (trace is not null)
        {
            foreach (RolloutStep step in trace) step.MoveToOuterDisposeScope();
        }
        Tensor scaledDays = torch.stack(days, 1);
        // The roll-out runs on the series less their seasonal baseline; the forecast gets the baseline of its dates back.
        if (Seasonal is not null && start.FirstDate is DateOnly first)
            scaledDays = scaledDays + Network.SeasonalTerms(Seasonal.Features(first, horizon, device))!.unsqueeze(0);
        // And each shop's trend line at the forecast's steps.
        if (start.TrendSlopes is { } trendSlopes)
            scaledDays = scaledDays + LinearTrend.Line(trendSlopes.index_select(0, rows), LinearTrend.Times(start.TrendFirstStep, horizon, EncoderWindow, device));
        Tensor result = scaledDays * range.unsqueeze(1) + min.unsqueeze(1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What inference reads before an origin, on the network's device: the scaling of the window [start, end), the scaled
    /// window, the context, and the edge weights (<paramref name="fixedEdges"/>, else the encoder's probabilities).
    /// Call under the model's lock, inside a dispose scope and without gradients.
    /// </summary>
    private (PanelScaling Scaling, Tensor History, Tensor Context, Tensor Edges) WindowInputs(NumericPanel panel, int start, int end, float[][]? fixedEdges)
    {
        PanelScaling scaling = MeasureScaling(panel, start, end);
        Device device = Network.Device;
        Tensor history = scaling.ToTensor(panel, start, end).to(device);
        Tensor context = ContextTensor(panel).to(device);
        Tensor edges = fixedEdges is null ? Network.EdgeProbabilities(history)
            : CausalMmmTrainer.GivenEdgeTensor(fixedEdges, Network.Edges, Options, panel.ShopIds).to(device);
        return (scaling, history, context, edges);
    }

    /// <summary>
    /// Each node's seasonal baseline [steps, n] (scaled) at <paramref name="steps"/> steps of <paramref name="panel"/> from
    /// <paramref name="start"/> (which may run past its end), or null without seasonal terms.
    /// </summary>
    private Tensor? SeasonalTermsOf(NumericPanel panel, int start, int steps) =>
        Seasonal is null ? null : Network.SeasonalTerms(Seasonal.Features(panel.DateOf(start)!.Value, steps, Network.Device));

    /// <summary>The scaling of steps [start, end): with response curves, spends are scaled from zero (see <see cref="SameDayResponse.SaturatingCurve"/>).</summary>
    internal PanelScaling MeasureScaling(NumericPanel panel, int start, int end) =>
        PanelScaling.Measure(panel, start, end, Network.Decoder.HasCurves ? ChannelCount : 0, Options.Scaling, ReflectedSeries());

    /// <summary>Per node, whether it enters reflected (<see cref="CausalMmmOptions.ReflectedCovariates"/>); null when none does.</summary>
    private bool[]? ReflectedSeries()
    {
        if (Options.ReflectedCovariates is not { } flags || !flags.Any(f => f)) return null;
        var series = new bool[NodeNames.Count];
        for (int k = 0; k < flags.Length; k++) series[ChannelCount - flags.Length + k] = flags[k];
        return series;
    }

    internal Tensor ContextTensor(NumericPanel panel)
    {
        int c = ContextNames.Count;
        var data = new float[panel.ShopCount * Math.Max(c, 1)];
        for (int s = 0; s < panel.ShopCount; s++)
        for (int k = 0; k < c; k++)
            data[s * c + k] = (float)((panel.Context(s, k) - _contextMean[k]) / _contextScale[k]);
        return Tensors.FromArray(data, new long[] { panel.ShopCount, Math.Max(c, 1) });
    }

    private void CheckPlan(NumericPanel panel, IReadOnlyList<double[,]> channelPlan)
    {
        ArgumentNullException.ThrowIfNull(channelPlan);
        if (channelPlan.Count != panel.ShopCount)
            throw new ArgumentException($"The plan covers {channelPlan.Count} shops but the panel has {panel.ShopCount}.", nameof(channelPlan));
        if (channelPlan.Count == 0) return;
        int horizon = channelPlan[0].GetLength(0);
        for (int s = 0; s < channelPlan.Count; s++)
        {
            if (channelPlan[s].GetLength(0) != horizon || channelPlan[s].GetLength(1) != ChannelCount)
                throw new ArgumentException($"The plan of shop '{panel.ShopIds[s]}' is {channelPlan[s].GetLength(0)}x{channelPlan[s].GetLength(1)}; every shop needs {horizon} steps x {ChannelCount} channels [{string.Join(", ", NodeNames.Take(ChannelCount))}].", nameof(channelPlan));
        }
    }

    private int CheckPanel(NumericPanel panel, int origin)
    {
        ArgumentNullException.ThrowIfNull(panel);
        if (!panel.NodeNames.SequenceEqual(NodeNames))
            throw new ArgumentException($"The panel's series [{string.Join(", ", panel.NodeNames)}] differ from the model's [{string.Join(", ", NodeNames)}].", nameof(panel));
        if (!panel.ContextNames.SequenceEqual(ContextNames))
            throw new ArgumentException($"The panel's context [{string.Join(", ", panel.ContextNames)}] differs from the model's [{string.Join(", ", ContextNames)}].", nameof(panel));
        if (Seasonal is not null && panel.Dates is null)
            throw new ArgumentException($"The model's baseline has {Seasonal} seasonal terms, which read each step's date, but the panel has no dates: "
                + "give the panel its dates (MarketingPanel.ToNumeric keeps them), or train with Seasonality = None.", nameof(panel));
        if (TrendStart is not null && panel.Dates is null)
            throw new ArgumentException("The model's baseline has a trend, which reads each step's date, but the panel has no dates: "
                + "give the panel its dates (MarketingPanel.ToNumeric keeps them), or train with Trend off.", nameof(panel));
        if (Seasonal is not null && panel.StepDays != Seasonal.StepDays)
            throw new ArgumentException($"The panel's dates are {panel.StepDays} days apart, but the model was trained on steps of {Seasonal.StepDays} days: give it data at the training frequency.", nameof(panel));
        if (origin < EncoderWindow || origin > panel.Length)
            throw new ArgumentException($"The forecast origin is step {origin}, but the model reads the {EncoderWindow} steps before it (its encoder window, the length it was trained on) "
                + $"and the panel has {panel.Length} steps: give at least {EncoderWindow} steps of history before the first forecast date, or train with a shorter EncoderWindow.", nameof(panel));
        return origin;
    }

    /// <summary>Writes the model's settings and weights into a component's state (the pipeline file checksums them).</summary>
    internal void WriteTo(ComponentStateWriter writer)
    {
        // The experiment's flag is not stored, so the file would hold a tensor that a loaded network lacks.
        if (Network.EdgeCalibration is not null)
            throw new NotSupportedException("This model was trained with the internal CalibrateEdges experiment, which is not kept in saved models: train it without the option to save it.");
        lock (_gate)
        {
            writer.WriteJson("model", new Stored(FormatName, FormatVersion, Options, NodeNames.ToArray(), ChannelCount, ContextNames.ToArray(),
                _contextMean, _contextScale, EncoderWindow, Summary, ShopIds.ToArray(), Seasonal, TrendStart));
            writer.WriteModule("weights", Network);
        }
    }

    /// <summary>Reads a model written by <see cref="WriteTo"/>; the weights land on the CPU.</summary>
    /// <exception cref="InvalidDataException">The stored model is of another format or version, or its weights do not fit it.</exception>
    internal static CausalMmmModel ReadFrom(ComponentStateReader reader)
    {
        Stored stored = reader.ReadJson<Stored>("model");
        if (stored.Format != FormatName || stored.Version is < 2 or > FormatVersion)
            throw new InvalidDataException($"its network is '{stored.Format}' version {stored.Version}; this library reads '{FormatName}' versions 2 to {FormatVersion}");
        if (stored.ContextMean.Length != stored.ContextNames.Length || stored.ContextScale.Length != stored.ContextNames.Length || stored.ChannelCount < 1
            || stored.ChannelCount >= stored.NodeNames.Length || stored.EncoderWindow < 2)
            throw new InvalidDataException("its network settings are inconsistent (context, channel count or encoder window)");
        if (stored.Version < 4) stored.Options.CurveMaxShape = null;
        if (stored.Version < 5) stored.Options.Encoder = EdgeEncoder.WindowMlp;
        if (stored.Version < 6) stored.Options.Saturation = SaturationInput.Softplus;
        if (stored.Version < 7) stored.Options.EncoderGrangerScores = false;
        if (stored.Version < 8)
        {
            // Options that version did not have, as its models were trained.
            stored.Options.SameDayMediators = false;
            stored.Options.ShopGains = false;
            stored.Options.BaselineInputs = false;
            stored.Options.CurveContext = false;
            stored.Options.LaggedMediaMessages = true;
        }
        if (stored.Version < 9)
        {
            stored.Options.MessageLags = 1;
            stored.Options.SelfMessages = false;
            stored.Options.ReceiverInMessages = true;
            stored.Options.MediatorEdgePrior = 0.5;
        }
        if (stored.Version < 10) stored.Options.Seasonality = SeasonalBaseline.None;
        if (stored.Version < 11) stored.Options.Trend = false;
        if (stored.Version < 12) stored.Options.EdgeMessageGains = false;
        if (stored.Version < 13) (stored.Options.SignedCovariates, stored.Options.CovariateSenders) = (false, 0);
        if (stored.Version < 14) stored.Options.ReflectedCovariates = null;
        if (stored.Version < 15) stored.Options.CovariateEdgesOn = false;
        if (stored.Version < 16) stored.Options.CentredMediatorEdges = false;
        if (stored.Options.CovariateSenders < 0 || stored.Options.CovariateSenders >= stored.ChannelCount)
            throw new InvalidDataException($"it counts {stored.Options.CovariateSenders} covariates among {stored.ChannelCount} given series (at least one must be a channel)");
        if (stored.Options.ReflectedCovariates is { } reflected && reflected.Length != stored.Options.CovariateSenders)
            throw new InvalidDataException($"it reflects {reflected.Length} covariates but counts {stored.Options.CovariateSenders}");
        if (stored.Options.ReflectedCovariates is not null && stored.Options.Scaling != ScalingMethod.MinMax)
            throw new InvalidDataException($"it reflects covariates under {stored.Options.Scaling} scaling, which has no window maximum to reflect from");
        if (stored.Options.Trend is null)
            throw new InvalidDataException("its trend setting is not resolved (a fitted model stores whether it has a trend)");
        if (stored.TrendStart is not null && stored.Options.Trend != true)
            throw new InvalidDataException("it holds a trend start although its Trend is off");
        if (!Enum.IsDefined(stored.Options.Seasonality))
            throw new InvalidDataException($"its seasonality setting {(int)stored.Options.Seasonality} is not one this version knows ({string.Join(", ", Enum.GetNames<SeasonalBaseline>())})");
        if (stored.Seasonal is not null && stored.Options.Seasonality == SeasonalBaseline.None)
            throw new InvalidDataException("it holds seasonal terms although its Seasonality is None");
        stored.Seasonal?.Validate();
        if (!Enum.IsDefined(stored.Options.Saturation))
            throw new InvalidDataException($"its saturation input {(int)stored.Options.Saturation} is not one this version knows ({string.Join(", ", Enum.GetNames<SaturationInput>())})");
        if (!Enum.IsDefined(stored.Options.Encoder))
            throw new InvalidDataException($"its encoder kind {(int)stored.Options.Encoder} is not one this version knows ({string.Join(", ", Enum.GetNames<EdgeEncoder>())})");
        if (CausalRelationalEncoder.ReadsPairs(stored.Options) && stored.EncoderWindow < CausalRelationalEncoder.PairKernel)
            throw new InvalidDataException($"its pair-convolution encoder reads {stored.EncoderWindow} steps, fewer than its kernel of {CausalRelationalEncoder.PairKernel}");
        var model = new CausalMmmModel(stored.Options, stored.NodeNames, stored.ChannelCount, stored.ContextNames, stored.ContextMean, stored.ContextScale,
            stored.EncoderWindow, stored.ShopIds ?? Array.Empty<string>(), stored.Seasonal, stored.TrendStart) { Summary = stored.Summary };
        try
        {
            reader.ReadModule("weights", model.Network);
            model.Network.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Releases the network's native tensors.</summary>
    public void Dispose() => Network.Dispose();

    private sealed record Stored(string Format, int Version, CausalMmmOptions Options, string[] NodeNames, int ChannelCount, string[] ContextNames,
        double[] ContextMean, double[] ContextScale, int EncoderWindow, TrainingSummary? Summary, string[]? ShopIds, SeasonalTerms? Seasonal = null,
        DateOnly? TrendStart = null);
}

/// <summary>What <see cref="CausalMmmModel.Predict"/> returns, per shop on the original scale.</summary>
/// <param name="FittedStart">Panel step of row 0 of <paramref name="Fitted"/>.</param>
/// <param name="Fitted">[step, node] teacher-forced one-step predictions of steps FittedStart.. (row 0 is NaN: nothing precedes it).</param>
/// <param name="Forecast">[step, node] forecasts of the steps from the origin.</param>
internal sealed record ModelPrediction(int FittedStart, double[][,] Fitted, double[][,] Forecast);

/// <summary>
/// Where <see cref="CausalMmmModel.Rollout"/> starts, per shop: scaling <see cref="Min"/> and <see cref="Range"/> [S, n]
/// (value = scaled * range + min), decoder <see cref="State"/> [S, n, H] after the history, the last scaled values
/// <see cref="Last"/> [S, n], <see cref="Context"/> [S, C], edge probabilities <see cref="Edges"/> [S, E (+ Ec)] (before the
/// shop gains), with response curves the scaled given series of the last history steps <see cref="GivenTail"/>
/// [S, L, given], with shop gains each shop's multipliers of the same-day edges <see cref="Gains"/> [S, Ec], and with
/// baseline inputs the last day's baseline <see cref="LastBase"/> [S, n] and each node's level over the window <see cref="Levels"/> [S, n];
/// with seasonal terms, the date of the first forecast step <see cref="FirstDate"/> (the roll-out's values are then the
/// series less their seasonal baseline, which <see cref="CausalMmmModel.Rollout"/> adds back to its result); with a trend,
/// each shop's slopes <see cref="TrendSlopes"/> [S, n] and the first forecast step's place on the trend's time axis
/// <see cref="TrendFirstStep"/> (the roll-out's values are also less the trend line, which it adds back); with centred
/// mediator edges, each node's mean over the window <see cref="Anchors"/> [S, n], held for the whole horizon.
/// </summary>
internal sealed record RolloutStart(Tensor Min, Tensor Range, Tensor State, Tensor Last, Tensor Context, Tensor Edges, Tensor? GivenTail, Tensor? Gains, Tensor? LastBase,
    Tensor? Levels, DateOnly? FirstDate = null, Tensor? TrendSlopes = null, long TrendFirstStep = 0, Tensor? Anchors = null)
    : IDisposable
{
    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Min.Dispose();
        Range.Dispose();
        State.Dispose();
        Last.Dispose();
        Context.Dispose();
        Edges.Dispose();
        GivenTail?.Dispose();
        Gains?.Dispose();
        LastBase?.Dispose();
        Levels?.Dispose();
        TrendSlopes?.Dispose();
        Anchors?.Dispose();
    }
}

/// <summary>
/// One step of a roll-out, recorded for another that reads it: the day's scaled values [R, n], the recurrent state it was
/// emitted from [R*n, H], with same-day edges the plan's given series of the day [R, given], and with response curves the
/// given series before it [R, L, given].
/// </summary>
internal sealed record RolloutStep(Tensor Values, Tensor State, Tensor? Given, Tensor? Tail)
{
    /// <summary>Moves the tensors to the enclosing dispose scope.</summary>
    public void MoveToOuterDisposeScope()
    {
        Values.MoveToOuterDisposeScope();
        State.MoveToOuterDisposeScope();
        Given?.MoveToOuterDisposeScope();
        Tail?.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Which edges of a roll-out read their senders from another roll-out's <see cref="Trace"/>: the lagged edges marked 1 in
/// <see cref="LaggedMask"/> [R, E] and the given series' same-day edges marked in <see cref="SameDayMask"/> [R, Ec given].
/// </summary>
internal sealed record RolloutAlternative(IReadOnlyList<RolloutStep> Trace, Tensor LaggedMask, Tensor? SameDayMask);
