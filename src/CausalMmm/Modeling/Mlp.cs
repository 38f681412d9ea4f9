using CausalMmm.Torch;
using CausalMmm.Torch.Modules;

namespace CausalMmm.Modeling;

/// <summary>
/// The encoder's MLP block from the reference implementation: Linear-ELU-Linear-ELU-BatchNorm, applied to
/// the last dimension of an input of any rank (batch normalisation over all leading positions).
/// </summary>
internal sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly Linear _first;
    private readonly Linear _second;
    private readonly BatchNorm1d _norm;

    public Mlp(long input, long hidden, long output)
    {
        _first = RegisterModule("fc1", new Linear(input, hidden));
        _second = RegisterModule("fc2", new Linear(hidden, output));
        _norm = RegisterModule("bn", new BatchNorm1d(output));
    }

    public override Tensor forward(Tensor input)
    {
        using DisposeScope scope = torch.NewDisposeScope();
        Tensor h = _second.forward(_first.forward(input).elu()).elu();
        long[] shape = h.shape;
        Tensor flat = h.reshape(-1, shape[^1]);
        return _norm.forward(flat).reshape(shape).MoveToOuterDisposeScope();
    }
}
