#pragma once
// Saving and loading networks with their ModelInfo (see model_file.h). LibTorch users only.
#include <torch/serialize/archive.h>

#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_file.h"

namespace tomopick::nn {

struct LoadedModel {
  ModelInfo info;
  HeatmapNet net{nullptr};
};

// A model file or a training checkpoint (its EMA weights when it has them). The network is in eval
// mode on `device`. Error naming the file if it is not a tomopick model.
LoadedModel load_model(const fs::path& file, const std::string& device = "cpu");

// Writes info + weights atomically (weights under "model").
void save_model(const fs::path& file, const ModelInfo& info, const torch::nn::Module& net);

// Archive helpers shared with training checkpoints.
void write_string(torch::serialize::OutputArchive& a, const std::string& key, const std::string& value);
std::string read_string(torch::serialize::InputArchive& a, const std::string& key, const fs::path& file);
void save_archive_atomic(torch::serialize::OutputArchive& a, const fs::path& file);
// Opens an archive; Error naming the file when it is missing or not a LibTorch archive.
void load_archive(torch::serialize::InputArchive& a, const fs::path& file);
bool archive_has(torch::serialize::InputArchive& a, const std::string& key);

}  // namespace tomopick::nn
