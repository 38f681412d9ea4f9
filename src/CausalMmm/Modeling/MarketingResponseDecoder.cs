using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// p(X, y | z), the paper's equation 1. Per step t, each edge i -> j carries a message h_ij^t = f_edge(.) weighted by
/// z_ij; a node's messages are aggregated into MSG_j^t; a GRU (shared by all nodes) takes [MSG_j^t, x_j^t] and carries
/// the state (carry-over); f_pre maps [h_j^{t+1}, x_j^t] to the next-step mean; the target passes through the
/// context-driven S-curve. With <see cref="MessageSource.HiddenStates"/> the messages read the two nodes' hidden states
/// h_i^t and h_j^t, so the recurrence runs step by step; with <see cref="MessageSource.ObservedValues"/> they read the
/// observed values, and teacher forcing runs every step's messages as one batch and the GRU as one sequence call.
/// With same-day edges (beyond the paper), the given series' values of the step being predicted also reach the
/// mediators and the target: f_pre's input gains SAME_j^{t+1}, the mean over given nodes i of z0_ij g(x_i^{t+1})
/// (<see cref="SameDayResponse.Message"/>), or the prediction gains sum_i z0_ij beta_ij Hill_ij(adstock_ij(x_i))^{t+1}
/// (<see cref="SameDayResponse.SaturatingCurve"/>), where the adstock reads the given series up to the predicted step.
/// With mediator edges (<see cref="CausalMmmOptions.SameDayMediators"/>), each mediator then adds z0_mk gamma_mk (m^{t+1} - a_m)
/// (a non-negative gain gamma; a_m zero, or with <see cref="CausalMmmOptions.CentredMediatorEdges"/> the mediator's mean
/// over the window, see <see cref="Anchors"/>) to every later mediator
/// and the target k, in the fixed same-day order: teacher forcing
/// reads the day's observed mediators, a roll-out settles its own predicted mediators first (<see cref="Settle"/>). With
/// baseline inputs, the recurrence and f_pre read each day less its same-day responses, and f_pre also reads each node's
/// level, the mean of that baseline over the window.
/// </summary>
internal sealed class MarketingResponseDecoder : nn.Module
{
    private readonly EdgeIndex _edges;
    private readonly MessageSource _messages;
    private readonly MessageAggregation _aggregation;
    private readonly int _feedbackSteps;
    private readonly Linear _edgeIn;
    private readonly Linear _edgeOut;
    private readonly GRU? _recurrent;
    private readonly Linear? _markov;
    private readonly Linear _preHidden;
    private readonly Linear _preOut;
    private readonly SaturationModule? _saturation;
    private readonly Linear? _sameDayIn;
    private readonly Linear? _sameDayOut;
    private readonly Parameter? _curveDecay;
    private readonly Parameter? _curveHalf;
    private readonly Parameter? _curveShape;
    private readonly Parameter? _curveGain;
    private readonly double? _curveMaxShape;
    private readonly Parameter? _mediatorGain;
    private readonly bool _centredMediators;
    private readonly float[]? _laggedMask;
    private readonly bool _baselineInputs;
    private readonly Parameter? _curveHalfContext;
    private readonly Linear? _selfIn;
    private readonly Linear? _selfOut;
    private readonly int _inputWidth;
    private readonly int _lags;
    private readonly bool _receiverInMessages;
    private readonly Parameter? _edgeMessageGains;
    private readonly Parameter? _covariateGain;
    private readonly float[]? _covariateMask;
    private Tensor? _covariateMaskTensor; // _covariateMask on the device and dtype of the last call, made once rather than every step

    // Kept alive for the process: a number passed straight to a TorchSharp call becomes a temporary Scalar the GC may free
    // during the native call (see Mlp), which surfaced as a rare "toFloat" failure in the planning tests.
    private static readonly Scalar One = 1.0, Rate = CurveRate, HalfFloor = 1e-3, MaxDecay = CurveMaxDecay, MinShape = CurveMinShape, SpendFloor = 1e-6;
    private readonly Scalar? _shapeSpan;
    private readonly Scalar _givenCount;
    private readonly Scalar _sumOverNodes;

    /// <summary>Steps a response curve's adstock reads (the predicted step and those before it).</summary>
    public const int CurveSpan = 28;

    public MarketingResponseDecoder(EdgeIndex edges, int contextCount, CausalMmmOptions options) : base(nameof(MarketingResponseDecoder))
    {
        _edges = edges;
        Hidden = options.HiddenSize;
        int hidden = options.HiddenSize;
        // CM-MARKOV has no recurrent state to send, so its messages always read the observed values.
        _messages = options.Variant == CausalMmmVariant.Markov ? MessageSource.ObservedValues : options.Messages;
        _aggregation = options.Aggregation;
        _givenCount = Math.Max(edges.GivenCount, 1);
        _sumOverNodes = (edges.NodeCount - 1.0) / edges.NodeCount;
        _feedbackSteps = options.FeedbackSteps;
        // Observed-value messages read each node's last MessageLags values; the values before the newest travel in the state.
        _lags = _messages == MessageSource.ObservedValues ? options.MessageLags : 1;
        if (options.SelfMessages)
        {
            // Every node's own message, never gated: a node's nonlinear self-dynamics need no edge from another node.
            _selfIn = nn.Linear(_lags, hidden);
            _selfOut = nn.Linear(hidden, hidden);
            register_module("self_fc1", _selfIn);
            register_module("self_fc2", _selfOut);
        }
        _inputWidth = _selfIn is null ? hidden + 1 : 2 * hidden + 1;
        _receiverInMessages = options.ReceiverInMessages;
        int perNode = _messages switch { MessageSource.HiddenStates => hidden, MessageSource.HiddenStatesAndValues => hidden + 1, _ => _lags };
        if (options.EdgeMessageGains)
        {
            // Each lagged edge's own scale of every message component: one sender, a different effect on each receiver.
            _edgeMessageGains = nn.Parameter(torch.ones(new long[] { edges.EdgeCount, hidden }));
            register_parameter("edge_message_gains", _edgeMessageGains);
        }
        _edgeIn = nn.Linear(_receiverInMessages ? 2 * perNode : perNode, hidden);
        _edgeOut = nn.Linear(hidden, hidden);
        register_module("edge_fc1", _edgeIn);
        register_module("edge_fc2", _edgeOut);
        if (options.Variant == CausalMmmVariant.Markov)
        {
            _markov = nn.Linear(_inputWidth, hidden);
            register_module("markov", _markov);
        }
        else
        {
            _recurrent = nn.GRU(_inputWidth, hidden);
            register_module("gru", _recurrent);
        }
        bool sameDay = edges.GivenSameDayEdgeCount > 0;
        _baselineInputs = options.BaselineInputs && edges.SameDayEdgeCount > 0;
        if (!options.LaggedMediaMessages && sameDay)
        {
            // Given series act through their same-day edges only: their lagged edges carry no message.
            _laggedMask = edges.Senders.Select(i => i < edges.GivenCount ? 0f : 1f).ToArray();
        }
        if (edges.MediatorSameDayEdgeCount > 0)
        {
            // Per same-day mediator edge, a non-negative gain on the sender's scaled value (stored divided by CurveRate): a
            // linear response, starting at a tenth of the receiver's range per range of the sender.
            _mediatorGain = nn.Parameter(torch.full(new[] { (long)edges.MediatorSameDayEdgeCount }, InverseSoftplus(0.1) / CurveRate));
            register_parameter("mediator_gain", _mediatorGain);
            _centredMediators = options.CentredMediatorEdges;
        }
        if (sameDay && options.SameDayResponse == SameDayResponse.SaturatingCurve)
        {
            // Per same-day edge, unconstrained parameters of decay, half-saturation, shape and gain. The starting curve
            // (decay 0.5, half-saturation 0.4 of the shop's peak spend, shape 1.5, gain 0.1 of the receiver's range) is a
            // moderate, concave-to-S response; training moves each edge's own. Under a shape bound the shape starts at the
            // middle of its range when that is lower than 1.5 (1.25 under the default bound of 2), where the sigmoid
            // that keeps it inside passes gradients best.
            // They are stored divided by CurveRate (see there).
            long count = edges.GivenSameDayEdgeCount;
            _curveDecay = nn.Parameter(torch.full(new[] { count }, Logit(0.5 / CurveMaxDecay) / CurveRate));
            _curveHalf = nn.Parameter(torch.full(new[] { count }, InverseSoftplus(0.4) / CurveRate));
            _curveMaxShape = options.CurveMaxShape;
            if (_curveMaxShape is double bound) _shapeSpan = bound - CurveMinShape;
            double rawShape = _curveMaxShape switch
            {
                null => InverseSoftplus(1.5 - CurveMinShape),
                double max when max > 2.5 => Logit((1.5 - CurveMinShape) / (max - CurveMinShape)),
                _ => 0, // the middle of [CurveMinShape, max]
            };
            _curveShape = nn.Parameter(torch.full(new[] { count }, rawShape / CurveRate));
            _curveGain = nn.Parameter(torch.full(new[] { count }, InverseSoftplus(0.1) / CurveRate));
            int covariates = options.SignedCovariates ? options.CovariateSenders : 0;
            if (covariates > 0)
            {
                // A covariate's edges respond linearly with a gain of either sign (stored divided by CurveRate), starting at
                // no effect; the mask picks them out of the same-day edges.
                _covariateGain = nn.Parameter(torch.zeros(new[] { count }));
                register_parameter("covariate_gain", _covariateGain);
                _covariateMask = Enumerable.Range(0, (int)count).Select(e => edges.IsFromCovariate(e, covariates) ? 1f : 0f).ToArray();
            }
            if (options.CurveContext)
            {
                // Log-shift of each edge's half-saturation point per standardised context variable, starting at none.
                _curveHalfContext = nn.Parameter(torch.zeros(new long[] { Math.Max(contextCount, 1), count }));
                register_parameter("curve_half_context", _curveHalfContext);
            }
            register_parameter("curve_decay", _curveDecay);
            register_parameter("curve_half", _curveHalf);
            register_parameter("curve_shape", _curveShape);
            register_parameter("curve_gain", _curveGain);
            sameDay = false; // no message path
        }
        if (sameDay)
        {
            _sameDayIn = nn.Linear(1, hidden);
            _sameDayOut = nn.Linear(hidden, hidden);
            register_module("same_day_fc1", _sameDayIn);
            register_module("same_day_fc2", _sameDayOut);
        }
        // With baseline inputs the head also reads each node's level: its mean baseline over the window before the origin,
        // an anchor a roll-out of many steps keeps while the recurrence carries the deviations from it.
        int headValues = _baselineInputs ? 2 : 1;
        _preHidden = nn.Linear(sameDay ? 2 * hidden + headValues : hidden + headValues, hidden);
        _preOut = nn.Linear(hidden, 1);
        register_module("pre_fc1", _preHidden);
        register_module("pre_fc2", _preOut);
        if (options.Variant != CausalMmmVariant.NoSaturation)
        {
            _saturation = new SaturationModule(contextCount, options.Saturation);
            register_module("saturation", _saturation);
        }
    }

    public int Hidden { get; }

    /// <summary>
    /// Width of the per-node state a roll-out carries [B*n, StateWidth]: the recurrent state, then (with message lags) the
    /// node's values of the steps before the newest, newest first, which the next step's messages read.
    /// </summary>
    public int StateWidth => Hidden + _lags - 1;

    /// <summary>The recurrent part [B*n, H] of a carried state [B*n, StateWidth].</summary>
    private Tensor Recurrent(Tensor state) => _lags > 1 ? state.narrow(1, 0, Hidden) : state;

    /// <summary>
    /// Each step's window of values [B, T, n, K]: entry k holds the value k steps before, the steps before the first taken
    /// to equal it. Values [B, T, n] when messages read one step.
    /// </summary>
    private Tensor Windows(Tensor values)
    {
        if (_lags == 1) return values;
        Tensor padded = torch.cat(new[] { values.narrow(1, 0, 1).expand(values.size(0), _lags - 1, values.size(2)), values }, 1); // [B, K - 1 + T, n]
        Tensor windows = padded.unfold(1, _lags, 1); // [B, T, n, K], oldest first
        return windows.flip(-1);
    }

    /// <summary>A step's window [B, 1, n, K] from its values [B, n] and the carried state's earlier values; values [B, 1, n] without lags.</summary>
    private Tensor StepWindow(Tensor values, Tensor state, long b, long n)
    {
        if (_lags == 1) return values.unsqueeze(1);
        Tensor earlier = state.narrow(1, Hidden, _lags - 1).reshape(b, n, _lags - 1);
        return torch.cat(new[] { values.unsqueeze(-1), earlier }, -1).unsqueeze(1);
    }

    /// <summary>The carried state after a step: the new recurrent state [B*n, H] and, with lags, the step's window less its oldest value.</summary>
    private Tensor Carry(Tensor recurrent, Tensor window)
    {
        if (_lags == 1) return recurrent;
        Tensor kept = window.select(1, window.size(1) - 1).narrow(-1, 0, _lags - 1); // [B, n, K - 1]
        return torch.cat(new[] { recurrent, kept.reshape(recurrent.size(0), _lags - 1) }, 1);
    }

    /// <summary>
    /// The state [B*n, StateWidth] before the first step of a window: zero recurrence, and the first step's values [B, n]
    /// (its baseline when the decoder reads baselines) standing for the steps before it, as teacher forcing pads them.
    /// </summary>
    public Tensor InitialState(Tensor first)
    {
        long b = first.size(0), n = first.size(1);
        Tensor zeros = torch.zeros(new[] { b * n, (long)Hidden }, first.dtype, first.device);
        return _lags == 1 ? zeros : torch.cat(new[] { zeros, first.reshape(b * n, 1).expand(b * n, _lags - 1) }, 1);
    }

    /// <summary>True when same-day edges act through per-edge response curves (<see cref="SameDayResponse.SaturatingCurve"/>).</summary>
    public bool HasCurves => _curveGain is not null;

    private const double CurveMaxDecay = 0.95;

    /// <summary>
    /// The curve parameters are used multiplied by this, so Adam, whose steps have a fixed size in the stored units, moves
    /// them this many times faster than the network's weights: a few dozen parameters per edge must travel several units
    /// (a gain from 0.1 to 2, say) in the few hundred steps a fit takes, where the weights move by small amounts.
    /// </summary>
    private const double CurveRate = 10;
    /// <summary>The lowest Hill shape a response curve can take (a concave curve).</summary>
    public const double CurveMinShape = 0.5;

    /// <summary>
    /// Each same-day edge's learned response curve on the scaled series: sender and receiver node indices, adstock decay,
    /// half-saturation point, Hill shape and gain. Empty without response curves. A covariate's edge with a signed linear
    /// response (<see cref="CausalMmmOptions.SignedCovariates"/>) has no half-saturation point or shape (NaN) and its
    /// signed gain per unit of the adstocked scaled covariate.
    /// </summary>
    public IReadOnlyList<ResponseCurveParameters> CurveParameters()
    {
        if (_curveGain is null) return Array.Empty<ResponseCurveParameters>();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double[] Values(Tensor t) => t.to(torch.float64).cpu().data<double>().ToArray();
        double[] decay = Values(CurveDecay()), half = Values(CurveHalf()), shape = Values(CurveShape()), gain = Values(CurveGain());
        double[]? signed = _covariateMask is null ? null : Values(_covariateGain! * Rate);
        float[]? mask = _covariateMask;
        return Enumerable.Range(0, gain.Length)
            .Select(e => mask is not null && mask[e] > 0
                ? new ResponseCurveParameters((int)_edges.SameDaySenders[e], (int)_edges.SameDayReceivers[e], decay[e], double.NaN, double.NaN, signed![e])
                : new ResponseCurveParameters((int)_edges.SameDaySenders[e], (int)_edges.SameDayReceivers[e], decay[e], half[e], shape[e], gain[e])).ToArray();
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));

    private static double InverseSoftplus(double y) => Math.Log(Math.Exp(y) - 1);

    /// <summary>
    /// Per same-day edge, the response beta * Hill(adstock(x_sender)) at every step of <paramref name="given"/> [B, T, given]
    /// (scaled given series, oldest first): [B, T, Ec]. The adstock at step t reads steps t - 27 .. t; steps before the
    /// first are taken to equal it, as if the series had been steady before the window.
    /// </summary>
    public Tensor CurveEdgeTerms(Tensor given, Tensor context)
    {
        using var scope = torch.NewDisposeScope();
        Tensor windows = CurveWindows(given).unfold(2, CurveSpan, 1); // [B, Ec, T, span], oldest first
        Tensor adstock = (windows * CurveKernel(given).unsqueeze(1)).sum(-1); // [B, Ec, T]
        return CurveResponse(adstock.permute(0, 2, 1), context).MoveToOuterDisposeScope();
    }

    /// <summary>The senders' series of every same-day edge [B, Ec, span - 1 + T], led by span - 1 copies of the first step.</summary>
    private Tensor CurveWindows(Tensor given)
    {
        if (_curveGain is null) throw new InvalidOperationException("This decoder has no response curves.");
        long b = given.size(0), count = _edges.GivenSameDayEdgeCount;
        Tensor senders = given.index_select(2, _edges.SameDaySenderIndex).permute(0, 2, 1); // [B, Ec, T]
        return torch.cat(new[] { senders.narrow(2, 0, 1).expand(b, count, CurveSpan - 1), senders }, 2);
    }

    /// <summary>Each edge's adstock weights [Ec, span], oldest step first, summing to 1 so the adstock stays on the spend's scale.</summary>
    private Tensor CurveKernel(Tensor like)
    {
        Tensor decay = CurveDecay(); // [Ec]
        Tensor lags = torch.arange(CurveSpan - 1, -1, -1, dtype: like.dtype, device: like.device);
        Tensor kernel = decay.unsqueeze(1).pow(lags.unsqueeze(0));
        return kernel / kernel.sum(1, keepdim: true);
    }

    /// <summary>beta * Hill(adstock) per edge, for adstocks [B, Ec] or [B, T, Ec] of shops with <paramref name="context"/> [B, C].</summary>
    private Tensor CurveResponse(Tensor adstock, Tensor context)
    {
        // Hill a^k / (a^k + K^k) written as sigmoid(k (log a - log K)): finite gradients at zero spend.
        Tensor logHalf = CurveHalf().log(), shape = CurveShape();
        if (_curveHalfContext is not null)
        {
            // Each shop's half-saturation points move with its context, as the saturation module's S-curve does.
            Tensor shift = context.matmul(_curveHalfContext); // [B, Ec]
            logHalf = logHalf + (adstock.dim() == 3 ? shift.unsqueeze(1) : shift);
        }
        Tensor hill = (shape * (adstock.clamp_min(SpendFloor).log() - logHalf)).sigmoid();
        Tensor response = hill * CurveGain();
        // Covariates' edges: the signed linear response instead of the curve.
        if (_covariateMask is null) return response;
        return response + CovariateMask(response) * (adstock * (_covariateGain! * Rate) - response);
    }

    /// <summary>The covariate edges' mask [Ec] on <paramref name="like"/>'s device and dtype, kept between calls (training calls this every step).</summary>
    private Tensor CovariateMask(Tensor like)
    {
        Tensor? kept = _covariateMaskTensor;
        if (kept is null || kept.dtype != like.dtype || kept.device_type != like.device_type || kept.device_index != like.device_index)
        {
            kept?.Dispose();
            kept = torch.tensor(_covariateMask!, dtype: like.dtype, device: like.device).DetachFromDisposeScope();
            _covariateMaskTensor = kept;
        }
        return kept;
    }

    /// <summary>Each edge's adstock decay [Ec], in (0, <see cref="CurveMaxDecay"/>).</summary>
    private Tensor CurveDecay() => (_curveDecay! * Rate).sigmoid() * MaxDecay;

    /// <summary>Each edge's half-saturation point [Ec] on the scaled spend, positive.</summary>
    private Tensor CurveHalf() => Activations.Softplus(_curveHalf! * Rate) + HalfFloor;

    /// <summary>Each edge's non-negative gain [Ec] on the receiver's scale.</summary>
    private Tensor CurveGain() => Activations.Softplus(_curveGain! * Rate);

    /// <summary>Each edge's Hill shape [Ec]: above <see cref="CurveMinShape"/>, and below the options' maximum when one is set.</summary>
    private Tensor CurveShape() => _shapeSpan is not null
        ? (_curveShape! * Rate).sigmoid() * _shapeSpan + MinShape
        : Activations.Softplus(_curveShape! * Rate) + MinShape;

    /// <summary>
    /// What the response curves add to each node's prediction: per edge terms [B, T, Ec] weighted by the same-day edge
    /// weights in <paramref name="edgeWeights"/> [B, E + Ec] and summed per receiver, [B, T, n] (zero for given nodes).
    /// </summary>
    public Tensor CurveNodeTerms(Tensor edgeTerms, Tensor edgeWeights)
    {
        using var scope = torch.NewDisposeScope();
        long b = edgeTerms.size(0), t = edgeTerms.size(1);
        int given = _edges.GivenCount;
        long receivers = _edges.NodeCount - given;
        Tensor z = edgeWeights.narrow(1, _edges.EdgeCount, _edges.GivenSameDayEdgeCount).unsqueeze(1); // [B, 1, Ec]
        Tensor received = (edgeTerms * z).reshape(b, t, receivers, given).sum(-1);
        Tensor terms = torch.cat(new[] { torch.zeros(new[] { b, t, (long)given }, edgeTerms.dtype, edgeTerms.device), received }, 2);
        return terms.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Teacher forcing. values [B, T, n] (scaled), edgeWeights [B, E (+ Ec)], context [B, C]. Returns the means [B, T, n],
    /// where entry t predicts step t + 1, and the recurrent state after the last step [B*n, H]. With FeedbackSteps k, the
    /// last k steps read the previous step's predictions instead of the observed values. With same-day edges,
    /// <paramref name="nextGiven"/> [B, given] holds the given series of the step after the window (a plan); without it
    /// the given nodes' own predictions stand in.
    /// </summary>
    public (Tensor Means, Tensor State) Forward(Tensor values, Tensor edgeWeights, Tensor context, Tensor? nextGiven = null)
    {
        using var scope = torch.NewDisposeScope();
        long b = values.size(0), t = values.size(1), n = values.size(2);
        int given = _edges.GivenCount;
        Tensor? anchors = Anchors(values);
        // With baseline inputs the recurrence and the head read each day less its same-day responses.
        Tensor? windowCurves = _baselineInputs && HasCurves ? CurveNodeTerms(CurveEdgeTerms(values.narrow(2, 0, given), context), edgeWeights) : null;
        Tensor baseValues = _baselineInputs ? BaselineOf(values, windowCurves, edgeWeights, anchors) : values;
        Tensor? levels = _baselineInputs ? baseValues.mean(new long[] { 1 }) : null;
        if (_messages == MessageSource.ObservedValues && _feedbackSteps == 0)
        {
            Tensor windows = Windows(baseValues);
            Tensor inputs = StepInputs(windows, baseValues, Lagged(edgeWeights)); // [B, T, n, input width]: every step's messages at once
            Tensor states, last;
            if (_recurrent is not null)
            {
                Tensor sequence = inputs.permute(1, 0, 2, 3).reshape(t, b * n, _inputWidth);
                (Tensor all, Tensor final) = _recurrent.forward(sequence);
                last = Carry(final.squeeze(0), windows);
                states = all.reshape(t, b, n, Hidden).permute(1, 0, 2, 3);
            }
            else
            {
                states = _markov!.forward(inputs).tanh();
                last = Carry(states.narrow(1, t - 1, 1).reshape(b * n, Hidden), windows);
            }
            Tensor? known = null;
            if (_sameDayIn is not null)
            {
                known = t > 1 ? values.narrow(1, 1, t - 1).narrow(2, 0, given) : null;
                if (nextGiven is not null) known = known is null ? nextGiven.unsqueeze(1) : torch.cat(new[] { known, nextGiven.unsqueeze(1) }, 1);
            }
            Tensor batched = Predict(states, baseValues, context, known, edgeWeights, levels);
            if (HasCurves) batched = batched + WindowCurves(values, edgeWeights, nextGiven ?? batched.select(1, t - 1).narrow(1, 0, given), context);
            if (HasMediatorEdges)
            {
                // Every step but the last predicts an observed step, whose mediators drive the later nodes that day; the
                // step after the window settles on its own predicted mediators.
                Tensor settledLast = Settle(batched.narrow(1, t - 1, 1), edgeWeights, anchors);
                batched = t > 1
                    ? torch.cat(new[] { batched.narrow(1, 0, t - 1) + MediatorTerms(values.narrow(1, 1, t - 1), edgeWeights, anchors), settledLast }, 1)
                    : settledLast;
            }
            return (batched.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
        }

        Tensor state = InitialState(baseValues.select(1, 0));
        var means = new List<Tensor>();
        // Response curves read the observed given series (plans are known), all but the last step's in one pass; the last
        // step's plan may be the given nodes' own prediction, so that step computes its curves itself from the window's tail.
        Tensor? curves = HasCurves && t > 1 ? WindowCurves(values.narrow(1, 0, t - 1), edgeWeights, values.select(1, t - 1).narrow(1, 0, given), context) : null;
        for (long step = 0; step < t; step++)
        {
            bool last = step + 1 == t;
            // Within the feedback steps the mediators of the predicted day are the decoder's own, as in a roll-out.
            bool fedBack = step + 1 >= t - _feedbackSteps;
            bool feeds = step >= t - _feedbackSteps && step > 0;
            Tensor current = feeds ? means[^1] : values.select(1, step);
            Tensor? currentBase = !_baselineInputs ? null
                : feeds ? BaselineOf(current, windowCurves?.select(1, step), edgeWeights, anchors)
                : baseValues.select(1, step);
            Tensor? next = last ? nextGiven : _sameDayIn is null ? null : values.select(1, step + 1).narrow(1, 0, given);
            (Tensor mean, state) = StepCore(current, state, edgeWeights, context, next, last ? TailOf(values) : null, skipCurves: !last, settle: last, currentBase, levels, anchors);
            if (curves is not null && !last) mean = mean + curves.select(1, step);
            if (HasMediatorEdges && !last)
                mean = fedBack ? Settle(mean.unsqueeze(1), edgeWeights, anchors).squeeze(1) : mean + MediatorTerms(values.narrow(1, step + 1, 1), edgeWeights, anchors).squeeze(1);
            means.Add(mean);
        }
        return (torch.stack(means, 1).MoveToOuterDisposeScope(), state.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The response curves' terms [B, T, n] for the steps each teacher-forced mean predicts: the given series of
    /// <paramref name="values"/> [B, T, n] shifted by one, with <paramref name="nextGiven"/> [B, given] as the step after.
    /// </summary>
    private Tensor WindowCurves(Tensor values, Tensor edgeWeights, Tensor nextGiven, Tensor context)
    {
        long t = values.size(1);
        Tensor series = torch.cat(new[] { values.narrow(2, 0, _edges.GivenCount), nextGiven.unsqueeze(1) }, 1); // steps 0 .. T
        return CurveNodeTerms(CurveEdgeTerms(series, context), edgeWeights).narrow(1, 1, t);
    }

    private (Tensor Means, Tensor State) StepCore(Tensor current, Tensor state, Tensor edgeWeights, Tensor context, Tensor? nextGiven, Tensor? givenTail, bool skipCurves,
        bool settle, Tensor? currentBase, Tensor? levels, Tensor? anchors)
    {
        currentBase ??= current;
        Tensor next = AdvanceCore(current, currentBase, state, edgeWeights, null);
        return (EmitCore(next, current, context, edgeWeights, nextGiven, null, givenTail, skipCurves, settle, currentBase, levels, anchors).Means, next);
    }

    /// <summary>
    /// <paramref name="values"/> [..., n] less their same-day responses: <paramref name="curveTerms"/> (the response curves'
    /// terms of the same steps, or null) and the same-day mediator edges' terms read from the values' own mediators
    /// (centred on <paramref name="anchors"/>, see <see cref="Anchors"/>).
    /// </summary>
    private Tensor BaselineOf(Tensor values, Tensor? curveTerms, Tensor edgeWeights, Tensor? anchors)
    {
        Tensor result = curveTerms is null ? values : values - curveTerms;
        if (!HasMediatorEdges) return result;
        bool single = values.dim() == 2;
        Tensor mediated = MediatorTerms(single ? values.unsqueeze(1) : values, edgeWeights, anchors);
        return result - (single ? mediated.squeeze(1) : mediated);
    }

    /// <summary>
    /// The recurrent update alone: current values [B, n] and state [B*n, H] to the state after this step [B*n, H]. With
    /// <paramref name="alternative"/>, the edges it marks carry messages computed from its counterfactual sender values
    /// and states instead (for path-specific effects: the direct effect of a channel reaches the target through the
    /// channel -> target edges only). With baseline inputs, <paramref name="currentBase"/> [B, n] holds the day's
    /// baseline, the values less their same-day responses (<see cref="EmitWithBaseline"/> returns it for a predicted day),
    /// which the recurrence reads instead of the values.
    /// </summary>
    public Tensor Advance(Tensor current, Tensor state, Tensor edgeWeights, SenderOverride? alternative = null, Tensor? currentBase = null)
    {
        using var scope = torch.NewDisposeScope();
        if (_baselineInputs && currentBase is null) throw new InvalidOperationException("A decoder with baseline inputs advances on the day's baseline (currentBase).");
        return AdvanceCore(current, currentBase ?? current, state, edgeWeights, alternative).MoveToOuterDisposeScope();
    }

    /// <summary>True when the recurrence reads each day less its same-day responses (<see cref="CausalMmmOptions.BaselineInputs"/>).</summary>
    public bool ReadsBaselines => _baselineInputs;

    /// <summary>
    /// The baseline [B, n] of day <paramref name="day"/> of <paramref name="window"/> [B, T, n] (scaled) with that day's
    /// values taken from <paramref name="values"/> [B, n] (the observed day, or a prediction of it): the values less their
    /// same-day responses, the curves reading the window's given series up to the day. The centred mediator edges measure
    /// their senders from <paramref name="anchors"/> [B, n] when given, else from the window's own (<see cref="Anchors"/>),
    /// which matches teacher forcing only when <paramref name="window"/> is the window <see cref="Forward"/> read.
    /// </summary>
    public Tensor DayBaseline(Tensor window, int day, Tensor values, Tensor edgeWeights, Tensor context, Tensor? anchors = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? curves = HasCurves ? CurveNodeTerms(CurveEdgeTerms(window.narrow(1, 0, day + 1).narrow(2, 0, _edges.GivenCount), context), edgeWeights).select(1, day) : null;
        return BaselineOf(values, curves, edgeWeights, anchors ?? Anchors(window)).MoveToOuterDisposeScope();
    }

    private Tensor AdvanceCore(Tensor current, Tensor currentBase, Tensor state, Tensor edgeWeights, SenderOverride? alternative)
    {
        using var scope = torch.NewDisposeScope();
        long b = current.size(0), n = current.size(1);
        Tensor values = currentBase.unsqueeze(1); // [B, 1, n]
        Tensor window = StepWindow(currentBase, state, b, n);
        Tensor? altSenders = alternative is null ? null : SenderFeatures(StepWindow(alternative.Values, alternative.State, b, n), alternative.State, b, n);
        Tensor inputs = StepInputs(SenderFeatures(window, state, b, n), values, Lagged(edgeWeights), altSenders, alternative?.LaggedMask).reshape(b * n, _inputWidth);
        Tensor recurrent = Recurrent(state);
        Tensor next = _recurrent is not null
            ? _recurrent.forward(inputs.unsqueeze(0), recurrent.unsqueeze(0)).Item2.squeeze(0)
            : _markov!.forward(inputs).tanh();
        return Carry(next, window).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The means [B, n] of the step a state [B*n, H] predicts, from the values [B, n] of the step before it. With same-day
    /// edges, <paramref name="nextGiven"/> [B, given] holds the given series of the predicted step, and
    /// <paramref name="alternative"/>'s <see cref="SenderOverride.NextGiven"/> replaces them on the same-day edges it marks.
    /// With response curves, <paramref name="givenTail"/> [B, L, given] (L up to <see cref="CurveSpan"/> - 1) holds the given
    /// series of the steps before the predicted one, from which the adstock carries over.
    /// </summary>
    public Tensor Emit(Tensor state, Tensor current, Tensor context, Tensor edgeWeights, Tensor? nextGiven, SenderOverride? alternative = null,
        Tensor? givenTail = null, Tensor? currentBase = null, Tensor? levels = null, Tensor? anchors = null) =>
        EmitWithBaseline(state, current, context, edgeWeights, nextGiven, alternative, givenTail, currentBase, levels, anchors).Means;

    /// <summary>
    /// <see cref="Emit"/>, with the predicted day's baseline [B, n] beside its means: the head's output before the same-day
    /// responses (for the given nodes, their means). A roll-out advances on it when the decoder reads baselines. With
    /// baseline inputs, <paramref name="currentBase"/> holds the baseline of the day before (<paramref name="current"/>'s) and
    /// <paramref name="levels"/> [B, n] each node's level (<see cref="Levels"/> of the window before the origin). With centred
    /// mediator edges, <paramref name="anchors"/> [B, n] holds <see cref="Anchors"/> of that window.
    /// </summary>
    public (Tensor Means, Tensor Baseline) EmitWithBaseline(Tensor state, Tensor current, Tensor context, Tensor edgeWeights, Tensor? nextGiven,
        SenderOverride? alternative = null, Tensor? givenTail = null, Tensor? currentBase = null, Tensor? levels = null, Tensor? anchors = null)
    {
        if (_baselineInputs && (currentBase is null || levels is null))
            throw new InvalidOperationException("A decoder with baseline inputs emits from the day's baseline (currentBase) and the window's levels.");
        return EmitCore(state, current, context, edgeWeights, nextGiven, alternative, givenTail, skipCurves: false, settle: true, currentBase ?? current, levels, anchors);
    }

    /// <summary>
    /// Each node's level [B, n] over a window [B, T, n] (scaled): the mean of its baseline, the values less their same-day
    /// responses. Null without baseline inputs. It is one constant per shop and window, a shop intercept re-measured at
    /// each origin: teacher forcing reads the level of the whole training window, a forecast that of the window before its
    /// origin (the same one when it starts where training ended), so the days a forecast predicts never enter it.
    /// </summary>
    public Tensor? Levels(Tensor window, Tensor edgeWeights, Tensor context)
    {
        if (!_baselineInputs) return null;
        using var scope = torch.NewDisposeScope();
        Tensor? curves = HasCurves ? CurveNodeTerms(CurveEdgeTerms(window.narrow(2, 0, _edges.GivenCount), context), edgeWeights) : null;
        return BaselineOf(window, curves, edgeWeights, Anchors(window)).mean(new long[] { 1 }).MoveToOuterDisposeScope();
    }

    /// <summary>True when a same-day mediator edge reads its sender's deviation from the window's mean (<see cref="CausalMmmOptions.CentredMediatorEdges"/>).</summary>
    public bool CentresMediators => _centredMediators;

    /// <summary>
    /// Each node's mean [B, n] over a window [B, T, n] (scaled), from which a centred same-day mediator edge measures its
    /// sender; null when the mediator edges are not centred. Like <see cref="Levels"/>, one constant per shop and window:
    /// teacher forcing reads the training window's, a forecast that of the window before its origin, held fixed over the
    /// horizon, so a plan that raises page views for weeks keeps its mediated effect rather than having it absorbed.
    /// </summary>
    public Tensor? Anchors(Tensor window) => _centredMediators ? window.mean(new long[] { 1 }) : null;

    private (Tensor Means, Tensor Baseline) EmitCore(Tensor state, Tensor current, Tensor context, Tensor edgeWeights, Tensor? nextGiven, SenderOverride? alternative,
        Tensor? givenTail, bool skipCurves, bool settle, Tensor currentBase, Tensor? levels, Tensor? anchors)
    {
        using var scope = torch.NewDisposeScope();
        long b = current.size(0), n = current.size(1);
        Tensor means = Predict(Recurrent(state).reshape(b, 1, n, Hidden), currentBase.unsqueeze(1), context, nextGiven?.unsqueeze(1), edgeWeights, levels,
            alternative?.NextGiven?.unsqueeze(1), alternative?.SameDayMask).squeeze(1);
        Tensor baseline = means;
        if (HasCurves && !skipCurves)
        {
            if (givenTail is null) throw new InvalidOperationException("A decoder with response curves needs the given series before the predicted step (givenTail).");
            int given = _edges.GivenCount;
            // The predicted step's given series: the plan's, else the given nodes' own predictions (they receive no curve).
            Tensor next = nextGiven ?? means.narrow(1, 0, given);
            Tensor terms = LastCurveTerms(givenTail, next, context);
            if (alternative?.GivenTail is not null)
            {
                // The marked same-day edges respond to the counterfactual plan instead.
                Tensor altTerms = LastCurveTerms(alternative.GivenTail, alternative.NextGiven ?? next, context);
                terms = terms + alternative.SameDayMask! * (altTerms - terms);
            }
            means = means + CurveNodeTerms(terms.unsqueeze(1), edgeWeights).squeeze(1);
        }
        if (settle && HasMediatorEdges) means = Settle(means.unsqueeze(1), edgeWeights, anchors).squeeze(1);
        return (means.MoveToOuterDisposeScope(), baseline.MoveToOuterDisposeScope());
    }

    /// <summary>True when mediators act on later mediators and the target on the same day (<see cref="CausalMmmOptions.SameDayMediators"/>).</summary>
    public bool HasMediatorEdges => _mediatorGain is not null;

    /// <summary>Each same-day mediator edge's non-negative gain [Em]: the receiver's change, on its scale, per unit of the sender's scaled value.</summary>
    private Tensor MediatorGain() => Activations.Softplus(_mediatorGain! * Rate);

    /// <summary>Each same-day mediator edge's learned gain on the scaled series, with its sender and receiver node indices; empty without such edges.</summary>
    public IReadOnlyList<(int Sender, int Receiver, double Gain)> MediatorGains()
    {
        if (_mediatorGain is null) return Array.Empty<(int, int, double)>();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double[] gain = MediatorGain().to(torch.float64).cpu().data<double>().ToArray();
        int first = _edges.GivenSameDayEdgeCount;
        return gain.Select((g, e) => ((int)_edges.SameDaySenders[first + e], (int)_edges.SameDayReceivers[first + e], g)).ToArray();
    }

    /// <summary>
    /// What the same-day mediator edges add to each node on the days of <paramref name="sameDay"/> [B, T, n], whose mediators
    /// are read: z_ij gain_ij (x_i - a_i) per edge, summed per receiver, [B, T, n] (zero for given nodes and the first
    /// mediator), where a_i is the sender's anchor (<paramref name="anchors"/> [B, n], see <see cref="Anchors"/>; zero when
    /// the edges are not centred). Centred, an edge moves its receiver with the sender's movements but cannot shift the
    /// receiver's level: uncentred, the term's mean (the gain times the sender's level, about half the gain on scaled
    /// series) let each shop switch the edge on to raise the receiver's level, and on a panel of pure noise the edges
    /// were learned in the shops whose receiver sat above the others.
    /// </summary>
    public Tensor MediatorTerms(Tensor sameDay, Tensor edgeWeights, Tensor? anchors)
    {
        if (_centredMediators && anchors is null)
            throw new InvalidOperationException("A decoder with centred mediator edges measures their senders from the window's anchors (Anchors).");
        using var scope = torch.NewDisposeScope();
        Tensor z = edgeWeights.narrow(1, _edges.EdgeCount + _edges.GivenSameDayEdgeCount, _edges.MediatorSameDayEdgeCount).unsqueeze(1); // [B, 1, Em]
        Tensor senders = sameDay.index_select(2, _edges.MediatorSenderIndex); // [B, T, Em]
        if (anchors is not null) senders = senders - anchors.index_select(1, _edges.MediatorSenderIndex).unsqueeze(1);
        Tensor sent = senders * z * MediatorGain(); // [B, T, Em]
        return torch.zeros_like(sameDay).index_add(2, _edges.MediatorReceiverIndex, sent, One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A day computed in topological order: <paramref name="unsettled"/> [B, T, n] holds each node's prediction before the
    /// same-day mediator edges; each mediator, then the target, gets the terms of the mediators before it, read from their
    /// own settled predictions. As many passes as mediators settle every node (each pass fixes one more level of the chain).
    /// </summary>
    public Tensor Settle(Tensor unsettled, Tensor edgeWeights, Tensor? anchors)
    {
        if (!HasMediatorEdges) return unsettled;
        using var scope = torch.NewDisposeScope();
        Tensor settled = unsettled;
        int mediators = _edges.NodeCount - _edges.GivenCount - 1;
        for (int pass = 0; pass < mediators; pass++) settled = unsettled + MediatorTerms(settled, edgeWeights, anchors);
        return settled.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// With response curves, the given series [B, min(T, span - 1), given] of the last steps of scaled values [B, T, n]: the
    /// tail the step after them carries over from. Null without curves.
    /// </summary>
    public Tensor? TailOf(Tensor values)
    {
        if (!HasCurves) return null;
        long t = values.size(1), keep = Math.Min(t, CurveSpan - 1);
        return values.narrow(1, t - keep, keep).narrow(2, 0, _edges.GivenCount);
    }

    /// <summary>A tail [B, L, given] moved on by one step: the oldest step dropped when full, <paramref name="given"/> [B, given] appended.</summary>
    public static Tensor AdvanceTail(Tensor tail, Tensor given)
    {
        Tensor kept = tail.size(1) >= CurveSpan - 1 ? tail.narrow(1, 1, tail.size(1) - 1) : tail;
        return torch.cat(new[] { kept, given.unsqueeze(1) }, 1);
    }

    /// <summary>Per edge, the curve's response [B, Ec] on the step whose given series is <paramref name="next"/> [B, given], after <paramref name="tail"/> [B, L, given].</summary>
    private Tensor LastCurveTerms(Tensor tail, Tensor next, Tensor context)
    {
        // Only the last window is needed: the padded series' last span steps against the kernel.
        Tensor series = tail.size(1) == 0 ? next.unsqueeze(1) : torch.cat(new[] { tail, next.unsqueeze(1) }, 1);
        Tensor padded = CurveWindows(series);
        Tensor window = padded.narrow(2, padded.size(2) - CurveSpan, CurveSpan); // [B, Ec, span]
        return CurveResponse((window * CurveKernel(series)).sum(-1), context);
    }

    /// <summary>What a node sends along its edges: its hidden state, its value, or both ([B, 1, n, F], or values [B, 1, n]).</summary>
    private Tensor SenderFeatures(Tensor values, Tensor state, long b, long n) => _messages switch
    {
        MessageSource.HiddenStates => Recurrent(state).reshape(b, 1, n, Hidden),
        MessageSource.HiddenStatesAndValues => torch.cat(new[] { Recurrent(state).reshape(b, 1, n, Hidden), values.unsqueeze(-1) }, -1),
        _ => values,
    };

    /// <summary>
    /// The GRU inputs [B, T, n, input width]: aggregated messages computed from <paramref name="source"/> (values [B, T, n],
    /// or per-node features [B, T, n, F] such as hidden states or value windows), the node's own message with
    /// <see cref="CausalMmmOptions.SelfMessages"/>, then the node's own value.
    /// </summary>
    private Tensor StepInputs(Tensor source, Tensor values, Tensor edgeWeights, Tensor? altSource = null, Tensor? altMask = null)
    {
        Tensor sendersOf = source.index_select(2, _edges.SenderIndex), receiversOf = source.index_select(2, _edges.ReceiverIndex);
        if (altSource is not null)
        {
            // The marked edges read their sender from the counterfactual world; the receiver stays itself.
            Tensor mask = source.dim() == 3 ? altMask!.unsqueeze(1) : altMask!.unsqueeze(1).unsqueeze(-1); // [B, E] to [B, 1, E (, 1)]
            sendersOf = sendersOf + mask * (altSource.index_select(2, _edges.SenderIndex) - sendersOf);
        }
        Tensor pairs = !_receiverInMessages ? (source.dim() == 3 ? sendersOf.unsqueeze(-1) : sendersOf)
            : source.dim() == 3 ? torch.stack(new[] { sendersOf, receiversOf }, -1) : torch.cat(new[] { sendersOf, receiversOf }, -1);
        Tensor messages = _edgeOut.forward(_edgeIn.forward(pairs).tanh()).tanh(); // [B, T, E, H]
        if (_edgeMessageGains is not null) messages = messages * _edgeMessageGains;
        // The no-edge type sends nothing: a message counts only as much as its edge is present.
        Tensor weighted = messages * edgeWeights.unsqueeze(1).unsqueeze(-1);
        Tensor aggregated = _edges.MeanIncoming(weighted, 2); // [B, T, n, H]
        if (_aggregation == MessageAggregation.SumOverNodes) aggregated = aggregated * _sumOverNodes;
        if (_selfIn is not null)
        {
            // The node's own window (the source when messages read values), else its value.
            Tensor ownInput = _messages == MessageSource.ObservedValues && source.dim() == 4 ? source : values.unsqueeze(-1);
            Tensor own = _selfOut!.forward(_selfIn.forward(ownInput).tanh()).tanh(); // [B, T, n, H]
            return torch.cat(new[] { aggregated, own, values.unsqueeze(-1) }, -1);
        }
        return torch.cat(new[] { aggregated, values.unsqueeze(-1) }, -1);
    }

    /// <summary>The lagged part of the edge weights (the same-day ones follow it).</summary>
    private Tensor Lagged(Tensor edgeWeights)
    {
        Tensor lagged = _edges.SameDayEdgeCount == 0 ? edgeWeights : edgeWeights.narrow(1, 0, _edges.EdgeCount);
        return _laggedMask is null ? lagged : lagged * torch.tensor(_laggedMask, dtype: lagged.dtype, device: lagged.device);
    }

    /// <summary>
    /// The next-step means [B, T, n] from states [B, T, n, H] and values [B, T, n]. With same-day edges,
    /// <paramref name="knownNext"/> [B, T' &lt;= T, given] holds the given series of the predicted steps that are known; the
    /// rest are the given nodes' own predictions, which receive no same-day messages and so do not depend on them.
    /// </summary>
    private Tensor Predict(Tensor states, Tensor values, Tensor context, Tensor? knownNext, Tensor edgeWeights, Tensor? levels, Tensor? altNext = null, Tensor? altMask = null)
    {
        Tensor HeadValues(Tensor v) => levels is null ? v.unsqueeze(-1)
            : torch.stack(new[] { v, levels.unsqueeze(1).expand(v.size(0), v.size(1), v.size(2)) }, -1);
        if (_sameDayIn is null) return Head(torch.cat(new[] { states, HeadValues(values) }, -1), context);
        long b = states.size(0), t = states.size(1), n = states.size(2);
        int given = _edges.GivenCount;
        long receivers = n - given;
        long known = knownNext?.size(1) ?? 0, missing = t - known;
        Tensor next = knownNext!;
        if (missing > 0)
        {
            // Only the steps whose given series are unknown need the given nodes' own predictions: the head runs on those alone.
            Tensor silent = torch.zeros(new[] { b, missing, n, (long)Hidden }, states.dtype, states.device);
            Tensor own = Head(torch.cat(new[] { states.narrow(1, known, missing), HeadValues(values.narrow(1, known, missing)), silent }, -1), context).narrow(2, 0, given);
            next = knownNext is null ? own : torch.cat(new[] { knownNext, own }, 1);
        }
        Tensor sent = _sameDayOut!.forward(_sameDayIn.forward(next.unsqueeze(-1)).tanh()).tanh(); // [B, T, given, H]
        Tensor weights = edgeWeights.narrow(1, _edges.EdgeCount, _edges.GivenSameDayEdgeCount).reshape(b, receivers, given);
        Tensor received = torch.einsum("brc,btch->btrh", weights, sent) / _givenCount; // the mean over given senders, [B, T, receivers, H]
        if (altNext is not null)
        {
            // The marked same-day edges carry the counterfactual plan's message instead.
            Tensor altSent = _sameDayOut.forward(_sameDayIn.forward(altNext.unsqueeze(-1)).tanh()).tanh();
            Tensor marked = weights * altMask!.reshape(b, receivers, given);
            received = received + torch.einsum("brc,btch->btrh", marked, altSent - sent) / _givenCount;
        }
        // Given nodes receive no same-day messages.
        Tensor sameDay = torch.cat(new[] { torch.zeros(new[] { b, t, (long)given, (long)Hidden }, states.dtype, states.device), received }, 2);
        return Head(torch.cat(new[] { states, HeadValues(values), sameDay }, -1), context);
    }

    /// <summary>Releases the decoder's own scalars and kept mask with its modules.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _covariateMaskTensor?.Dispose();
            _shapeSpan?.Dispose();
            _givenCount.Dispose();
            _sumOverNodes.Dispose();
        }
        base.Dispose(disposing);
    }

    private Tensor Head(Tensor input, Tensor context)
    {
        Tensor raw = _preOut.forward(Activations.Elu(_preHidden.forward(input))).squeeze(-1); // [B, T, n]
        if (_saturation is null) return raw;
        long n = raw.size(2);
        Tensor target = _saturation.forward(raw.narrow(2, n - 1, 1), context);
        return torch.cat(new[] { raw.narrow(2, 0, n - 1), target }, 2);
    }
}

/// <summary>One same-day edge's response curve on the scaled series (see <see cref="MarketingResponseDecoder.CurveParameters"/>).</summary>
internal sealed record ResponseCurveParameters(int Sender, int Receiver, double Decay, double HalfSaturation, double Shape, double Gain);

/// <summary>
/// Counterfactual senders for some edges of a decoder step: the edges marked in <see cref="LaggedMask"/> [B, E] (and
/// <see cref="SameDayMask"/> [B, Ec]) carry messages computed from these values [B, n], states [B*n, H] and next-step given
/// series [B, given] rather than the step's own. Masks hold 1 for a replaced edge and 0 elsewhere. With response curves,
/// <see cref="GivenTail"/> [B, L, given] holds the counterfactual given series before the step.
/// </summary>
internal sealed record SenderOverride(Tensor Values, Tensor State, Tensor LaggedMask, Tensor? NextGiven, Tensor? SameDayMask, Tensor? GivenTail = null);
