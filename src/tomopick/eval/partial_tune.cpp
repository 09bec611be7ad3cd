#include "tomopick/eval/partial_tune.h"

#include <algorithm>
#include <limits>
#include <set>

#include "tomopick/core/error.h"
#include "tomopick/eval/particle_types.h"

namespace tomopick {

TunedType tuned_from_pu(const std::string& name, const PuEstimate& e) {
  TunedType t;
  t.name = name;
  t.truths = e.held_out;
  t.threshold = e.threshold;
  t.estimated_count = e.count;
  t.at.threshold = e.threshold.value_or(std::numeric_limits<double>::infinity());
  t.at.picks = e.picks;
  t.at.rates = {e.precision, e.recall, e.fbeta};
  return t;
}

Thresholds tune_partial(const std::vector<PickSet>& labels, const std::vector<PickSet>& picks, const CziiOptions& czii,
                        const PartialTuneOptions& o) {
  Thresholds out;
  out.metric = "pu";
  out.beta = czii.beta;
  out.distance_multiplier = czii.distance_multiplier;
  std::set<std::string> names;
  for (const auto& s : labels)
    if (!s.points.empty()) names.insert(s.object);
  if (!czii.scored_types.empty()) {
    std::set<std::string> wanted(czii.scored_types.begin(), czii.scored_types.end());
    for (auto it = names.begin(); it != names.end();) it = wanted.count(*it) ? std::next(it) : names.erase(it);
  }
  if (names.empty()) throw Error("truth", "holds no labelled picks to tune on");
  double fsum = 0, wsum = 0;
  for (const auto& name : names) {
    const auto* type = find_particle_type(czii.types, name);
    if (!type || !(type->radius_A > 0))
      throw Error("truth", "type '" + name + "' has no radius (give --radius " + name + "=Å)");
    const double reach = czii.distance_multiplier * type->radius_A;
    std::set<std::string> runs;
    for (const auto& s : labels)
      if (s.object == name) runs.insert(s.run);
    std::vector<double> scores, found;
    for (const auto& p : picks)
      if (p.object == name && runs.count(p.run))
        for (const auto& q : p.points) scores.push_back(q.score);
    for (const auto& l : labels) {
      if (l.object != name) continue;
      for (const auto& h : l.points) {
        double best = 0;
        for (const auto& p : picks) {
          if (p.object != name || p.run != l.run) continue;
          for (const auto& q : p.points) {
            const double dx = q.x - h.x, dy = q.y - h.y, dz = q.z - h.z;
            if (dx * dx + dy * dy + dz * dz <= reach * reach) best = std::max(best, q.score);
          }
        }
        found.push_back(best);
      }
    }
    const auto given = o.expected.find(name);
    const auto e = estimate_pu(scores, found, out.beta, given == o.expected.end() ? 0 : given->second, o.tolerance);
    TunedType t = tuned_from_pu(name, e);
    t.weight = type->weight;
    int64_t hit = 0;
    for (double f : found) hit += e.threshold && f >= *e.threshold ? 1 : 0;
    t.at.counts = {hit, 0, int64_t(found.size()) - hit};
    out.types.push_back(t);
    fsum += t.weight * e.fbeta, wsum += t.weight;
  }
  out.expected_score = wsum > 0 ? fsum / wsum : 0;
  return out;
}

}  // namespace tomopick
