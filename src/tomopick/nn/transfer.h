#pragma once
// Starting a network from another model's weights (fine-tuning, `tomopick train --init`): same
// architecture, classes matched by name.
//
// A U-Net's top layers are as wide as its classes and mix them, so dropping or adding a class inside
// the network would change what the kept classes compute. Instead, when the classes change, the
// network keeps the initial model's width (plus one fresh channel per new class) as its backbone and
// a 1x1x1 convolution, the adapter, maps those channels to the classes: at the start, kept classes
// compute exactly what they did in the initial model, and each new class reads its fresh channel.
#include <cstdint>
#include <vector>

#include "tomopick/nn/heatmap_net.h"

namespace tomopick::nn {

// The network config a model fine-tuned from `init` (with `init_classes` classes) gets, where
// class_map[i] is the initial model's index of class i, or -1 for a new class: `init` itself when
// the classes are the initial model's in any order, else `init` with an adapter.
ModelConfig fine_tuned_config(const ModelConfig& init, int64_t init_classes, const std::vector<int64_t>& class_map);

// Copies `src` into `dst` (built from fine_tuned_config) and checks on a random input that every
// kept class computes what it did in `src`. Error when the architectures differ or the check fails.
void transfer_weights(HeatmapNetImpl& dst, const HeatmapNetImpl& src, const std::vector<int64_t>& class_map);

}  // namespace tomopick::nn
