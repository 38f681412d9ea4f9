using CausalMmm.Torch;
using CausalMmm.Torch.Modules;

namespace CausalMmm.Modeling;

/// <summary>
/// p(X, y | z), the paper's equation 1: per step, messages f_edge([x_i^t, x_j^t]) weighted by z_ij and
/// averaged per receiver; a GRU per node (shared weights) carries the carry-over state; f_pre maps the
/// state and x_j^t to the next-step mean; the target passes through the context-driven S-curve.
/// Because messages depend on observed values only, teacher forcing runs every step's messages in one
/// batched MLP and the whole recurrence in one native GRU call.
/// </summary>
internal sealed class MarketingResponseDecoder : Module
{
    private readonly EdgeIndex _edges;
    private readonly Linear _edgeIn;
    private readonly Linear _edgeOut;
    private readonly GRUCell? _recurrent;
    private readonly Linear? _markov;
    private readonly Linear _preHidden;
    private readonly Linear _preOut;
    private readonly SaturationModule? _saturation;

    public MarketingResponseDecoder(EdgeIndex edges, int hidden, int contextCount, CausalMmmVariant variant)
    {
        _edges = edges;
        Hidden = hidden;
        _edgeIn = RegisterModule("edge_fc1", new Linear(2, hidden));
        _edgeOut = RegisterModule("edge_fc2", new Linear(hidden, hidden));
        if (variant == CausalMmmVariant.Markov)
            _markov = RegisterModule("markov", new Linear(hidden + 1, hidden));
        else
            _recurrent = RegisterModule("gru", new GRUCell(hidden + 1, hidden));
        _preHidden = RegisterModule("pre_fc1", new Linear(hidden + 1, hidden));
        _preOut = RegisterModule("pre_fc2", new Linear(hidden, 1));
        if (variant != CausalMmmVariant.NoSaturation)
            _saturation = RegisterModule("saturation", new SaturationModule(contextCount));
    }

    public int Hidden { get; }

    /// <summary>
    /// Teacher forcing. values [B, T, n] (scaled), edgeWeights [B, E], context [B, C]. Returns the means
    /// [B, T, n], where entry t predicts step t + 1, and the recurrent state after the last step [B*n, H].
    /// </summary>
    public (Tensor Means, Tensor State) Forward(Tensor values, Tensor edgeWeights, Tensor context)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        long b = values.size(0), t = values.size(1), n = values.size(2);
        Tensor inputs = StepInputs(values, edgeWeights); // [B, T, n, H + 1]
        Tensor states;
        Tensor last;
        if (_recurrent is not null)
        {
            Tensor sequence = inputs.permute(1, 0, 2, 3).reshape(t, b * n, Hidden + 1);
            Tensor h0 = torch.zeros(new[] { b * n, (long)Hidden }, sequence.dtype, sequence.device);
            (Tensor all, last) = _recurrent.forward_sequence(sequence, h0);
            states = all.reshape(t, b, n, Hidden).permute(1, 0, 2, 3);
        }
        else
        {
            states = _markov!.forward(inputs).tanh();
            last = states.narrow(1, t - 1, 1).reshape(b * n, Hidden);
        }
        Tensor means = Predict(states, values, context);
        return (means.MoveToOuterDisposeScope(), last.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// One recursive step: current values [B, n] and state [B*n, H] to the next-step means [B, n] and the new state.
    /// </summary>
    public (Tensor Means, Tensor State) Step(Tensor current, Tensor state, Tensor edgeWeights, Tensor context)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        long b = current.size(0), n = current.size(1);
        Tensor values = current.unsqueeze(1); // [B, 1, n]
        Tensor inputs = StepInputs(values, edgeWeights).reshape(b * n, Hidden + 1);
        Tensor next = _recurrent is not null ? _recurrent.forward(inputs, state) : _markov!.forward(inputs).tanh();
        Tensor means = Predict(next.reshape(b, 1, n, Hidden), values, context).squeeze(1);
        return (means.MoveToOuterDisposeScope(), next.MoveToOuterDisposeScope());
    }

    private Tensor StepInputs(Tensor values, Tensor edgeWeights)
    {
        Tensor pairs = torch.stack(new[] { values.index_select(2, _edges.SenderIndex), values.index_select(2, _edges.ReceiverIndex) }, -1);
        Tensor messages = _edgeOut.forward(_edgeIn.forward(pairs).tanh()).tanh(); // [B, T, E, H]
        // The no-edge type sends nothing: a message counts only as much as its edge is present.
        Tensor weighted = messages * edgeWeights.unsqueeze(1).unsqueeze(-1);
        Tensor aggregated = _edges.MeanIncoming(weighted, 2); // [B, T, n, H]
        return torch.cat(new[] { aggregated, values.unsqueeze(-1) }, -1);
    }

    private Tensor Predict(Tensor states, Tensor values, Tensor context)
    {
        Tensor raw = _preOut.forward(_preHidden.forward(torch.cat(new[] { states, values.unsqueeze(-1) }, -1)).elu()).squeeze(-1); // [B, T, n]
        if (_saturation is null) return raw;
        long n = raw.size(2);
        Tensor target = _saturation.forward(raw.narrow(2, n - 1, 1), context);
        return torch.cat(new[] { raw.narrow(2, 0, n - 1), target }, 2);
    }
}

/// <summary>
/// The saturation module: mu_y = p^a / (p^a + g) with p = softplus(f_pre) &gt; 0 and a = f_alpha(C), g = f_gamma(C)
/// small networks of each shop's own context, kept positive with softplus.
/// </summary>
internal sealed class SaturationModule : Module
{
    private readonly int _contextCount;
    private readonly Linear _alphaHidden, _alphaOut, _gammaHidden, _gammaOut;

    public SaturationModule(int contextCount)
    {
        _contextCount = contextCount;
        int input = Math.Max(1, contextCount); // without context the curve's shape is one learned constant
        _alphaHidden = RegisterModule("alpha_fc1", new Linear(input, 16));
        _alphaOut = RegisterModule("alpha_fc2", new Linear(16, 1));
        _gammaHidden = RegisterModule("gamma_fc1", new Linear(input, 16));
        _gammaOut = RegisterModule("gamma_fc2", new Linear(16, 1));
    }

    /// <summary>The shape a and inflection g per shop, each [B, 1].</summary>
    public (Tensor Alpha, Tensor Gamma) Parameters(Tensor context)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor input = _contextCount == 0 ? torch.ones(new[] { context.size(0), 1L }, context.dtype, context.device) : context;
        Tensor alpha = _alphaOut.forward(_alphaHidden.forward(input).elu()).softplus() + 0.05;
        Tensor gamma = _gammaOut.forward(_gammaHidden.forward(input).elu()).softplus() + 1e-3;
        return (alpha.MoveToOuterDisposeScope(), gamma.MoveToOuterDisposeScope());
    }

    /// <summary>raw [B, T, 1] to the saturated target mean [B, T, 1].</summary>
    public Tensor forward(Tensor raw, Tensor context)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        (Tensor alpha, Tensor gamma) = Parameters(context);
        Tensor p = raw.softplus() + 1e-6;
        Tensor powered = p.pow(alpha.unsqueeze(1)); // [B, T, 1] ^ [B, 1, 1]
        return (powered / (powered + gamma.unsqueeze(1))).MoveToOuterDisposeScope();
    }
}
