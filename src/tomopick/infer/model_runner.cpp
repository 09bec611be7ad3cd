#include "tomopick/infer/model_runner.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"
#include "tomopick/nn/autocast.h"

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

Predictor make_predictor(nn::HeatmapNet net, const RunnerOptions& o) {
  if (o.precision != "fp32" && o.precision != "bf16" && o.precision != "fp16")
    throw Error("--precision", "must be fp32, bf16 or fp16, got '" + o.precision + "'");
  return [net, o](const at::Tensor& batch) mutable {
    torch::NoGradGuard no_grad;
    const auto params = net->parameters();
    const auto dev = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
    torch::Tensor probs;
    {
      nn::AutocastScope scope(dev, o.precision);
      const auto logits = net->forward(batch.to(dev));
      probs = net->probabilities(logits.to(torch::kFloat), batch.sizes().vec());
    }
    return probs.to(torch::kCPU, torch::kFloat).contiguous();
  };
}

}  // namespace tomopick::infer
