#pragma once
// The network a config names (unet3d, unet25d or segresnet) with its head: what training, checkpoints and
// inference handle, whatever the architecture inside.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include "tomopick/nn/model_config.h"

namespace tomopick::nn {

class HeatmapNetImpl : public torch::nn::Module {
public:
  // Error naming the option when the config is invalid for the architecture.
  HeatmapNetImpl(const ModelConfig& m, int64_t classes);
  // [N, 1, Z, Y, X] -> logits [N, output_channels(m, classes), Z, Y, X]; a point head's at stride 2:
  // [N, classes + 3, ceil(Z/2), ceil(Y/2), ceil(X/2)], centre-ness logits then the offsets (dz, dy, dx)
  // from each output voxel's centre to the particle's, in output voxels (targets/point_targets.h).
  torch::Tensor forward(torch::Tensor x);
  // On the input's grid (`input_sizes` = the input's [N, 1, Z, Y, X] sizes): per-class probabilities
  // [N, classes, Z, Y, X], the sigmoid of a heatmap head or the softmax of a segmentation head without
  // its background channel. A point head gives [N, classes + 3, Z, Y, X]: each centre-ness map's
  // sigmoid (each input voxel takes its output voxel's value) and the offsets as input voxels from
  // each input voxel's own centre (point_offsets_to_input_grid).
  torch::Tensor probabilities(const torch::Tensor& logits, const std::vector<int64_t>& input_sizes) const;
  const ModelConfig& config() const { return cfg_; }
  int64_t classes() const { return classes_; }

private:
  ModelConfig cfg_;
  int64_t classes_;
  std::shared_ptr<torch::nn::Module> net_;
  std::function<torch::Tensor(torch::Tensor)> forward_;
  torch::nn::Conv3d adapter_{nullptr};  // model.backbone_classes > 0
  torch::nn::Conv3d point_head_{nullptr};  // model.head point: 2x2x2 blocks of features -> classes + 3
};
TORCH_MODULE(HeatmapNet);

// A point head's offsets [N, 3, z, y, x] (output voxels at stride s, from each output voxel's centre)
// on the input grid [N, 3, Z, Y, X] (Z <= s z, ...): input voxel v = s j + a of output voxel j
// points at the same place, ((j + d + 0.5) s - 0.5), so its offset is s d + (s - 1) / 2 - a.
torch::Tensor point_offsets_to_input_grid(const torch::Tensor& offsets, int64_t stride, const std::vector<int64_t>& input_sizes);

}  // namespace tomopick::nn
