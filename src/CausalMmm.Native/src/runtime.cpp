// Process-wide settings: threads, seeds, devices, grad mode, version, leak counter.
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>
#include <torch/cuda.h>

#include "internal.h"

using namespace cmm;

extern "C" {

CMM_API int cmm_live_tensor_count(int64_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = live_tensors.load();
  CMM_END
}

CMM_API int cmm_version(const char** out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = TORCH_VERSION;
  CMM_END
}

CMM_API int cmm_set_num_threads(int32_t n) {
  CMM_BEGIN
  if (n < 1) throw ArgumentError("thread count must be at least 1, got " + std::to_string(n));
  at::set_num_threads(n);
  CMM_END
}

CMM_API int cmm_get_num_threads(int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = at::get_num_threads();
  CMM_END
}

CMM_API int cmm_manual_seed(uint64_t seed) {
  CMM_BEGIN
  at::manual_seed(seed);
  CMM_END
}

CMM_API int cmm_cuda_is_available(int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = torch::cuda::is_available() ? 1 : 0;
  CMM_END
}

CMM_API int cmm_cuda_device_count(int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = static_cast<int32_t>(torch::cuda::device_count());
  CMM_END
}

CMM_API int cmm_set_grad_enabled(int32_t enabled) {
  CMM_BEGIN
  c10::GradMode::set_enabled(enabled != 0);
  CMM_END
}

CMM_API int cmm_is_grad_enabled(int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = c10::GradMode::is_enabled() ? 1 : 0;
  CMM_END
}

}  // extern "C"
