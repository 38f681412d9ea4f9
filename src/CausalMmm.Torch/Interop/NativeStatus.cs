using System.Runtime.InteropServices;

namespace CausalMmm.Torch.Interop;

/// <summary>Turns the native status codes into .NET exceptions carrying libtorch's message.</summary>
internal static class NativeStatus
{
    internal const int Ok = 0;
    internal const int Argument = 1;
    internal const int DType = 2;
    internal const int OutOfMemory = 3;
    internal const int Device = 4;
    internal const int Internal = 5;

    /// <summary>Throws the exception that matches <paramref name="status"/>; returns when it is 0.</summary>
    internal static void Check(int status)
    {
        if (status != Ok)
        {
            Throw(status);
        }
    }

    // Kept out of Check so the hot success path stays small enough to inline.
    private static void Throw(int status)
    {
        string message = Marshal.PtrToStringUTF8(NativeMethods.cmm_last_error()) ?? "(no message)";
        throw status switch
        {
            Argument => new ArgumentException(message),
            DType => new ArgumentException("dtype: " + message),
            OutOfMemory => new OutOfMemoryException(message + " Reduce the batch size or move work to a device with more memory."),
            Device => new InvalidOperationException("device: " + message),
            _ => new InvalidOperationException($"libtorch internal error (status {status}): {message}"),
        };
    }
}
