using System.Runtime.InteropServices;

namespace CausalMmm.Torch.Interop;

/// <summary>
/// Owns one native <c>cmm_tensor</c>. Releasing never throws; the managed live count lets tests prove
/// that every handle was released.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long s_live;

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        Interlocked.Increment(ref s_live);
    }

    /// <summary>Handles created and not yet released, in this process.</summary>
    internal static long LiveCount => Interlocked.Read(ref s_live);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interlocked.Decrement(ref s_live);
        // A failing free cannot be reported from a finalizer; cmm_tensor_free only fails on a null handle.
        return NativeMethods.cmm_tensor_free(handle) == NativeStatus.Ok;
    }
}
