#pragma once
// VoxResNet (Chen, Dou, Yu, Qin, Heng, "VoxResNet: Deep voxelwise residual networks for brain
// segmentation from 3D MR images", NeuroImage 2018, arXiv 1608.05895), as a dense heatmap network: one
// of the CZII 2nd-place ensemble's families. An encoder only, no decoder: its multi-level "auxiliary
// classifiers" read every level and their logits are summed (the paper's multi-level contextual fusion).
// - Stem at full size: 3x3x3 convolution, norm, ReLU, 3x3x3 convolution (the paper's conv1a, conv1b).
// - Level 0 then has `blocks[0]` VoxRes modules (the paper: none); every later level starts with norm,
//   ReLU and a stride-2 3x3x3 convolution to its width (conv1c, conv4, conv7) and has `blocks[i]` VoxRes
//   modules (the paper: 2). A VoxRes module is a pre-activation residual block: norm, ReLU, 3x3x3
//   convolution, norm, ReLU, 3x3x3 convolution, plus the input (identity shortcut; widths are equal).
// - Each level's features, after norm and ReLU (shared with the next level's downsampling, which the
//   pre-activation layout puts there anyway), go to that level's classifier: a 1x1x1 convolution with
//   bias to out_channels logits at the level's resolution, then trilinear upsampling by 2^level to full
//   size. The output is the sum of the per-level logits. (The paper upsamples features with a
//   transposed convolution and classifies after; see voxresnet.cpp for why we upsample the logits.)
// - The upsampling is aligned to the strided convolutions: a stride-2 3x3x3 convolution with padding 1
//   centres coarse voxel j on fine voxel 2j, so level i's voxel j sits on input voxel 2^i j, and the
//   logits are sampled exactly there (not at 2^i j + (2^i - 1) / 2, where align_corners=false
//   upsampling would put it: 3.5 voxels off at stride 8, a shift a heatmap's peaks would inherit).
// - Dropout (Dropout3d, off by default) on each classifier's input: the encoder path is not disturbed.
// - Norms: batch (the paper's), instance, or group with 8 groups; all affine, 2 parameters per channel.
//   3x3x3 convolutions carry no bias (each is followed by a norm, or summed into features that are).
// The paper trains with a loss on every classifier as well as on the sum (deep supervision):
// level_logits() gives the per-level logits for that. Inputs of any size are padded to a multiple of
// the total stride and the output cropped back.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>

#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"

namespace tomopick::nn {

struct VoxResNetOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 6;
  // Per level; level i has stride 2^i. The paper's widths are {32, 64, 64, 64}; we halve the two finest
  // (where the voxels, and so the CPU time, are), keeping the paper's depth and coarse widths:
  // ~1.19 M parameters with 6 outputs (voxresnet_parameter_count), the paper's ~1.64 M.
  std::vector<int64_t> channels{16, 32, 64, 64};
  std::vector<int64_t> blocks{0, 2, 2, 2};  // VoxRes modules per level, one per channel entry (the paper's)
  std::string norm = "batch";               // batch (the paper's) | instance | group (8 groups)
  double dropout = 0.0;                     // on each auxiliary classifier's input
};

// Checks the options; Error naming the field.
void validate(const VoxResNetOptions& o);

class VoxResNetImpl : public torch::nn::Module {
public:
  explicit VoxResNetImpl(const VoxResNetOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits): the sum of level_logits(x).
  torch::Tensor forward(torch::Tensor x);
  // Each level's classifier's logits, finest first, each [N, out_channels, Z, Y, X] (for deep
  // supervision; their sum is forward(x)).
  std::vector<torch::Tensor> level_logits(torch::Tensor x);
  const VoxResNetOptions& options() const { return opts_; }
  int64_t total_stride() const { return int64_t(1) << (opts_.channels.size() - 1); }

private:
  // Runs the network on x; the per-level logits are summed, and also stored in `levels` if given.
  torch::Tensor run(torch::Tensor x, std::vector<torch::Tensor>* levels);

  VoxResNetOptions opts_;
  Chain stem_{nullptr};
  std::vector<Chain> levels_;       // level i: (for i > 0) the stride-2 convolution, then its VoxRes modules
  std::vector<Chain> activations_;  // level i: norm, ReLU
  std::vector<torch::nn::Conv3d> classifiers_;
  torch::nn::Dropout3d dropout_{nullptr};
};
TORCH_MODULE(VoxResNet);

// The parameter count of VoxResNet(o) from its layers' sizes, without building it.
int64_t voxresnet_parameter_count(const VoxResNetOptions& o);

}  // namespace tomopick::nn
