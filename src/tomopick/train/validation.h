#pragma once
// Validation during training: the same sliding-window prediction and peak picking as `tomopick pick`
// over whole held-out runs, scored with the CZII metric at per-class thresholds tuned on them.
#include <map>
#include <string>
#include <vector>

#include "tomopick/eval/pu_estimate.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/train/dataset.h"

namespace tomopick::train {

struct ValidationResult {
  double score = 0;                         // CZII score at the tuned thresholds
  std::map<std::string, double> f_beta;     // per scored class, at its threshold
  std::map<std::string, double> thresholds; // per class (+inf: keep none)
  int64_t picks = 0;                        // candidate peaks considered
  Thresholds tuned;                         // what tune_czii (or the partial-label estimate) made of them
  std::map<std::string, PuEstimate> pu;     // validate_partial: per class
  double seconds = 0;
};

// Peaks scoring below `min_score` are not candidates. The network stays on its device, in eval mode.
ValidationResult validate_model(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                float min_score = 0.05f);

// Validation on partial labels: the runs' held-back picks (TrainingRun::held_out) against the peaks
// of their whole tomograms, through estimate_pu (eval/pu_estimate.h): per class an estimated F_beta at
// the threshold it chooses and the number of particles; the score is the classes' weighted mean F.
// `given_counts` (class -> particles in all the runs together) replaces estimated counts.
ValidationResult validate_partial(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                  float min_score, const std::map<std::string, double>& given_counts = {},
                                  double beta = 4);

}  // namespace tomopick::train
