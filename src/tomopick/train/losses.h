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

// Non-negative positive-unlabelled risk (nnPU, Kiryo et al. 2017) for a heatmap head whose labels
// are a sample of the particles, not all of them. Per class c, with l+(z) = softplus(-z) and
// l-(z) = softplus(z):
//   R+   = sum(t l+) / sum(t)  over every crop: the labelled particles' Gaussians t, as positives;
//   Rp-  = sum(t l-) / sum(t)  the same voxels scored as negatives;
//   Ru-  = mean(l-)            over the crops drawn uniformly (`marginal`[n] = 1): a sample of the
//                              tomogram as it is, unlabelled particles included;
//   neg  = Ru- - prior_c Rp-   the negative risk with the unlabelled positives' share taken out
//                              (prior_c = the fraction of heatmap mass that particles of c put in a
//                              tomogram: count x Gaussian mass / voxels);
//   loss = R+ + negative_weight x neg / prior_c: with weight 1 the unbiased PU risk (prior_c R+ + neg)
//          divided by the prior, whose minimiser is the heatmap itself, so scores stay graded instead
//          of saturating; or, when neg < 0 (the network has begun to call unlabelled particles
//          negative), -gamma x neg / prior_c alone: nnPU's step back.
// Classes with no labelled voxel in the batch, or no marginal crop, add nothing; the classes' losses
// are averaged with their weights.
at::Tensor nnpu(const at::Tensor& logits, const at::Tensor& target, const std::vector<float>& marginal,
                const std::vector<double>& priors, const std::vector<double>& class_weights,
                double negative_weight = 1, double gamma = 1);

// A point head's loss (the CZII 1st place's detector; logits and target [N, C + 3, ...] on the
// stride-2 grid, targets/targets.h point_targets): varifocal loss (Zhang et al. 2021, as in PP-YOLOE)
// on the centre-ness channels, whose assigned voxels learn their quality q as a soft label weighted
// by q, and the rest 0 weighted by alpha · p^gamma (p the prediction, detached), plus offset_weight ×
// the L1 error of the offsets (summed over dz, dy, dx) at assigned voxels, weighted by their best q.
// Both sums are divided by the sum of q over the batch (at least 1), so every particle counts alike
// however many voxels it has. Classes weighted as the other losses.
at::Tensor point_loss(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& class_weights,
                      double alpha = 0.75, double gamma = 2, double offset_weight = 1);

// The loss a config names ("weighted_mse", "balanced_mse", "bce", "ce_tversky", "nnpu", "point").
struct LossSpec {
  std::string kind = "weighted_mse";
  std::vector<double> class_weights;
  double offset = 0.1, alpha = 0.3, beta = 0.7, tversky_weight = 1;
  std::vector<double> priors;      // nnpu: per class
  double negative_weight = 1, gamma = 1;  // nnpu
  double point_alpha = 0.75, point_gamma = 2, point_offset_weight = 1;  // point
};
// `marginal`: nnpu's per-crop flags (see nnpu); the other losses ignore it.
at::Tensor compute_loss(const LossSpec& spec, const at::Tensor& logits, const at::Tensor& target_or_labels,
                        const std::vector<float>& marginal = {});

}  // namespace tomopick::train
