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
  // [N, 1, Z, Y, X] -> logits [N, output_channels(m, classes), Z, Y, X]
  torch::Tensor forward(torch::Tensor x);
  // Per-class probabilities [N, classes, Z, Y, X]: sigmoid of a heatmap head; the softmax of a
  // segmentation head without its background channel.
  torch::Tensor probabilities(const torch::Tensor& logits) const;
  const ModelConfig& config() const { return cfg_; }
  int64_t classes() const { return classes_; }

private:
  ModelConfig cfg_;
  int64_t classes_;
  std::shared_ptr<torch::nn::Module> net_;
  std::function<torch::Tensor(torch::Tensor)> forward_;
  torch::nn::Conv3d adapter_{nullptr};  // model.backbone_classes > 0
};
TORCH_MODULE(HeatmapNet);

}  // namespace tomopick::nn
