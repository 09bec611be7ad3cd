#include "tomopick/nn/segresnet.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;

constexpr int64_t kGroups = 8;

// The chosen normalisation, affine (2 x channels parameters whichever it is).
struct NormImpl : tnn::Module {
  NormImpl(int64_t ch, const std::string& norm) {
    if (norm == "batch") batch_ = register_module("norm", tnn::BatchNorm3d(tnn::BatchNorm3dOptions(ch)));
    else if (norm == "instance")
      instance_ = register_module("norm", tnn::InstanceNorm3d(tnn::InstanceNorm3dOptions(ch).affine(true)));
    else group_ = register_module("norm", tnn::GroupNorm(tnn::GroupNormOptions(kGroups, ch)));
  }
  torch::Tensor forward(torch::Tensor x) {
    if (group_) return group_->forward(x);
    if (instance_) return instance_->forward(x);
    return batch_->forward(x);
  }
  tnn::GroupNorm group_{nullptr};
  tnn::InstanceNorm3d instance_{nullptr};
  tnn::BatchNorm3d batch_{nullptr};
};
TORCH_MODULE(Norm);

// MONAI's ResBlock: pre-activation, two 3x3x3 convolutions, the input added.
struct SegResBlockImpl : tnn::Module {
  SegResBlockImpl(int64_t ch, const std::string& norm)
      : norm1_(register_module("norm1", Norm(ch, norm))),
        norm2_(register_module("norm2", Norm(ch, norm))),
        conv1_(register_module("conv1", conv3x3x3(ch, ch))),
        conv2_(register_module("conv2", conv3x3x3(ch, ch))) {}
  torch::Tensor forward(torch::Tensor x) {
    auto y = conv1_->forward(torch::relu(norm1_->forward(x)));
    y = conv2_->forward(torch::relu(norm2_->forward(y)));
    return y + x;
  }
  Norm norm1_, norm2_;
  tnn::Conv3d conv1_, conv2_;
};
TORCH_MODULE(SegResBlock);

}  // namespace

void validate(const SegResNetOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1) throw Error("segresnet: in_channels and out_channels must be positive");
  if (o.channels.empty()) throw Error("segresnet: channels needs at least 1 level");
  for (auto c : o.channels)
    if (c < 1) throw Error("segresnet: channels must be positive");
  if (o.blocks_down.size() != o.channels.size())
    throw Error("segresnet: blocks_down needs one entry per level (" + std::to_string(o.channels.size()) + " channels, " +
                std::to_string(o.blocks_down.size()) + " blocks_down)");
  if (o.blocks_up.size() + 1 != o.channels.size())
    throw Error("segresnet: blocks_up needs one entry fewer than channels (" + std::to_string(o.channels.size()) +
                " channels, " + std::to_string(o.blocks_up.size()) + " blocks_up)");
  for (auto b : o.blocks_down)
    if (b < 0 || b > 16) throw Error("segresnet: blocks_down must be in 0..16");
  for (auto b : o.blocks_up)
    if (b < 0 || b > 16) throw Error("segresnet: blocks_up must be in 0..16");
  check_norm3d("segresnet", o.norm);
  if (o.norm == "group")
    for (auto c : o.channels)
      if (c % kGroups) throw Error("segresnet: group norm needs channels divisible by 8, got " + std::to_string(c));
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("segresnet: dropout must be in [0, 1)");
}

SegResNetImpl::SegResNetImpl(const SegResNetOptions& o) : opts_(o) {
  validate(o);
  const auto& ch = o.channels;
  conv_init_ = register_module("conv_init", conv3x3x3(o.in_channels, ch[0]));
  if (o.dropout > 0) dropout_ = register_module("dropout", tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
  for (size_t i = 0; i < ch.size(); ++i) {
    Chain d;
    if (i > 0) d->push_back(conv3x3x3(ch[i - 1], ch[i], 2));
    for (int64_t b = 0; b < o.blocks_down[i]; ++b) d->push_back(SegResBlock(ch[i], o.norm));
    if (d->is_empty()) d->push_back(tnn::Identity());
    down_.push_back(register_module("down" + std::to_string(i), d));
  }
  // Decoder level j goes from level n-1-j to level n-2-j.
  const size_t n = ch.size();
  for (size_t j = 0; j + 1 < n; ++j) {
    const int64_t from = ch[n - 1 - j], to = ch[n - 2 - j];
    up_convs_.push_back(register_module("up_conv" + std::to_string(j),
                                        tnn::Conv3d(tnn::Conv3dOptions(from, to, 1).bias(false))));
    Chain u;
    for (int64_t b = 0; b < o.blocks_up[j]; ++b) u->push_back(SegResBlock(to, o.norm));
    if (u->is_empty()) u->push_back(tnn::Identity());
    up_blocks_.push_back(register_module("up" + std::to_string(j), u));
  }
  Chain f;
  f->push_back(Norm(ch[0], o.norm));
  f->push_back(tnn::ReLU());
  f->push_back(tnn::Conv3d(tnn::Conv3dOptions(ch[0], o.out_channels, 1).bias(true)));
  final_ = register_module("final", f);
}

torch::Tensor SegResNetImpl::forward(torch::Tensor x) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels)
    throw Error("segresnet: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got " +
                std::to_string(x.dim()) + " dimensions");
  const auto sizes = x.sizes().vec();
  x = pad_to_multiple(x, total_stride());
  x = conv_init_->forward(x);
  if (dropout_) x = dropout_->forward(x);
  std::vector<torch::Tensor> skips;
  for (auto& d : down_) {
    x = d->forward(x);
    skips.push_back(x);
  }
  for (size_t j = 0; j < up_convs_.size(); ++j) {
    x = up_convs_[j]->forward(x);
    const auto& skip = skips[skips.size() - 2 - j];
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{skip.size(2), skip.size(3), skip.size(4)})
                              .mode(torch::kTrilinear)
                              .align_corners(false)) +
        skip;
    x = up_blocks_[j]->forward(x);
  }
  return crop_spatial(final_->forward(x), sizes);
}

int64_t segresnet_parameter_count(const SegResNetOptions& o) {
  validate(o);
  const auto& ch = o.channels;
  // A ResBlock: two 3x3x3 convolutions without bias and two affine norms (2 x channels each).
  auto res_block = [](int64_t c) { return 2 * 27 * c * c + 2 * 2 * c; };
  int64_t n = 27 * o.in_channels * ch[0];
  for (size_t i = 0; i < ch.size(); ++i) {
    if (i > 0) n += 27 * ch[i - 1] * ch[i];
    n += o.blocks_down[i] * res_block(ch[i]);
  }
  const size_t levels = ch.size();
  for (size_t j = 0; j + 1 < levels; ++j) {
    const int64_t from = ch[levels - 1 - j], to = ch[levels - 2 - j];
    n += from * to + o.blocks_up[j] * res_block(to);
  }
  return n + 2 * ch[0] + ch[0] * o.out_channels + o.out_channels;
}

}  // namespace tomopick::nn
