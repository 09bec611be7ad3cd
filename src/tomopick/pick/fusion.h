#pragma once
// Fusing the picks of several models (or test-time augmentations) of one class: "weighted boxes
// fusion" (Solovyev et al. 2019) with spheres of a fixed match radius instead of boxes.
//
// All picks are visited by descending score (ties: z, y, x, then model, then position in the list, so
// the result does not depend on the order of the input lists). A pick joins the nearest cluster
// whose current fused centre lies within match_radius_A (distance <= radius) and that has no pick of
// its model yet, else it starts a new cluster. A cluster therefore holds at most one pick per model:
// two picks of one model are two particles by that model's own NMS, and merging them would let one
// model vote twice. (The original WBF lets them merge and corrects the score afterwards; this
// choice keeps Σ(score × weight) <= Σ weights, so a fused score stays in the scores' range.)
//
// Fused centre: the mean of the members weighted by score × model weight (the plain mean when all
// those are 0). Fused score (Score::wbf): Σ(score × weight) / Σ(all model weights), so a particle
// found by one of two equal models keeps half its score; Score::mean: Σ(score × weight) /
// Σ(member weights), the weighted mean over the members only. The fused pick keeps the
// transformation of its highest-scoring member; instance_id is 0.
#include <vector>

#include "tomopick/io/picks.h"

namespace tomopick {

struct FusionOptions {
  double match_radius_A = 0;  // > 0; e.g. 0.5 × the particle radius
  enum class Score { wbf, mean };
  Score score = Score::wbf;
};

// per_model[m] are model m's picks; weights[m] >= 0 with a positive sum (empty weights = all 1).
// Result sorted by descending score, ties by z, y, x. Errors: weights count mismatch, a negative or
// non-finite weight, all weights 0, a non-positive radius, a non-finite coordinate or score.
std::vector<Pick> fuse_picks(const std::vector<std::vector<Pick>>& per_model, const std::vector<double>& weights,
                             const FusionOptions& opts);

// The same over PickSets of one class and run (object and run must agree); the result carries the
// first set's metadata.
PickSet fuse_pick_sets(const std::vector<PickSet>& per_model, const std::vector<double>& weights,
                       const FusionOptions& opts);

// Within one list: visits picks by descending score (ties by z, y, x) and drops every pick closer
// than radius_A (distance < radius) to a pick already kept, which keeps its own position and score.
std::vector<Pick> dedupe_picks(const std::vector<Pick>& picks, double radius_A);

}  // namespace tomopick
