#include "tomopick/eval/pu_estimate.h"

#include <algorithm>
#include <functional>

namespace tomopick {

namespace {

// Peaks with score >= t, from scores sorted descending.
int64_t count_at_least(const std::vector<double>& desc, double t) {
  // upper_bound under greater<> finds the first score < t.
  return int64_t(std::upper_bound(desc.begin(), desc.end(), t, std::greater<double>()) - desc.begin());
}

}  // namespace

PuEstimate estimate_pu(const std::vector<double>& peak_scores, const std::vector<double>& held_out_scores,
                       double beta, double given_count, double tolerance) {
  PuEstimate e;
  e.held_out = int64_t(held_out_scores.size());
  if (held_out_scores.empty()) return e;
  std::vector<double> peaks = peak_scores, held = held_out_scores;
  std::sort(peaks.begin(), peaks.end(), std::greater<double>());
  std::sort(held.begin(), held.end(), std::greater<double>());
  const double n = double(held.size());
  auto recall_at = [&](double t) { return double(count_at_least(held, t)) / n; };
  // The upper median: with an even number of picks, the lower of the two middle ones would count
  // more than half of them as "at least the median".
  e.median_score = held[(held.size() - 1) / 2];
  if (given_count > 0) {
    e.count = given_count, e.count_given = true;
  } else if (e.median_score > 0) {
    e.count = double(count_at_least(peaks, e.median_score)) / recall_at(e.median_score);
  } else {
    // Most held-back picks were not found: every candidate peak is the best guess of the count.
    e.count = double(peaks.size());
  }
  const double b2 = beta * beta;
  struct Point {
    double t, f, r, p;
    int64_t d;
  };
  std::vector<Point> points;  // descending threshold
  double best = -1;
  for (size_t i = 0; i < held.size(); ++i) {
    const double t = held[i];
    if (!(t > 0)) break;
    if (i > 0 && t == held[i - 1]) continue;
    const double r = recall_at(t);
    const int64_t d = std::max<int64_t>(count_at_least(peaks, t), 1);
    const double p = std::min(1.0, r * e.count / double(d));
    const double f = (p + r) > 0 ? (1 + b2) * p * r / (b2 * p + r) : 0;
    points.push_back({t, f, r, p, d});
    best = std::max(best, f);
  }
  for (const auto& pt : points)
    if (pt.f >= best - tolerance) e.threshold = pt.t, e.fbeta = pt.f, e.recall = pt.r, e.precision = pt.p, e.picks = pt.d;
  return e;
}

PuEstimate estimate_pu_partial(const std::vector<double>& peak_scores, const std::vector<double>& learned_scores,
                               const std::vector<double>& held_out_scores, double beta, double given_count,
                               double tolerance, int64_t min_held) {
  const auto unseen = estimate_pu(peak_scores, held_out_scores, beta);
  if (unseen.held_out < min_held || !(unseen.median_score > 0)) {
    std::vector<double> all = learned_scores;
    all.insert(all.end(), held_out_scores.begin(), held_out_scores.end());
    return estimate_pu(peak_scores, all, beta, given_count, tolerance);
  }
  // The learned picks' recall curve, moved down by how far their median sits above the unseen
  // picks' median: the shape from many picks, the level from the unseen ones.
  std::vector<double> desc = learned_scores;
  std::sort(desc.begin(), desc.end(), std::greater<double>());
  const double gap = desc.empty() ? 0.0 : std::max(0.0, desc[(desc.size() - 1) / 2] - unseen.median_score);
  std::vector<double> pooled = held_out_scores;
  for (double s : learned_scores) pooled.push_back(s - gap > 0 ? s - gap : 0.0);
  auto e = estimate_pu(peak_scores, pooled, beta, given_count > 0 ? given_count : unseen.count, tolerance);
  e.count_given = given_count > 0;
  e.median_score = unseen.median_score;
  e.learned_shift = gap;
  return e;
}

}  // namespace tomopick
