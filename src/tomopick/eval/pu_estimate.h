#pragma once
// Scoring and thresholds from partial labels (positive-unlabelled data): a user's picks are a
// sample of the particles, not all of them, so a pick without a label is not a false positive.
//
// Assumption (SCAR, "selected completely at random"): the labelled particles are a random sample of
// all of them. Some labelled picks are held back from training; then, for a threshold t,
//   recall(t)     = the fraction of held-back picks found (a peak scoring >= t within the hit radius),
//                   an unbiased estimate of the recall over all particles;
//   count         = how many particles there are: D(t_m) / recall(t_m) at t_m = the median score of
//                   the held-back picks, where D(t) counts every peak scoring >= t. Above the median
//                   labelled score nearly every peak is a particle, and half of the particles score
//                   there (SCAR), so this needs no negatives. A count the user gives wins;
//   precision(t)  = min(1, recall(t) x count / D(t)).
// The threshold maximises F_beta of those estimates; among thresholds whose estimate is within
// `tolerance` of the best, the lowest wins: a recall-heavy F is flat near its optimum, and a new
// tomogram's scores tend to sit below those of the tomogram trained on, so the lower one loses little
// here and keeps recall there. It never keeps everything (D grows, precision falls) nor nothing
// (recall 0 gives F 0); it always lies at a held-back pick's score.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tomopick {

struct PuEstimate {
  int64_t held_out = 0;        // held-back picks
  double count = 0;            // estimated (or given) number of particles in the scored volumes
  bool count_given = false;
  double median_score = 0;     // of the held-back picks (0: the median pick was not found)
  std::optional<double> threshold;  // none: no held-back pick was found at all
  double recall = 0, precision = 0, fbeta = 0;  // estimates at the threshold
  int64_t picks = 0;           // peaks kept at the threshold
  double learned_shift = 0;    // estimate_pu_partial: how far the learned picks' scores were moved down
};

// `peak_scores`: every candidate peak (of one class) in the scored volumes; `held_out_scores`: per
// held-back pick, the best score of a peak within its hit radius, 0 if none. `given_count` > 0
// replaces the estimated count.
PuEstimate estimate_pu(const std::vector<double>& peak_scores, const std::vector<double>& held_out_scores,
                       double beta = 4, double given_count = 0, double tolerance = 0);

// What training on partial labels uses. A network scores the picks it learned from above the
// particles it never saw (tomo9's halves after fine-tuning: median 0.65 against 0.52-0.55 for the
// other half's picks): a count from them comes out about half the true one, and a recall curve from
// them promises recall at thresholds where unseen particles are already lost; both raise the
// threshold. So, when at least `min_held` picks are held back and their median pick is found: the
// particle count comes from the held-back picks alone, and the learned picks' scores are moved down
// by the gap between the two medians (`learned_shift`) before they join the held-back ones in the
// recall curve (the shape from many picks, the level from the unseen ones). Else every pick, as they
// are. A given count replaces the estimated one either way.
PuEstimate estimate_pu_partial(const std::vector<double>& peak_scores, const std::vector<double>& learned_scores,
                               const std::vector<double>& held_out_scores, double beta = 4, double given_count = 0,
                               double tolerance = 0, int64_t min_held = 3);

}  // namespace tomopick
