using CausalMmm.Torch.Interop;
using static CausalMmm.Torch.Interop.NativeMethods;

namespace CausalMmm.Torch;

// Elementwise, reduction, shape and autograd operations. Each is one native call.
public sealed partial class Tensor
{
    /// <summary>Negation.</summary>
    public Tensor neg() => FromStatus(cmm_neg(Handle, out IntPtr r), r);

    /// <summary>Elementwise e^x.</summary>
    public Tensor exp() => FromStatus(cmm_exp(Handle, out IntPtr r), r);

    /// <summary>Elementwise natural logarithm.</summary>
    public Tensor log() => FromStatus(cmm_log(Handle, out IntPtr r), r);

    /// <summary>Elementwise square root.</summary>
    public Tensor sqrt() => FromStatus(cmm_sqrt(Handle, out IntPtr r), r);

    /// <summary>Elementwise absolute value.</summary>
    public Tensor abs() => FromStatus(cmm_abs(Handle, out IntPtr r), r);

    /// <summary>Elementwise logistic sigmoid.</summary>
    public Tensor sigmoid() => FromStatus(cmm_sigmoid(Handle, out IntPtr r), r);

    /// <summary>Elementwise hyperbolic tangent.</summary>
    public Tensor tanh() => FromStatus(cmm_tanh(Handle, out IntPtr r), r);

    /// <summary>Elementwise max(x, 0).</summary>
    public Tensor relu() => FromStatus(cmm_relu(Handle, out IntPtr r), r);

    /// <summary>Boolean mask of finite elements.</summary>
    public Tensor isfinite() => FromStatus(cmm_isfinite(Handle, out IntPtr r), r);

    /// <summary>Elementwise boolean negation.</summary>
    public Tensor logical_not() => FromStatus(cmm_logical_not(Handle, out IntPtr r), r);

    /// <summary>A copy with its own storage (differentiable).</summary>
    public Tensor clone() => FromStatus(cmm_clone(Handle, out IntPtr r), r);

    /// <summary>This tensor laid out row-major in memory.</summary>
    public Tensor contiguous() => FromStatus(cmm_contiguous(Handle, out IntPtr r), r);

    /// <summary>A tensor sharing storage but cut from the autograd graph.</summary>
    public Tensor detach() => FromStatus(cmm_detach(Handle, out IntPtr r), r);

    /// <summary>Elementwise sum, with broadcasting.</summary>
    public Tensor add(Tensor other) => FromStatus(cmm_add(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise difference, with broadcasting.</summary>
    public Tensor sub(Tensor other) => FromStatus(cmm_sub(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise product, with broadcasting.</summary>
    public Tensor mul(Tensor other) => FromStatus(cmm_mul(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise quotient, with broadcasting.</summary>
    public Tensor div(Tensor other) => FromStatus(cmm_div(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise power, with broadcasting.</summary>
    public Tensor pow(Tensor other) => FromStatus(cmm_pow(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise maximum.</summary>
    public Tensor maximum(Tensor other) => FromStatus(cmm_maximum(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise minimum.</summary>
    public Tensor minimum(Tensor other) => FromStatus(cmm_minimum(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise equality mask.</summary>
    public Tensor eq(Tensor other) => FromStatus(cmm_eq(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise greater-than mask.</summary>
    public Tensor gt(Tensor other) => FromStatus(cmm_gt(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise less-than mask.</summary>
    public Tensor lt(Tensor other) => FromStatus(cmm_lt(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise greater-or-equal mask.</summary>
    public Tensor ge(Tensor other) => FromStatus(cmm_ge(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Elementwise less-or-equal mask.</summary>
    public Tensor le(Tensor other) => FromStatus(cmm_le(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Matrix product with NumPy broadcasting rules.</summary>
    public Tensor matmul(Tensor other) => FromStatus(cmm_matmul(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Batched matrix product of [B, n, m] and [B, m, p].</summary>
    public Tensor bmm(Tensor other) => FromStatus(cmm_bmm(Handle, Checked(other).Handle, out IntPtr r), r);

    /// <summary>Adds a scalar.</summary>
    public Tensor add(double scalar) => FromStatus(cmm_add_scalar(Handle, scalar, out IntPtr r), r);

    /// <summary>Multiplies by a scalar.</summary>
    public Tensor mul(double scalar) => FromStatus(cmm_mul_scalar(Handle, scalar, out IntPtr r), r);

    /// <summary>Divides by a scalar.</summary>
    public Tensor div(double scalar) => FromStatus(cmm_div_scalar(Handle, scalar, out IntPtr r), r);

    /// <summary>Raises each element to a scalar power.</summary>
    public Tensor pow(double scalar) => FromStatus(cmm_pow_scalar(Handle, scalar, out IntPtr r), r);

    /// <summary>Mask of elements greater than a scalar.</summary>
    public Tensor gt(double scalar) => FromStatus(cmm_gt_scalar(Handle, scalar, out IntPtr r), r);

    /// <summary>Mask of elements less than a scalar.</summary>
    public Tensor lt(double scalar) => FromStatus(cmm_lt_scalar(Handle, scalar, out IntPtr r), r);

    /// <summary>Subtracts a scalar.</summary>
    public Tensor sub(double scalar) => add(-scalar);

    /// <summary>Elementwise exponential linear unit with the given alpha.</summary>
    public Tensor elu(double alpha = 1.0) => FromStatus(cmm_elu(Handle, alpha, out IntPtr r), r);

    /// <summary>Elementwise log(1 + exp(beta x)) / beta, linear above <paramref name="threshold"/>.</summary>
    public Tensor softplus(double beta = 1.0, double threshold = 20.0) => FromStatus(cmm_softplus(Handle, beta, threshold, out IntPtr r), r);

    /// <summary>Softmax over <paramref name="dim"/>.</summary>
    public Tensor softmax(long dim) => FromStatus(cmm_softmax(Handle, dim, out IntPtr r), r);

    /// <summary>Log-softmax over <paramref name="dim"/>, computed stably.</summary>
    public Tensor log_softmax(long dim) => FromStatus(cmm_log_softmax(Handle, dim, out IntPtr r), r);

    /// <summary>Clamps every element into [min, max]; a null bound is open.</summary>
    /// <exception cref="ArgumentException">Both bounds are null.</exception>
    public Tensor clamp(double? min = null, double? max = null) =>
        FromStatus(cmm_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0, out IntPtr r), r);

    /// <summary>Clamps every element to at least <paramref name="min"/>.</summary>
    public Tensor clamp_min(double min) => clamp(min, null);

    // ---- reductions ---------------------------------------------------------------------------

    /// <summary>The sum of all elements, as a zero-dimensional tensor.</summary>
    public Tensor sum() => FromStatus(cmm_sum(Handle, out IntPtr r), r);

    /// <summary>The mean of all elements, as a zero-dimensional tensor.</summary>
    public Tensor mean() => FromStatus(cmm_mean(Handle, out IntPtr r), r);

    /// <summary>The largest element, as a zero-dimensional tensor.</summary>
    public Tensor max() => FromStatus(cmm_max_all(Handle, out IntPtr r), r);

    /// <summary>The Euclidean (L2) norm of all elements.</summary>
    public Tensor norm() => FromStatus(cmm_norm(Handle, out IntPtr r), r);

    /// <summary>Sums over the given dimensions.</summary>
    public unsafe Tensor sum(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims)
        {
            return FromStatus(cmm_sum_dims(Handle, p, dims.Length, keepdim ? 1 : 0, out IntPtr r), r);
        }
    }

    /// <summary>Sums over one dimension.</summary>
    public Tensor sum(long dim, bool keepdim = false) => sum(new[] { dim }, keepdim);

    /// <summary>Averages over the given dimensions.</summary>
    public unsafe Tensor mean(long[] dims, bool keepdim = false)
    {
        fixed (long* p = dims)
        {
            return FromStatus(cmm_mean_dims(Handle, p, dims.Length, keepdim ? 1 : 0, out IntPtr r), r);
        }
    }

    /// <summary>Averages over one dimension.</summary>
    public Tensor mean(long dim, bool keepdim = false) => mean(new[] { dim }, keepdim);

    /// <summary>The largest values along <paramref name="dim"/> and their positions.</summary>
    public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
    {
        NativeStatus.Check(cmm_max_dim(Handle, dim, keepdim ? 1 : 0, out IntPtr values, out IntPtr indexes));
        return (new Tensor(values), new Tensor(indexes));
    }

    /// <summary>The positions of the largest values along <paramref name="dim"/>.</summary>
    public Tensor argmax(long dim, bool keepdim = false) => FromStatus(cmm_argmax(Handle, dim, keepdim ? 1 : 0, out IntPtr r), r);

    // ---- shape and indexing -------------------------------------------------------------------

    /// <summary>The same elements with a new shape (one size may be -1); copies only when it must.</summary>
    public unsafe Tensor reshape(params long[] newShape)
    {
        fixed (long* p = newShape)
        {
            return FromStatus(cmm_reshape(Handle, p, newShape.Length, out IntPtr r), r);
        }
    }

    /// <summary>A view with a new shape; the tensor must be contiguous enough for it.</summary>
    public unsafe Tensor view(params long[] newShape)
    {
        fixed (long* p = newShape)
        {
            return FromStatus(cmm_view(Handle, p, newShape.Length, out IntPtr r), r);
        }
    }

    /// <summary>Reorders the dimensions.</summary>
    public unsafe Tensor permute(params long[] dims)
    {
        fixed (long* p = dims)
        {
            return FromStatus(cmm_permute(Handle, p, dims.Length, out IntPtr r), r);
        }
    }

    /// <summary>Swaps two dimensions.</summary>
    public Tensor transpose(long dim0, long dim1) => FromStatus(cmm_transpose(Handle, dim0, dim1, out IntPtr r), r);

    /// <summary>Inserts a dimension of size one at <paramref name="dim"/>.</summary>
    public Tensor unsqueeze(long dim) => FromStatus(cmm_unsqueeze(Handle, dim, out IntPtr r), r);

    /// <summary>Removes dimension <paramref name="dim"/> if its size is one.</summary>
    public Tensor squeeze(long dim) => FromStatus(cmm_squeeze(Handle, dim, out IntPtr r), r);

    /// <summary>Broadcasts size-one dimensions to the given sizes without copying (-1 keeps a size).</summary>
    public unsafe Tensor expand(params long[] sizes)
    {
        fixed (long* p = sizes)
        {
            return FromStatus(cmm_expand(Handle, p, sizes.Length, out IntPtr r), r);
        }
    }

    /// <summary>The slice [start, start + length) of dimension <paramref name="dim"/>, as a view.</summary>
    public Tensor narrow(long dim, long start, long length) => FromStatus(cmm_narrow(Handle, dim, start, length, out IntPtr r), r);

    /// <summary>Selects entries of <paramref name="dim"/> at the int64 positions in <paramref name="index"/>.</summary>
    public Tensor index_select(long dim, Tensor index) => FromStatus(cmm_index_select(Handle, dim, Checked(index).Handle, out IntPtr r), r);

    /// <summary>Gathers values along <paramref name="dim"/> at the int64 positions in <paramref name="index"/>.</summary>
    public Tensor gather(long dim, Tensor index) => FromStatus(cmm_gather(Handle, dim, Checked(index).Handle, out IntPtr r), r);

    // ---- in place (for optimisers) ------------------------------------------------------------

    /// <summary>Sets every element to zero, in place.</summary>
    public Tensor zero_()
    {
        NativeStatus.Check(cmm_zero_(Handle));
        return this;
    }

    /// <summary>Copies <paramref name="source"/> into this tensor, in place (broadcasting allowed).</summary>
    public Tensor copy_(Tensor source)
    {
        NativeStatus.Check(cmm_copy_(Handle, Checked(source).Handle));
        return this;
    }

    /// <summary>Multiplies by a scalar, in place.</summary>
    public Tensor mul_(double scalar)
    {
        NativeStatus.Check(cmm_mul_scalar_(Handle, scalar));
        return this;
    }

    /// <summary>Adds <paramref name="alpha"/> * <paramref name="other"/>, in place.</summary>
    public Tensor add_(Tensor other, double alpha = 1.0)
    {
        NativeStatus.Check(cmm_add_(Handle, Checked(other).Handle, alpha));
        return this;
    }

    /// <summary>Adds <paramref name="value"/> * <paramref name="a"/> * <paramref name="b"/>, in place.</summary>
    public Tensor addcmul_(Tensor a, Tensor b, double value = 1.0)
    {
        NativeStatus.Check(cmm_addcmul_(Handle, Checked(a).Handle, Checked(b).Handle, value));
        return this;
    }

    /// <summary>Adds <paramref name="value"/> * <paramref name="a"/> / <paramref name="b"/>, in place.</summary>
    public Tensor addcdiv_(Tensor a, Tensor b, double value = 1.0)
    {
        NativeStatus.Check(cmm_addcdiv_(Handle, Checked(a).Handle, Checked(b).Handle, value));
        return this;
    }

    /// <summary>Turns gradient recording for this leaf on or off, in place.</summary>
    public Tensor requires_grad_(bool requiresGrad = true)
    {
        requires_grad = requiresGrad;
        return this;
    }

    // ---- autograd -----------------------------------------------------------------------------

    /// <summary>Backpropagates from this one-element tensor into the leaves' gradients.</summary>
    public void backward() => NativeStatus.Check(cmm_backward(Handle, IntPtr.Zero));

    /// <summary>Backpropagates with an explicit output gradient of the same shape as this tensor.</summary>
    public void backward(Tensor gradient)
    {
        bool added = false;
        Checked(gradient).Handle.DangerousAddRef(ref added);
        try
        {
            NativeStatus.Check(cmm_backward(Handle, gradient.Handle.DangerousGetHandle()));
        }
        finally
        {
            if (added) gradient.Handle.DangerousRelease();
        }
    }

    /// <summary>The gradient accumulated in this leaf, or null if none was computed yet.</summary>
    public Tensor? grad()
    {
        NativeStatus.Check(NativeMethods.cmm_grad(Handle, out IntPtr r));
        return r == IntPtr.Zero ? null : new Tensor(r);
    }

    /// <summary>Drops the accumulated gradient of this leaf.</summary>
    public void zero_grad() => NativeStatus.Check(NativeMethods.cmm_zero_grad(Handle));

    internal static Tensor Checked(Tensor? tensor, string name = "tensor") =>
        tensor ?? throw new ArgumentNullException(name);

    // ---- operators ----------------------------------------------------------------------------

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double b) => a.add(-b);
    /// <summary>A scalar minus each element.</summary>
    public static Tensor operator -(double a, Tensor b) => FromStatus(cmm_rsub_scalar(b.Handle, a, out IntPtr r), r);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.neg();
    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    /// <summary>A scalar divided by each element.</summary>
    public static Tensor operator /(double a, Tensor b)
    {
        using Tensor inverse = b.pow(-1.0).DetachFromDisposeScope();
        return inverse.mul(a);
    }
}
