#include "tomopick/nn/resnet3d_fpn.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;

constexpr int64_t kNormGroups = 8;

tnn::Conv3d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t groups = 1, bool bias = false) {
  return tnn::Conv3d(tnn::Conv3dOptions(in, out, k).stride(stride).padding(k / 2).groups(groups).bias(bias));
}

void add_norm(Chain& s, int64_t ch, const std::string& norm) { push_norm3d(s, ch, norm, kNormGroups); }

// The bottleneck's inner width: half the stage width (see the header).
int64_t bottleneck_width(int64_t out) { return out / 2; }

// A residual block, basic or bottleneck: ReLU(body(x) + shortcut(x)), the shortcut the identity unless
// the stride or the width changes.
struct BlockImpl : tnn::Module {
  BlockImpl(int64_t in, int64_t out, int64_t stride, const ResNet3dFpnOptions& o) {
    Chain body;
    if (o.block == "basic") {
      body->push_back(conv(in, out, 3, stride));
      add_norm(body, out, o.norm);
      body->push_back(tnn::ReLU());
      body->push_back(conv(out, out, 3));
      add_norm(body, out, o.norm);
    } else {
      const int64_t mid = bottleneck_width(out);
      body->push_back(conv(in, mid, 1));
      add_norm(body, mid, o.norm);
      body->push_back(tnn::ReLU());
      body->push_back(conv(mid, mid, 3, stride, o.groups));
      add_norm(body, mid, o.norm);
      body->push_back(tnn::ReLU());
      body->push_back(conv(mid, out, 1));
      add_norm(body, out, o.norm);
    }
    body_ = register_module("body", body);
    if (stride != 1 || in != out) {
      Chain sc;
      sc->push_back(conv(in, out, 1, stride));
      add_norm(sc, out, o.norm);
      shortcut_ = register_module("shortcut", sc);
    }
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor r = shortcut_ ? shortcut_->forward(x) : x;
    return torch::relu(body_->forward(x) + r);
  }
  Chain body_{nullptr}, shortcut_{nullptr};
};
TORCH_MODULE(Block);

size_t log2_exact(int64_t v) {
  size_t l = 0;
  while ((int64_t(1) << l) < v) ++l;
  return l;
}

}  // namespace

void validate(const ResNet3dFpnOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1)
    throw Error("resnet3d_fpn: in_channels and out_channels must be positive");
  if (o.channels.empty()) throw Error("resnet3d_fpn: channels needs at least 1 stage");
  if (o.channels.size() > 8) throw Error("resnet3d_fpn: channels allows at most 8 stages (total stride 128)");
  for (auto c : o.channels)
    if (c < 1) throw Error("resnet3d_fpn: channels must be positive");
  if (o.depths.size() != o.channels.size())
    throw Error("resnet3d_fpn: depths needs one entry per stage (" + std::to_string(o.channels.size()) + " channels, " +
                std::to_string(o.depths.size()) + " depths)");
  for (auto d : o.depths)
    if (d < 1 || d > 32) throw Error("resnet3d_fpn: depths must be in 1..32 (each stage's first block sets its stride)");
  if (o.block != "bottleneck" && o.block != "basic")
    throw Error("resnet3d_fpn: block must be bottleneck or basic, got '" + o.block + "'");
  if (o.groups < 1) throw Error("resnet3d_fpn: groups must be positive");
  if (o.block == "bottleneck")
    for (auto c : o.channels) {
      const int64_t w = bottleneck_width(c);
      if (w < 1 || w % o.groups)
        throw Error("resnet3d_fpn: groups (" + std::to_string(o.groups) +
                    ") must divide every bottleneck width (channels / 2), got " + std::to_string(w) + " for channels " +
                    std::to_string(c));
    }
  if (o.fpn_channels < 1) throw Error("resnet3d_fpn: fpn_channels must be positive");
  const int64_t total = int64_t(1) << (o.channels.size() - 1);
  if (o.out_stride < 1 || (o.out_stride & (o.out_stride - 1)) || o.out_stride > total)
    throw Error("resnet3d_fpn: out_stride must be a power of two no larger than the total stride " +
                std::to_string(total) + ", got " + std::to_string(o.out_stride));
  check_norm3d("resnet3d_fpn", o.norm);
  if (o.norm == "group") {
    auto check = [](int64_t c, const char* what) {
      if (c % kNormGroups)
        throw Error(std::string("resnet3d_fpn: group norm needs ") + what + " divisible by 8, got " + std::to_string(c));
    };
    for (auto c : o.channels) {
      check(c, "channels");
      if (o.block == "bottleneck") check(bottleneck_width(c), "bottleneck widths (channels / 2)");
    }
    check(o.fpn_channels, "fpn_channels");
  }
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("resnet3d_fpn: dropout must be in [0, 1)");
}

ResNet3dFpnImpl::ResNet3dFpnImpl(const ResNet3dFpnOptions& o) : opts_(o) {
  validate(o);
  const auto& ch = o.channels;
  out_level_ = log2_exact(o.out_stride);
  Chain stem;
  stem->push_back(conv(o.in_channels, ch[0], 3));
  add_norm(stem, ch[0], o.norm);
  stem->push_back(tnn::ReLU());
  stem_ = register_module("stem", stem);
  for (size_t i = 0; i < ch.size(); ++i) {
    Chain s;
    for (int64_t b = 0; b < o.depths[i]; ++b) {
      const bool first = b == 0;
      s->push_back(Block(first && i > 0 ? ch[i - 1] : ch[i], ch[i], first && i > 0 ? 2 : 1, o));
    }
    stages_.push_back(register_module("stage" + std::to_string(i), s));
  }
  for (size_t i = out_level_; i < ch.size(); ++i)
    laterals_.push_back(
        register_module("lateral" + std::to_string(i), conv(ch[i], o.fpn_channels, 1, 1, 1, /*bias=*/true)));
  smooth_ = register_module("smooth", conv(o.fpn_channels, o.fpn_channels, 3, 1, 1, /*bias=*/true));
  if (o.dropout > 0) dropout_ = register_module("dropout", tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
  Chain head;
  head->push_back(conv(o.fpn_channels, o.fpn_channels, 3));
  add_norm(head, o.fpn_channels, o.norm);
  head->push_back(tnn::ReLU());
  head->push_back(conv(o.fpn_channels, o.out_channels, 1, 1, 1, /*bias=*/true));
  head_ = register_module("head", head);
}

torch::Tensor ResNet3dFpnImpl::forward(torch::Tensor x) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels)
    throw Error("resnet3d_fpn: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got " +
                std::to_string(x.dim()) + " dimensions");
  const auto sizes = x.sizes().vec();
  x = pad_to_multiple(x, total_stride());
  const auto padded = x;
  x = stem_->forward(x);
  std::vector<torch::Tensor> feats;
  for (auto& s : stages_) {
    x = s->forward(x);
    feats.push_back(x);
  }
  // Top-down, from the coarsest stage to the output level.
  torch::Tensor p = laterals_.back()->forward(feats.back());
  for (size_t i = feats.size() - 1; i-- > out_level_;) {
    auto lateral = laterals_[i - out_level_]->forward(feats[i]);
    p = upsample_to(p, lateral) + lateral;
  }
  p = smooth_->forward(p);
  if (dropout_) p = dropout_->forward(p);
  auto y = head_->forward(p);
  if (out_level_ > 0) y = upsample_to(y, padded);
  return crop_spatial(y, sizes);
}

int64_t resnet3d_fpn_parameter_count(const ResNet3dFpnOptions& o) {
  validate(o);
  const auto& ch = o.channels;
  const int64_t f = o.fpn_channels;
  auto norm = [](int64_t c) { return 2 * c; };
  auto block = [&](int64_t in, int64_t out, int64_t stride) {
    int64_t n = 0;
    if (o.block == "basic") n = 27 * in * out + norm(out) + 27 * out * out + norm(out);
    else {
      const int64_t m = bottleneck_width(out);
      n = in * m + norm(m) + 27 * m * m / o.groups + norm(m) + m * out + norm(out);
    }
    if (stride != 1 || in != out) n += in * out + norm(out);
    return n;
  };
  int64_t n = 27 * o.in_channels * ch[0] + norm(ch[0]);
  for (size_t i = 0; i < ch.size(); ++i)
    for (int64_t b = 0; b < o.depths[i]; ++b)
      n += b == 0 && i > 0 ? block(ch[i - 1], ch[i], 2) : block(ch[i], ch[i], 1);
  for (size_t i = log2_exact(o.out_stride); i < ch.size(); ++i) n += ch[i] * f + f;
  n += 27 * f * f + f;                                            // smoothing
  return n + 27 * f * f + norm(f) + f * o.out_channels + o.out_channels;  // head
}

}  // namespace tomopick::nn
