#pragma once
// Per-type score thresholds tuned on held-out data, and thresholds.json, which carries them to the
// picker (and back to `evaluate --thresholds`).
//
// Rule: a pick is kept when score >= its type's threshold. The tuned threshold of a type is the pick
// score that maximises the type's F_beta over every distinct score (not a grid); on ties the higher
// threshold wins. The CZII score is a weighted mean of per-type F, so per-type maxima maximise it. A
// type for which no threshold gives F > 0 gets none ("null" in the file): keep none of its picks.
//
// thresholds.json:
//   {"metric": "czii", "beta": 4, "matching": "kaggle", "distance_multiplier": 0.5,
//    "rule": "...", "thresholds": {"ribosome": 0.42, "thyroglobulin": null},
//    "expected": {"ribosome": {"f": .., "precision": .., "recall": .., "tp": .., "fp": .., "fn": ..,
//                              "picks": .., "truths": .., "weight": ..}},
//    "expected_score": 0.81}
// For "metric": "pu" (partial labels, see pu_estimate.h) "expected" holds estimates: "f",
// "precision", "recall", "picks", "labelled_picks" (the picks the estimate used) and "estimated_count".
// For "metric": "byu" there is one type, kMotorObject, and "distance_A" instead of the CZII fields.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/eval/byu_score.h"
#include "tomopick/eval/czii_score.h"

namespace tomopick {

namespace fs = std::filesystem;

struct TunedType {
  std::string name;
  double weight = 1;
  bool scored = true;
  int64_t truths = 0;
  std::optional<double> threshold;  // none: keep no picks
  PrPoint at;                       // counts and rates at the threshold
  double estimated_count = 0;       // metric "pu": how many particles the held-back picks imply
};

struct Thresholds {
  // "czii", "byu", or "pu": tuned on partial labels (pu_estimate.h), rates and counts are estimates
  // and `truths` counts the labelled picks they used.
  std::string metric = "czii";
  double beta = 4;
  std::string matching = "kaggle";  // czii
  double distance_multiplier = 0.5; // czii
  double distance_A = 1000;         // byu
  std::vector<TunedType> types;     // by name
  double expected_score = 0;        // czii: weighted mean F of the scored types at the thresholds; byu: F

  const TunedType* find(const std::string& name) const;
  // Thresholds as CziiOptions::min_score wants them; "keep none" becomes +infinity.
  std::map<std::string, double> min_scores() const;
};

// Tunes every type of `curves` that has truth or is scored (types of picks without truth are left
// out: no threshold can help them).
Thresholds tune_czii(const std::vector<TypeCurve>& curves, const CziiOptions& opts);
// One motor-score threshold for the BYU metric (type kMotorObject).
Thresholds tune_byu(const std::vector<PrPoint>& curve, int64_t motors, const ByuOptions& opts);

// Atomic. Thresholds are written so that they read back bit-exactly.
void write_thresholds(const fs::path& path, const Thresholds& t);
// Errors name the file and the JSON field.
Thresholds read_thresholds(const fs::path& path);

}  // namespace tomopick
