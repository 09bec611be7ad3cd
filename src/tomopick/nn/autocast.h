#pragma once
// Mixed precision for a scope: LibTorch's autocast switched on for the device (bf16 on the CPU or
// CUDA, fp16 on CUDA) and off again on exit. "fp32" does nothing.
#include <ATen/autocast_mode.h>
#include <c10/core/Device.h>
#include <torch/version.h>

#include <string>

#include "tomopick/core/error.h"

namespace tomopick::nn {

// Autocast's C++ switches took a device type in LibTorch 2.4; before that they were per device.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define TOMOPICK_AUTOCAST_BY_DEVICE_TYPE 1
#else
#define TOMOPICK_AUTOCAST_BY_DEVICE_TYPE 0
#endif

class AutocastScope {
public:
  AutocastScope(const c10::Device& dev, const std::string& precision) {
    if (precision == "fp32" || precision == "none") return;
    const auto dtype = precision == "bf16" ? at::kBFloat16 : at::kHalf;
    if (dev.is_cpu() && precision == "fp16") throw Error("precision", "fp16 needs CUDA; use bf16 on the CPU");
#if TOMOPICK_AUTOCAST_BY_DEVICE_TYPE
    const auto type = dev.is_cpu() ? at::kCPU : at::kCUDA;
    at::autocast::set_autocast_dtype(type, dtype);
    at::autocast::set_autocast_enabled(type, true);
#else
    if (dev.is_cpu()) {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    } else {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    }
#endif
    (dev.is_cpu() ? cpu : cuda) = true;
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;
  ~AutocastScope() {
    if (!cpu && !cuda) return;
#if TOMOPICK_AUTOCAST_BY_DEVICE_TYPE
    at::autocast::set_autocast_enabled(cpu ? at::kCPU : at::kCUDA, false);
#else
    if (cpu) at::autocast::set_cpu_enabled(false);
    else at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }

private:
  bool cpu = false, cuda = false;
};


}  // namespace tomopick::nn
