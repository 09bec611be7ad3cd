#pragma once
// SegResNet (Myronenko 2018, without the VAE branch), as MONAI builds it: one of the CZII 2nd-place
// ensemble's families. A 3x3x3 convolution in; per level a stride-2 3x3x3 convolution down (from the
// second level on) and `blocks_down` pre-activation residual blocks (norm, ReLU, conv, norm, ReLU,
// conv, plus the input); back up, per level a 1x1x1 convolution to the finer level's width, trilinear
// upsampling by 2, the encoder's features of that level added (not concatenated), and `blocks_up`
// residual blocks; then norm, ReLU and a 1x1x1 convolution with bias to the outputs. Convolutions
// inside carry no bias. MONAI's widths double per level (channels = f, 2f, 4f, ...); any widths work.
// Inputs of any size are padded to a multiple of the total stride and the output cropped back.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>

#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"

namespace tomopick::nn {

struct SegResNetOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 6;
  std::vector<int64_t> channels{8, 16, 32, 64};  // per level (MONAI: init_filters x 2^level)
  std::vector<int64_t> blocks_down{1, 2, 2, 4};  // residual blocks per level, one per channel entry
  std::vector<int64_t> blocks_up{1, 1, 1};       // per decoder level, coarsest first: one fewer
  std::string norm = "group";                    // group (8 groups, MONAI's default) | instance | batch
  double dropout = 0.0;                          // after the first convolution, as MONAI places it
};

// Checks the options; Error naming the field.
void validate(const SegResNetOptions& o);

class SegResNetImpl : public torch::nn::Module {
public:
  explicit SegResNetImpl(const SegResNetOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  const SegResNetOptions& options() const { return opts_; }
  int64_t total_stride() const { return int64_t(1) << (opts_.channels.size() - 1); }

private:
  SegResNetOptions opts_;
  torch::nn::Conv3d conv_init_{nullptr};
  torch::nn::Dropout3d dropout_{nullptr};
  std::vector<Chain> down_, up_blocks_;
  std::vector<torch::nn::Conv3d> up_convs_;
  Chain final_{nullptr};
};
TORCH_MODULE(SegResNet);

// The parameter count of SegResNet(o) from its layers' sizes (what MONAI's network of these options
// has), without building it.
int64_t segresnet_parameter_count(const SegResNetOptions& o);

}  // namespace tomopick::nn
