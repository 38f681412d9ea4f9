using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm.Modeling;

/// <summary>
/// ELU and softplus written with scalar-free tensor operations. TorchSharp's functional forms and its ELU and Softplus
/// modules turn their double arguments (alpha, beta, threshold) into a temporary Scalar on every call, which the GC may
/// finalise while the native call still reads it; libtorch then fails its "toFloat" check at random (seen in CI on
/// Mlp's ELU). relu, neg, abs, exp, expm1 and log1p take no Scalar.
/// </summary>
internal static class Activations
{
    /// <summary>ELU with alpha 1: x for x > 0, exp(x) - 1 otherwise.</summary>
    public static Tensor Elu(Tensor x) => x.relu() + x.neg().relu().neg().expm1();

    /// <summary>Softplus with beta 1, log(1 + exp(x)), in its overflow-free form max(x, 0) + log1p(exp(-|x|)).</summary>
    public static Tensor Softplus(Tensor x) => x.relu() + x.abs().neg().exp().log1p();
}

/// <summary><see cref="Activations.Elu"/> as a module, for <c>nn.Sequential</c>; it has no parameters.</summary>
internal sealed class EluModule : nn.Module<Tensor, Tensor>
{
    public EluModule() : base(nameof(EluModule))
    {
    }

    public override Tensor forward(Tensor input) => Activations.Elu(input);
}
