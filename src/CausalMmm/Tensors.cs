using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm;

/// <summary>Tensor helpers: tensors built from .NET arrays so that results do not depend on where the array happened to lie in memory, and additions that pass libtorch no temporary Scalar.</summary>
internal static class Tensors
{
    // Held for the process: see Plus.
    private static readonly Scalar HeldOne = 1.0;

    /// <summary>
    /// <paramref name="a"/> + <paramref name="b"/> with a held alpha. TorchSharp's <c>+</c> (and <c>add</c> without an alpha)
    /// passes a temporary Scalar 1 that the GC may finalise while the native call still reads it, which libtorch reports as
    /// a failed "toFloat" check (seen in CI in the budget optimiser's plan features). Loops that add thousands of times use this.
    /// </summary>
    public static Tensor Plus(Tensor a, Tensor b) => a.add(b, HeldOne);

    /// <summary><paramref name="a"/> + <paramref name="b"/> for a held scalar <paramref name="b"/>, with a held alpha (see <see cref="Plus(Tensor, Tensor)"/>).</summary>
    public static Tensor Plus(Tensor a, Scalar b) => a.add(b, HeldOne);

    /// <summary>
    /// A float32 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> in memory libtorch allocated.
    /// TorchSharp's <c>torch.tensor(float[])</c> can wrap the pinned managed array instead, whose alignment varies from run to
    /// run; CPU matrix kernels pick their path by alignment, so the last bit of a result changed between two identical calls.
    /// Copying into libtorch's own (aligned) storage makes inference bitwise repeatable.
    /// </summary>
    public static Tensor FromArray(float[] data, long[] shape, Device? device = null)
    {
        using Tensor borrowed = torch.tensor(data, shape);
        return device is null || device.type == DeviceType.CPU ? borrowed.clone() : borrowed.to(device);
    }
}
