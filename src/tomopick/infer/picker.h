#pragma once
// The main job: tomograms in, particle picks (Å, with scores) out. Loads one or more models, reads a
// tomogram at the level nearest the models' spacing (resampling when none matches), normalises it
// as the models were trained, runs sliding windows (with TTA, ensembles) slab by slab in bounded
// memory, and finds per-class peaks with each class's threshold. Coordinates are Å in the input
// tomogram's frame (voxel index × spacing), whatever the models' spacing.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/nn/model_file.h"

namespace tomopick::infer {

namespace fs = std::filesystem;

struct PickerOptions {
  // Model files, checkpoints or model folders (infer/ensemble_folder.h); several: an ensemble, its
  // heatmaps averaged.
  std::vector<fs::path> models;
  std::vector<double> model_weights;  // empty: equal
  // Per model, factors on its weight for some classes' maps (a model folder's members'
  // "class_weights"); empty: none.
  std::vector<std::map<std::string, double>> model_class_weights;
  // How an ensemble is combined: "heatmap" averages the members' heatmaps before peak finding;
  // "wbf" picks each member alone and fuses the picks (weighted boxes fusion in 3D, fusion.h).
  std::string fusion = "heatmap";
  bool centroids = false;             // connected-component centroids instead of max-pool peaks
  std::string device = "auto";        // auto | cpu | cuda
  std::string precision = "fp32";     // fp32 | bf16 | fp16 (CUDA)
  std::string tta;                    // see tta.h parse_tta; empty: the model's own (usually none)
  std::optional<Shape3> window;       // default: the model's
  std::optional<double> overlap;      // default: the model's
  std::string blend = "gaussian";
  int batch = 1;
  int64_t max_memory_bytes = 0;       // 0: no limit
  // A file not at the models' spacing is read whole and resampled in memory when that fits
  // max_memory_bytes (else half the machine's memory), else streamed box by box (the same numbers,
  // more reading); true streams it always. A file at the models' spacing always streams.
  bool always_stream = false;
  // Per class; else a thresholds.json in thresholds_folder (default: beside the first model file; a
  // model folder's own), else the model's stored ones (tuned on its validation runs), else
  // default_threshold.
  std::map<std::string, double> thresholds;
  fs::path thresholds_folder;
  double default_threshold = 0.5;
  // Per class, about how many particles a tomogram holds: a class then keeps at least its `expected`
  // best peaks even when its threshold would keep fewer (thresholds tuned on other data can sit
  // above every score of a new tomogram); it never keeps fewer than its threshold gives.
  std::map<std::string, double> expected;
  // none | mixture: each class's threshold comes from the tomogram's own peak scores
  // (pick/score_mixture.h, the F4 the fitted mixture predicts), falling back to the threshold above
  // when too few peaks fit one; for thresholds tuned on data unlike this tomogram.
  std::string calibrate = "none";
  std::optional<double> nms_fraction;        // default: the model's
  std::optional<Vec3> spacing;               // overrides the tomogram's spacing (Å)
  // zscore | robust | fixed (core/intensity_normalisation.h); empty: what the model was trained with.
  // Another method than training's is for trying out (a z-score model on a heavy-tailed real
  // tomogram sees its texture at the scale of its simulations with robust).
  std::string normalize;
  // Negate the intensities before anything else: tomograms exported with dense particles bright
  // (every model here learned them dark; `pick` warns when a tomogram looks inverted).
  bool invert = false;
  bool subvoxel = true;
  std::string user_id = "tomopick", session_id = "0";
};

// The options with every model folder among `models` replaced by its members: their weights (unless
// model_weights were given), its fusion and test-time augmentation (unless others were asked for)
// and, for a single folder, its thresholds.json. Options without folders come back unchanged. The Picker does this itself.
PickerOptions resolve_model_folders(const PickerOptions& o);

using PickProgress = std::function<void(int64_t done, int64_t total)>;

class Picker {
public:
  explicit Picker(const PickerOptions& o);
  ~Picker();
  // One tomogram file (MRC, OME-Zarr); `run` names the picks. One set per class (empty ones kept).
  std::vector<PickSet> pick(const fs::path& tomogram, const std::string& run, PickProgress progress = {});
  // The same for a volume in memory.
  std::vector<PickSet> pick(const Volume<float>& tomogram, const std::string& run, PickProgress progress = {});
  // The ensemble's description (of its first member).
  const nn::ModelInfo& info() const;
  std::string device() const;
  // The threshold each class is picked with.
  std::map<std::string, double> thresholds() const;
  // What the last pick() found unlike the model's training data (see core/appearance.h); also logged
  // as a warning.
  const std::vector<std::string>& warnings() const;

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};

// Where the built-in default model lives: $TOMOPICK_MODEL, else models/default/model.pt beside the
// executable's ../ (an installed tree) or the source tree it was built from. Error if none exists.
fs::path default_model_path();

// The built-in flagellar-motor model (BYU): models/byu/model.pt, found as the default model is. Error
// if it is not there.
fs::path default_motor_model_path();

// "4G", "512M", "1.5GiB", "1000000" (bytes) -> bytes; Error naming the option otherwise.
int64_t parse_bytes(const std::string& text, const std::string& option);

}  // namespace tomopick::infer
