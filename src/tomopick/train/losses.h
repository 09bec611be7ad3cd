#pragma once
// Training losses. Heatmap heads: logits [N, C, ...] against targets in [0, 1] of the same shape;
// segmentation heads: logits [N, C+1, ...] (channel 0 = background) against uint8 labels [N, ...]
// where kIgnoreLabel (255) voxels do not count. `class_weights` has one entry per class (C).
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace tomopick::train {

// mean(w · (sigmoid(logits) − t)²) with w = (t + offset) · class weight: the error counts more where
// particles are (the 1st-place CZII loss), without letting background go unpunished.
at::Tensor weighted_mse(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& class_weights,
                        double offset = 0.1);

// Per class, the mean squared error over the foreground (t > 0.1) and over the background, averaged:
// rare particles weigh as much as the empty space around them.
at::Tensor balanced_mse(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& class_weights);

// Binary cross-entropy on logits, each class weighted.
at::Tensor bce(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& class_weights);

// Weighted cross-entropy (background weight 1, classes their weight) plus tversky_weight × the mean
// over classes of 1 − TP / (TP + α·FP + β·FN) on softmax probabilities (soft counts).
at::Tensor ce_tversky(const at::Tensor& logits, const at::Tensor& labels, const std::vector<double>& class_weights,
                      double alpha, double beta, double tversky_weight);

// The loss a config names ("weighted_mse", "balanced_mse", "bce", "ce_tversky").
struct LossSpec {
  std::string kind = "weighted_mse";
  std::vector<double> class_weights;
  double offset = 0.1, alpha = 0.3, beta = 0.7, tversky_weight = 1;
};
at::Tensor compute_loss(const LossSpec& spec, const at::Tensor& logits, const at::Tensor& target_or_labels);

}  // namespace tomopick::train
