#pragma once
// A network as the window engine wants it (a Predictor): windows moved to the network's device,
// optional reduced precision, probabilities back on the CPU as float32.
#include <string>

#include "tomopick/infer/sliding_window.h"
#include "tomopick/nn/heatmap_net.h"

namespace tomopick::infer {

// "auto" (CUDA when LibTorch sees a GPU, else CPU), "cpu", "cuda" or "cuda:N"; Error("--device") if
// CUDA is asked for and absent.
std::string resolve_device(const std::string& device);

struct RunnerOptions {
  std::string precision = "fp32";  // fp32 | bf16 (autocast; CPU or CUDA) | fp16 (CUDA autocast)
};

// The network must already be on its device and in eval mode.
Predictor make_predictor(nn::HeatmapNet net, const RunnerOptions& o = {});

}  // namespace tomopick::infer
