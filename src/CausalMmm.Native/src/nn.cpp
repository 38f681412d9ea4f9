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

CMM_API int cmm_gru_sequence(const cmm_tensor* input, const cmm_tensor* h0, const cmm_tensor* w_ih,
                             const cmm_tensor* w_hh, const cmm_tensor* b_ih, const cmm_tensor* b_hh,
                             cmm_tensor** output, cmm_tensor** last) {
  CMM_BEGIN
  require_out(output, "output");
  require_out(last, "last");
  const auto& x = deref(input, "input");
  const auto& h = deref(h0, "h0");
  if (x.dim() != 3) throw ArgumentError("gru_sequence input must be [T, N, I], got " + c10::str(x.sizes()));
  if (h.dim() != 2) throw ArgumentError("gru_sequence h0 must be [N, H], got " + c10::str(h.sizes()));
  if ((b_ih == nullptr) != (b_hh == nullptr)) throw ArgumentError("gru_sequence needs both biases or neither");
  std::vector<at::Tensor> params{deref(w_ih, "w_ih"), deref(w_hh, "w_hh")};
  if (b_ih != nullptr) {
    params.push_back(deref(b_ih, "b_ih"));
    params.push_back(deref(b_hh, "b_hh"));
  }
  auto result = at::gru(x, h.unsqueeze(0), params, b_ih != nullptr, /*num_layers=*/1, /*dropout=*/0.0,
                        /*train=*/false, /*bidirectional=*/false, /*batch_first=*/false);
  auto out = std::make_unique<cmm_tensor>(std::get<0>(result));
  auto final_state = std::make_unique<cmm_tensor>(std::get<1>(result).squeeze(0));
  *output = out.release();
  *last = final_state.release();
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
