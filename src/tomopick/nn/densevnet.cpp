#include "tomopick/nn/densevnet.h"

#include <torch/torch.h>

#include <numeric>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

namespace tnn = torch::nn;
namespace F = torch::nn::functional;

constexpr int64_t kDenseVNetMaxGroups = 8;
constexpr size_t kDenseVNetMaxStacks = 8;  // total stride 256
constexpr int64_t kDenseVNetMaxUnits = 64;
constexpr int64_t kDenseVNetMaxDilation = 16;

tnn::Conv3d densevnet_conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t dilation = 1,
                           bool bias = false) {
  return tnn::Conv3d(
      tnn::Conv3dOptions(in, out, k).stride(stride).padding(dilation * (k / 2)).dilation(dilation).bias(bias));
}

// The chosen normalisation (dense stacks' widths are rarely multiples of 8: gcd(8, width) groups),
// then ReLU.
void densevnet_add_norm_relu(Chain& s, int64_t ch, const std::string& norm) {
  push_norm3d(s, ch, norm, std::gcd(kDenseVNetMaxGroups, ch));
  s->push_back(tnn::ReLU());
}

int64_t densevnet_dilation(const DenseVNetOptions& o, size_t stack) {
  return o.dilation.empty() ? 1 : o.dilation[stack];
}

// Width of stack i's input: the stem's features plus the pooled input for the first, the
// downsampling convolution's output for the others.
int64_t densevnet_stack_input(const DenseVNetOptions& o, size_t i) {
  return i == 0 ? o.stem_channels + o.in_channels : o.stem_channels;
}

// Width of stack i's output: its input and every unit's features.
int64_t densevnet_stack_output(const DenseVNetOptions& o, size_t i) {
  return densevnet_stack_input(o, i) + o.layers[i] * o.growth[i];
}

// Width of the concatenation the final convolution reads: the pooled input and every skip.
int64_t densevnet_final_input(const DenseVNetOptions& o) {
  return o.in_channels + std::accumulate(o.skip_channels.begin(), o.skip_channels.end(), int64_t(0));
}

void densevnet_check_per_stack(const std::vector<int64_t>& v, const std::string& field, size_t stacks, int64_t lo,
                               int64_t hi) {
  if (v.size() != stacks)
    throw Error("densevnet: " + field + " needs one entry per stack (" + std::to_string(stacks) + " layers, " +
                std::to_string(v.size()) + " " + field + ")");
  for (auto e : v)
    if (e < lo || e > hi)
      throw Error("densevnet: " + field + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
                  std::to_string(e));
}

}  // namespace

void validate(const DenseVNetOptions& o) {
  if (o.in_channels < 1 || o.out_channels < 1) throw Error("densevnet: in_channels and out_channels must be positive");
  if (o.layers.empty()) throw Error("densevnet: layers needs at least 1 stack");
  if (o.layers.size() > kDenseVNetMaxStacks)
    throw Error("densevnet: layers allows at most " + std::to_string(kDenseVNetMaxStacks) + " stacks (total stride " +
                std::to_string(int64_t(1) << kDenseVNetMaxStacks) + ")");
  const size_t n = o.layers.size();
  for (auto l : o.layers)
    if (l < 1 || l > kDenseVNetMaxUnits)
      throw Error("densevnet: layers must be in 1.." + std::to_string(kDenseVNetMaxUnits) + ", got " +
                  std::to_string(l));
  densevnet_check_per_stack(o.growth, "growth", n, 1, 1 << 16);
  densevnet_check_per_stack(o.skip_channels, "skip_channels", n, 1, 1 << 16);
  if (!o.dilation.empty()) densevnet_check_per_stack(o.dilation, "dilation", n, 1, kDenseVNetMaxDilation);
  if (o.stem_channels < 1) throw Error("densevnet: stem_channels must be positive");
  check_norm3d("densevnet", o.norm);
  if (!(o.dropout >= 0 && o.dropout < 1)) throw Error("densevnet: dropout must be in [0, 1)");
}

DenseVNetImpl::DenseVNetImpl(const DenseVNetOptions& o) : opts_(o) {
  validate(o);
  const size_t n = o.layers.size();
  stem_ = register_module("stem", densevnet_conv(o.in_channels, o.stem_channels, 5, 2));
  for (size_t i = 0; i < n; ++i) {
    const std::string s = std::to_string(i);
    std::vector<Chain> units;
    int64_t width = densevnet_stack_input(o, i);
    for (int64_t j = 0; j < o.layers[i]; ++j) {
      Chain u;
      densevnet_add_norm_relu(u, width, o.norm);
      u->push_back(densevnet_conv(width, o.growth[i], 3, 1, densevnet_dilation(o, i)));
      if (o.dropout > 0 && j + 1 < o.layers[i]) u->push_back(tnn::Dropout3d(tnn::Dropout3dOptions(o.dropout)));
      units.push_back(register_module("stack" + s + "_unit" + std::to_string(j), u));
      width += o.growth[i];
    }
    units_.push_back(std::move(units));
    Chain t;
    densevnet_add_norm_relu(t, width, o.norm);
    transitions_.push_back(register_module("transition" + s, t));
    skips_.push_back(register_module("skip" + s, densevnet_conv(width, o.skip_channels[i], 3)));
    if (i + 1 < n) downs_.push_back(register_module("down" + s, densevnet_conv(width, o.stem_channels, 3, 2)));
  }
  const int64_t cat = densevnet_final_input(o);
  Chain f;
  densevnet_add_norm_relu(f, cat, o.norm);
  f->push_back(densevnet_conv(cat, o.out_channels, 3, 1, 1, /*bias=*/true));
  final_ = register_module("final", f);
}

torch::Tensor DenseVNetImpl::forward(torch::Tensor x) {
  if (x.dim() != 5 || x.size(1) != opts_.in_channels)
    throw Error("densevnet: expected input [N, " + std::to_string(opts_.in_channels) + ", Z, Y, X], got " +
                std::to_string(x.dim()) + " dimensions");
  const auto sizes = x.sizes().vec();
  x = pad_to_multiple(x, total_stride());
  const auto padded = x;
  // The input at the stem's resolution, averaged over the voxels inside the volume only.
  const auto pooled = F::avg_pool3d(x, F::AvgPool3dFuncOptions(3).stride(2).padding(1).count_include_pad(false));
  auto h = torch::cat({pooled, stem_->forward(x)}, 1);
  std::vector<torch::Tensor> features{pooled};
  for (size_t i = 0; i < units_.size(); ++i) {
    for (auto& u : units_[i]) h = torch::cat({h, u->forward(h)}, 1);
    const auto t = transitions_[i]->forward(h);
    auto skip = skips_[i]->forward(t);
    features.push_back(i == 0 ? skip : upsample_to(skip, pooled));
    if (i < downs_.size()) h = downs_[i]->forward(t);
  }
  auto y = final_->forward(torch::cat(features, 1));
  return crop_spatial(upsample_to(y, padded), sizes);
}

int64_t densevnet_parameter_count(const DenseVNetOptions& o) {
  validate(o);
  const size_t n = o.layers.size();
  // Norms are affine (2 x channels); convolutions have no bias except the final one.
  int64_t count = 125 * o.in_channels * o.stem_channels;  // the 5x5x5 stem
  for (size_t i = 0; i < n; ++i) {
    const int64_t c = densevnet_stack_input(o, i), l = o.layers[i], g = o.growth[i];
    // Unit j reads c + j g channels: a norm of them and a 3x3x3 convolution to g, so the stack has
    // (2 + 27 g) (l c + g l (l - 1) / 2).
    count += (2 + 27 * g) * (l * c + g * l * (l - 1) / 2);
    const int64_t f = densevnet_stack_output(o, i);
    count += 2 * f + 27 * f * o.skip_channels[i];       // transition norm, skip convolution
    if (i + 1 < n) count += 27 * f * o.stem_channels;  // downsampling convolution
  }
  const int64_t cat = densevnet_final_input(o);
  return count + 2 * cat + 27 * cat * o.out_channels + o.out_channels;
}

}  // namespace tomopick::nn
