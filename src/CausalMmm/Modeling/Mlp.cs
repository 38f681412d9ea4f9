using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// The encoder's MLP block from the reference implementation: Linear-ELU-Linear-ELU-BatchNorm, applied to
/// the last dimension of an input of any rank (batch normalisation over all leading positions).
/// </summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear _first;
    private readonly Linear _second;
    private readonly BatchNorm1d _norm;

    public Mlp(long input, long hidden, long output) : base(nameof(Mlp))
    {
        _first = nn.Linear(input, hidden);
        _second = nn.Linear(hidden, output);
        _norm = nn.BatchNorm1d(output);
        // The activation is scalar-free (Activations): TorchSharp's ELU, module or functional, passes a temporary Scalar.
        register_module("fc1", _first);
        register_module("fc2", _second);
        register_module("bn", _norm);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        Tensor h = Activations.Elu(_second.forward(Activations.Elu(_first.forward(input))));
        long[] shape = h.shape;
        Tensor flat = h.reshape(-1, shape[^1]);
        return _norm.forward(flat).reshape(shape).MoveToOuterDisposeScope();
    }
}
