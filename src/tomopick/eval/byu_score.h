#pragma once
// The BYU flagellar-motor score (Kaggle "BYU - Locating Bacterial Flagellar Motors 2025"),
// replicated from the competition's metric (score() / distance_metric(), thresh_ratio = 1.0,
// min_radius = 1000, beta = 2):
//
//   per tomogram, the truth "has a motor" or not, and so does the prediction (a submission row with
//   any coordinate -1 has none);
//   prediction = 1 if it has a motor, except that a prediction on a tomogram with a motor whose
//     distance to it, in voxels, is > 1000 / voxel spacing (Å per voxel, the truth's) becomes 0:
//     a motor in the wrong place is a false negative, not a false positive;
//   F_beta over the tomograms with sklearn.metrics.fbeta_score(truth, prediction, beta=2,
//     zero_division=0): F = (1+b^2) TP / ((1+b^2) TP + b^2 FN + FP).
//
// tomopick picks carry scores and may hold several per tomogram: a tomogram's prediction is its
// best-scoring pick (the first on ties), and none when that is below the threshold. Generalisations
// where the metric has no rule (it rejects such submissions outright):
//   - a truth tomogram with several motors: the distance is to the nearest (the metric's min over
//     axis 1); it still counts once;
//   - a truth tomogram without picks: predicted "no motor";
//   - picks in tomograms the truth does not list: dropped (reported in ByuResult).
#include <optional>
#include <string>
#include <vector>

#include "tomopick/eval/pr_curve.h"
#include "tomopick/io/picks.h"

namespace tomopick {

struct ByuOptions {
  double distance_A = 1000;          // the metric's min_radius * thresh_ratio
  double beta = 2;
  std::optional<double> min_score;   // keep picks with score >= this
  double fallback_spacing_A = 0;     // for tomograms whose truth and picks give no voxel spacing
  std::string object;                // only sets of this object (empty: all)
  std::vector<std::string> truth_runs;  // tomograms of the truth besides those of its sets (a project's runs)
};

enum class ByuOutcome { tp, fp, fn, tn };
const char* byu_outcome_name(ByuOutcome o);  // "TP", "FP", "FN", "TN"

struct ByuTomogram {
  std::string run;
  bool has_motor = false;   // truth
  bool predicted = false;   // a pick kept
  double score = 0;         // the best pick's score (when there are picks)
  bool has_picks = false;
  double distance_vox = -1; // prediction to the nearest truth motor, voxels; -1 when either is missing
  double threshold_vox = 0; // distance_A / spacing
  double spacing_A = 0;     // Å; 0 when neither truth, picks nor the fallback give it
  ByuOutcome outcome = ByuOutcome::tn;
};

struct ByuResult {
  Counts counts;
  int64_t tn = 0;
  Rates rates;
  std::vector<ByuTomogram> tomograms;       // by run
  std::vector<std::string> picks_only_runs; // dropped
  int64_t picks_only_run_picks = 0;
};

// F = (1+b^2) TP / ((1+b^2) TP + b^2 FN + FP), 0 when the denominator is 0 (sklearn's fbeta_score
// with zero_division=0); precision and recall likewise 0 when undefined.
Rates byu_rates(const Counts& c, double beta);

// Errors (no file; the caller adds it): a tomogram without a voxel spacing (from its truth set, its
// picks or fallback_spacing_A).
ByuResult byu_score(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks, const ByuOptions& opts);

// The curve over the distinct best-pick scores, highest first; PrPoint::picks = tomograms predicted.
// opts.min_score is not applied.
std::vector<PrPoint> byu_pr_curve(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks,
                                  const ByuOptions& opts);

}  // namespace tomopick
