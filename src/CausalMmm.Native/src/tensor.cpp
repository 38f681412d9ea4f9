// Tensor creation, queries and copies between .NET memory and libtorch.
#include <cstring>

#include "internal.h"

using namespace cmm;

namespace {
at::TensorOptions options(int32_t dtype, int32_t device_type, int32_t device_index) {
  return at::TensorOptions().dtype(to_scalar_type(dtype)).device(to_device(device_type, device_index));
}

void check_shape(at::IntArrayRef shape) {
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0)
      throw ArgumentError("shape[" + std::to_string(i) + "] is " + std::to_string(shape[i]) +
                          "; sizes must be non-negative");
}
}  // namespace

extern "C" {

CMM_API int cmm_tensor_free(cmm_tensor* t) {
  CMM_BEGIN
  delete t;
  CMM_END
}

CMM_API int cmm_tensor_from_data(const void* data, int32_t dtype, const int64_t* shape, int32_t ndim,
                                 int32_t device_type, int32_t device_index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  auto sizes = dims(shape, ndim, "shape");
  check_shape(sizes);
  auto cpu = at::empty(sizes, at::TensorOptions().dtype(to_scalar_type(dtype)));
  if (cpu.numel() > 0) {
    if (data == nullptr) throw ArgumentError("data is null for a tensor of " + std::to_string(cpu.numel()) + " elements");
    std::memcpy(cpu.data_ptr(), data, cpu.numel() * cpu.element_size());
  }
  auto device = to_device(device_type, device_index);
  emit(out, device.is_cpu() ? cpu : cpu.to(device));
  CMM_END
}

CMM_API int cmm_tensor_copy_to(const cmm_tensor* t, int32_t dtype, void* dst, int64_t numel) {
  CMM_BEGIN
  const auto& value = deref(t, "t");
  if (numel != value.numel())
    throw ArgumentError("destination holds " + std::to_string(numel) + " elements but the tensor has " +
                        std::to_string(value.numel()));
  if (numel == 0) return CMM_OK;
  if (dst == nullptr) throw ArgumentError("destination is null");
  auto cpu = value.detach().to(at::kCPU, to_scalar_type(dtype)).contiguous();
  std::memcpy(dst, cpu.data_ptr(), numel * cpu.element_size());
  CMM_END
}

CMM_API int cmm_tensor_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                             int32_t device_index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  auto sizes = dims(shape, ndim, "shape");
  check_shape(sizes);
  emit(out, at::zeros(sizes, options(dtype, device_type, device_index)));
  CMM_END
}

CMM_API int cmm_tensor_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype,
                            int32_t device_type, int32_t device_index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  auto sizes = dims(shape, ndim, "shape");
  check_shape(sizes);
  emit(out, at::full(sizes, value, options(dtype, device_type, device_index)));
  CMM_END
}

CMM_API int cmm_tensor_rand(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                            int32_t device_index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  auto sizes = dims(shape, ndim, "shape");
  check_shape(sizes);
  emit(out, at::rand(sizes, options(dtype, device_type, device_index)));
  CMM_END
}

CMM_API int cmm_tensor_randn(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                             int32_t device_index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  auto sizes = dims(shape, ndim, "shape");
  check_shape(sizes);
  emit(out, at::randn(sizes, options(dtype, device_type, device_index)));
  CMM_END
}

CMM_API int cmm_tensor_arange(int64_t start, int64_t end, int32_t dtype, int32_t device_type,
                              int32_t device_index, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::arange(start, end, options(dtype, device_type, device_index)));
  CMM_END
}

CMM_API int cmm_tensor_ndim(const cmm_tensor* t, int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = static_cast<int32_t>(deref(t, "t").dim());
  CMM_END
}

CMM_API int cmm_tensor_shape(const cmm_tensor* t, int64_t* shape, int32_t capacity) {
  CMM_BEGIN
  const auto& value = deref(t, "t");
  auto sizes = value.sizes();
  int32_t n = std::min<int32_t>(capacity, static_cast<int32_t>(sizes.size()));
  if (n > 0 && shape == nullptr) throw ArgumentError("shape buffer is null");
  for (int32_t i = 0; i < n; ++i) shape[i] = sizes[i];
  CMM_END
}

CMM_API int cmm_tensor_numel(const cmm_tensor* t, int64_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = deref(t, "t").numel();
  CMM_END
}

CMM_API int cmm_tensor_dtype(const cmm_tensor* t, int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = from_scalar_type(deref(t, "t").scalar_type());
  CMM_END
}

CMM_API int cmm_tensor_device(const cmm_tensor* t, int32_t* device_type, int32_t* device_index) {
  CMM_BEGIN
  require_out(device_type, "device_type");
  require_out(device_index, "device_index");
  auto device = deref(t, "t").device();
  *device_type = device.is_cuda() ? CMM_DEVICE_CUDA : CMM_DEVICE_CPU;
  *device_index = device.has_index() ? device.index() : 0;
  CMM_END
}

CMM_API int cmm_tensor_to(const cmm_tensor* t, int32_t dtype, int32_t device_type, int32_t device_index,
                          cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(t, "t").to(to_device(device_type, device_index), to_scalar_type(dtype)));
  CMM_END
}

CMM_API int cmm_tensor_item(const cmm_tensor* t, double* out) {
  CMM_BEGIN
  require_out(out, "out");
  const auto& value = deref(t, "t");
  if (value.numel() != 1)
    throw ArgumentError("item() needs a one-element tensor, got shape " + c10::str(value.sizes()));
  *out = value.item<double>();
  CMM_END
}

CMM_API int cmm_tensor_alias(const cmm_tensor* t, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, deref(t, "t"));
  CMM_END
}

}  // extern "C"
