#pragma once
// VoxHRNet (Li, Cui, Sheng, Liang, Wang, Chang, Xu, "Whole brain segmentation with full volume neural
// network", Computerized Medical Imaging and Graphics 93, 2021, arXiv 2110.15601): the 3D version of
// HRNet (Wang, Sun et al., "Deep high-resolution representation learning for visual recognition",
// TPAMI 2020; Sun et al., CVPR 2019), as a dense heatmap network: one of the CZII 2nd-place ensemble's
// families. Instead of an encoder and a decoder it keeps a high-resolution branch through the whole
// network and adds ever coarser branches beside it, exchanging information between all of them again
// and again.
// - Stem: one 3x3x3 convolution of stride `stem_stride`, norm, ReLU, then `blocks[0]` residual blocks at
//   `stem_channels` (stage 1; the paper's stem: a stride-2 3x3x3 convolution to 32 channels and two
//   bottleneck blocks to 64). The default stride 2 is the paper's: the branches then run on 1/8 of the
//   voxels, which makes a wide multi-branch network affordable on a CPU, while the CZII particles
//   (radius 6 voxels and up at 10 Å) are still several voxels wide at half size; the logits are brought
//   back to full size exactly aligned (below). Stride 1 keeps everything at full size, at 8x the work (a
//   training step on one CPU core measured ~12x slower).
// - Branches: branch b has stride 2^b relative to the stem and width `channels[b]`. Stage s (s >= 1,
//   one per channel entry after the first) starts by adding branch s: a stride-2 3x3x3 convolution,
//   norm and ReLU on the previous stage's coarsest output (for s = 1, the stem's output; branch 0 is
//   the stem's output itself, or a 3x3x3 convolution, norm, ReLU to channels[0] when the widths
//   differ: HRNet's transition layers). Then `modules` high-resolution modules: every branch runs
//   `blocks[s]` basic residual blocks (3x3x3 convolution, norm, ReLU, 3x3x3 convolution, norm, plus
//   the input, ReLU: HRNet's BasicBlock, post-activation), then the multi-resolution fusion: branch i
//   becomes ReLU of the sum over all branches j of
//     j == i: branch i itself;
//     j >  i: a 1x1x1 convolution to channels[i] and norm, upsampled trilinearly by 2^(j-i);
//     j <  i: i-j stride-2 3x3x3 convolutions, each with a norm, the ones before the last keeping
//             channels[j] and followed by ReLU, the last going to channels[i].
// - Head (the paper's last_layer): every branch upsampled to branch 0's size, concatenated (sum of
//   channels = H), a 1x1x1 convolution to H, norm, ReLU, a 1x1x1 convolution with bias to the logits,
//   then upsampled by `stem_stride` to the input's size. Computed as an exactly equal but cheaper sum:
//   each branch's slice of the first 1x1x1 convolution is applied at its own resolution and the H-wide
//   results are upsampled and summed coarse to fine (see voxhrnet.cpp): at branch 0's size only a
//   channels[0] x H convolution runs, not the H x H one.
// - All upsampling is aligned to the strided convolutions: a stride-2 3x3x3 convolution with padding 1
//   centres coarse voxel k on fine voxel 2k, and coarse values are interpolated exactly there (the
//   paper uses align_corners=false, which puts them at 2k + 1/2: a half-voxel shift per level that a
//   heatmap's peaks would inherit).
// - Norms: instance (the paper's), batch, or group with 8 groups; all affine (the paper's instance norm
//   is not), 2 parameters per channel. Convolutions carry no bias except the last (each is followed by
//   a norm). Dropout (Dropout3d, off by default; the paper has none) on the branches' features as the
//   head reads them.
// Inputs of any size are padded to a multiple of the total stride (stem_stride x 2^(branches - 1)) and
// the output cropped back.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>

#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"

namespace tomopick::nn {

struct VoxHRNetOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 6;
  // The paper's larger network (its Hammers config): branches {16, 32, 64, 128} with 4 basic blocks
  // each, 2 modules per stage, a 32/64-wide stem (~14 M parameters with 6 outputs in this layout). We
  // halve the branch widths (the finest branch is the expensive one), use 2 blocks per branch and 1
  // module per stage, and a 16-wide stem with basic blocks: 1,061,190 parameters with 6 outputs
  // (voxhrnet_parameter_count), ~9 k multiply-adds per input voxel (a quarter of VoxResNet's defaults).
  int64_t stem_channels = 16;              // the stem's and stage 1's width
  std::vector<int64_t> channels{8, 16, 32, 64};  // width per branch, finest first; entries = branches = stages
  // Residual blocks per stage, one per channel entry: blocks[0] in the stem (stage 1, at stem_channels),
  // blocks[s] (s >= 1) in every branch of each of stage s's modules. 0 is allowed.
  std::vector<int64_t> blocks{2, 2, 2, 2};
  int64_t modules = 1;         // high-resolution modules (blocks, then fusion) per stage after the stem
  int64_t stem_stride = 2;     // 2 (the paper's: branch 0 at half size) | 1 (branch 0 at full size)
  std::string norm = "instance";  // instance (the paper's) | batch | group (8 groups)
  double dropout = 0.0;           // on each branch's features where the head reads them
};

// Checks the options; Error naming the field.
void validate(const VoxHRNetOptions& o);

class VoxHRNetImpl : public torch::nn::Module {
public:
  explicit VoxHRNetImpl(const VoxHRNetOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  const VoxHRNetOptions& options() const { return opts_; }
  int64_t total_stride() const { return opts_.stem_stride << (opts_.channels.size() - 1); }

private:
  // High-resolution module m on the branches' features xs (finest first): blocks, then fusion.
  std::vector<torch::Tensor> run_module(size_t m, std::vector<torch::Tensor> xs);

  VoxHRNetOptions opts_;
  Chain stem_{nullptr};        // strided convolution, norm, ReLU, blocks[0] blocks
  Chain to_branch0_{nullptr};  // stem_channels -> channels[0] (Identity if equal)
  std::vector<Chain> new_branches_;  // [s - 1]: the stride-2 convolution, norm, ReLU that starts branch s
  // Per high-resolution module, all stages in order (modules per stage), per branch:
  std::vector<std::vector<Chain>> blocks_;               // the branch's residual blocks
  std::vector<std::vector<std::vector<Chain>>> fuse_;    // [i][j]: branch j brought to branch i (null if i == j)
  std::vector<torch::nn::Conv3d> head_in_;  // per branch: its slice of the head's first 1x1x1 convolution
  Chain head_{nullptr};                     // norm, ReLU, 1x1x1 convolution with bias to the logits
  torch::nn::Dropout3d dropout_{nullptr};
};
TORCH_MODULE(VoxHRNet);

// The parameter count of VoxHRNet(o) from its layers' sizes, without building it.
int64_t voxhrnet_parameter_count(const VoxHRNetOptions& o);

}  // namespace tomopick::nn
