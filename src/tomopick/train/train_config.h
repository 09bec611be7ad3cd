#pragma once
// Everything a training run is configured by, read from a YAML file (configs/*.yaml). Every option has
// a default; an unknown key or a bad value is an Error naming the file and the key ("optim.lr").
// No LibTorch here: the CLI and the tests read configs without paying for its headers.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/nn/model_config.h"

namespace tomopick::train {

namespace fs = std::filesystem;

struct ClassConfig {
  std::string name;
  double radius_A = 0;   // 0 = from the project's copick config (or the CZII defaults)
  double weight = 1;     // loss weight
  bool scored = true;    // false: learned but not scored (CZII beta-amylase)
  double expected = 0;   // particles per training tomogram, for the positive-unlabelled loss and
                         // partial-label thresholds; 0 = estimated from held-back picks
};

struct DataConfig {
  double spacing_A = 10;             // the model's voxel spacing; tomograms are resampled to it
  std::string tomo_type = "denoised";
  std::string user_id, session_id;   // which picks are the labels (empty: all)
  std::vector<ClassConfig> classes;  // empty: the project's particle objects
  std::string normalize = "zscore";  // zscore | robust (median/MAD; per tomogram) | fixed (core/intensity_normalisation.h)
  double mean = 0, std = 1;          // for "fixed"
  bool invert = false;               // negate every tomogram before normalising: data saved with the
                                     // opposite contrast (dense particles bright), as `pick --invert`
  Shape3 crop{64, 64, 64};           // training crop, voxels at spacing_A
  double particle_fraction = 0.8;    // crops centred near a random particle (else anywhere)
  double val_fraction = 0;           // picks of each training run held back to validate on (partial
                                     // labels, when no --val-runs are given); 0 = none
  double picks_share = -1;           // share of crops from tomograms given with --picks when copick
                                     // projects are mixed in (a few real tomograms among many
                                     // simulated runs); -1 = every run equally likely
  int workers = 2;                   // threads preparing crops ahead of the network
  int prefetch = 4;                  // batches prepared ahead
};

struct TargetConfig {
  std::string kind = "gaussian";  // gaussian | sphere | labels (labels go with head: segmentation)
  double sigma_fraction = 0.33;   // Gaussian σ = fraction × particle radius
  double sphere_fraction = 0.5;   // sphere radius = fraction × particle radius
  double ignore_fraction = 0;     // labels: ignore shell out to this fraction of the radius
};

struct AugmentConfig {
  bool flips = true;              // z, y, x, each with probability 1/2
  bool flip_z = true;             // with flips: z too. Off when labels sit at a fixed z offset from the
                                  // density (a z flip would move it to the other side)
  bool rot90 = true;              // a random multiple of 90° in the x-y (tilt) plane; square crops
  double intensity_scale = 0.1;   // × (1 + U(-s, s))
  double intensity_shift = 0.1;   // + U(-s, s) (in normalised units)
  double noise = 0.05;            // + N(0, noise²)
  double mixup = 0;               // probability of blending a crop with another one
  // Domain randomisation (simulated data made to look less alike, so real data is less of a surprise):
  double blur = 0;                // a Gaussian blur of σ ~ U(0, blur) voxels, with probability 1/2
  double noise_colour = 0;        // the added noise is smoothed with σ ~ U(0, noise_colour) voxels
  double contrast = 0;            // the crop's contrast (deviations from its mean) × U(1 - c, 1 + c)
};

struct LossConfig {
  std::string kind = "weighted_mse";  // weighted_mse | balanced_mse | bce | ce_tversky | nnpu | point
  double weighted_mse_offset = 0.1;   // weight = target + offset
  double tversky_alpha = 0.3, tversky_beta = 0.7;  // false-positive, false-negative weights
  double tversky_weight = 1;          // ce_tversky: CE + weight × Tversky
  double pu_negative_weight = 1;      // nnpu: weight of the (corrected) unlabelled-as-negative risk
  double pu_gamma = 1;                // nnpu: step-back strength when that risk goes negative
  // point (model.head point): varifocal loss on the centre-ness plus this × the offsets' L1 error
  double point_alpha = 0.75, point_gamma = 2, point_offset_weight = 1;
};

struct OptimConfig {
  std::string optimizer = "adamw";  // adamw | lion
  double lr = 2e-3;
  double weight_decay = 1e-2;
  double beta1 = 0.9, beta2 = 0.999;
  int64_t warmup_steps = 100;       // linear warmup from 0
  std::string schedule = "cosine";  // cosine | constant (after the warmup)
  double min_lr_fraction = 0.02;    // cosine decays to lr × this
  double grad_clip = 1.0;           // max global gradient norm; 0 = off
  double ema = 0.995;               // EMA decay of the weights; 0 = off
  std::string amp = "none";         // none | bf16 (CPU autocast) | fp16 (CUDA)
};

struct ScheduleConfig {
  int64_t steps = 2000;
  int batch = 2;
  uint64_t seed = 0;
  int64_t log_every = 25;
  int64_t checkpoint_every = 100;
  int64_t val_every = 500;  // 0 = only at the end
};

struct ValidationConfig {
  Shape3 window{64, 128, 128};
  double overlap = 0.25;
  std::string blend = "gaussian";
  double nms_fraction = 0.5;  // peak suppression radius = fraction × particle radius
  float min_score = 0.05f;    // peaks below are not considered when tuning thresholds
  std::string tta = "none";   // test-time augmentation when validating; the model keeps it for `pick`
  double pu_tolerance = 0.02; // partial labels: the lowest threshold whose estimated F is this close to the best
};

struct TrainConfig {
  nn::ModelConfig model;
  DataConfig data;
  TargetConfig targets;
  AugmentConfig augment;
  LossConfig loss;
  OptimConfig optim;
  ScheduleConfig train;
  ValidationConfig validation;
  // The keys a file or --set gave explicitly (not defaults): fine-tuning refuses those that
  // contradict the initial model. Not written by to_yaml.
  std::vector<std::string> given_keys;
};

// Reads and validates a config file; Error(file, "<key>: <problem>") on any unknown key or bad value.
TrainConfig read_train_config(const fs::path& file);
// The same from YAML text (`source` names it in errors).
TrainConfig parse_train_config(const std::string& yaml, const std::string& source);
// Applies "section.key=value" overrides (the CLI's --set), with the same checks.
void apply_overrides(TrainConfig& c, const std::vector<std::string>& overrides, const std::string& source);
// Checks every value (also after overrides); Error(source, "<key>: <problem>").
void validate(const TrainConfig& c, const std::string& source);
// The complete config as YAML (every option, defaults included): what a run records next to its
// checkpoints, and what `parse_train_config` reads back to the same values.
std::string to_yaml(const TrainConfig& c);

}  // namespace tomopick::train
