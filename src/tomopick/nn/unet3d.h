#pragma once
// A residual 3D U-Net in the style of MONAI's UNet (the 2nd-place CZII ensemble's model): per level a
// strided ResidualUnit down, a skip connection by concatenation, and a transposed convolution plus a
// ResidualUnit up. Inputs of any size are padded to a multiple of the total stride and the output is
// cropped back, so the output always has the input's spatial shape.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/container/sequential.h>

#include <string>
#include <vector>

namespace tomopick::nn {

// A Sequential with a plain forward(Tensor), so chains can nest (Sequential's templated forward
// cannot be stored inside another Sequential).
class ChainImpl : public torch::nn::SequentialImpl {
public:
  using SequentialImpl::SequentialImpl;
  torch::Tensor forward(torch::Tensor x) { return SequentialImpl::forward(x); }
};
TORCH_MODULE(Chain);

struct UNet3dOptions {
  int64_t in_channels = 1;
  int64_t out_channels = 6;
  std::vector<int64_t> channels{16, 32, 64, 128};  // per level; the last is the bottom
  std::vector<int64_t> strides{2, 2, 2};           // one fewer than channels
  int64_t num_res_units = 1;                       // subunits per ResidualUnit (0 = plain convolutions)
  std::string norm = "instance";                   // instance | batch
  double dropout = 0.0;
};

// Checks the options; Error naming the field.
void validate(const UNet3dOptions& o);

class UNet3dImpl : public torch::nn::Module {
public:
  explicit UNet3dImpl(const UNet3dOptions& o);
  // x: [N, in_channels, Z, Y, X] -> [N, out_channels, Z, Y, X] (logits)
  torch::Tensor forward(torch::Tensor x);
  const UNet3dOptions& options() const { return opts_; }
  int64_t total_stride() const;

private:
  UNet3dOptions opts_;
  Chain net_{nullptr};
};
TORCH_MODULE(UNet3d);

// Networks that halve sizes take inputs of any size: x replicate-padded at the far end of z, y and x
// to multiples of `multiple`, and their output cropped back to the input's spatial size.
torch::Tensor pad_to_multiple(torch::Tensor x, int64_t multiple);
torch::Tensor crop_spatial(torch::Tensor y, const std::vector<int64_t>& input_sizes);
// Decoders: x trilinearly resized to the spatial size of `like` (a skip connection or the input).
torch::Tensor upsample_to(const torch::Tensor& x, const torch::Tensor& like);

// Coarse-to-fine resizing that keeps coarse voxel k on fine voxel s k, where stride-2 3x3x3
// convolutions with padding 1 centre it (align_corners=false would put it s/2 - 1/2 voxels off):
// y [N, C, Z, Y, X] -> [N, C, sZ, sY, sX], trilinear with align_corners=true from n to s (n - 1) + 1
// samples, the last s - 1 continuing flat. Linear with weights summing to 1 (commutes with 1x1x1
// convolutions); by 2 twice equals by 4 once.
torch::Tensor upsample_aligned(const torch::Tensor& y, int64_t s);

// A 3x3x3 convolution without bias (a norm follows), padding 1.
torch::nn::Conv3d conv3x3x3(int64_t in, int64_t out, int64_t stride = 1);

// Error "<family>: norm must be batch, instance or group, got '<norm>'" for any other name.
void check_norm3d(const std::string& family, const std::string& norm);

// Appends the named normalisation, affine (2 x channels parameters whichever it is): batch,
// instance, or group (`groups` groups; channels must be a multiple). The families that offer a choice
// of norm share it.
void push_norm3d(Chain& s, int64_t channels, const std::string& norm, int64_t groups = 8);

// Number of trainable parameters of any module.
int64_t parameter_count(const torch::nn::Module& m);

}  // namespace tomopick::nn
