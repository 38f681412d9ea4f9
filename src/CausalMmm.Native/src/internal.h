// Private to the native library: the handle type, argument helpers and the exception barrier.
#pragma once

#include <ATen/ATen.h>
#include <atomic>
#include <string>
#include <vector>

#include "causalmmm_native.h"

struct cmm_tensor {
  at::Tensor value;
  explicit cmm_tensor(at::Tensor t);
  ~cmm_tensor();
  cmm_tensor(const cmm_tensor&) = delete;
  cmm_tensor& operator=(const cmm_tensor&) = delete;
};

namespace cmm {

// Thrown by our own argument checks; becomes CMM_ERROR_ARGUMENT.
struct ArgumentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

extern std::atomic<int64_t> live_tensors;

void set_last_error(const std::string& message);
void clear_last_error();
// Maps the exception in flight to a status and records its message; call only inside a catch.
int translate_current_exception(const char* function);

const at::Tensor& deref(const cmm_tensor* t, const char* name);
at::Tensor* deref_mut(cmm_tensor* t, const char* name);
c10::optional<at::Tensor> optional(const cmm_tensor* t);
at::ScalarType to_scalar_type(int32_t dtype);
int32_t from_scalar_type(at::ScalarType type);
at::Device to_device(int32_t device_type, int32_t device_index);
at::IntArrayRef dims(const int64_t* shape, int32_t ndim, const char* name);
void require_out(void* out, const char* name);

// Releases ownership into an out-parameter; the handle is created only after the op succeeded,
// so nothing leaks when the op throws.
inline void emit(cmm_tensor** out, at::Tensor t) { *out = new cmm_tensor(std::move(t)); }

}  // namespace cmm

// The exception barrier around every export: no C++ exception ever crosses the C ABI.
#define CMM_BEGIN try {
#define CMM_END                                        \
  return CMM_OK;                                       \
  }                                                    \
  catch (...) {                                        \
    return cmm::translate_current_exception(__func__); \
  }
