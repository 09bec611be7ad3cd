#pragma once
// The CZII CryoET Object Identification score (Kaggle, 2024-25), replicated from the competition's
// metric (https://www.kaggle.com/code/metric/czi-cryoet-84969, version 208227222; the same code is in
// cellcanvas/album-catalog solutions/copick/compare-picks/solution.py):
//
//   for each run of the truth and each particle type t present in the truth:
//     a truth point is hit when a pick of type t in that run lies within r_t * distance_multiplier
//       (scipy KDTree.query_ball_tree: squared distance <= r^2, so exactly on the sphere is a hit);
//     TP = distinct truth points hit, FP = picks - TP, FN = truth points - TP
//       (a run without truth of t: FP = its picks; without picks: FN = its truth points);
//   TP, FP, FN are summed over runs per type; P, R and F_beta from the sums (see czii_rates);
//   score = sum_t w_t F_t / sum_t w_t (numpy.average).
//
// Consequences of that code, kept on purpose:
//   - two picks on one particle give 1 TP and 1 FP;
//   - one pick within reach of two truths of its type hits both: 2 TP, and FP = 1 - 2 = -1 (it needs
//     two same-type particles closer than r_t, which real particles cannot be; Matching::greedy or
//     ::optimal count one-to-one instead);
//   - picks in runs the truth does not cover are dropped (the metric filters the submission to the
//     solution's experiments); CziiOptions::extra_runs_are_fp counts them as FP instead;
//   - only types with at least one truth point are scored (the metric loops over
//     solution['particle_type'].unique()); picks of a known type without truth are reported, with
//     FP = their number, but leave the score alone unless CziiOptions::scored_types names the type;
//   - a pick type the metric does not know is an error ("Unrecognized particle_type").
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/eval/particle_types.h"
#include "tomopick/eval/pr_curve.h"
#include "tomopick/io/picks.h"

namespace tomopick {

struct CziiOptions {
  std::vector<ParticleType> types = czii_particle_types();  // radius and weight of every known name
  double beta = 4;
  double distance_multiplier = 0.5;
  Matching matching = Matching::kaggle;
  std::vector<std::string> scored_types;    // empty: the types with at least one truth point
  std::vector<std::string> truth_runs;      // runs the truth covers besides those of its sets (a project's runs)
  std::map<std::string, double> min_score;  // per-type thresholds: keep picks with score >= t
  bool ignore_unknown = false;              // skip pick types that are not known instead of an Error
  bool extra_runs_are_fp = false;           // picks in runs without truth count as FP instead of being dropped
};

struct TypeScore {
  std::string name;
  double radius_A = 0, weight = 0;
  bool scored = false;  // part of the score
  int64_t truths = 0;   // truth points over the runs
  int64_t picks = 0;    // picks counted (after min_score)
  Counts counts;
  Rates rates;
  std::optional<double> min_score;
};

struct CziiResult {
  std::vector<TypeScore> types;  // scored types and every type with truth or picks, by name
  double score = 0;              // weighted mean F of the scored types; NaN when their weights sum to 0
  std::vector<std::string> runs;             // runs of the truth
  std::vector<std::string> truth_only_runs;  // runs of the truth without any picks
  std::vector<std::string> picks_only_runs;  // runs with picks but no truth
  int64_t picks_only_run_picks = 0;          // their picks (dropped, or FP with extra_runs_are_fp)
  std::vector<std::string> unknown_types;    // skipped with ignore_unknown
  int64_t unknown_type_picks = 0;
};

// Scores `picks` against `truth`. Errors (no file in them; the caller adds it): a pick type that is
// unknown (with a "did you mean"), a scored type without a radius, a non-finite coordinate or a NaN
// score.
CziiResult czii_score(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks, const CziiOptions& opts);

// The precision-recall curve of each type czii_score would list (opts.min_score is not applied: the
// curve covers every threshold).
struct TypeCurve {
  std::string name;
  double weight = 0;
  bool scored = false;
  int64_t truths = 0;
  std::vector<PrPoint> points;  // highest threshold first
  int64_t best = -1;            // best_point(points)
};
std::vector<TypeCurve> czii_pr_curves(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks,
                                      const CziiOptions& opts);

}  // namespace tomopick
