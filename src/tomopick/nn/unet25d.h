#pragma once
// A 2.5D U-Net with depth reduction (the 4th-place CZII solution's model). The encoder sees each z
// slice as a 2D image: a stem convolution over a stack of `slices` neighbouring slices, then only
// per-slice (1,3,3)-style convolutions whose weights are shared across z; between stages it halves
// y, x by a strided in-plane convolution and z by average pooling (the depth reduction). The decoder
// is fully 3D (3x3x3 convolutions, trilinear upsampling, skip concatenation) and stops one level
// above full resolution; the head's 1x1x1 convolution predicts r^3 sub-voxels per class and a 3D
// pixel shuffle puts them in place. Inputs of any size are padded to a multiple of the total stride
// and the output is cropped back, so the output always has the input's spatial shape.
#include <string>
#include <vector>

#include "tomopick/nn/unet3d.h"  // Chain, parameter_count

namespace tomopick::nn {

struct UNet25dOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 6;
  int64_t slices = 5;                               // z slices the stem sees per output slice (odd)
  std::vector<int64_t> channels{16, 32, 64, 128};  // per encoder stage; the last is the bottom
  std::string block = "resnet";                     // resnet | convnext
  int64_t blocks_per_stage = 2;                     // encoder blocks after each stage's downsampling
  std::string norm = "instance";                    // instance | batch
  int64_t head_upscale = 2;                         // r: the pixel shuffle's factor per axis
  double dropout = 0.0;                             // Dropout3d in the decoder
};

// Checks the options; Error naming the field, e.g. "unet25d.slices: must be odd and >= 1, got 4".
void validate(const UNet25dOptions& o);

class UNet25dImpl : public torch::nn::Module {
public:
  explicit UNet25dImpl(const UNet25dOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  // The encoder's features, one [N, channels[i], Z/s, Y/s, X/s] per stage with s = head_upscale * 2^i.
  // Z, Y, X must be multiples of total_stride() (forward pads to that; this does not).
  std::vector<torch::Tensor> encode(torch::Tensor x);
  const UNet25dOptions& options() const { return opts_; }
  // head_upscale * 2^(stages - 1): what every spatial size is padded to a multiple of.
  int64_t total_stride() const;

private:
  torch::Tensor decode(const std::vector<torch::Tensor>& features);
  void check_input(const torch::Tensor& x) const;

  UNet25dOptions opts_;
  Chain stem_{nullptr};
  std::vector<Chain> stages_;   // stages_[i] brings stage i-1 (the stem for i = 0) to stage i
  std::vector<Chain> decoder_;  // decoder_[i]: [upsampled level i+1, skip i] -> channels[i]
  Chain head_{nullptr};
};
TORCH_MODULE(UNet25d);

// Depth-to-space for volumes: [N, C*r^3, D, H, W] -> [N, C, D*r, H*r, W*r], input channel
// c*r^3 + i*r^2 + j*r + k going to output voxel (d*r + i, h*r + j, w*r + k) of channel c (the 3D
// analogue of torch's pixel_shuffle).
torch::Tensor pixel_shuffle3d(const torch::Tensor& x, int64_t r);
// The inverse: [N, C, D*r, H*r, W*r] -> [N, C*r^3, D, H, W].
torch::Tensor pixel_unshuffle3d(const torch::Tensor& x, int64_t r);

}  // namespace tomopick::nn
