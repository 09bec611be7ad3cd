#pragma once
// One batch of windows through every ensemble member and every test-time transform.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "tomopick/infer/tta.h"

namespace tomopick::infer {

// [N, 1, Z, Y, X] float32 CPU windows (already normalised) -> [N, C, Z/s, Y/s, X/s] probabilities.
// The caller wraps the model (device, AMP, sigmoid) in it; the result is moved to CPU float32 here.
using Predictor = std::function<at::Tensor(const at::Tensor& batch)>;

// One network of an ensemble; outputs are averaged with these weights (> 0).
struct Member {
  Predictor predict;
  double weight = 1;
  // A point head's: the predictor's last 3 channels are offsets (dz, dy, dx, input voxels from each
  // voxel to its particle's centre; nn/heatmap_net.h). They are averaged over the members that have
  // them, and turned with each transform's inverse (invert_vectors) as well as moved back.
  bool offsets = false;
  // Per class (the output's class order), a factor on `weight` for that class's map; empty: all 1.
  // A class must keep a positive weight in some member.
  std::vector<double> class_weights;
};

// Error("ensemble", ...) for no members, a member without a predictor, a weight that is not > 0, or
// class weights that are negative, of different lengths, or 0 for a class in every member.
void validate(const std::vector<Member>& members);

// Σ_m weight_m · mean_t invert(t, predict_m(apply(t, batch))) / Σ_m weight_m, as a contiguous
// [N, C, Z/s, Y/s, X/s] float32 CPU tensor; when some members have offsets, C classes then their
// 3 offset channels (weighted over those members only). after_call(N) runs after every predictor call.
// Error("predictor", ...) when an output has the wrong shape, or members disagree on the classes.
at::Tensor predict_batch(const at::Tensor& batch, const std::vector<Member>& members, const std::vector<Tta>& tta,
                         int out_stride, const std::function<void(int64_t windows)>& after_call = {});

}  // namespace tomopick::infer
