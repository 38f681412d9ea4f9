/*
 * causalmmm_native.h — the C ABI of CausalMmm over libtorch.
 *
 * Conventions (see DESIGN.md section 4):
 *  - Every function returns a cmm_status: CMM_OK (0) on success, otherwise an error category.
 *    Results come back through out-parameters, which are left untouched on error.
 *  - On error, cmm_last_error() returns a message for the calling thread. The buffer belongs to the
 *    library and stays valid until the next failing call on the same thread; never free it.
 *  - No C++ exception ever crosses this boundary.
 *  - cmm_tensor is an opaque handle owning one reference to a libtorch tensor. Every handle returned
 *    through an out-parameter is new and must be released with cmm_tensor_free, exactly once.
 *    Input handles are borrowed: the callee never frees them.
 *  - Thread safety: functions on distinct handles may run concurrently. Functions that mutate a
 *    tensor in place (names ending in '_') or its autograd state must not run concurrently with any
 *    other use of that tensor. Grad mode (cmm_set_grad_enabled) is per thread.
 *  - Shapes are (const int64_t* shape, int32_t ndim); dims may be negative (counted from the end).
 */
#ifndef CAUSALMMM_NATIVE_H
#define CAUSALMMM_NATIVE_H

#include <stdint.h>

#if defined(_WIN32)
#define CMM_API __declspec(dllexport)
#else
#define CMM_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Error categories returned by every function. */
typedef enum cmm_status {
  CMM_OK = 0,
  CMM_ERROR_ARGUMENT = 1,      /**< bad argument or shape mismatch */
  CMM_ERROR_DTYPE = 2,         /**< unsupported or mismatched element type */
  CMM_ERROR_OUT_OF_MEMORY = 3, /**< allocation failed (host or device) */
  CMM_ERROR_DEVICE = 4,        /**< device unavailable or tensors on different devices */
  CMM_ERROR_INTERNAL = 5       /**< anything else, including unknown exceptions */
} cmm_status;

/** Element types; the numbering is part of the ABI. */
typedef enum cmm_dtype {
  CMM_FLOAT32 = 0,
  CMM_FLOAT64 = 1,
  CMM_INT64 = 2,
  CMM_BOOL = 3
} cmm_dtype;

/** Device types; the numbering is part of the ABI. */
typedef enum cmm_device_type { CMM_DEVICE_CPU = 0, CMM_DEVICE_CUDA = 1 } cmm_device_type;

/** Opaque tensor handle. */
typedef struct cmm_tensor cmm_tensor;

/* ---- errors and runtime ------------------------------------------------------------------- */

/** Message of the last failing call on this thread ("" if none). Owned by the library. */
CMM_API const char* cmm_last_error(void);
/** Number of live cmm_tensor handles in the process, for leak tests. */
CMM_API int cmm_live_tensor_count(int64_t* out);
/** libtorch version string, e.g. "1.13.1" (owned by the library). */
CMM_API int cmm_version(const char** out);
CMM_API int cmm_set_num_threads(int32_t n);
CMM_API int cmm_get_num_threads(int32_t* out);
CMM_API int cmm_manual_seed(uint64_t seed);
CMM_API int cmm_cuda_is_available(int32_t* out);
CMM_API int cmm_cuda_device_count(int32_t* out);
CMM_API int cmm_set_grad_enabled(int32_t enabled);
CMM_API int cmm_is_grad_enabled(int32_t* out);

/* ---- creation, queries, copies ------------------------------------------------------------ */

CMM_API int cmm_tensor_free(cmm_tensor* t);
/** Copies `data` (numel elements of `dtype`, row-major) into a new tensor on the given device. */
CMM_API int cmm_tensor_from_data(const void* data, int32_t dtype, const int64_t* shape, int32_t ndim,
                                 int32_t device_type, int32_t device_index, cmm_tensor** out);
/** Copies the tensor's elements, converted to `dtype`, row-major into `dst` (`numel` elements). */
CMM_API int cmm_tensor_copy_to(const cmm_tensor* t, int32_t dtype, void* dst, int64_t numel);
CMM_API int cmm_tensor_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                             int32_t device_index, cmm_tensor** out);
CMM_API int cmm_tensor_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype,
                            int32_t device_type, int32_t device_index, cmm_tensor** out);
CMM_API int cmm_tensor_rand(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                            int32_t device_index, cmm_tensor** out);
CMM_API int cmm_tensor_randn(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                             int32_t device_index, cmm_tensor** out);
CMM_API int cmm_tensor_arange(int64_t start, int64_t end, int32_t dtype, int32_t device_type,
                              int32_t device_index, cmm_tensor** out);
CMM_API int cmm_tensor_ndim(const cmm_tensor* t, int32_t* out);
/** Writes min(ndim, capacity) sizes into `shape`. */
CMM_API int cmm_tensor_shape(const cmm_tensor* t, int64_t* shape, int32_t capacity);
CMM_API int cmm_tensor_numel(const cmm_tensor* t, int64_t* out);
CMM_API int cmm_tensor_dtype(const cmm_tensor* t, int32_t* out);
CMM_API int cmm_tensor_device(const cmm_tensor* t, int32_t* device_type, int32_t* device_index);
CMM_API int cmm_tensor_to(const cmm_tensor* t, int32_t dtype, int32_t device_type, int32_t device_index,
                          cmm_tensor** out);
/** The single element of a one-element tensor, as double. */
CMM_API int cmm_tensor_item(const cmm_tensor* t, double* out);
/** A new handle sharing storage and autograd history with `t`. */
CMM_API int cmm_tensor_alias(const cmm_tensor* t, cmm_tensor** out);

/* ---- elementwise ------------------------------------------------------------------------- */

#define CMM_DECLARE_UNARY(name) CMM_API int cmm_##name(const cmm_tensor* a, cmm_tensor** out);
#define CMM_DECLARE_BINARY(name) \
  CMM_API int cmm_##name(const cmm_tensor* a, const cmm_tensor* b, cmm_tensor** out);
#define CMM_DECLARE_SCALAR(name) CMM_API int cmm_##name(const cmm_tensor* a, double s, cmm_tensor** out);

CMM_DECLARE_UNARY(neg)
CMM_DECLARE_UNARY(exp)
CMM_DECLARE_UNARY(log)
CMM_DECLARE_UNARY(sqrt)
CMM_DECLARE_UNARY(abs)
CMM_DECLARE_UNARY(sigmoid)
CMM_DECLARE_UNARY(tanh)
CMM_DECLARE_UNARY(relu)
CMM_DECLARE_UNARY(isfinite)
CMM_DECLARE_UNARY(logical_not)
CMM_DECLARE_UNARY(clone)
CMM_DECLARE_UNARY(contiguous)
CMM_DECLARE_UNARY(detach)

CMM_DECLARE_BINARY(add)
CMM_DECLARE_BINARY(sub)
CMM_DECLARE_BINARY(mul)
CMM_DECLARE_BINARY(div)
CMM_DECLARE_BINARY(pow)
CMM_DECLARE_BINARY(maximum)
CMM_DECLARE_BINARY(minimum)
CMM_DECLARE_BINARY(eq)
CMM_DECLARE_BINARY(gt)
CMM_DECLARE_BINARY(lt)
CMM_DECLARE_BINARY(ge)
CMM_DECLARE_BINARY(le)
CMM_DECLARE_BINARY(matmul)
CMM_DECLARE_BINARY(bmm)

CMM_DECLARE_SCALAR(add_scalar)
CMM_DECLARE_SCALAR(mul_scalar)
CMM_DECLARE_SCALAR(div_scalar)
/** s - a */
CMM_DECLARE_SCALAR(rsub_scalar)
/** a ^ s */
CMM_DECLARE_SCALAR(pow_scalar)
/** s ^ a */
CMM_DECLARE_SCALAR(rpow_scalar)
CMM_DECLARE_SCALAR(gt_scalar)
CMM_DECLARE_SCALAR(lt_scalar)

CMM_API int cmm_elu(const cmm_tensor* a, double alpha, cmm_tensor** out);
CMM_API int cmm_softplus(const cmm_tensor* a, double beta, double threshold, cmm_tensor** out);
CMM_API int cmm_softmax(const cmm_tensor* a, int64_t dim, cmm_tensor** out);
CMM_API int cmm_log_softmax(const cmm_tensor* a, int64_t dim, cmm_tensor** out);
/** Clamps to [min, max]; a bound is ignored when its has_ flag is 0. */
CMM_API int cmm_clamp(const cmm_tensor* a, int32_t has_min, double min, int32_t has_max, double max,
                      cmm_tensor** out);
CMM_API int cmm_where(const cmm_tensor* condition, const cmm_tensor* a, const cmm_tensor* b,
                      cmm_tensor** out);

/* ---- reductions -------------------------------------------------------------------------- */

CMM_API int cmm_sum(const cmm_tensor* a, cmm_tensor** out);
CMM_API int cmm_mean(const cmm_tensor* a, cmm_tensor** out);
CMM_API int cmm_max_all(const cmm_tensor* a, cmm_tensor** out);
CMM_API int cmm_sum_dims(const cmm_tensor* a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                         cmm_tensor** out);
CMM_API int cmm_mean_dims(const cmm_tensor* a, const int64_t* dims, int32_t ndims, int32_t keepdim,
                          cmm_tensor** out);
CMM_API int cmm_max_dim(const cmm_tensor* a, int64_t dim, int32_t keepdim, cmm_tensor** values,
                        cmm_tensor** indices);
CMM_API int cmm_argmax(const cmm_tensor* a, int64_t dim, int32_t keepdim, cmm_tensor** out);
/** L2 norm of all elements. */
CMM_API int cmm_norm(const cmm_tensor* a, cmm_tensor** out);

/* ---- shape and indexing ------------------------------------------------------------------ */

CMM_API int cmm_reshape(const cmm_tensor* a, const int64_t* shape, int32_t ndim, cmm_tensor** out);
CMM_API int cmm_view(const cmm_tensor* a, const int64_t* shape, int32_t ndim, cmm_tensor** out);
CMM_API int cmm_permute(const cmm_tensor* a, const int64_t* dims, int32_t ndim, cmm_tensor** out);
CMM_API int cmm_transpose(const cmm_tensor* a, int64_t dim0, int64_t dim1, cmm_tensor** out);
CMM_API int cmm_unsqueeze(const cmm_tensor* a, int64_t dim, cmm_tensor** out);
CMM_API int cmm_squeeze(const cmm_tensor* a, int64_t dim, cmm_tensor** out);
CMM_API int cmm_expand(const cmm_tensor* a, const int64_t* shape, int32_t ndim, cmm_tensor** out);
CMM_API int cmm_cat(const cmm_tensor* const* tensors, int32_t count, int64_t dim, cmm_tensor** out);
CMM_API int cmm_stack(const cmm_tensor* const* tensors, int32_t count, int64_t dim, cmm_tensor** out);
CMM_API int cmm_narrow(const cmm_tensor* a, int64_t dim, int64_t start, int64_t length, cmm_tensor** out);
CMM_API int cmm_index_select(const cmm_tensor* a, int64_t dim, const cmm_tensor* index, cmm_tensor** out);
CMM_API int cmm_gather(const cmm_tensor* a, int64_t dim, const cmm_tensor* index, cmm_tensor** out);

/* ---- randomness -------------------------------------------------------------------------- */

/** Standard Gumbel noise -log(-log(U)) shaped like `like`, U clamped away from 0 and 1. */
CMM_API int cmm_gumbel_like(const cmm_tensor* like, cmm_tensor** out);
/** softmax((logits + Gumbel) / tau) over `dim`; with hard != 0, the one-hot straight-through form. */
CMM_API int cmm_gumbel_softmax(const cmm_tensor* logits, double tau, int32_t hard, int64_t dim,
                               cmm_tensor** out);

/* ---- in place (optimisers); not to be used concurrently with the same tensor -------------- */

CMM_API int cmm_zero_(cmm_tensor* a);
CMM_API int cmm_copy_(cmm_tensor* a, const cmm_tensor* src);
CMM_API int cmm_mul_scalar_(cmm_tensor* a, double s);
/** a += alpha * b */
CMM_API int cmm_add_(cmm_tensor* a, const cmm_tensor* b, double alpha);
/** a += value * b * c */
CMM_API int cmm_addcmul_(cmm_tensor* a, const cmm_tensor* b, const cmm_tensor* c, double value);
/** a += value * b / c */
CMM_API int cmm_addcdiv_(cmm_tensor* a, const cmm_tensor* b, const cmm_tensor* c, double value);

/* ---- autograd ---------------------------------------------------------------------------- */

CMM_API int cmm_requires_grad_(cmm_tensor* a, int32_t requires_grad);
CMM_API int cmm_requires_grad(const cmm_tensor* a, int32_t* out);
/** Backpropagates from `a`; `grad` may be NULL for a one-element `a`. */
CMM_API int cmm_backward(const cmm_tensor* a, const cmm_tensor* grad);
/** The accumulated gradient of a leaf, or *out = NULL when it has none. */
CMM_API int cmm_grad(const cmm_tensor* a, cmm_tensor** out);
/** Drops the accumulated gradient of a leaf. */
CMM_API int cmm_zero_grad(cmm_tensor* a);

/* ---- neural-network functions -------------------------------------------------------------- */

/** input @ weight^T + bias; bias may be NULL. */
CMM_API int cmm_linear(const cmm_tensor* input, const cmm_tensor* weight, const cmm_tensor* bias,
                       cmm_tensor** out);
/** One GRU step; biases may be NULL. Gate layout as in torch.nn.GRUCell (r, z, n). */
CMM_API int cmm_gru_cell(const cmm_tensor* input, const cmm_tensor* hx, const cmm_tensor* w_ih,
                         const cmm_tensor* w_hh, const cmm_tensor* b_ih, const cmm_tensor* b_hh,
                         cmm_tensor** out);
/** A single-layer GRU over a whole sequence: input [T, N, I], h0 [N, H]; writes every step's state
 *  [T, N, H] to *output and the last state [N, H] to *last. Same parameter layout as cmm_gru_cell, so one
 *  set of weights serves both teacher forcing (whole sequence, one call) and step-by-step forecasting. */
CMM_API int cmm_gru_sequence(const cmm_tensor* input, const cmm_tensor* h0, const cmm_tensor* w_ih,
                             const cmm_tensor* w_hh, const cmm_tensor* b_ih, const cmm_tensor* b_hh,
                             cmm_tensor** output, cmm_tensor** last);
/** Batch normalisation over dim 1; weight, bias, running statistics may each be NULL. In training the
 *  running statistics are updated in place. */
CMM_API int cmm_batch_norm(const cmm_tensor* input, const cmm_tensor* weight, const cmm_tensor* bias,
                           cmm_tensor* running_mean, cmm_tensor* running_var, int32_t training,
                           double momentum, double eps, cmm_tensor** out);
CMM_API int cmm_dropout(const cmm_tensor* input, double p, int32_t training, cmm_tensor** out);
CMM_API int cmm_mse_loss(const cmm_tensor* input, const cmm_tensor* target, cmm_tensor** out);

#ifdef __cplusplus
}
#endif

#endif /* CAUSALMMM_NATIVE_H */
