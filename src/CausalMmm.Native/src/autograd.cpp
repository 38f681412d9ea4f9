// Autograd: marking leaves, backpropagation and gradient access.
#include "internal.h"

using namespace cmm;

extern "C" {

CMM_API int cmm_requires_grad_(cmm_tensor* a, int32_t requires_grad) {
  CMM_BEGIN
  deref_mut(a, "a")->requires_grad_(requires_grad != 0);
  CMM_END
}

CMM_API int cmm_requires_grad(const cmm_tensor* a, int32_t* out) {
  CMM_BEGIN
  require_out(out, "out");
  *out = deref(a, "a").requires_grad() ? 1 : 0;
  CMM_END
}

CMM_API int cmm_backward(const cmm_tensor* a, const cmm_tensor* grad) {
  CMM_BEGIN
  const auto& x = deref(a, "a");
  if (grad == nullptr) {
    x.backward();
  } else {
    x.backward(deref(grad, "grad"));
  }
  CMM_END
}

CMM_API int cmm_grad(const cmm_tensor* a, cmm_tensor** out) {
  CMM_BEGIN
  require_out(out, "out");
  const auto& g = deref(a, "a").grad();
  if (g.defined()) {
    emit(out, g);
  } else {
    *out = nullptr;
  }
  CMM_END
}

CMM_API int cmm_zero_grad(cmm_tensor* a) {
  CMM_BEGIN
  deref_mut(a, "a")->mutable_grad().reset();
  CMM_END
}

}  // extern "C"
