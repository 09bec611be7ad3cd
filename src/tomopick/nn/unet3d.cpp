#include "tomopick/nn/unet3d.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;

// Norm -> Dropout -> Activation after a convolution, MONAI's default "NDA" order.
void add_nda(Chain& s, int64_t ch, const UNet3dOptions& o) {
  if (o.norm == "batch") s->push_back(tnn::BatchNorm3d(tnn::BatchNorm3dOptions(ch)));
  else s->push_back(tnn::InstanceNorm3d(tnn::InstanceNorm3dOptions(ch).affine(true)));
  if (o.dropout > 0) s->push_back(tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
  s->push_back(tnn::PReLU());
}

Chain conv(int64_t in, int64_t out, int64_t stride, const UNet3dOptions& o, bool conv_only) {
  Chain s;
  s->push_back(tnn::Conv3d(tnn::Conv3dOptions(in, out, 3).stride(stride).padding(1)));
  if (!conv_only) add_nda(s, out, o);
  return s;
}

// MONAI's ResidualUnit: `subunits` convolutions (the first strided) plus a residual path that is the
// identity, or a strided 3x3x3 / 1x1x1 convolution when the shape changes.
struct ResidualUnitImpl : tnn::Module {
  ResidualUnitImpl(int64_t in, int64_t out, int64_t stride, int64_t subunits, const UNet3dOptions& o, bool last_conv_only) {
    Chain body;
    int64_t c = in;
    for (int64_t i = 0; i < std::max<int64_t>(1, subunits); ++i) {
      const bool conv_only = last_conv_only && i == std::max<int64_t>(1, subunits) - 1;
      body->push_back(conv(c, out, i == 0 ? stride : 1, o, conv_only));
      c = out;
    }
    body_ = register_module("conv", body);
    if (stride != 1 || in != out) {
      const int64_t k = stride != 1 ? 3 : 1;
      residual_ = register_module("residual", tnn::Conv3d(tnn::Conv3dOptions(in, out, k).stride(stride).padding(k / 2)));
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor r = residual_ ? residual_->forward(x) : x;
    return body_->forward(x) + r;
  }
  Chain body_{nullptr};
  tnn::Conv3d residual_{nullptr};
};
TORCH_MODULE(ResidualUnit);

// Concatenates the input with what the sub-block makes of it (the U-Net's skip connection).
struct SkipImpl : tnn::Module {
  explicit SkipImpl(Chain sub) : sub_(register_module("submodule", sub)) {}
  torch::Tensor forward(torch::Tensor x) { return torch::cat({x, sub_->forward(x)}, 1); }
  Chain sub_;
};
TORCH_MODULE(Skip);

Chain down_layer(int64_t in, int64_t out, int64_t stride, const UNet3dOptions& o) {
  Chain s;
  if (o.num_res_units > 0) s->push_back(ResidualUnit(in, out, stride, o.num_res_units, o, false));
  else s->push_back(conv(in, out, stride, o, false));
  return s;
}

Chain up_layer(int64_t in, int64_t out, int64_t stride, bool top, const UNet3dOptions& o) {
  Chain s;
  // output_padding = stride - 1 makes the transposed convolution exactly undo the strided one.
  s->push_back(tnn::ConvTranspose3d(
      tnn::ConvTranspose3dOptions(in, out, 3).stride(stride).padding(1).output_padding(stride - 1)));
  if (!(top && o.num_res_units == 0)) add_nda(s, out, o);
  if (o.num_res_units > 0) s->push_back(ResidualUnit(out, out, 1, 1, o, top));
  return s;
}

Chain block(int64_t in, int64_t out, size_t level, const UNet3dOptions& o) {
  const int64_t c = o.channels[level];
  const int64_t s = o.strides[level];
  Chain sub;
  if (level + 2 < o.channels.size()) sub = block(c, o.channels[level + 1], level + 1, o);
  else sub = down_layer(c, o.channels[level + 1], 1, o);  // the bottom
  Chain b;
  b->push_back(down_layer(in, c, s, o));
  b->push_back(Skip(sub));
  b->push_back(up_layer(c + o.channels[level + 1], out, s, level == 0, o));
  return b;
}

}  // namespace

void validate(const UNet3dOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1) throw Error("unet3d: in_channels and out_channels must be positive");
  if (o.channels.size() < 2) throw Error("unet3d: channels needs at least 2 levels");
  if (o.strides.size() + 1 != o.channels.size())
    throw Error("unet3d: strides must have one entry fewer than channels (" + std::to_string(o.channels.size()) +
                " channels, " + std::to_string(o.strides.size()) + " strides)");
  for (auto c : o.channels)
    if (c < 1) throw Error("unet3d: channels must be positive");
  for (auto s : o.strides)
    if (s < 1 || s > 4) throw Error("unet3d: strides must be 1..4");
  if (o.num_res_units < 0) throw Error("unet3d: num_res_units must not be negative");
  if (o.norm != "instance" && o.norm != "batch") throw Error("unet3d: norm must be instance or batch, got '" + o.norm + "'");
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("unet3d: dropout must be in [0, 1)");
}

UNet3dImpl::UNet3dImpl(const UNet3dOptions& o) : opts_(o) {
  validate(o);
  net_ = register_module("model", block(o.in_channels, o.out_channels, 0, o));
}

int64_t UNet3dImpl::total_stride() const {
  int64_t t = 1;
  for (auto s : opts_.strides) t *= s;
  return t;
}

torch::Tensor UNet3dImpl::forward(torch::Tensor x) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels)
    throw Error("unet3d: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got " +
                std::to_string(x.dim()) + " dimensions");
  const auto sizes = x.sizes().vec();
  return crop_spatial(net_->forward(pad_to_multiple(x, total_stride())), sizes);
}

torch::Tensor pad_to_multiple(torch::Tensor x, int64_t t) {
  const int64_t pz = (t - x.size(2) % t) % t, py = (t - x.size(3) % t) % t, px = (t - x.size(4) % t) % t;
  if (!(pz || py || px)) return x;
  // Replicate padding keeps the border statistics; the padded part is cropped away afterwards.
  return torch::nn::functional::pad(x, torch::nn::functional::PadFuncOptions({0, px, 0, py, 0, pz}).mode(torch::kReplicate));
}

torch::Tensor crop_spatial(torch::Tensor y, const std::vector<int64_t>& in) {
  if (y.size(2) == in[2] && y.size(3) == in[3] && y.size(4) == in[4]) return y;
  return y.slice(2, 0, in[2]).slice(3, 0, in[3]).slice(4, 0, in[4]);
}

torch::Tensor upsample_to(const torch::Tensor& x, const torch::Tensor& like) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{like.size(2), like.size(3), like.size(4)})
                               .mode(torch::kTrilinear)
                               .align_corners(false));
}

torch::Tensor upsample_aligned(const torch::Tensor& y, int64_t s) {
  namespace F = torch::nn::functional;
  if (s == 1) return y;
  const int64_t z = y.size(2), h = y.size(3), w = y.size(4);
  // Interpolating a replicate-padded y to s n + 1 and cropping is the same function, but every crop's
  // backward pass zero-fills a tensor of the uncropped size (measured: a fifth of a VoxHRNet step).
  auto up = F::interpolate(y, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{s * (z - 1) + 1, s * (h - 1) + 1, s * (w - 1) + 1})
                                  .mode(torch::kTrilinear)
                                  .align_corners(true));
  return F::pad(up, F::PadFuncOptions({0, s - 1, 0, s - 1, 0, s - 1}).mode(torch::kReplicate));
}

torch::nn::Conv3d conv3x3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv3d(torch::nn::Conv3dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

void check_norm3d(const std::string& family, const std::string& norm) {
  if (norm != "batch" && norm != "instance" && norm != "group")
    throw Error(family + ": norm must be batch, instance or group, got '" + norm + "'");
}

void push_norm3d(Chain& s, int64_t channels, const std::string& norm, int64_t groups) {
  namespace tnn = torch::nn;
  if (norm == "batch") s->push_back(tnn::BatchNorm3d(tnn::BatchNorm3dOptions(channels)));
  else if (norm == "instance") s->push_back(tnn::InstanceNorm3d(tnn::InstanceNorm3dOptions(channels).affine(true)));
  else s->push_back(tnn::GroupNorm(tnn::GroupNormOptions(groups, channels)));
}

int64_t parameter_count(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

}  // namespace tomopick::nn
