#pragma once
// The commands that run a network (pick, train, demo, and info on a model file or --system) are
// built into a shared library, libtomopick-torch.so, that the tomopick binary opens on first use:
// the light commands (info on data, convert, evaluate, tune, render, report, simulate, --help) then
// never load LibTorch, whose start-up costs ~0.8 s per process. This header is all the two share;
// it is torch-free. Both sides come from one build, so plain C++ types cross the boundary.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/train/trainer.h"

namespace tomopick::cli {

struct PickCliOptions {
  std::vector<std::string> inputs, models, runs;
  std::vector<double> model_weights;
  std::string out, tomo_type = "denoised", thresholds_file, threshold, expect, tta, window, device = "auto",
                   precision = "fp32", max_memory, user_id = "tomopick", session_id = "0", blend = "gaussian",
                   fusion = "heatmap", shard, format = "auto", labels, normalize, calibrate = "none";
  std::optional<double> overlap, spacing, nms_fraction, quantile;
  double default_threshold = 0.5;
  int batch = 1;
  bool overwrite = false, centroids = false, invert = false;
};

// What the command line says beyond the TrainRequest it fills in place.
struct TrainCliOptions {
  train::TrainRequest req;
  std::string config, resume, labels;
  std::vector<std::string> data, picks, objects, set, expect, radius;
  int64_t steps = 0;
  int folds = 0, fold = 0;
  bool invert = false;
};

struct DemoCliOptions {
  std::string task = "czii", out = "tomopick-demo", model, shape;
  int tomograms = 8;  // byu
  uint64_t seed = 0;
  bool keep = false;
  std::string command_line;  // as the options make it (shown in the report)
};

struct TorchCommands {
  const char* version;  // TOMOPICK_VERSION of the library: must equal the binary's
  void (*pick)(const PickCliOptions&);
  void (*train)(TrainCliOptions&);
  void (*demo)(const DemoCliOptions&);
  void (*info_model)(const std::filesystem::path& model, bool as_json);
  void (*info_system)(bool as_json);
};

// Opens libtomopick-torch.so once (beside the executable, or TOMOPICK_TORCH_LIBRARY) and gives its
// commands, with LibTorch's thread count set to tomopick's; Error saying what is missing otherwise.
const TorchCommands& torch_commands();

}  // namespace tomopick::cli

// The library's one entry point (looked up by name).
extern "C" const tomopick::cli::TorchCommands* tomopick_torch_commands();
