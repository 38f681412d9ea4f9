// Elementwise arithmetic, reductions, shape manipulation, indexing and randomness.
#include "internal.h"

using namespace cmm;

#define CMM_UNARY(name, expr)                                  \
  CMM_API int cmm_##name(const cmm_tensor* a, cmm_tensor** out) { \
    CMM_BEGIN                                                  \
    require_out(out, "out");                                   \
    const auto& x = deref(a, "a");                             \
    emit(out, expr);                                           \
    CMM_END                                                    \
  }

#define CMM_BINARY(name, expr)                                                     \
  CMM_API int cmm_##name(const cmm_tensor* a, const cmm_tensor* b, cmm_tensor** out) { \
    CMM_BEGIN                                                                      \
    require_out(out, "out");                                                       \
    const auto& x = deref(a, "a");                                                 \
    const auto& y = deref(b, "b");                                                 \
    emit(out, expr);                                                               \
    CMM_END                                                                        \
  }

#define CMM_SCALAR(name, expr)                                           \
  CMM_API int cmm_##name(const cmm_tensor* a, double s, cmm_tensor** out) { \
    CMM_BEGIN                                                            \
    require_out(out, "out");                                             \
    const auto& x = deref(a, "a");                                       \
    emit(out, expr);                                                     \
    CMM_END                                                              \
  }

namespace {
std::vector<at::Tensor> gather_list(const cmm_tensor* const* tensors, int32_t count) {
  if (count < 1) throw ArgumentError("need at least one tensor, got " + std::to_string(count));
  if (tensors == nullptr) throw ArgumentError("tensor list is null");
  std::vector<at::Tensor> list;
  list.reserve(count);
  for (int32_t i = 0; i < count; ++i) {
    if (tensors[i] == nullptr) throw ArgumentError("tensor list entry " + std::to_string(i) + " is null");
    list.push_back(tensors[i]->value);
  }
  return list;
}
}  // namespace

extern "C" {

CMM_UNARY(neg, at::neg(x))
CMM_UNARY(exp, at::exp(x))
CMM_UNARY(log, at::log(x))
CMM_UNARY(sqrt, at::sqrt(x))
CMM_UNARY(abs, at::abs(x))
CMM_UNARY(sigmoid, at::sigmoid(x))
CMM_UNARY(tanh, at::tanh(x))
CMM_UNARY(relu, at::relu(x))
CMM_UNARY(isfinite, at::isfinite(x))
CMM_UNARY(logical_not, at::logical_not(x))
CMM_UNARY(clone, x.clone())
CMM_UNARY(contiguous, x.contiguous())
CMM_UNARY(detach, x.detach())

CMM_BINARY(add, at::add(x, y))
CMM_BINARY(sub, at::sub(x, y))
CMM_BINARY(mul, at::mul(x, y))
CMM_BINARY(div, at::div(x, y))
CMM_BINARY(pow, at::pow(x, y))
CMM_BINARY(maximum, at::maximum(x, y))
CMM_BINARY(minimum, at::minimum(x, y))
CMM_BINARY(eq, at::eq(x, y))
CMM_BINARY(gt, at::gt(x, y))
CMM_BINARY(lt, at::lt(x, y))
CMM_BINARY(ge, at::ge(x, y))
CMM_BINARY(le, at::le(x, y))
CMM_BINARY(matmul, at::matmul(x, y))
CMM_BINARY(bmm, at::bmm(x, y))

CMM_SCALAR(add_scalar, at::add(x, s))
CMM_SCALAR(mul_scalar, at::mul(x, s))
CMM_SCALAR(div_scalar, at::div(x, s))
CMM_SCALAR(rsub_scalar, at::rsub(x, s))
CMM_SCALAR(pow_scalar, at::pow(x, s))
CMM_SCALAR(rpow_scalar, at::pow(at::Scalar(s), x))
CMM_SCALAR(gt_scalar, at::gt(x, s))
CMM_SCALAR(lt_scalar, at::lt(x, s))

CMM_API int cmm_elu(const cmm_tensor* a, double alpha, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::elu(deref(a, "a"), alpha));
  CMM_END
}

CMM_API int cmm_softplus(const cmm_tensor* a, double beta, double threshold, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::softplus(deref(a, "a"), beta, threshold));
  CMM_END
}

CMM_API int cmm_softmax(const cmm_tensor* a, int64_t dim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::softmax(deref(a, "a"), dim));
  CMM_END
}

CMM_API int cmm_log_softmax(const cmm_tensor* a, int64_t dim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::log_softmax(deref(a, "a"), dim));
  CMM_END
}

CMM_API int cmm_clamp(const cmm_tensor* a, int32_t has_min, double min, int32_t has_max, double max,
                      cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  if (!has_min && !has_max) throw ArgumentError("clamp needs at least one of min and max");
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  emit(out, at::clamp(deref(a, "a"), lo, hi));
  CMM_END
}

CMM_API int cmm_where(const cmm_tensor* condition, const cmm_tensor* a, const cmm_tensor* b,
                      cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::where(deref(condition, "condition"), deref(a, "a"), deref(b, "b")));
  CMM_END
}

CMM_UNARY(sum, at::sum(x))
CMM_UNARY(mean, at::mean(x))
CMM_UNARY(max_all, at::max(x))
CMM_UNARY(norm, at::norm(x))

CMM_API int cmm_sum_dims(const cmm_tensor* a, const int64_t* dims_, int32_t ndims, int32_t keepdim,
                         cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::sum(deref(a, "a"), dims(dims_, ndims, "dims"), keepdim != 0));
  CMM_END
}

CMM_API int cmm_mean_dims(const cmm_tensor* a, const int64_t* dims_, int32_t ndims, int32_t keepdim,
                          cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::mean(deref(a, "a"), dims(dims_, ndims, "dims"), keepdim != 0));
  CMM_END
}

CMM_API int cmm_max_dim(const cmm_tensor* a, int64_t dim, int32_t keepdim, cmm_tensor** values,
                        cmm_tensor** indices) {
  CMM_BEGIN
  require_out(values, "values");
  require_out(indices, "indices");
  auto result = at::max(deref(a, "a"), dim, keepdim != 0);
  auto v = std::make_unique<cmm_tensor>(std::get<0>(result));
  auto i = std::make_unique<cmm_tensor>(std::get<1>(result));
  *values = v.release();
  *indices = i.release();
  CMM_END
}

CMM_API int cmm_argmax(const cmm_tensor* a, int64_t dim, int32_t keepdim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::argmax(deref(a, "a"), dim, keepdim != 0));
  CMM_END
}

CMM_API int cmm_reshape(const cmm_tensor* a, const int64_t* shape, int32_t ndim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").reshape(dims(shape, ndim, "shape")));
  CMM_END
}

CMM_API int cmm_view(const cmm_tensor* a, const int64_t* shape, int32_t ndim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").view(dims(shape, ndim, "shape")));
  CMM_END
}

CMM_API int cmm_permute(const cmm_tensor* a, const int64_t* dims_, int32_t ndim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").permute(dims(dims_, ndim, "dims")));
  CMM_END
}

CMM_API int cmm_transpose(const cmm_tensor* a, int64_t dim0, int64_t dim1, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").transpose(dim0, dim1));
  CMM_END
}

CMM_API int cmm_unsqueeze(const cmm_tensor* a, int64_t dim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").unsqueeze(dim));
  CMM_END
}

CMM_API int cmm_squeeze(const cmm_tensor* a, int64_t dim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").squeeze(dim));
  CMM_END
}

CMM_API int cmm_expand(const cmm_tensor* a, const int64_t* shape, int32_t ndim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").expand(dims(shape, ndim, "shape")));
  CMM_END
}

CMM_API int cmm_cat(const cmm_tensor* const* tensors, int32_t count, int64_t dim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::cat(gather_list(tensors, count), dim));
  CMM_END
}

CMM_API int cmm_stack(const cmm_tensor* const* tensors, int32_t count, int64_t dim, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::stack(gather_list(tensors, count), dim));
  CMM_END
}

CMM_API int cmm_narrow(const cmm_tensor* a, int64_t dim, int64_t start, int64_t length, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(a, "a").narrow(dim, start, length));
  CMM_END
}

CMM_API int cmm_index_select(const cmm_tensor* a, int64_t dim, const cmm_tensor* index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::index_select(deref(a, "a"), dim, deref(index, "index")));
  CMM_END
}

CMM_API int cmm_gather(const cmm_tensor* a, int64_t dim, const cmm_tensor* index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::gather(deref(a, "a"), dim, deref(index, "index")));
  CMM_END
}

CMM_API int cmm_gumbel_like(const cmm_tensor* like, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  const auto& x = deref(like, "like");
  // Clamping U keeps log(-log(U)) finite at float32 resolution.
  auto u = at::rand(x.sizes(), x.options().requires_grad(false)).clamp(1e-10, 1.0 - 1e-7);
  emit(out, -at::log(-at::log(u)));
  CMM_END
}

CMM_API int cmm_gumbel_softmax(const cmm_tensor* logits, double tau, int32_t hard, int64_t dim,
                               cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  if (!(tau > 0)) throw ArgumentError("gumbel_softmax temperature tau must be positive, got " + std::to_string(tau));
  const auto& x = deref(logits, "logits");
  auto u = at::rand(x.sizes(), x.options().requires_grad(false)).clamp(1e-10, 1.0 - 1e-7);
  auto soft = at::softmax((x - at::log(-at::log(u))) / tau, dim);
  if (hard != 0) {
    auto index = std::get<1>(soft.max(dim, true));
    auto one_hot = at::zeros_like(soft).scatter_(dim, index, 1.0);
    // Straight-through: the forward value is one-hot, the gradient is the soft sample's.
    emit(out, one_hot - soft.detach() + soft);
  } else {
    emit(out, soft);
  }
  CMM_END
}

CMM_API int cmm_zero_(cmm_tensor* a) {
  CMM_BEGIN
  deref_mut(a, "a")->zero_();
  CMM_END
}

CMM_API int cmm_copy_(cmm_tensor* a, const cmm_tensor* src) {
  CMM_BEGIN
  deref_mut(a, "a")->copy_(deref(src, "src"));
  CMM_END
}

CMM_API int cmm_mul_scalar_(cmm_tensor* a, double s) {
  CMM_BEGIN
  deref_mut(a, "a")->mul_(s);
  CMM_END
}

CMM_API int cmm_add_(cmm_tensor* a, const cmm_tensor* b, double alpha) {
  CMM_BEGIN
  deref_mut(a, "a")->add_(deref(b, "b"), alpha);
  CMM_END
}

CMM_API int cmm_addcmul_(cmm_tensor* a, const cmm_tensor* b, const cmm_tensor* c, double value) {
  CMM_BEGIN
  deref_mut(a, "a")->addcmul_(deref(b, "b"), deref(c, "c"), value);
  CMM_END
}

CMM_API int cmm_addcdiv_(cmm_tensor* a, const cmm_tensor* b, const cmm_tensor* c, double value) {
  CMM_BEGIN
  deref_mut(a, "a")->addcdiv_(deref(b, "b"), deref(c, "c"), value);
  CMM_END
}

}  // extern "C"
