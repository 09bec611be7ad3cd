#pragma once
// DenseVNet (Gibson et al., "Automatic multi-organ segmentation on abdominal CT with dense V-networks",
// IEEE TMI 37(8), 2018; NiftyNet's dense_vnet): one of the CZII 2nd-place ensemble's families. A
// 5x5x5 stride-2 convolution in, and beside it the input average-pooled (3x3x3, stride 2) to the same
// half resolution and concatenated to its features (NiftyNet's downsampled-image link). Then a cascade
// of dense feature stacks: each `layers[i]` densely connected units (norm, ReLU, 3x3x3 convolution of
// `growth[i]` channels over the concatenation of the stack's input and every earlier unit's output,
// optionally dilated), the stack's output being that whole concatenation. After each stack a shared
// norm and ReLU feed a 3x3x3 skip convolution to `skip_channels[i]` and, except after the last stack,
// a 3x3x3 stride-2 convolution down to `stem_channels` (the next stack's input). The skips are
// trilinearly upsampled to the first stack's (half) resolution and concatenated with the pooled input;
// norm, ReLU and a 3x3x3 convolution with bias give the logits, trilinearly upsampled to the input's
// size. Convolutions other than the last carry no bias (a norm always follows).
// Differences from NiftyNet's dense_vnet: units are pre-activation (norm, ReLU, conv, as in DenseNet)
// where NiftyNet applies conv, batch norm, ReLU, and so the final convolution gets a norm and ReLU before it;
// the spatial prior, the affine augmentation and the batch-wise spatial dropout are left out
// (`dropout` > 0 adds ordinary channel dropout, Dropout3d, after each unit's convolution but the last
// of each stack, where NiftyNet places its dropout); dilation is one rate per stack (NiftyNet accepts
// only rate 1 anyway). Group norm uses gcd(8, width) groups, as dense concatenations rarely have
// widths divisible by 8. Inputs of any size are padded to a multiple of the total stride (2^stacks)
// and the output cropped back.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"

namespace tomopick::nn {

struct DenseVNetOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 6;
  // The paper's network: three stacks of 5, 10 and 10 units, growth 4, 8 and 16, skips of 12, 24 and
  // 24 channels, 24 channels into every stack. It is already small (877,022 parameters with one input
  // and six outputs) and its dense stacks run at half resolution and below, so the defaults are the
  // paper's: a training step on one CPU core takes about a third of SegResNet's defaults' (64^3).
  std::vector<int64_t> layers{5, 10, 10};        // dense units per stack, one entry per stack (level)
  std::vector<int64_t> growth{4, 8, 16};         // channels each unit adds, one per stack
  std::vector<int64_t> skip_channels{12, 24, 24};  // width of each stack's skip convolution
  std::vector<int64_t> dilation{};               // per stack; empty = 1 everywhere (NiftyNet's only option)
  int64_t stem_channels = 24;  // the stem's width and each downsampling convolution's (NiftyNet's n_input_channels)
  std::string norm = "batch";  // batch (the paper's) | instance | group (gcd(8, width) groups)
  double dropout = 0.0;        // channel dropout after each unit but the last of each stack
};

// Checks the options; Error naming the field.
void validate(const DenseVNetOptions& o);

class DenseVNetImpl : public torch::nn::Module {
public:
  explicit DenseVNetImpl(const DenseVNetOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  const DenseVNetOptions& options() const { return opts_; }
  // The stem halves the size, each stack after the first halves it again.
  int64_t total_stride() const { return int64_t(1) << opts_.layers.size(); }

private:
  DenseVNetOptions opts_;
  torch::nn::Conv3d stem_{nullptr};
  std::vector<std::vector<Chain>> units_;  // per stack, per unit: norm, ReLU, conv (, dropout)
  std::vector<Chain> transitions_;         // per stack: the norm and ReLU before its skip and down convolutions
  std::vector<torch::nn::Conv3d> skips_, downs_;
  Chain final_{nullptr};
};
TORCH_MODULE(DenseVNet);

// The parameter count of DenseVNet(o) from its layers' sizes, without building it.
int64_t densevnet_parameter_count(const DenseVNetOptions& o);

}  // namespace tomopick::nn
