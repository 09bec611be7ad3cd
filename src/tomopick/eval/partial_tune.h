#pragma once
// Thresholds from partial labels: `tune --partial`, for truth that is a sample of the particles (a
// user's picks, a curated subset), not all of them. A pick without a label is then not a false
// positive, so the CZII tuning would drive thresholds up; pu_estimate.h's estimates are used instead.
//
// Per type with labels: every pick of that type in the runs the labels cover is a candidate peak; a
// label is found at threshold t when a pick of its type scoring >= t lies within
// distance_multiplier x radius of it (the CZII hit criterion, one pick may find several labels).
#include <map>
#include <string>
#include <vector>

#include "tomopick/eval/czii_score.h"
#include "tomopick/eval/pu_estimate.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/io/picks.h"

namespace tomopick {

struct PartialTuneOptions {
  double tolerance = 0.02;                 // pu_estimate.h: the lowest threshold this close to the best F
  std::map<std::string, double> expected;  // particles per type in the labelled runs, when known
};

// A type's row of metric "pu" thresholds from its estimate (counts left to the caller).
TunedType tuned_from_pu(const std::string& name, const PuEstimate& e);

// metric "pu" thresholds (thresholds.h) for the types of `labels` (radii and beta from `czii`; the
// types czii.scored_types names, when it names any).
Thresholds tune_partial(const std::vector<PickSet>& labels, const std::vector<PickSet>& picks, const CziiOptions& czii,
                        const PartialTuneOptions& o = {});

}  // namespace tomopick
