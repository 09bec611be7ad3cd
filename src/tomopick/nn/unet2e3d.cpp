#include "tomopick/nn/unet2e3d.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;

[[noreturn]] void invalid(const std::string& field, const std::string& problem) {
  throw Error("unet2e3d." + field + ": " + problem);
}

// The chosen normalisation for the 2D encoder, affine (2 x channels parameters either way).
Chain norm2d(int64_t ch, const std::string& norm) {
  Chain s;
  if (norm == "batch") s->push_back(tnn::BatchNorm2d(tnn::BatchNorm2dOptions(ch)));
  else s->push_back(tnn::InstanceNorm2d(tnn::InstanceNorm2dOptions(ch).affine(true)));
  return s;
}

// ... and for the 3D decoder.
Chain norm3d(int64_t ch, const std::string& norm) {
  Chain s;
  if (norm == "batch") s->push_back(tnn::BatchNorm3d(tnn::BatchNorm3dOptions(ch)));
  else s->push_back(tnn::InstanceNorm3d(tnn::InstanceNorm3dOptions(ch).affine(true)));
  return s;
}

tnn::Conv2d conv2d(int64_t in, int64_t out, int64_t k, int64_t stride = 1) {
  return tnn::Conv2d(tnn::Conv2dOptions(in, out, k).stride(stride).padding((k - 1) / 2).bias(false));
}

// ResNet's basic block in 2D: conv 3x3 (stride s), norm, ReLU, conv 3x3, norm, plus the shortcut,
// ReLU. The shortcut is the identity, or a 1x1 stride-s convolution and norm where the shape changes.
struct BasicBlockImpl : tnn::Module {
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride, const std::string& norm) {
    body_ = register_module("body", Chain(conv2d(in, out, 3, stride), norm2d(out, norm), tnn::ReLU(), conv2d(out, out, 3),
                                          norm2d(out, norm)));
    if (stride != 1 || in != out) shortcut_ = register_module("shortcut", Chain(conv2d(in, out, 1, stride), norm2d(out, norm)));
  }
  torch::Tensor forward(torch::Tensor x) {
    auto y = body_->forward(x);
    return torch::relu(y + (shortcut_ ? shortcut_->forward(x) : x));
  }
  Chain body_{nullptr}, shortcut_{nullptr};
};
TORCH_MODULE(BasicBlock);

// Replicate-pads y and x at the far end to multiples of t; z stays as it is.
torch::Tensor pad_yx_to_multiple(const torch::Tensor& x, int64_t t) {
  const int64_t py = (t - x.size(3) % t) % t, px = (t - x.size(4) % t) % t;
  if (!(py || px)) return x;
  return F::pad(x, F::PadFuncOptions({0, px, 0, py, 0, 0}).mode(torch::kReplicate));
}

// [N, C, Z, Y, X] -> [N*Z, C*s, Y, X]: every z slice as a 2D image whose channels are the s slices
// centred on it (channel c*s + j is input channel c at z - s/2 + j), the z ends replicated.
torch::Tensor slice_stack(const torch::Tensor& x, int64_t s) {
  const int64_t n = x.size(0), c = x.size(1), z = x.size(2), y = x.size(3), w = x.size(4);
  if (s == 1) return x.transpose(1, 2).reshape({n * z, c, y, w});
  const auto padded = F::pad(x, F::PadFuncOptions({0, 0, 0, 0, s / 2, s / 2}).mode(torch::kReplicate));
  return padded.unfold(2, s, 1)             // [N, C, Z, Y, X, s]
      .permute({0, 2, 1, 5, 3, 4})           // [N, Z, C, s, Y, X]
      .reshape({n * z, c * s, y, w});
}

// [N*Z, C, y, x] -> [N, C, Z, y, x] (a view).
torch::Tensor to_3d(const torch::Tensor& h, int64_t n, int64_t z) {
  return h.reshape({n, z, h.size(1), h.size(2), h.size(3)}).transpose(1, 2);
}

void add_conv3d_norm_relu(Chain& s, int64_t in, int64_t out, const std::string& norm) {
  s->push_back(tnn::Conv3d(tnn::Conv3dOptions(in, out, 3).padding(1).bias(false)));
  s->push_back(norm3d(out, norm));
  s->push_back(tnn::ReLU());
}

}  // namespace

void validate(const UNet2e3dOptions& o) {
  if (o.in_channels < 1) invalid("in_channels", "must be >= 1, got " + std::to_string(o.in_channels));
  if (o.out_channels < 1) invalid("out_channels", "must be >= 1, got " + std::to_string(o.out_channels));
  if (o.channels.empty()) invalid("channels", "needs at least one level");
  if (o.channels.size() > 8) invalid("channels", "at most 8 levels, got " + std::to_string(o.channels.size()));
  for (size_t i = 0; i < o.channels.size(); ++i)
    if (o.channels[i] < 1) invalid("channels", "must be positive, got " + std::to_string(o.channels[i]) + " at level " + std::to_string(i));
  if (o.slices < 1 || o.slices % 2 == 0) invalid("slices", "must be odd and >= 1, got " + std::to_string(o.slices));
  if (o.blocks < 1 || o.blocks > 16) invalid("blocks", "must be 1..16, got " + std::to_string(o.blocks));
  if (o.norm != "batch" && o.norm != "instance") invalid("norm", "must be batch or instance, got '" + o.norm + "'");
  if (!(o.dropout >= 0 && o.dropout < 1)) invalid("dropout", "must be in [0, 1), got " + std::to_string(o.dropout));
}

UNet2e3dImpl::UNet2e3dImpl(const UNet2e3dOptions& o) : opts_(o) {
  validate(o);
  const auto& c = o.channels;
  stem_ = register_module("stem", Chain(conv2d(o.in_channels * o.slices, c[0], 3), norm2d(c[0], o.norm), tnn::ReLU()));
  for (size_t i = 0; i < c.size(); ++i) {
    Chain s;
    for (int64_t b = 0; b < o.blocks; ++b) {
      if (b == 0 && i > 0) s->push_back(BasicBlock(c[i - 1], c[i], 2, o.norm));
      else s->push_back(BasicBlock(c[i], c[i], 1, o.norm));
    }
    encoder_.push_back(register_module("encoder" + std::to_string(i), s));
  }
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    Chain s;
    add_conv3d_norm_relu(s, c[i + 1] + c[i], c[i], o.norm);
    add_conv3d_norm_relu(s, c[i], c[i], o.norm);
    if (o.dropout > 0) s->push_back(tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
    decoder_.push_back(register_module("decoder" + std::to_string(i), s));
  }
  head_ = register_module("head", tnn::Conv3d(tnn::Conv3dOptions(c[0], o.out_channels, 1).bias(true)));
}

torch::Tensor UNet2e3dImpl::forward(torch::Tensor x) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels) {
    std::string got;
    for (int64_t i = 0; i < x.dim(); ++i) got += (i ? ", " : "") + std::to_string(x.size(i));
    throw Error("unet2e3d: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got [" + got + "]");
  }
  const auto sizes = x.sizes().vec();
  const int64_t n = x.size(0), z = x.size(2);
  x = pad_yx_to_multiple(x, total_stride());

  std::vector<torch::Tensor> features;  // per level, viewed as [N, C, Z, y, x]
  auto h = stem_->forward(slice_stack(x, opts_.slices));
  for (auto& level : encoder_) {
    h = level->forward(h);
    features.push_back(to_3d(h, n, z));
  }

  torch::Tensor d = features.back();
  for (size_t i = features.size() - 1; i-- > 0;) {
    const auto& skip = features[i];
    d = upsample_to(d, skip);
    d = decoder_[i]->forward(torch::cat({d, skip}, 1));
  }
  return crop_spatial(head_->forward(d), sizes);
}

int64_t unet2e3d_parameter_count(const UNet2e3dOptions& o) {
  validate(o);
  const auto& c = o.channels;
  // Every norm is affine: 2 parameters per channel. Convolutions before a norm have no bias.
  auto basic_block = [](int64_t in, int64_t out, bool projection) {
    return 9 * in * out + 9 * out * out + 2 * 2 * out + (projection ? in * out + 2 * out : 0);
  };
  int64_t n = 9 * o.in_channels * o.slices * c[0] + 2 * c[0];
  for (size_t i = 0; i < c.size(); ++i) {
    if (i == 0) n += o.blocks * basic_block(c[0], c[0], false);
    else n += basic_block(c[i - 1], c[i], true) + (o.blocks - 1) * basic_block(c[i], c[i], false);
  }
  for (size_t i = 0; i + 1 < c.size(); ++i) n += 27 * (c[i + 1] + c[i]) * c[i] + 27 * c[i] * c[i] + 2 * 2 * c[i];
  return n + c[0] * o.out_channels + o.out_channels;
}

}  // namespace tomopick::nn
