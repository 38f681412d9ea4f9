using System.Runtime.InteropServices;
using CausalMmm.Torch.Interop;
using static CausalMmm.Torch.Interop.NativeMethods;

namespace CausalMmm.Torch;

/// <summary>
/// The entry point of the binding, named as in PyTorch and TorchSharp: tensor creation, randomness,
/// grad mode, threads, dispose scopes, and the <c>nn</c>, <c>optim</c> and <c>cuda</c> namespaces.
/// </summary>
public static partial class torch
{
    private static int s_initialized;

    /// <summary>
    /// First use: libtorch's intra-op pool defaults to one thread on Debian's build, so start it with
    /// every core; <see cref="set_num_threads"/> overrides this.
    /// </summary>
    internal static void EnsureInitialized()
    {
        if (Volatile.Read(ref s_initialized) == 0 && Interlocked.Exchange(ref s_initialized, 1) == 0)
        {
            NativeStatus.Check(cmm_set_num_threads(Environment.ProcessorCount));
        }
    }

    // ---- creation -----------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="data"/>, shaped <paramref name="shape"/> (1-D when null).</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from the data length.</exception>
    public static Tensor tensor(float[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<float>(data, shape, device, requires_grad);

    /// <summary>A float64 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor tensor(double[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) =>
        FromSpan<double>(data, shape, device, requires_grad);

    /// <summary>An int64 tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor tensor(long[] data, long[]? shape = null, Device? device = null) =>
        FromSpan<long>(data, shape, device, false);

    /// <summary>A boolean tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor tensor(bool[] data, long[]? shape = null, Device? device = null) =>
        FromSpan<bool>(data, shape, device, false);

    /// <summary>A tensor holding a copy of the span's elements (float, double, long or bool).</summary>
    public static Tensor from_span<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged => FromSpan(data, shape, device, requires_grad);

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor scalar(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        full(Array.Empty<long>(), value, dtype, device);

    private static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, long[]? shape, Device? device, bool requiresGrad)
        where T : unmanaged
    {
        EnsureInitialized();
        shape ??= new long[] { data.Length };
        long count = 1;
        foreach (long s in shape)
        {
            if (s < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative size.", nameof(shape));
            }
            count *= s;
        }
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Shape [{string.Join(", ", shape)}] holds {count} elements but the data has {data.Length}.", nameof(shape));
        }
        Device d = device ?? Device.CPU;
        Tensor result;
        fixed (T* p = data)
        fixed (long* s = shape)
        {
            result = Tensor.FromStatus(
                cmm_tensor_from_data(p, (int)Tensor.ScalarTypeOf<T>(), s, shape.Length, (int)d.Type, d.Index, out IntPtr r), r);
        }
        if (requiresGrad)
        {
            result.requires_grad = true;
        }
        return result;
    }

    private unsafe delegate int Creator(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr result);

    private static unsafe Tensor Create(Creator creator, long[] shape, ScalarType dtype, Device? device, bool requiresGrad)
    {
        EnsureInitialized();
        ArgumentNullException.ThrowIfNull(shape);
        Device d = device ?? Device.CPU;
        Tensor result;
        fixed (long* s = shape)
        {
            result = Tensor.FromStatus(creator(s, shape.Length, (int)dtype, (int)d.Type, d.Index, out IntPtr r), r);
        }
        if (requiresGrad)
        {
            result.requires_grad = true;
        }
        return result;
    }

    /// <summary>A float32 CPU tensor of zeros.</summary>
    public static unsafe Tensor zeros(params long[] shape) => zeros(shape, ScalarType.Float32);

    /// <summary>A tensor of zeros.</summary>
    public static unsafe Tensor zeros(long[] shape, ScalarType dtype, Device? device = null, bool requires_grad = false) =>
        Create(cmm_tensor_zeros, shape, dtype, device, requires_grad);

    /// <summary>A float32 CPU tensor of ones.</summary>
    public static Tensor ones(params long[] shape) => full(shape, 1.0);

    /// <summary>A tensor of ones.</summary>
    public static Tensor ones(long[] shape, ScalarType dtype, Device? device = null, bool requires_grad = false) =>
        full(shape, 1.0, dtype, device, requires_grad);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static unsafe Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        EnsureInitialized();
        ArgumentNullException.ThrowIfNull(shape);
        Device d = device ?? Device.CPU;
        Tensor result;
        fixed (long* s = shape)
        {
            result = Tensor.FromStatus(cmm_tensor_full(s, shape.Length, value, (int)dtype, (int)d.Type, d.Index, out IntPtr r), r);
        }
        if (requires_grad)
        {
            result.requires_grad = true;
        }
        return result;
    }

    /// <summary>A float32 CPU tensor of uniform samples in [0, 1).</summary>
    public static Tensor rand(params long[] shape) => rand(shape, ScalarType.Float32);

    /// <summary>A tensor of uniform samples in [0, 1), from the generator seeded by <see cref="manual_seed"/>.</summary>
    public static unsafe Tensor rand(long[] shape, ScalarType dtype, Device? device = null, bool requires_grad = false) =>
        Create(cmm_tensor_rand, shape, dtype, device, requires_grad);

    /// <summary>A float32 CPU tensor of standard normal samples.</summary>
    public static Tensor randn(params long[] shape) => randn(shape, ScalarType.Float32);

    /// <summary>A tensor of standard normal samples, from the generator seeded by <see cref="manual_seed"/>.</summary>
    public static unsafe Tensor randn(long[] shape, ScalarType dtype, Device? device = null, bool requires_grad = false) =>
        Create(cmm_tensor_randn, shape, dtype, device, requires_grad);

    /// <summary>The integers start, start + 1, ..., end - 1.</summary>
    public static Tensor arange(long start, long end, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        EnsureInitialized();
        Device d = device ?? Device.CPU;
        return Tensor.FromStatus(cmm_tensor_arange(start, end, (int)dtype, (int)d.Type, d.Index, out IntPtr r), r);
    }

    /// <summary>Standard Gumbel noise, -log(-log(U)), shaped and typed like <paramref name="like"/>.</summary>
    public static Tensor gumbel_like(Tensor like) =>
        Tensor.FromStatus(cmm_gumbel_like(Tensor.Checked(like).Handle, out IntPtr r), r);

    // ---- combination --------------------------------------------------------------------------

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Combine(tensors, dim, stack: false);

    /// <summary>Stacks same-shaped tensors along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Combine(tensors, dim, stack: true);

    private static unsafe Tensor Combine(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Need at least one tensor.", nameof(tensors));
        }
        var handles = new IntPtr[tensors.Count];
        var added = new bool[tensors.Count];
        try
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                Tensor t = tensors[i] ?? throw new ArgumentException($"Entry {i} is null.", nameof(tensors));
                t.Handle.DangerousAddRef(ref added[i]);
                handles[i] = t.Handle.DangerousGetHandle();
            }
            fixed (IntPtr* p = handles)
            {
                int status = stack ? cmm_stack(p, handles.Length, dim, out IntPtr r) : cmm_cat(p, handles.Length, dim, out r);
                return Tensor.FromStatus(status, r);
            }
        }
        finally
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                if (added[i]) tensors[i].Handle.DangerousRelease();
            }
        }
    }

    /// <summary>Picks from <paramref name="a"/> where <paramref name="condition"/> is true, else from <paramref name="b"/>.</summary>
    public static Tensor where(Tensor condition, Tensor a, Tensor b) =>
        Tensor.FromStatus(cmm_where(Tensor.Checked(condition).Handle, Tensor.Checked(a).Handle, Tensor.Checked(b).Handle, out IntPtr r), r);

    /// <summary>Matrix product with NumPy broadcasting rules.</summary>
    public static Tensor matmul(Tensor a, Tensor b) => Tensor.Checked(a).matmul(b);

    /// <summary>Batched matrix product.</summary>
    public static Tensor bmm(Tensor a, Tensor b) => Tensor.Checked(a).bmm(b);

    /// <summary>A scalar raised to each element's power.</summary>
    public static Tensor pow(double @base, Tensor exponent) =>
        Tensor.FromStatus(cmm_rpow_scalar(Tensor.Checked(exponent).Handle, @base, out IntPtr r), r);

    // ---- process-wide state ---------------------------------------------------------------------

    /// <summary>Seeds libtorch's default generators (CPU and CUDA); the same seed gives the same samples.</summary>
    public static void manual_seed(ulong seed)
    {
        EnsureInitialized();
        NativeStatus.Check(cmm_manual_seed(seed));
    }

    /// <summary>Sets libtorch's intra-op thread count (defaults to every core).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n is below 1.</exception>
    public static void set_num_threads(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Interlocked.Exchange(ref s_initialized, 1);
        NativeStatus.Check(cmm_set_num_threads(n));
    }

    /// <summary>libtorch's intra-op thread count.</summary>
    public static int get_num_threads()
    {
        EnsureInitialized();
        NativeStatus.Check(cmm_get_num_threads(out int n));
        return n;
    }

    /// <summary>The version of the libtorch the native core was built against.</summary>
    public static string version
    {
        get
        {
            NativeStatus.Check(cmm_version(out IntPtr v));
            return Marshal.PtrToStringUTF8(v) ?? "";
        }
    }

    /// <summary>Opens a <see cref="DisposeScope"/> on this thread; dispose it to free its tensors.</summary>
    public static DisposeScope NewDisposeScope() => DisposeScope.Open();

    /// <summary>Turns gradient recording off on this thread until the returned object is disposed.</summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    /// <summary>Turns gradient recording on on this thread until the returned object is disposed.</summary>
    public static IDisposable enable_grad() => new GradModeScope(true);

    /// <summary>Whether operations on this thread are being recorded for autograd.</summary>
    public static bool is_grad_enabled()
    {
        NativeStatus.Check(cmm_is_grad_enabled(out int enabled));
        return enabled != 0;
    }

    /// <summary>Managed tensor handles created and not yet released (for leak tests).</summary>
    public static long LiveTensorCount => TensorHandle.LiveCount;

    /// <summary>Native tensor handles alive in the native core (for leak tests across the ABI).</summary>
    public static long NativeLiveTensorCount
    {
        get
        {
            NativeStatus.Check(cmm_live_tensor_count(out long n));
            return n;
        }
    }

    private sealed class GradModeScope : IDisposable
    {
        private readonly bool _previous;
        private bool _disposed;

        public GradModeScope(bool enabled)
        {
            _previous = is_grad_enabled();
            NativeStatus.Check(cmm_set_grad_enabled(enabled ? 1 : 0));
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                NativeStatus.Check(cmm_set_grad_enabled(_previous ? 1 : 0));
            }
        }
    }

    /// <summary>CUDA availability, as reported by the libtorch the native core was built against.</summary>
    public static class cuda
    {
        /// <summary>True when libtorch was built with CUDA and a device is visible.</summary>
        public static bool is_available()
        {
            NativeStatus.Check(cmm_cuda_is_available(out int available));
            return available != 0;
        }

        /// <summary>The number of visible CUDA devices (0 on a CPU-only libtorch).</summary>
        public static int device_count()
        {
            NativeStatus.Check(cmm_cuda_device_count(out int count));
            return count;
        }
    }
}
