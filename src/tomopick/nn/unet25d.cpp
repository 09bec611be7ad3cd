#include "tomopick/nn/unet25d.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;
using Size3 = torch::ExpandingArray<3>;

Chain norm(int64_t ch, const UNet25dOptions& o) {
  Chain s;
  if (o.norm == "batch") s->push_back(tnn::BatchNorm3d(tnn::BatchNorm3dOptions(ch)));
  else s->push_back(tnn::InstanceNorm3d(tnn::InstanceNorm3dOptions(ch).affine(true)));
  return s;
}

// A convolution that only looks within one z slice: kernel (1, k, k), weights shared across z. The
// weight keeps Conv3d's shape; a depthwise one runs as conv2d on the slices folded into the batch,
// since LibTorch's CPU depthwise conv3d takes a slow generic path (measured 2-28x slower; dense ones
// are as fast either way). No bias where a norm follows (the norm's shift replaces it).
struct SliceConvImpl : tnn::Module {
  SliceConvImpl(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t groups, bool bias)
      : k_(k), stride_(stride), groups_(groups) {
    conv_ = register_module("conv", tnn::Conv3d(tnn::Conv3dOptions(in, out, Size3({1, k, k}))
                                                     .stride(Size3({1, stride, stride}))
                                                     .padding(Size3({0, (k - 1) / 2, (k - 1) / 2}))
                                                     .groups(groups)
                                                     .bias(bias)));
  }
  torch::Tensor forward(torch::Tensor x) {
    if (groups_ == 1) return conv_->forward(x);
    const int64_t n = x.size(0), c = x.size(1), z = x.size(2);
    auto y = F::conv2d(x.transpose(1, 2).reshape({n * z, c, x.size(3), x.size(4)}), conv_->weight.squeeze(2),
                       F::Conv2dFuncOptions().bias(conv_->bias).stride(stride_).padding((k_ - 1) / 2).groups(groups_));
    return y.reshape({n, z, y.size(1), y.size(2), y.size(3)}).transpose(1, 2).contiguous();
  }
  int64_t k_, stride_, groups_;
  tnn::Conv3d conv_{nullptr};
};
TORCH_MODULE(SliceConv);

SliceConv slice_conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t groups = 1, bool bias = false) {
  return SliceConv(in, out, k, stride, groups, bias);
}

// Replicate-pads z only, so the stem's slice stack at the top and bottom repeats the end slices
// (in-plane the stem pads with zeros like every other convolution).
struct ReplicatePadZImpl : tnn::Module {
  explicit ReplicatePadZImpl(int64_t p) : p_(p) {}
  torch::Tensor forward(torch::Tensor x) {
    return F::pad(x, F::PadFuncOptions({0, 0, 0, 0, p_, p_}).mode(torch::kReplicate));
  }
  int64_t p_;
};
TORCH_MODULE(ReplicatePadZ);

// ResNet's basic block, in 2D: two (1,3,3) convolutions with norm and ReLU around an identity path.
struct ResBlockImpl : tnn::Module {
  ResBlockImpl(int64_t c, const UNet25dOptions& o) {
    body_ = register_module("body", Chain(slice_conv(c, c, 3), norm(c, o), tnn::ReLU(), slice_conv(c, c, 3), norm(c, o)));
  }
  torch::Tensor forward(torch::Tensor x) { return torch::relu(body_->forward(x) + x); }
  Chain body_{nullptr};
};
TORCH_MODULE(ResBlock);

// ConvNeXt's block, in 2D: depthwise (1,7,7), norm, pointwise expansion x4, GELU, pointwise
// projection, identity path. The configured norm stands in for ConvNeXt's channel LayerNorm.
struct ConvNextBlockImpl : tnn::Module {
  ConvNextBlockImpl(int64_t c, const UNet25dOptions& o) {
    body_ = register_module("body", Chain(slice_conv(c, c, 7, 1, c, true), norm(c, o), tnn::Conv3d(tnn::Conv3dOptions(c, 4 * c, 1)),
                                          tnn::GELU(), tnn::Conv3d(tnn::Conv3dOptions(4 * c, c, 1))));
  }
  torch::Tensor forward(torch::Tensor x) { return body_->forward(x) + x; }
  Chain body_{nullptr};
};
TORCH_MODULE(ConvNextBlock);

// Downsampling by f in every axis: in-plane by a strided (1, 2f-1, 2f-1) convolution (3x3 stride 2 for
// f = 2; the padding f-1 makes the output exactly size/f), in z by averaging f slices -- the "depth
// reduction", which keeps the encoder free of convolutions across z.
Chain down(int64_t in, int64_t out, int64_t f, const UNet25dOptions& o) {
  return Chain(slice_conv(in, out, 2 * f - 1, f), tnn::AvgPool3d(tnn::AvgPool3dOptions(Size3({f, 1, 1})).stride(Size3({f, 1, 1}))),
               norm(out, o), tnn::ReLU());
}

void add_blocks(Chain& s, int64_t c, const UNet25dOptions& o) {
  for (int64_t i = 0; i < o.blocks_per_stage; ++i) {
    if (o.block == "convnext") s->push_back(ConvNextBlock(c, o));
    else s->push_back(ResBlock(c, o));
  }
}

void add_conv3d_nda(Chain& s, int64_t in, int64_t out, const UNet25dOptions& o) {
  s->push_back(tnn::Conv3d(tnn::Conv3dOptions(in, out, 3).padding(1).bias(false)));
  s->push_back(norm(out, o));
  s->push_back(tnn::ReLU());
  if (o.dropout > 0) s->push_back(tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
}

[[noreturn]] void bad(const std::string& field, const std::string& problem) {
  throw Error("unet25d." + field + ": " + problem);
}

}  // namespace

void validate(const UNet25dOptions& o) {
  if (o.in_channels < 1) bad("in_channels", "must be >= 1, got " + std::to_string(o.in_channels));
  if (o.out_channels < 1) bad("out_channels", "must be >= 1, got " + std::to_string(o.out_channels));
  if (o.slices < 1 || o.slices % 2 == 0) bad("slices", "must be odd and >= 1, got " + std::to_string(o.slices));
  if (o.channels.empty()) bad("channels", "needs at least one stage");
  for (size_t i = 0; i < o.channels.size(); ++i)
    if (o.channels[i] < 1) bad("channels", "must be positive, got " + std::to_string(o.channels[i]) + " at stage " + std::to_string(i));
  if (o.channels.size() > 8) bad("channels", "at most 8 stages, got " + std::to_string(o.channels.size()));
  if (o.block != "resnet" && o.block != "convnext") bad("block", "must be resnet or convnext, got '" + o.block + "'");
  if (o.blocks_per_stage < 1) bad("blocks_per_stage", "must be >= 1, got " + std::to_string(o.blocks_per_stage));
  if (o.norm != "instance" && o.norm != "batch") bad("norm", "must be instance or batch, got '" + o.norm + "'");
  if (o.head_upscale < 1 || o.head_upscale > 8) bad("head_upscale", "must be 1..8, got " + std::to_string(o.head_upscale));
  if (!(o.dropout >= 0 && o.dropout < 1)) bad("dropout", "must be in [0, 1), got " + std::to_string(o.dropout));
}

UNet25dImpl::UNet25dImpl(const UNet25dOptions& o) : opts_(o) {
  validate(o);
  const auto& c = o.channels;
  const int64_t r = o.head_upscale;

  Chain stem;
  if (o.slices > 1) stem->push_back(ReplicatePadZ(o.slices / 2));
  // The only convolution across z in the encoder: each output slice sees its `slices` neighbours.
  stem->push_back(tnn::Conv3d(tnn::Conv3dOptions(o.in_channels, c[0], Size3({o.slices, 3, 3})).padding(Size3({0, 1, 1})).bias(false)));
  stem->push_back(norm(c[0], o));
  stem->push_back(tnn::ReLU());
  stem_ = register_module("stem", stem);

  for (size_t i = 0; i < c.size(); ++i) {
    Chain s;
    // Stage 0 sits at 1/r resolution so the decoder can stop there and the head's shuffle restores
    // full resolution; later stages halve again.
    if (i == 0 && r > 1) s->push_back(down(c[0], c[0], r, o));
    if (i > 0) s->push_back(down(c[i - 1], c[i], 2, o));
    add_blocks(s, c[i], o);
    stages_.push_back(register_module("stage" + std::to_string(i), s));
  }
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    Chain s;
    add_conv3d_nda(s, c[i + 1] + c[i], c[i], o);
    add_conv3d_nda(s, c[i], c[i], o);
    decoder_.push_back(register_module("decoder" + std::to_string(i), s));
  }
  head_ = register_module("head", Chain(tnn::Conv3d(tnn::Conv3dOptions(c[0], o.out_channels * r * r * r, 1))));
}

int64_t UNet25dImpl::total_stride() const {
  return opts_.head_upscale << (opts_.channels.size() - 1);
}

void UNet25dImpl::check_input(const torch::Tensor& x) const {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels) {
    std::string got;
    for (int64_t i = 0; i < x.dim(); ++i) got += (i ? ", " : "") + std::to_string(x.size(i));
    throw Error("unet25d: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got [" + got + "]");
  }
}

std::vector<torch::Tensor> UNet25dImpl::encode(torch::Tensor x) {
  check_input(x);
  const int64_t t = total_stride();
  for (int64_t d = 2; d < 5; ++d)
    if (x.size(d) % t != 0)
      throw Error("unet25d: encode needs Z, Y, X that are multiples of " + std::to_string(t) + ", got " +
                  std::to_string(x.size(2)) + " x " + std::to_string(x.size(3)) + " x " + std::to_string(x.size(4)));
  std::vector<torch::Tensor> features;
  x = stem_->forward(x);
  for (auto& stage : stages_) {
    x = stage->forward(x);
    features.push_back(x);
  }
  return features;
}

torch::Tensor UNet25dImpl::decode(const std::vector<torch::Tensor>& features) {
  torch::Tensor x = features.back();
  for (size_t i = features.size() - 1; i-- > 0;) {
    const auto& skip = features[i];
    x = upsample_to(x, skip);
    x = decoder_[i]->forward(torch::cat({x, skip}, 1));
  }
  return pixel_shuffle3d(head_->forward(x), opts_.head_upscale);
}

torch::Tensor UNet25dImpl::forward(torch::Tensor x) {
  check_input(x);
  const int64_t t = total_stride();
  const int64_t z = x.size(2), y = x.size(3), w = x.size(4);
  const int64_t pz = (t - z % t) % t, py = (t - y % t) % t, px = (t - w % t) % t;
  if (pz || py || px) {
    // Replicate padding keeps the border statistics; the padded part is cropped away below.
    x = F::pad(x, F::PadFuncOptions({0, px, 0, py, 0, pz}).mode(torch::kReplicate));
  }
  torch::Tensor out = decode(encode(x));
  if (pz || py || px) out = out.slice(2, 0, z).slice(3, 0, y).slice(4, 0, w);
  return out;
}

torch::Tensor pixel_shuffle3d(const torch::Tensor& x, int64_t r) {
  if (r < 1) throw Error("pixel_shuffle3d: factor must be >= 1, got " + std::to_string(r));
  if (x.dim() != 5 || x.size(1) % (r * r * r) != 0)
    throw Error("pixel_shuffle3d: expected [N, C*" + std::to_string(r * r * r) + ", D, H, W], got " + std::to_string(x.dim()) +
                " dimensions" + (x.dim() >= 2 ? " and " + std::to_string(x.size(1)) + " channels" : std::string()));
  if (r == 1) return x;
  const int64_t n = x.size(0), c = x.size(1) / (r * r * r), d = x.size(2), h = x.size(3), w = x.size(4);
  return x.reshape({n, c, r, r, r, d, h, w})
      .permute({0, 1, 5, 2, 6, 3, 7, 4})  // n, c, d, i, h, j, w, k
      .reshape({n, c, d * r, h * r, w * r});
}

torch::Tensor pixel_unshuffle3d(const torch::Tensor& x, int64_t r) {
  if (r < 1) throw Error("pixel_unshuffle3d: factor must be >= 1, got " + std::to_string(r));
  if (x.dim() != 5 || x.size(2) % r || x.size(3) % r || x.size(4) % r)
    throw Error("pixel_unshuffle3d: expected [N, C, D, H, W] with D, H, W multiples of " + std::to_string(r));
  if (r == 1) return x;
  const int64_t n = x.size(0), c = x.size(1), d = x.size(2) / r, h = x.size(3) / r, w = x.size(4) / r;
  return x.reshape({n, c, d, r, h, r, w, r})
      .permute({0, 1, 3, 5, 7, 2, 4, 6})  // n, c, i, j, k, d, h, w
      .reshape({n, c * r * r * r, d, h, w});
}

}  // namespace tomopick::nn
