#pragma once
// A U-Net with a 2D encoder over z slices and a 3D decoder ("UNet2E3D": the public CZII CryoET
// notebooks' 2D/3D model and one family of the 2nd-place ensemble). Design choices, and why:
// - 2D encoder, run on the N*Z slices folded into the batch: in-plane features are where the signal
//   of a tomogram is sharpest (the missing wedge smears z), and 2D convolutions cost a ninth of 3D
//   ones, so the encoder can be a real ResNet within a CPU budget.
// - z is never downsampled (the original pooled depth by 2 in its first levels): crops are often thin
//   in z, so Z needs no padding to a multiple and every decoder level keeps one feature per slice.
//   z context comes from the stem's slice stack and the decoder's 3x3x3 convolutions (the z receptive
//   field grows by 4 per decoder level).
// - 2.5D stem: a 3x3 convolution over `slices` neighbouring slices stacked as channels (z ends
//   replicated, so the first and last slices do not see a fake empty edge); slices = 1 is a pure 2D
//   encoder. The stem keeps full resolution (the original's ImageNet stem halves y, x twice and its
//   full-resolution decoder level has no skip): particles are a few voxels wide at picking
//   binning, and without pretrained weights there is no reason to keep the ImageNet layout.
// - Encoder levels are ResNet stages of basic blocks (two 3x3 convolutions, identity path); from the
//   second level on the first block has stride 2 and a 1x1 stride-2 projection on its shortcut, as in
//   ResNet-18/34, so `blocks` counts that block too. Convolutions followed by a norm have no bias (the
//   norm's shift replaces it).
// - Decoder, per level from the bottom: trilinear upsampling to the skip's size, which is (1, 2, 2)
//   since z is never halved (parameter-free and free of transposed convolutions' checkerboard; the
//   original used nearest), concatenation of the encoder's features of that level viewed as 3D, two
//   3x3x3 convolution + norm + ReLU to that level's width (the decoder reuses the encoder's widths:
//   one list to tune), Dropout3d after each level when dropout > 0 (whole channels, so all slices
//   drop alike). A 1x1x1 convolution with bias gives the logits at full resolution.
// - norm batch (default) or instance, affine either way. Batch norm over the slices in the encoder
//   takes the same statistics as over the volume in the decoder, and is the original's; instance norm
//   normalises each slice by itself in the encoder and each volume in the decoder. Batch norm in
//   training needs N*Z*(Y/s)*(X/s) > 1 at the bottom (s = total_stride()); instance norm wants
//   (Y/s)*(X/s) > 1 there, or a bottom slice normalises to its shift alone.
// - Inputs of any size: y and x replicate-padded at the far end to multiples of total_stride(), the
//   output cropped back; z is not padded.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"  // Chain, parameter_count

namespace tomopick::nn {

struct UNet2e3dOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  std::vector<int64_t> channels{16, 32, 64, 128};  // per level (encoder and decoder); the last is the bottom
  int64_t slices = 1;                              // odd: z neighbours each 2D slice sees in the stem
  int64_t blocks = 1;                              // 2D residual blocks per encoder level
  std::string norm = "batch";                      // batch | instance
  double dropout = 0.0;                            // Dropout3d after each decoder level
};

// Checks the options; Error naming the field, e.g. "unet2e3d.slices: must be odd and >= 1, got 4".
void validate(const UNet2e3dOptions& o);

class UNet2e3dImpl : public torch::nn::Module {
public:
  explicit UNet2e3dImpl(const UNet2e3dOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  const UNet2e3dOptions& options() const { return opts_; }
  // 2^(levels - 1): what Y and X are padded to a multiple of (Z never is).
  int64_t total_stride() const { return int64_t(1) << (opts_.channels.size() - 1); }

private:
  UNet2e3dOptions opts_;
  Chain stem_{nullptr};                       // 2D: [N*Z, in_channels*slices, Y, X] -> channels[0]
  std::vector<Chain> encoder_;                // 2D: encoder_[i] gives level i's features
  std::vector<Chain> decoder_;                // 3D: decoder_[i]: [upsampled level i+1, skip i] -> channels[i]
  torch::nn::Conv3d head_{nullptr};
};
TORCH_MODULE(UNet2e3d);

// The parameter count of UNet2e3d(o) from its layers' sizes, without building it.
int64_t unet2e3d_parameter_count(const UNet2e3dOptions& o);

}  // namespace tomopick::nn
