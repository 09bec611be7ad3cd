#include "tomopick/nn/heatmap_net.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"
#include "tomopick/nn/densevnet.h"
#include "tomopick/nn/resnet3d_fpn.h"
#include "tomopick/nn/segresnet.h"
#include "tomopick/nn/unet25d.h"
#include "tomopick/nn/unet2e3d.h"
#include "tomopick/nn/unet3d.h"
#include "tomopick/nn/voxhrnet.h"
#include "tomopick/nn/voxresnet.h"

namespace tomopick::nn {

namespace {

// The config's options in each architecture's own terms.
UNet3dOptions unet3d_options(const ModelConfig& m, int64_t out) {
  UNet3dOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.strides = m.strides, o.num_res_units = m.num_res_units;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

UNet25dOptions unet25d_options(const ModelConfig& m, int64_t out) {
  UNet25dOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.slices = m.slices, o.block = m.block;
  o.norm = m.norm, o.head_upscale = m.head_upscale, o.dropout = m.dropout;
  return o;
}

SegResNetOptions segresnet_options(const ModelConfig& m, int64_t out) {
  SegResNetOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.blocks_down = m.blocks_down, o.blocks_up = m.blocks_up;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

ResNet3dFpnOptions resnet3d_fpn_options(const ModelConfig& m, int64_t out) {
  ResNet3dFpnOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.depths = m.blocks_down, o.groups = m.groups;
  o.block = m.block == "resnext" ? "bottleneck" : "basic";
  o.fpn_channels = m.fpn_channels, o.out_stride = m.out_stride;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

UNet2e3dOptions unet2e3d_options(const ModelConfig& m, int64_t out) {
  UNet2e3dOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.slices = m.slices, o.blocks = m.num_res_units;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

VoxResNetOptions voxresnet_options(const ModelConfig& m, int64_t out) {
  VoxResNetOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.blocks = m.blocks_down;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

DenseVNetOptions densevnet_options(const ModelConfig& m, int64_t out) {
  DenseVNetOptions o;
  o.out_channels = out;
  o.skip_channels = m.channels, o.layers = m.blocks_down, o.growth = m.growth, o.stem_channels = m.stem_channels;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

VoxHRNetOptions voxhrnet_options(const ModelConfig& m, int64_t out) {
  VoxHRNetOptions o;
  o.out_channels = out;
  o.channels = m.channels, o.blocks = m.blocks_down, o.modules = m.num_res_units;
  o.stem_channels = m.stem_channels, o.stem_stride = m.out_stride;
  o.norm = m.norm, o.dropout = m.dropout;
  return o;
}

}  // namespace

HeatmapNetImpl::HeatmapNetImpl(const ModelConfig& m, int64_t classes) : cfg_(m), classes_(classes) {
  if (classes < 1) throw Error("model: needs at least one class");
  if (m.head != "heatmap" && m.head != "segmentation" && m.head != "point")
    throw Error("model.head: unknown head '" + m.head + "' (heatmap, segmentation, point)");
  const bool point = m.head == "point";
  if (point && m.backbone_classes > 0) throw Error("model.backbone_classes: a point head needs no adapter");
  const int64_t out = output_channels(m, classes);
  // A point head's backbone computes features; its strided convolution makes them classes and offsets.
  const int64_t inner = point ? kPointFeatures : m.backbone_classes > 0 ? output_channels(m, m.backbone_classes) : out;
  // The submodule keeps the architecture's name, so its weights are saved under it.
  auto install = [&](const std::string& name, auto holder) {
    auto net = register_module(name, holder);
    net_ = net;
    forward_ = [net](torch::Tensor x) mutable { return net->forward(std::move(x)); };
  };
  if (m.arch == "unet3d") install("unet3d", UNet3d(unet3d_options(m, inner)));
  else if (m.arch == "unet25d") install("unet25d", UNet25d(unet25d_options(m, inner)));
  else if (m.arch == "segresnet") install("segresnet", SegResNet(segresnet_options(m, inner)));
  else if (m.arch == "resnet3d_fpn") install("resnet3d_fpn", ResNet3dFpn(resnet3d_fpn_options(m, inner)));
  else if (m.arch == "unet2e3d") install("unet2e3d", UNet2e3d(unet2e3d_options(m, inner)));
  else if (m.arch == "voxresnet") install("voxresnet", VoxResNet(voxresnet_options(m, inner)));
  else if (m.arch == "densevnet") install("densevnet", DenseVNet(densevnet_options(m, inner)));
  else if (m.arch == "voxhrnet") install("voxhrnet", VoxHRNet(voxhrnet_options(m, inner)));
  else throw Error("model.arch: unknown architecture '" + m.arch +
                   "' (unet3d, unet25d, segresnet, resnet3d_fpn, unet2e3d, voxresnet, densevnet, voxhrnet)");
  if (m.backbone_classes > 0) adapter_ = register_module("adapter", torch::nn::Conv3d(torch::nn::Conv3dOptions(inner, out, 1)));
  if (point)
    point_head_ = register_module(
        "point_head", torch::nn::Conv3d(torch::nn::Conv3dOptions(inner, out, kPointStride).stride(kPointStride)));
}

torch::Tensor HeatmapNetImpl::forward(torch::Tensor x) {
  auto y = forward_(std::move(x));
  if (point_head_) {
    // Odd sizes: the last block is completed by repeating the edge, so output voxel j always covers
    // input voxels [2j, 2j + 2) (the targets' convention).
    const int64_t pz = y.size(2) % kPointStride, py = y.size(3) % kPointStride, px = y.size(4) % kPointStride;
    if (pz || py || px) y = torch::nn::functional::pad(y, torch::nn::functional::PadFuncOptions({0, px, 0, py, 0, pz}).mode(torch::kReplicate));
    return point_head_->forward(torch::leaky_relu(y, 0.01));
  }
  return adapter_ ? adapter_->forward(y) : y;
}

torch::Tensor HeatmapNetImpl::probabilities(const torch::Tensor& logits, const std::vector<int64_t>& input_sizes) const {
  if (cfg_.head == "segmentation") return torch::softmax(logits, 1).narrow(1, 1, classes_);
  if (cfg_.head != "point") return torch::sigmoid(logits);
  if (input_sizes.size() != 5) throw Error("point head: probabilities need the input's [N, 1, Z, Y, X] sizes");
  auto centre = torch::sigmoid(logits.narrow(1, 0, classes_));
  for (int64_t d = 2; d < 5; ++d)
    centre = centre.repeat_interleave(kPointStride, d).narrow(d, 0, input_sizes[size_t(d)]);
  const auto offsets = point_offsets_to_input_grid(logits.narrow(1, classes_, 3), kPointStride, input_sizes);
  return torch::cat({centre, offsets}, 1);
}

torch::Tensor point_offsets_to_input_grid(const torch::Tensor& offsets, int64_t stride, const std::vector<int64_t>& input_sizes) {
  if (offsets.dim() != 5 || offsets.size(1) != 3 || input_sizes.size() != 5)
    throw Error("point head: offsets must be [N, 3, z, y, x] and the input sizes [N, 1, Z, Y, X]");
  auto fine = offsets * double(stride);
  for (int64_t d = 2; d < 5; ++d) {
    if (input_sizes[size_t(d)] > stride * offsets.size(d))
      throw Error("point head: the input is larger than the offsets' grid times the stride");
    fine = fine.repeat_interleave(stride, d).narrow(d, 0, input_sizes[size_t(d)]);
  }
  // Component c (z, y, x) of input voxel v gains (s - 1)/2 - (v mod s) along its own axis.
  std::vector<torch::Tensor> parts;
  for (int64_t c = 0; c < 3; ++c) {
    const int64_t axis = 2 + c, n = input_sizes[size_t(axis)];
    auto a = torch::arange(n, offsets.options()).remainder(double(stride)).neg().add(0.5 * double(stride - 1));
    std::vector<int64_t> view{1, 1, 1, 1, 1};
    view[size_t(axis)] = n;
    parts.push_back(fine.narrow(1, c, 1) + a.view(view));
  }
  return torch::cat(parts, 1);
}

}  // namespace tomopick::nn
