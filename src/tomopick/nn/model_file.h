#pragma once
// Model files (.pt): a network's weights with everything needed to use it — architecture, classes
// (names, radii, thresholds), the voxel spacing and normalisation it was trained with, and the
// inference window. Training checkpoints are model files too (with more inside), so `pick` runs
// either. The header is torch-free: tools can read the description without building a network.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/appearance.h"
#include "tomopick/core/volume.h"
#include "tomopick/nn/model_config.h"

namespace tomopick::nn {

namespace fs = std::filesystem;

struct ModelClass {
  std::string name;
  double radius_A = 0;
  bool scored = true;
  std::optional<double> threshold;  // tuned score threshold (from validation), if known
};

struct ModelInfo {
  ModelConfig model;
  std::vector<ModelClass> classes;
  double spacing_A = 10;             // the grid the network works on; inputs are resampled to it
  std::string normalize = "zscore";  // zscore | fixed
  double mean = 0, std = 1;          // for fixed
  Shape3 window{64, 128, 128};       // default sliding window
  double overlap = 0.25;
  double nms_fraction = 0.5;         // peak suppression radius = fraction × radius
  std::string tta = "none";          // test-time augmentation `pick` uses unless told otherwise (infer/tta.h)
  std::string training_json = "{}";  // what made it: config, data, steps, validation score (JSON)
  AppearanceRange appearance;        // what its training tomograms looked like (count 0: not recorded)
};

std::string model_info_to_json(const ModelInfo& m);
// Error(source, ...) naming the field when something is missing or wrong.
ModelInfo model_info_from_json(const std::string& json, const std::string& source);

// Reads only the description of a model file or checkpoint.
ModelInfo read_model_info(const fs::path& file);

}  // namespace tomopick::nn
