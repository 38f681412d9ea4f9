using System.Runtime.InteropServices;

namespace CausalMmm.Torch.Interop;

/// <summary>
/// The P/Invoke surface of libcausalmmm_native. The only place in the solution that calls native code;
/// every entry returns a status that <see cref="NativeStatus.Check"/> turns into a .NET exception.
/// </summary>
internal static partial class NativeMethods
{
    internal const string LibraryName = "causalmmm_native";

    static NativeMethods() => NativeLibraryResolver.EnsureRegistered();

    [LibraryImport(LibraryName)] internal static partial IntPtr cmm_last_error();
    [LibraryImport(LibraryName)] internal static partial int cmm_live_tensor_count(out long count);
    [LibraryImport(LibraryName)] internal static partial int cmm_version(out IntPtr version);
    [LibraryImport(LibraryName)] internal static partial int cmm_set_num_threads(int n);
    [LibraryImport(LibraryName)] internal static partial int cmm_get_num_threads(out int n);
    [LibraryImport(LibraryName)] internal static partial int cmm_manual_seed(ulong seed);
    [LibraryImport(LibraryName)] internal static partial int cmm_cuda_is_available(out int available);
    [LibraryImport(LibraryName)] internal static partial int cmm_cuda_device_count(out int count);
    [LibraryImport(LibraryName)] internal static partial int cmm_set_grad_enabled(int enabled);
    [LibraryImport(LibraryName)] internal static partial int cmm_is_grad_enabled(out int enabled);

    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_free(IntPtr t);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_from_data(void* data, int dtype, long* shape, int ndim, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_copy_to(TensorHandle t, int dtype, void* destination, long numel);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_zeros(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_full(long* shape, int ndim, double value, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_rand(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_randn(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_arange(long start, long end, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_ndim(TensorHandle t, out int ndim);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_tensor_shape(TensorHandle t, long* shape, int capacity);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_numel(TensorHandle t, out long numel);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_dtype(TensorHandle t, out int dtype);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_device(TensorHandle t, out int deviceType, out int deviceIndex);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_item(TensorHandle t, out double value);
    [LibraryImport(LibraryName)] internal static partial int cmm_tensor_alias(TensorHandle t, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_neg(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_exp(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_log(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_sqrt(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_abs(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_sigmoid(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_tanh(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_relu(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_isfinite(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_logical_not(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_clone(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_contiguous(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_detach(TensorHandle a, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_add(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_sub(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_mul(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_div(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_pow(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_maximum(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_minimum(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_eq(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_gt(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_lt(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_ge(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_le(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_matmul(TensorHandle a, TensorHandle b, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_bmm(TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_add_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_mul_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_div_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_rsub_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_pow_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_rpow_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_gt_scalar(TensorHandle a, double s, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_lt_scalar(TensorHandle a, double s, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_elu(TensorHandle a, double alpha, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_softplus(TensorHandle a, double beta, double threshold, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_softmax(TensorHandle a, long dim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_log_softmax(TensorHandle a, long dim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_clamp(TensorHandle a, int hasMin, double min, int hasMax, double max, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_where(TensorHandle condition, TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_sum(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_mean(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_max_all(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_norm(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_sum_dims(TensorHandle a, long* dims, int ndims, int keepdim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_mean_dims(TensorHandle a, long* dims, int ndims, int keepdim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_max_dim(TensorHandle a, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [LibraryImport(LibraryName)] internal static partial int cmm_argmax(TensorHandle a, long dim, int keepdim, out IntPtr result);

    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_reshape(TensorHandle a, long* shape, int ndim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_view(TensorHandle a, long* shape, int ndim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_permute(TensorHandle a, long* dims, int ndim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_transpose(TensorHandle a, long dim0, long dim1, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_unsqueeze(TensorHandle a, long dim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_squeeze(TensorHandle a, long dim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_expand(TensorHandle a, long* shape, int ndim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_cat(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static unsafe partial int cmm_stack(IntPtr* tensors, int count, long dim, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_narrow(TensorHandle a, long dim, long start, long length, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_index_select(TensorHandle a, long dim, TensorHandle index, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_gather(TensorHandle a, long dim, TensorHandle index, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_gumbel_like(TensorHandle like, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_gumbel_softmax(TensorHandle logits, double tau, int hard, long dim, out IntPtr result);

    [LibraryImport(LibraryName)] internal static partial int cmm_zero_(TensorHandle a);
    [LibraryImport(LibraryName)] internal static partial int cmm_copy_(TensorHandle a, TensorHandle source);
    [LibraryImport(LibraryName)] internal static partial int cmm_mul_scalar_(TensorHandle a, double s);
    [LibraryImport(LibraryName)] internal static partial int cmm_add_(TensorHandle a, TensorHandle b, double alpha);
    [LibraryImport(LibraryName)] internal static partial int cmm_addcmul_(TensorHandle a, TensorHandle b, TensorHandle c, double value);
    [LibraryImport(LibraryName)] internal static partial int cmm_addcdiv_(TensorHandle a, TensorHandle b, TensorHandle c, double value);

    [LibraryImport(LibraryName)] internal static partial int cmm_requires_grad_(TensorHandle a, int requiresGrad);
    [LibraryImport(LibraryName)] internal static partial int cmm_requires_grad(TensorHandle a, out int requiresGrad);
    [LibraryImport(LibraryName)] internal static partial int cmm_backward(TensorHandle a, IntPtr grad);
    [LibraryImport(LibraryName)] internal static partial int cmm_grad(TensorHandle a, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_zero_grad(TensorHandle a);

    [LibraryImport(LibraryName)] internal static partial int cmm_linear(TensorHandle input, TensorHandle weight, IntPtr bias, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_gru_cell(TensorHandle input, TensorHandle hx, TensorHandle wIh, TensorHandle wHh, IntPtr bIh, IntPtr bHh, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_gru_sequence(TensorHandle input, TensorHandle h0, TensorHandle wIh, TensorHandle wHh, IntPtr bIh, IntPtr bHh, out IntPtr output, out IntPtr last);
    [LibraryImport(LibraryName)] internal static partial int cmm_batch_norm(TensorHandle input, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_dropout(TensorHandle input, double p, int training, out IntPtr result);
    [LibraryImport(LibraryName)] internal static partial int cmm_mse_loss(TensorHandle input, TensorHandle target, out IntPtr result);
}
