using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// p(X, y | z), the paper's equation 1: per step, messages f_edge([x_i^t, x_j^t]) weighted by z_ij and
/// averaged per receiver; a GRU per node (shared weights) carries the carry-over state; f_pre maps the
/// state and x_j^t to the next-step mean; the target passes through the context-driven S-curve.
/// Because messages depend on observed values only, teacher forcing runs every step's messages in one
/// batched MLP and the whole recurrence in one native GRU call (TorchSharp's nn.GRU over the sequence).
/// </summary>
internal sealed class MarketingResponseDecoder : nn.Module
{
    private readonly EdgeIndex _edges;
    private readonly Linear _edgeIn;
    private readonly Linear _edgeOut;
    private readonly GRU? _recurrent;
    private readonly Linear? _markov;
    private readonly Linear _preHidden;
    private readonly Linear _preOut;
    private readonly SaturationModule? _saturation;
    private readonly ELU _elu = nn.ELU(); // a module, not functional.elu (see Mlp)

    public MarketingResponseDecoder(EdgeIndex edges, int hidden, int contextCount, CausalMmmVariant variant) : base(nameof(MarketingResponseDecoder))
    {
        _edges = edges;
        Hidden = hidden;
        _edgeIn = nn.Linear(2, hidden);
        _edgeOut = nn.Linear(hidden, hidden);
        register_module("edge_fc1", _edgeIn);
        register_module("edge_fc2", _edgeOut);
        if (variant == CausalMmmVariant.Markov)
        {
            _markov = nn.Linear(hidden + 1, hidden);
            register_module("markov", _markov);
        }
        else
        {
            _recurrent = nn.GRU(hidden + 1, hidden);
            register_module("gru", _recurrent);
        }
        _preHidden = nn.Linear(hidden + 1, hidden);
        _preOut = nn.Linear(hidden, 1);
        register_module("pre_fc1", _preHidden);
        register_module("pre_fc2", _preOut);
        register_module("elu", _elu);
        if (variant != CausalMmmVariant.NoSaturation)
        {
            _saturation = new SaturationModule(contextCount);
            register_module("saturation", _saturation);
        }
    }

    public int Hidden { get; }

    /// <summary>
    /// Teacher forcing. values [B, T, n] (scaled), edgeWeights [B, E], context [B, C]. Returns the means
    /// [B, T, n], where entry t predicts step t + 1, and the recurrent state after the last step [B*n, H].
    /// </summary>
    public (Tensor Means, Tensor State) Forward(Tensor values, Tensor edgeWeights, Tensor context)
    {
        using var scope = torch.NewDisposeScope();
        long b = values.size(0), t = values.size(1), n = values.size(2);
        Tensor inputs = StepInputs(values, edgeWeights); // [B, T, n, H + 1]
        Tensor states;
        Tensor last;
        if (_recurrent is not null)
        {
            Tensor sequence = inputs.permute(1, 0, 2, 3).reshape(t, b * n, Hidden + 1);
            (Tensor all, Tensor final) = _recurrent.forward(sequence);
            last = final.squeeze(0);
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

    /// <summary>One recursive step: current values [B, n] and state [B*n, H] to the next-step means [B, n] and the new state.</summary>
    public (Tensor Means, Tensor State) Step(Tensor current, Tensor state, Tensor edgeWeights, Tensor context)
    {
        using var scope = torch.NewDisposeScope();
        long b = current.size(0), n = current.size(1);
        Tensor values = current.unsqueeze(1); // [B, 1, n]
        Tensor inputs = StepInputs(values, edgeWeights).reshape(b * n, Hidden + 1);
        Tensor next = _recurrent is not null
            ? _recurrent.forward(inputs.unsqueeze(0), state.unsqueeze(0)).Item2.squeeze(0)
            : _markov!.forward(inputs).tanh();
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
        Tensor hidden = _elu.forward(_preHidden.forward(torch.cat(new[] { states, values.unsqueeze(-1) }, -1)));
        Tensor raw = _preOut.forward(hidden).squeeze(-1); // [B, T, n]
        if (_saturation is null) return raw;
        long n = raw.size(2);
        Tensor target = _saturation.forward(raw.narrow(2, n - 1, 1), context);
        return torch.cat(new[] { raw.narrow(2, 0, n - 1), target }, 2);
    }
}
