#include "tomopick/nn/voxresnet.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;

constexpr int64_t kVoxresNormGroups = 8;
constexpr size_t kVoxresMaxLevels = 8;  // total stride 128
constexpr int64_t kVoxresMaxBlocks = 16;

void voxres_add_norm(Chain& s, int64_t ch, const std::string& norm) { push_norm3d(s, ch, norm, kVoxresNormGroups); }

// The VoxRes module: pre-activation (norm, ReLU, 3x3x3 convolution, twice), the input added.
struct VoxresModuleImpl : tnn::Module {
  VoxresModuleImpl(int64_t ch, const std::string& norm) {
    Chain body;
    voxres_add_norm(body, ch, norm);
    body->push_back(tnn::ReLU());
    body->push_back(conv3x3x3(ch, ch));
    voxres_add_norm(body, ch, norm);
    body->push_back(tnn::ReLU());
    body->push_back(conv3x3x3(ch, ch));
    body_ = register_module("body", body);
  }
  torch::Tensor forward(torch::Tensor x) { return body_->forward(x) + x; }
  Chain body_{nullptr};
};
TORCH_MODULE(VoxresModule);


}  // namespace

void validate(const VoxResNetOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1) throw Error("voxresnet: in_channels and out_channels must be positive");
  if (o.channels.empty()) throw Error("voxresnet: channels needs at least 1 level");
  if (o.channels.size() > kVoxresMaxLevels)
    throw Error("voxresnet: channels allows at most " + std::to_string(kVoxresMaxLevels) + " levels (total stride " +
                std::to_string(int64_t(1) << (kVoxresMaxLevels - 1)) + "), got " + std::to_string(o.channels.size()));
  for (auto c : o.channels)
    if (c < 1) throw Error("voxresnet: channels must be positive, got " + std::to_string(c));
  if (o.blocks.size() != o.channels.size())
    throw Error("voxresnet: blocks needs one entry per level (" + std::to_string(o.channels.size()) + " channels, " +
                std::to_string(o.blocks.size()) + " blocks)");
  for (auto b : o.blocks)
    if (b < 0 || b > kVoxresMaxBlocks)
      throw Error("voxresnet: blocks must be in 0.." + std::to_string(kVoxresMaxBlocks) + ", got " + std::to_string(b));
  check_norm3d("voxresnet", o.norm);
  if (o.norm == "group")
    for (auto c : o.channels)
      if (c % kVoxresNormGroups)
        throw Error("voxresnet: group norm needs channels divisible by 8, got " + std::to_string(c));
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("voxresnet: dropout must be in [0, 1)");
}

VoxResNetImpl::VoxResNetImpl(const VoxResNetOptions& o) : opts_(o) {
  validate(o);
  const auto& ch = o.channels;
  Chain stem;
  stem->push_back(conv3x3x3(o.in_channels, ch[0]));
  voxres_add_norm(stem, ch[0], o.norm);
  stem->push_back(tnn::ReLU());
  stem->push_back(conv3x3x3(ch[0], ch[0]));
  stem_ = register_module("stem", stem);
  for (size_t i = 0; i < ch.size(); ++i) {
    const auto n = std::to_string(i);
    // The previous level's norm and ReLU (activations_[i - 1]) come before the downsampling.
    Chain level;
    if (i > 0) level->push_back(conv3x3x3(ch[i - 1], ch[i], 2));
    for (int64_t b = 0; b < o.blocks[i]; ++b) level->push_back(VoxresModule(ch[i], o.norm));
    if (level->is_empty()) level->push_back(tnn::Identity());
    levels_.push_back(register_module("level" + n, level));
    Chain act;
    voxres_add_norm(act, ch[i], o.norm);
    act->push_back(tnn::ReLU());
    activations_.push_back(register_module("act" + n, act));
    // Why upsample logits trilinearly rather than features with a transposed convolution, as the paper
    // does: (1) a 1x1x1 convolution commutes with trilinear interpolation (both linear, and the
    // interpolation weights sum to 1, so the bias passes through), so "upsample, then 1x1x1 convolution"
    // is this same function, only with the convolution on 1/8^i of the voxels and the upsampling on
    // out_channels rather than channels[i] maps; (2) a transposed convolution stamps a learned kernel
    // every 2^i voxels, and its checkerboard in the logits reads as spurious peaks in a heatmap, while
    // trilinear logits are smooth; (3) it costs no parameters (a stride-8 transposed convolution of 64
    // channels with the usual kernel 2s alone has 16^3 * 64^2 = 16.8 M weights). Its placement is exact
    // (see upsample_aligned), which a learned upsampler would have to learn.
    classifiers_.push_back(register_module(
        "classifier" + n, tnn::Conv3d(tnn::Conv3dOptions(ch[i], o.out_channels, 1).bias(true))));
  }
  if (o.dropout > 0) dropout_ = register_module("dropout", tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
}

torch::Tensor VoxResNetImpl::run(torch::Tensor x, std::vector<torch::Tensor>* levels) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels)
    throw Error("voxresnet: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got " +
                std::to_string(x.dim()) + " dimensions" +
                (x.dim() >= 2 ? " with " + std::to_string(x.size(1)) + " channels" : std::string()));
  const auto sizes = x.sizes().vec();
  x = stem_->forward(pad_to_multiple(x, total_stride()));
  torch::Tensor sum;
  for (size_t i = 0; i < levels_.size(); ++i) {
    x = activations_[i]->forward(levels_[i]->forward(x));  // x: level i, normed and rectified
    auto c = dropout_ ? dropout_->forward(x) : x;
    auto y = crop_spatial(upsample_aligned(classifiers_[i]->forward(c), int64_t(1) << i), sizes);
    if (levels) levels->push_back(y);
    sum = i == 0 ? y : sum + y;
  }
  return sum;
}

torch::Tensor VoxResNetImpl::forward(torch::Tensor x) { return run(std::move(x), nullptr); }

std::vector<torch::Tensor> VoxResNetImpl::level_logits(torch::Tensor x) {
  std::vector<torch::Tensor> levels;
  run(std::move(x), &levels);
  return levels;
}

int64_t voxresnet_parameter_count(const VoxResNetOptions& o) {
  validate(o);
  const auto& ch = o.channels;
  auto norm = [](int64_t c) { return 2 * c; };
  auto voxres = [&](int64_t c) { return 2 * (norm(c) + 27 * c * c); };
  int64_t n = 27 * o.in_channels * ch[0] + norm(ch[0]) + 27 * ch[0] * ch[0];  // stem
  for (size_t i = 0; i < ch.size(); ++i) {
    if (i > 0) n += 27 * ch[i - 1] * ch[i];                      // stride-2 convolution
    n += o.blocks[i] * voxres(ch[i]);                            // VoxRes modules
    n += norm(ch[i]) + ch[i] * o.out_channels + o.out_channels;  // activation norm, classifier
  }
  return n;
}

}  // namespace tomopick::nn
