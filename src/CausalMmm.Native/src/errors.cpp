// Error capture and classification for the C ABI.
#include <new>
#include <stdexcept>

#include "internal.h"

namespace cmm {

std::atomic<int64_t> live_tensors{0};

namespace {
thread_local std::string last_error;

bool contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

int classify_torch_error(const std::string& message) {
  if (contains(message, "CUDA") || contains(message, "device") || contains(message, "Device"))
    return CMM_ERROR_DEVICE;
  if (contains(message, "scalar type") || contains(message, "dtype") || contains(message, "Dtype"))
    return CMM_ERROR_DTYPE;
  return CMM_ERROR_ARGUMENT;
}
}  // namespace

void set_last_error(const std::string& message) { last_error = message; }
void clear_last_error() { last_error.clear(); }

int translate_current_exception(const char* function) {
  // Each catch only records text: anything that might throw again (string building) is guarded by
  // the outer catch so that a failure while reporting still cannot escape.
  try {
    try {
      throw;
    } catch (const c10::OutOfMemoryError& e) {
      set_last_error(std::string(function) + ": out of memory: " + e.what_without_backtrace());
      return CMM_ERROR_OUT_OF_MEMORY;
    } catch (const c10::TypeError& e) {
      set_last_error(std::string(function) + ": " + e.what_without_backtrace());
      return CMM_ERROR_DTYPE;
    } catch (const c10::Error& e) {
      std::string message = e.what_without_backtrace();
      set_last_error(std::string(function) + ": " + message);
      return classify_torch_error(message);
    } catch (const std::bad_alloc&) {
      set_last_error(std::string(function) + ": out of memory (std::bad_alloc)");
      return CMM_ERROR_OUT_OF_MEMORY;
    } catch (const std::invalid_argument& e) {
      set_last_error(std::string(function) + ": " + e.what());
      return CMM_ERROR_ARGUMENT;
    } catch (const std::out_of_range& e) {
      set_last_error(std::string(function) + ": " + e.what());
      return CMM_ERROR_ARGUMENT;
    } catch (const std::runtime_error& e) {
      // Some libtorch checks (reshape's size inference, for one) throw plain runtime_error.
      std::string message = e.what();
      set_last_error(std::string(function) + ": " + message);
      return classify_torch_error(message);
    } catch (const std::exception& e) {
      set_last_error(std::string(function) + ": internal error: " + e.what());
      return CMM_ERROR_INTERNAL;
    } catch (...) {
      set_last_error(std::string(function) + ": internal error: unknown exception");
      return CMM_ERROR_INTERNAL;
    }
  } catch (...) {
    return CMM_ERROR_INTERNAL;
  }
}

const at::Tensor& deref(const cmm_tensor* t, const char* name) {
  if (t == nullptr) throw ArgumentError(std::string("tensor argument '") + name + "' is null");
  if (!t->value.defined()) throw ArgumentError(std::string("tensor argument '") + name + "' is undefined");
  return t->value;
}

at::Tensor* deref_mut(cmm_tensor* t, const char* name) {
  deref(t, name);
  return &t->value;
}

c10::optional<at::Tensor> optional(const cmm_tensor* t) {
  if (t == nullptr) return c10::nullopt;
  return t->value;
}

at::ScalarType to_scalar_type(int32_t dtype) {
  switch (dtype) {
    case CMM_FLOAT32: return at::kFloat;
    case CMM_FLOAT64: return at::kDouble;
    case CMM_INT64: return at::kLong;
    case CMM_BOOL: return at::kBool;
    default: throw ArgumentError("unknown dtype code " + std::to_string(dtype) + " (expected 0..3)");
  }
}

int32_t from_scalar_type(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return CMM_FLOAT32;
    case at::kDouble: return CMM_FLOAT64;
    case at::kLong: return CMM_INT64;
    case at::kBool: return CMM_BOOL;
    default:
      throw c10::TypeError({__func__, __FILE__, static_cast<uint32_t>(__LINE__)},
                           std::string("tensor has dtype ") + c10::toString(type) +
                               ", which the binding does not expose (float32, float64, int64, bool)");
  }
}

at::Device to_device(int32_t device_type, int32_t device_index) {
  switch (device_type) {
    case CMM_DEVICE_CPU: return at::Device(at::kCPU);
    case CMM_DEVICE_CUDA:
      return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device_index < 0 ? 0 : device_index));
    default:
      throw ArgumentError("unknown device type code " + std::to_string(device_type) + " (0 = cpu, 1 = cuda)");
  }
}

at::IntArrayRef dims(const int64_t* shape, int32_t ndim, const char* name) {
  if (ndim < 0) throw ArgumentError(std::string(name) + ": negative length " + std::to_string(ndim));
  if (ndim > 0 && shape == nullptr) throw ArgumentError(std::string(name) + " is null");
  return at::IntArrayRef(shape, static_cast<size_t>(ndim));
}

void require_out(void* out, const char* name) {
  if (out == nullptr) throw ArgumentError(std::string("out-parameter '") + name + "' is null");
}

}  // namespace cmm

cmm_tensor::cmm_tensor(at::Tensor t) : value(std::move(t)) { cmm::live_tensors.fetch_add(1); }
cmm_tensor::~cmm_tensor() { cmm::live_tensors.fetch_sub(1); }

extern "C" CMM_API const char* cmm_last_error(void) {
  try {
    return cmm::last_error.c_str();
  } catch (...) {
    return "";
  }
}
