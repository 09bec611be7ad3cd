#include "tomopick/infer/model_runner.h"

#include <torch/torch.h>
#include <torch/version.h>
#include <ATen/autocast_mode.h>

#include "tomopick/core/error.h"

namespace tomopick::infer {

std::string resolve_device(const std::string& d) {
  if (d == "auto") return torch::cuda::is_available() ? "cuda" : "cpu";
  if (d == "cpu") return d;
  if (d == "cuda" || d.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) throw Error("--device", d + " asked for, but LibTorch sees no CUDA device (a CPU build?)");
    return d;
  }
  throw Error("--device", "must be auto, cpu, cuda or cuda:N, got '" + d + "'");
}

namespace {

// Autocast's C++ switches changed names between LibTorch 1.13 and 2.x.
struct AutocastScope {
  bool cpu = false, cuda = false;
  AutocastScope(const torch::Device& dev, const std::string& precision) {
    if (precision == "fp32") return;
    const auto dtype = precision == "bf16" ? at::kBFloat16 : at::kHalf;
    if (dev.is_cpu() && precision == "fp16") throw Error("--precision", "fp16 needs CUDA; use bf16 on the CPU");
#if TORCH_VERSION_MAJOR >= 2
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
  ~AutocastScope() {
    if (!cpu && !cuda) return;
#if TORCH_VERSION_MAJOR >= 2
    at::autocast::set_autocast_enabled(cpu ? at::kCPU : at::kCUDA, false);
#else
    if (cpu) at::autocast::set_cpu_enabled(false);
    else at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }
};

}  // namespace

Predictor make_predictor(nn::HeatmapNet net, const RunnerOptions& o) {
  if (o.precision != "fp32" && o.precision != "bf16" && o.precision != "fp16")
    throw Error("--precision", "must be fp32, bf16 or fp16, got '" + o.precision + "'");
  return [net, o](const at::Tensor& batch) mutable {
    torch::NoGradGuard no_grad;
    const auto params = net->parameters();
    const auto dev = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
    torch::Tensor probs;
    {
      AutocastScope scope(dev, o.precision);
      const auto logits = net->forward(batch.to(dev));
      probs = net->probabilities(logits.to(torch::kFloat));
    }
    return probs.to(torch::kCPU, torch::kFloat).contiguous();
  };
}

}  // namespace tomopick::infer
