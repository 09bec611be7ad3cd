#pragma once
// Counting true positives for one particle type, at one score threshold or at all of them (the
// precision-recall curve), under three matching rules. Picks are added in descending score order,
// so the counts at every distinct score come out of one pass: O(n log n + neighbour pairs).
//
// A threshold t keeps the picks with score >= t; the curve's thresholds are the distinct pick scores.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tomopick/eval/match.h"

namespace tomopick {

enum class Matching {
  // The Kaggle CZII metric: a truth is hit when any pick lies within the radius; TP = distinct truths
  // hit, FP = picks - TP (negative in the rare case of one pick hitting two close truths), FN =
  // truths - TP.
  kaggle,
  // One-to-one, greedy: picks in descending score order, and among picks of equal score the closest
  // (pick, truth) pairs first, each pick taking one free truth within the radius. Without scores (all
  // equal) this is plain greedy-by-distance matching. FP = picks - TP.
  greedy,
  // One-to-one, optimal: the largest possible matching of picks to truths within the radius (what the
  // Hungarian algorithm finds when within-radius pairs cost less than any other; TP is its size, so
  // which pairs it uses does not matter). FP = picks - TP.
  optimal,
};
// "kaggle", "greedy", "optimal"; parse also accepts "hungarian" for optimal. Error otherwise.
std::string matching_name(Matching m);
Matching parse_matching(const std::string& s);

struct Counts {
  int64_t tp = 0, fp = 0, fn = 0;
  friend bool operator==(const Counts&, const Counts&) = default;
};

// Precision, recall and F_beta exactly as the CZII metric computes them: P = TP/(TP+FP) and R =
// TP/(TP+FN), each 0 when its denominator is 0; F = (1+b^2)PR/(b^2 P + R), 0 when P + R = 0.
struct Rates {
  double precision = 0, recall = 0, fbeta = 0;
};
Rates czii_rates(const Counts& c, double beta);

// One point of a curve: the counts when keeping the picks with score >= threshold.
struct PrPoint {
  double threshold = 0;
  int64_t picks = 0;  // picks kept (for BYU: tomograms predicted to hold a motor)
  Counts counts;
  Rates rates;
};

// The picks of one type over all runs and which truths each could match.
struct TypeMatches {
  int64_t truths = 0;          // truth points over all runs (ids 0 .. truths-1)
  std::vector<double> scores;  // one per pick
  Neighbours neighbours;       // pick -> truth ids within the radius (its own run only)
};

// Counts when keeping the picks with score >= min_score (all picks by default).
Counts count_matches(const TypeMatches& m, Matching matching,
                     double min_score = -std::numeric_limits<double>::infinity());

// The curve at every distinct pick score, highest threshold first. Point k equals count_matches at
// its threshold.
std::vector<PrPoint> pr_curve(const TypeMatches& m, Matching matching, double beta);

// The point with the highest F_beta; ties go to the higher threshold. -1 when no point has F > 0
// (then keeping no picks is as good as any threshold).
int64_t best_point(const std::vector<PrPoint>& curve);

}  // namespace tomopick
