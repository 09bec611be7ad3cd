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
  std::map<std::string, PuEstimate> pu;     // validate_partial, per class: from all labelled picks with the held-back count (thresholds)
  std::map<std::string, PuEstimate> pu_held_out;  // ... from the held-back picks alone (the score)
  std::map<std::string, double> held_out_recall;  // ... the held-back picks found at the threshold
  double seconds = 0;
};

// Peaks scoring below `min_score` are not candidates. The network stays on its device, in eval mode.
ValidationResult validate_model(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                float min_score = 0.05f);

// Validation on partial labels, against the peaks of the runs' whole tomograms, through estimate_pu
// (eval/pu_estimate.h). The score is the mean over classes of the F_beta estimated from the held-back
// picks (TrainingRun::held_out) alone: picks the network never learned from. So is the particle count
// (with at least 3 held-back picks, the median found): picks it learned from score higher, which
// halved the count on tomo9's halves (README, "Fine-tune on your own picks"). The thresholds use all
// labelled picks, held back or not, with that count (five times as many give a finer recall curve),
// the learned picks' scores moved down to the held-back picks' level; `tolerance` leans them to recall.
// `given_counts` (class -> particles in all the runs together) replaces estimated counts.
ValidationResult validate_partial(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                  float min_score, const std::map<std::string, double>& given_counts = {},
                                  double beta = 4, double tolerance = 0);

}  // namespace tomopick::train
