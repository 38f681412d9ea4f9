using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// The saturation module: mu_y = p^a / (p^a + g) with p = softplus(f_pre) or exp(f_pre) (<see cref="SaturationInput"/>) and a = f_alpha(C), g = f_gamma(C)
/// small networks of each shop's own context, kept positive with softplus. Works at any batch size: every shop
/// gets the curve of its own context.
/// </summary>
internal sealed class SaturationModule : nn.Module
{
    private readonly int _contextCount;
    private readonly SaturationInput _input;
    private readonly Linear _alphaHidden, _alphaOut, _gammaHidden, _gammaOut;

    public SaturationModule(int contextCount, SaturationInput positivity) : base(nameof(SaturationModule))
    {
        _contextCount = contextCount;
        _input = positivity;
        int input = Math.Max(1, contextCount); // without context the curve's shape is one learned constant
        _alphaHidden = nn.Linear(input, 16);
        _alphaOut = nn.Linear(16, 1);
        _gammaHidden = nn.Linear(input, 16);
        _gammaOut = nn.Linear(16, 1);
        register_module("alpha_fc1", _alphaHidden);
        register_module("alpha_fc2", _alphaOut);
        register_module("gamma_fc1", _gammaHidden);
        register_module("gamma_fc2", _gammaOut);
    }

    // Held for the process: a number passed straight to a TorchSharp call becomes a temporary Scalar the GC may free during the call.
    private static readonly Scalar AlphaFloor = 0.05, GammaFloor = 1e-3, InputFloor = 1e-6;

    /// <summary>The shape a and inflection g per shop, each [B, 1].</summary>
    public (Tensor Alpha, Tensor Gamma) Parameters(Tensor context)
    {
        using var scope = torch.NewDisposeScope();
        Tensor input = _contextCount == 0 ? torch.ones(new[] { context.size(0), 1L }, context.dtype, context.device) : context;
        // Scalar-free activations (see Activations).
        Tensor alpha = Activations.Softplus(_alphaOut.forward(Activations.Elu(_alphaHidden.forward(input)))) + AlphaFloor;
        Tensor gamma = Activations.Softplus(_gammaOut.forward(Activations.Elu(_gammaHidden.forward(input)))) + GammaFloor;
        return (alpha.MoveToOuterDisposeScope(), gamma.MoveToOuterDisposeScope());
    }

    /// <summary>raw [B, T, 1] to the saturated target mean [B, T, 1].</summary>
    public Tensor forward(Tensor raw, Tensor context)
    {
        using var scope = torch.NewDisposeScope();
        (Tensor alpha, Tensor gamma) = Parameters(context);
        // exp(raw)^a / (exp(raw)^a + g) = sigmoid(a raw - ln g), computed in that form so that it never overflows.
        if (_input == SaturationInput.Exponential) return torch.sigmoid(raw * alpha.unsqueeze(1) - gamma.log().unsqueeze(1)).MoveToOuterDisposeScope();
        Tensor p = Activations.Softplus(raw) + InputFloor;
        Tensor powered = p.pow(alpha.unsqueeze(1)); // [B, T, 1] ^ [B, 1, 1]
        return (powered / (powered + gamma.unsqueeze(1))).MoveToOuterDisposeScope();
    }
}
