#pragma once
// A 3D ResNet / ResNeXt encoder with a simple FPN neck and a heatmap head: the family behind the BYU
// flagellar motor 2025 3rd place (there fused at stride 16). Why it is built this way:
// - Stem: one stride-1 3x3x3 convolution, norm, ReLU. Our crops are small (64^3..128^3) and targets
//   sit at stride 1, so the ImageNet 7x7 stride-2 stem plus max pool would throw away a factor 4
//   before any feature is learned; one 3x3x3 at full size is the cheapest stem that keeps it.
// - Stages: level 0 stays at stride 1, every later level starts with a stride-2 block (ResNet v1.5:
//   the stride sits in the 3x3x3 convolution, not in a 1x1x1 one that would skip 7/8 of the voxels).
//   "basic" is ResNet's two-3x3x3 block; "bottleneck" is ResNeXt's 1x1x1 reduce to half the stage
//   width, grouped 3x3x3 with `groups` cardinality, 1x1x1 expand. Half the width (not ResNet's quarter)
//   because our stages are narrow: at 16..256 channels a quarter leaves 4..64 channels to carry the
//   grouped convolution. Shortcuts are the identity, or a strided 1x1x1 convolution plus norm when the
//   shape changes (MONAI's shortcut type B), so a block always learns a residual. Post-activation
//   (ReLU after the add), as ResNet and ResNeXt: the FPN reads the stage outputs already rectified.
// - Neck: a 1x1x1 lateral convolution to `fpn_channels` on every stage output at or coarser than the
//   output level (finer ones would never reach the output, and unused parameters get no gradient);
//   top-down, the coarser sum is trilinearly upsampled x2 and added; one 3x3x3 smoothing convolution
//   at the output level removes the upsampling's blockiness. The neck's convolutions carry a bias
//   and no norm, as in the FPN paper: a sum of normed maps would no longer be normed anyway.
// - Head at stride `out_stride`: 3x3x3 convolution, norm, ReLU, 1x1x1 convolution with bias to the
//   logits, then trilinear upsampling by `out_stride` to the input size. Fusing at stride 2 rather than
//   16 keeps the peaks of small particles separable while the expensive 3x3x3 convolutions still run
//   on 1/8 of the voxels; upsampling logits (not features) is free and smooth.
// - Dropout (Dropout3d, off by default) sits on the fused features before the head: the encoder and
//   neck learn undisturbed, the head learns not to rely on single channels.
// - Norms: batch (default: the original's, and our batches of crops are large enough), instance, or
//   group with 8 groups; all affine, 2 parameters per channel. Convolutions followed by a norm carry
//   no bias. Default widths give ~0.57 M parameters (see resnet3d_fpn_parameter_count); the coarse
//   levels hold most of them and cost little, the full-size level 0 is kept to 16 channels.
// Inputs of any size are padded to a multiple of the total stride and the output cropped back.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>

#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"

namespace tomopick::nn {

struct ResNet3dFpnOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  std::vector<int64_t> channels{16, 32, 64, 128, 256};  // per stage; stage i has stride 2^i
  std::vector<int64_t> depths{1, 1, 2, 3, 3};           // blocks per stage, at least 1, one per channel entry
  std::string block = "bottleneck";                     // bottleneck (ResNeXt) | basic (ResNet)
  int64_t groups = 8;                                   // bottleneck cardinality: divides every channels[i] / 2
  int64_t fpn_channels = 32;                            // width of the neck and the head
  int64_t out_stride = 2;                               // output level: a power of two <= total_stride()
  std::string norm = "batch";                           // batch | instance | group (8 groups)
  double dropout = 0.0;                                 // before the head
};

// Checks the options; Error naming the field.
void validate(const ResNet3dFpnOptions& o);

class ResNet3dFpnImpl : public torch::nn::Module {
public:
  explicit ResNet3dFpnImpl(const ResNet3dFpnOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  const ResNet3dFpnOptions& options() const { return opts_; }
  int64_t total_stride() const { return int64_t(1) << (opts_.channels.size() - 1); }

private:
  ResNet3dFpnOptions opts_;
  size_t out_level_ = 0;  // log2(out_stride)
  Chain stem_{nullptr};
  std::vector<Chain> stages_;
  std::vector<torch::nn::Conv3d> laterals_;  // laterals_[k] belongs to stage out_level_ + k
  torch::nn::Conv3d smooth_{nullptr};
  torch::nn::Dropout3d dropout_{nullptr};
  Chain head_{nullptr};
};
TORCH_MODULE(ResNet3dFpn);

// The parameter count of ResNet3dFpn(o) from its layers' sizes, without building it.
int64_t resnet3d_fpn_parameter_count(const ResNet3dFpnOptions& o);

}  // namespace tomopick::nn
