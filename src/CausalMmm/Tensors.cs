using TorchSharp;
using static TorchSharp.torch;

namespace CausalMmm;

/// <summary>Builds tensors from .NET arrays so that results do not depend on where the array happened to lie in memory.</summary>
internal static class Tensors
{
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
