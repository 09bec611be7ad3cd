#pragma once
// Which network, with which options: plain data, no LibTorch, so configs and checkpoints' metadata can
// be read by code that never builds a model.
#include <cstdint>
#include <string>
#include <vector>

namespace tomopick::nn {

struct ModelConfig {
  std::string arch = "unet3d";        // unet3d | unet25d | segresnet | resnet3d_fpn | unet2e3d | voxresnet | densevnet |
                                      // voxhrnet
  std::string head = "heatmap";       // heatmap (one sigmoid channel per class) | segmentation (softmax
                                      // over background + classes) | point (per class a centre-ness map
                                      // plus one offset field, at stride 2: the CZII 1st place's detector)
  std::vector<int64_t> channels{16, 32, 64, 128};
  std::vector<int64_t> strides{2, 2, 2};  // unet3d: one per level below the top
  int64_t num_res_units = 1;              // unet3d; unet2e3d: 2D residual blocks per encoder level
  std::string norm = "instance";          // instance | batch | group (segresnet, resnet3d_fpn: 8 groups)
  double dropout = 0;
  int64_t slices = 5;                     // unet25d, unet2e3d: z-slices each 2D stem sees
  std::string block = "resnet";           // unet25d: resnet | convnext; resnet3d_fpn: resnet (basic
                                          // blocks) | resnext (grouped bottlenecks)
  int64_t head_upscale = 2;               // unet25d: 3D pixel shuffle factor of the head
  std::vector<int64_t> blocks_down{1, 2, 2, 4};  // segresnet, resnet3d_fpn, voxresnet: residual blocks per
                                                 // level (one per channel entry); densevnet: dense units per stack
  std::vector<int64_t> blocks_up{1, 1, 1};       // segresnet: per decoder level, coarsest first
  int64_t groups = 8;        // resnet3d_fpn with resnext blocks: cardinality of the grouped convolutions
  int64_t fpn_channels = 32; // resnet3d_fpn: width of the FPN neck and the head
  int64_t out_stride = 2;    // resnet3d_fpn: the FPN level the head reads (a power of two)
  // densevnet: channels are the stacks' skip widths, blocks_down their dense units; growth the channels
  // each unit adds (one per stack), stem_channels the width into every stack.
  std::vector<int64_t> growth{4, 8, 16};
  int64_t stem_channels = 24;
  // voxhrnet: channels are the branches' widths (finest first), blocks_down the residual blocks per
  // stage, num_res_units the modules per stage, stem_channels the stem's width and out_stride the
  // stem's stride (1 or 2).
  // Fine-tuned models whose classes differ from their initial model's: the network keeps the width it
  // was built with (its top layers are as wide as its classes) and a 1x1x1 convolution (the adapter)
  // maps its backbone_classes outputs to the classes. 0 = no adapter.
  int64_t backbone_classes = 0;
};

// A point head reads this many feature channels from its backbone (at the input's resolution).
inline constexpr int64_t kPointFeatures = 16;
// Its output stride.
inline constexpr int kPointStride = 2;

// Output channels for `classes` classes: the classes, plus background for a segmentation head, plus
// the offsets (dz, dy, dx) for a point head.
inline int64_t output_channels(const ModelConfig& m, int64_t classes) {
  if (m.head == "point") return classes + 3;
  return m.head == "segmentation" ? classes + 1 : classes;
}

}  // namespace tomopick::nn
