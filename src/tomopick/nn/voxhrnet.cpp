#include "tomopick/nn/voxhrnet.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;

constexpr int64_t kVoxhrnetNormGroups = 8;
constexpr size_t kVoxhrnetMaxBranches = 6;  // total stride 32 x stem_stride
constexpr int64_t kVoxhrnetMaxBlocks = 16;
constexpr int64_t kVoxhrnetMaxModules = 8;

tnn::Conv3d voxhrnet_conv1(int64_t in, int64_t out, bool bias = false) {
  return tnn::Conv3d(tnn::Conv3dOptions(in, out, 1).bias(bias));
}

void voxhrnet_add_norm(Chain& s, int64_t ch, const std::string& norm) { push_norm3d(s, ch, norm, kVoxhrnetNormGroups); }

// 3x3x3 convolution (stride 1 or 2), norm, and optionally ReLU, appended to s.
void voxhrnet_add_conv3(Chain& s, int64_t in, int64_t out, int64_t stride, const std::string& norm, bool relu) {
  s->push_back(conv3x3x3(in, out, stride));
  voxhrnet_add_norm(s, out, norm);
  if (relu) s->push_back(tnn::ReLU());
}

// HRNet's BasicBlock: 3x3x3 convolution, norm, ReLU, 3x3x3 convolution, norm, the input added, ReLU.
struct VoxhrnetBlockImpl : tnn::Module {
  VoxhrnetBlockImpl(int64_t ch, const std::string& norm) {
    Chain body;
    voxhrnet_add_conv3(body, ch, ch, 1, norm, true);
    voxhrnet_add_conv3(body, ch, ch, 1, norm, false);
    body_ = register_module("body", body);
  }
  torch::Tensor forward(torch::Tensor x) { return torch::relu(body_->forward(x) + x); }
  Chain body_{nullptr};
};
TORCH_MODULE(VoxhrnetBlock);

// `n` residual blocks of width ch (Identity if none).
Chain voxhrnet_blocks(int64_t n, int64_t ch, const std::string& norm) {
  Chain c;
  for (int64_t b = 0; b < n; ++b) c->push_back(VoxhrnetBlock(ch, norm));
  if (c->is_empty()) c->push_back(tnn::Identity());
  return c;
}


}  // namespace

void validate(const VoxHRNetOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1) throw Error("voxhrnet: in_channels and out_channels must be positive");
  if (o.channels.empty()) throw Error("voxhrnet: channels needs at least 1 branch");
  if (o.channels.size() > kVoxhrnetMaxBranches)
    throw Error("voxhrnet: channels allows at most " + std::to_string(kVoxhrnetMaxBranches) + " branches, got " +
                std::to_string(o.channels.size()));
  for (auto c : o.channels)
    if (c < 1) throw Error("voxhrnet: channels must be positive, got " + std::to_string(c));
  if (o.stem_channels < 1)
    throw Error("voxhrnet: stem_channels must be positive, got " + std::to_string(o.stem_channels));
  if (o.blocks.size() != o.channels.size())
    throw Error("voxhrnet: blocks needs one entry per branch (" + std::to_string(o.channels.size()) + " channels, " +
                std::to_string(o.blocks.size()) + " blocks)");
  for (auto b : o.blocks)
    if (b < 0 || b > kVoxhrnetMaxBlocks)
      throw Error("voxhrnet: blocks must be in 0.." + std::to_string(kVoxhrnetMaxBlocks) + ", got " +
                  std::to_string(b));
  if (o.modules < 1 || o.modules > kVoxhrnetMaxModules)
    throw Error("voxhrnet: modules must be in 1.." + std::to_string(kVoxhrnetMaxModules) + ", got " +
                std::to_string(o.modules));
  if (o.stem_stride != 1 && o.stem_stride != 2)
    throw Error("voxhrnet: stem_stride must be 1 or 2, got " + std::to_string(o.stem_stride));
  check_norm3d("voxhrnet", o.norm);
  if (o.norm == "group") {
    if (o.stem_channels % kVoxhrnetNormGroups)
      throw Error("voxhrnet: group norm needs stem_channels divisible by 8, got " +
                  std::to_string(o.stem_channels));
    for (auto c : o.channels)  // the head's width, their sum, is then divisible too
      if (c % kVoxhrnetNormGroups)
        throw Error("voxhrnet: group norm needs channels divisible by 8, got " + std::to_string(c));
  }
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("voxhrnet: dropout must be in [0, 1)");
}

VoxHRNetImpl::VoxHRNetImpl(const VoxHRNetOptions& o) : opts_(o) {
  validate(o);
  const auto& ch = o.channels;
  const size_t branches = ch.size();
  Chain stem;
  voxhrnet_add_conv3(stem, o.in_channels, o.stem_channels, o.stem_stride, o.norm, true);
  for (int64_t b = 0; b < o.blocks[0]; ++b) stem->push_back(VoxhrnetBlock(o.stem_channels, o.norm));
  stem_ = register_module("stem", stem);
  Chain to0;
  if (o.stem_channels != ch[0]) voxhrnet_add_conv3(to0, o.stem_channels, ch[0], 1, o.norm, true);
  else to0->push_back(tnn::Identity());
  to_branch0_ = register_module("to_branch0", to0);

  size_t m = 0;
  for (size_t s = 1; s < branches; ++s) {
    Chain nb;
    voxhrnet_add_conv3(nb, s == 1 ? o.stem_channels : ch[s - 1], ch[s], 2, o.norm, true);
    new_branches_.push_back(register_module("new_branch" + std::to_string(s), nb));
    const size_t n = s + 1;  // branches in this stage
    for (int64_t r = 0; r < o.modules; ++r, ++m) {
      const std::string prefix = "module" + std::to_string(m) + "_";
      std::vector<Chain> blocks;
      for (size_t i = 0; i < n; ++i)
        blocks.push_back(
            register_module(prefix + "blocks" + std::to_string(i), voxhrnet_blocks(o.blocks[s], ch[i], o.norm)));
      blocks_.push_back(std::move(blocks));
      std::vector<std::vector<Chain>> fuse(n, std::vector<Chain>(n, Chain(nullptr)));
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) {
          if (i == j) continue;
          Chain f;
          if (j > i) {  // 1x1x1 convolution and norm; the upsampling follows in run_module
            f->push_back(voxhrnet_conv1(ch[j], ch[i]));
            voxhrnet_add_norm(f, ch[i], o.norm);
          } else {  // i - j stride-2 convolutions
            for (size_t k = j; k < i; ++k) {
              const bool last = k + 1 == i;
              voxhrnet_add_conv3(f, ch[j], last ? ch[i] : ch[j], 2, o.norm, !last);
            }
          }
          fuse[i][j] = register_module(prefix + "fuse" + std::to_string(i) + "_" + std::to_string(j), f);
        }
      fuse_.push_back(std::move(fuse));
    }
  }

  int64_t head_width = 0;
  for (auto c : ch) head_width += c;
  for (size_t b = 0; b < branches; ++b)
    head_in_.push_back(register_module("head_in" + std::to_string(b), voxhrnet_conv1(ch[b], head_width)));
  Chain head;
  voxhrnet_add_norm(head, head_width, o.norm);
  head->push_back(tnn::ReLU());
  head->push_back(voxhrnet_conv1(head_width, o.out_channels, /*bias=*/true));
  head_ = register_module("head", head);
  if (o.dropout > 0) dropout_ = register_module("dropout", tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
}

std::vector<torch::Tensor> VoxHRNetImpl::run_module(size_t m, std::vector<torch::Tensor> xs) {
  const size_t n = xs.size();
  for (size_t i = 0; i < n; ++i) xs[i] = blocks_[m][i]->forward(xs[i]);
  if (n == 1) return xs;
  std::vector<torch::Tensor> out(n);
  for (size_t i = 0; i < n; ++i) {
    torch::Tensor y = xs[i];
    for (size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      auto f = fuse_[m][i][j]->forward(xs[j]);
      y = y + (j > i ? upsample_aligned(f, int64_t(1) << (j - i)) : f);
    }
    out[i] = torch::relu(y);
  }
  return out;
}

torch::Tensor VoxHRNetImpl::forward(torch::Tensor x) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels)
    throw Error("voxhrnet: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got " +
                std::to_string(x.dim()) + " dimensions" +
                (x.dim() >= 2 ? " with " + std::to_string(x.size(1)) + " channels" : std::string()));
  const auto sizes = x.sizes().vec();
  const auto stem = stem_->forward(pad_to_multiple(x, total_stride()));
  std::vector<torch::Tensor> xs{to_branch0_->forward(stem)};
  size_t m = 0;
  for (size_t s = 1; s < opts_.channels.size(); ++s) {
    xs.push_back(new_branches_[s - 1]->forward(s == 1 ? stem : xs.back()));
    for (int64_t r = 0; r < opts_.modules; ++r) xs = run_module(m++, std::move(xs));
  }
  // The head: concatenating the branches upsampled to branch 0's size and applying a 1x1x1 convolution
  // W = [W_0 | W_1 | ...] is sum_b W_b up_b(x_b) = sum_b up_b(W_b x_b), as the upsampling is linear per
  // channel with weights summing to 1. So each W_b runs at its branch's own resolution (on 1/8^b of the
  // voxels), and the H-wide sums are upsampled coarse to fine by 2 at a time (Horner's scheme; upsampling
  // by 2 twice is upsampling by 4). The H x H convolution would otherwise dominate the cost at branch 0.
  torch::Tensor y;
  for (size_t b = xs.size(); b-- > 0;) {
    auto h = head_in_[b]->forward(dropout_ ? dropout_->forward(xs[b]) : xs[b]);
    y = y.defined() ? upsample_aligned(y, 2) + h : h;
  }
  return crop_spatial(upsample_aligned(head_->forward(y), opts_.stem_stride), sizes);
}

int64_t voxhrnet_parameter_count(const VoxHRNetOptions& o) {
  validate(o);
  const auto& ch = o.channels;
  auto norm = [](int64_t c) { return 2 * c; };
  auto conv3 = [&](int64_t a, int64_t b) { return 27 * a * b + norm(b); };  // with its norm
  auto block = [&](int64_t c) { return 2 * conv3(c, c); };
  const int64_t s = o.stem_channels;
  int64_t n = conv3(o.in_channels, s) + o.blocks[0] * block(s);  // stem
  if (s != ch[0]) n += conv3(s, ch[0]);                          // to branch 0
  for (size_t st = 1; st < ch.size(); ++st) {
    n += conv3(st == 1 ? s : ch[st - 1], ch[st]);  // the new branch
    int64_t module = 0;
    for (size_t i = 0; i <= st; ++i) {
      module += o.blocks[st] * block(ch[i]);
      for (size_t j = 0; j <= st; ++j) {
        // j > i: a 1x1x1 convolution and norm; j < i: i - j stride-2 convolutions with norms
        if (j > i) module += ch[j] * ch[i] + norm(ch[i]);
        else if (j < i) module += int64_t(i - j - 1) * conv3(ch[j], ch[j]) + conv3(ch[j], ch[i]);
      }
    }
    n += o.modules * module;
  }
  int64_t h = 0;
  for (auto c : ch) h += c;
  return n + h * h + norm(h) + h * o.out_channels + o.out_channels;  // head
}

}  // namespace tomopick::nn
