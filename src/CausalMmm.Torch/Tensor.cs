using CausalMmm.Torch.Interop;
using static CausalMmm.Torch.Interop.NativeMethods;

namespace CausalMmm.Torch;

/// <summary>
/// A libtorch tensor owned by exactly one managed object. Operations return new tensors, which join
/// the current <see cref="DisposeScope"/> if there is one; otherwise the caller disposes them.
/// Names follow PyTorch and TorchSharp so model code reads like the papers' reference code.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    internal Tensor(IntPtr handle)
    {
        Handle = new TensorHandle(handle);
        DisposeScope.Current?.Add(this);
    }

    internal TensorHandle Handle { get; }

    internal DisposeScope? OwningScope { get; set; }

    /// <summary>True once the tensor has been disposed; any further use throws.</summary>
    public bool IsDisposed => Handle.IsClosed;

    /// <summary>Wraps a new native handle returned through an out-parameter after checking the status.</summary>
    internal static Tensor FromStatus(int status, IntPtr result)
    {
        NativeStatus.Check(status);
        return new Tensor(result);
    }

    // ---- properties ---------------------------------------------------------------------------

    /// <summary>The number of dimensions.</summary>
    public int ndim
    {
        get
        {
            NativeStatus.Check(cmm_tensor_ndim(Handle, out int n));
            return n;
        }
    }

    /// <summary>The size of each dimension.</summary>
    public unsafe long[] shape
    {
        get
        {
            var sizes = new long[ndim];
            fixed (long* p = sizes)
            {
                NativeStatus.Check(cmm_tensor_shape(Handle, p, sizes.Length));
            }
            return sizes;
        }
    }

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long size(int dim)
    {
        long[] s = shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Tensor has {s.Length} dimensions ({ShapeText(s)}).");
        }
        return s[d];
    }

    /// <summary>The total number of elements.</summary>
    public long numel()
    {
        NativeStatus.Check(cmm_tensor_numel(Handle, out long n));
        return n;
    }

    /// <summary>The element type.</summary>
    public ScalarType dtype
    {
        get
        {
            NativeStatus.Check(cmm_tensor_dtype(Handle, out int d));
            return (ScalarType)d;
        }
    }

    /// <summary>The device the tensor lives on.</summary>
    public Device device
    {
        get
        {
            NativeStatus.Check(cmm_tensor_device(Handle, out int type, out int index));
            return new Device((DeviceType)type, index);
        }
    }

    /// <summary>Whether autograd records operations on this tensor; setting it marks a leaf.</summary>
    public bool requires_grad
    {
        get
        {
            NativeStatus.Check(NativeMethods.cmm_requires_grad(Handle, out int r));
            return r != 0;
        }
        set => NativeStatus.Check(cmm_requires_grad_(Handle, value ? 1 : 0));
    }

    // ---- conversion ---------------------------------------------------------------------------

    /// <summary>Converts to another element type and/or device (a no-op copy-free alias when nothing changes).</summary>
    public Tensor to(ScalarType type, Device device) =>
        FromStatus(cmm_tensor_to(Handle, (int)type, (int)device.Type, device.Index, out IntPtr r), r);

    /// <summary>Converts to another element type on the same device.</summary>
    public Tensor to(ScalarType type) => to(type, device);

    /// <summary>Moves to another device, keeping the element type.</summary>
    public Tensor to(Device target) => to(dtype, target);

    /// <summary>Copies the elements, row-major and converted to <typeparamref name="T"/>, into a new array.</summary>
    /// <typeparam name="T">float, double, long or bool.</typeparam>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        ScalarType target = ScalarTypeOf<T>();
        var result = new T[checked((int)numel())];
        fixed (T* p = result)
        {
            NativeStatus.Check(cmm_tensor_copy_to(Handle, (int)target, p, result.Length));
        }
        return result;
    }

    /// <summary>Copies the elements, converted to <typeparamref name="T"/>, into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination length differs from <see cref="numel"/>.</exception>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        ScalarType target = ScalarTypeOf<T>();
        fixed (T* p = destination)
        {
            NativeStatus.Check(cmm_tensor_copy_to(Handle, (int)target, p, destination.Length));
        }
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double item()
    {
        NativeStatus.Check(cmm_tensor_item(Handle, out double v));
        return v;
    }

    /// <summary>The value of a one-element tensor as float.</summary>
    public float ToSingle() => (float)item();

    /// <summary>The value of a one-element tensor as double.</summary>
    public double ToDouble() => item();

    internal static ScalarType ScalarTypeOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        throw new NotSupportedException($"Element type {typeof(T).Name} is not supported; use float, double, long or bool.");
    }

    // ---- ownership ----------------------------------------------------------------------------

    /// <summary>Moves this tensor from its scope to the enclosing one (or to no scope), so it survives the inner scope.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        DisposeScope? owner = OwningScope;
        if (owner is null)
        {
            return this;
        }
        owner.Remove(this);
        OwningScope = null;
        owner.Outer?.Add(this);
        return this;
    }

    /// <summary>Removes this tensor from every scope: the caller now owns it and must dispose it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope?.Remove(this);
        OwningScope = null;
        return this;
    }

    /// <summary>Releases the native tensor now.</summary>
    public void Dispose()
    {
        OwningScope?.Remove(this);
        OwningScope = null;
        Handle.Dispose();
    }

    /// <summary>Describes shape, element type and device, e.g. "Tensor[2x3, Float32, cpu]".</summary>
    public override string ToString() =>
        IsDisposed ? "Tensor[disposed]" : $"Tensor[{ShapeText(shape)}, {dtype}, {device}]";

    internal static string ShapeText(long[] shape) => shape.Length == 0 ? "scalar" : string.Join("x", shape);
}
