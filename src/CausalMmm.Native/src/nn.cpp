// Neural-network building blocks used by the managed modules.
#include "internal.h"

using namespace cmm;

extern "C" {

CMM_API int cmm_linear(const cmm_tensor* input, const cmm_tensor* weight, const cmm_tensor* bias,
                       cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::linear(deref(input, "input"), deref(weight, "weight"), optional(bias)));
  CMM_END
}

CMM_API int cmm_gru_cell(const cmm_tensor* input, const cmm_tensor* hx, const cmm_tensor* w_ih,
                         const cmm_tensor* w_hh, const cmm_tensor* b_ih, const cmm_tensor* b_hh,
                         cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::gru_cell(deref(input, "input"), deref(hx, "hx"), deref(w_ih, "w_ih"), deref(w_hh, "w_hh"),
                         optional(b_ih), optional(b_hh)));
  CMM_END
}

CMM_API int cmm_batch_norm(const cmm_tensor* input, const cmm_tensor* weight, const cmm_tensor* bias,
                           cmm_tensor* running_mean, cmm_tensor* running_var, int32_t training,
                           double momentum, double eps, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::batch_norm(deref(input, "input"), optional(weight), optional(bias), optional(running_mean),
                           optional(running_var), training != 0, momentum, eps, /*cudnn_enabled=*/true));
  CMM_END
}

CMM_API int cmm_dropout(const cmm_tensor* input, double p, int32_t training, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  if (p < 0 || p > 1) throw ArgumentError("dropout probability must be in [0, 1], got " + std::to_string(p));
  emit(out, at::dropout(deref(input, "input"), p, training != 0));
  CMM_END
}

CMM_API int cmm_mse_loss(const cmm_tensor* input, const cmm_tensor* target, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  emit(out, at::mse_loss(deref(input, "input"), deref(target, "target")));
  CMM_END
}

}  // extern "C"
