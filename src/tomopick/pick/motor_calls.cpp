#include "tomopick/pick/motor_calls.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tomopick/core/error.h"
#include "tomopick/core/number_text.h"

namespace tomopick {

namespace {

const Pick* best_pick(const std::vector<PickSet>& sets, const std::string& run, const std::string& object) {
  const Pick* best = nullptr;
  for (const auto& s : sets) {
    if (s.run != run || s.object != object) continue;
    for (const auto& p : s.points)
      if (!best || p.score > best->score) best = &p;  // the first on ties
  }
  return best;
}

}  // namespace

std::vector<double> best_scores(const std::vector<PickSet>& sets, const std::vector<std::string>& runs,
                                const std::string& object) {
  std::vector<double> out;
  for (const auto& run : runs) {
    const auto* p = best_pick(sets, run, object);
    out.push_back(p ? p->score : -std::numeric_limits<double>::infinity());
  }
  return out;
}

double quantile_threshold(std::vector<double> scores, double q) {
  if (!(q >= 0 && q <= 1)) throw Error("--quantile", "must be a share in [0, 1], got " + number_text(q, 6));
  if (scores.empty() || q == 0) return -std::numeric_limits<double>::infinity();
  std::sort(scores.begin(), scores.end());
  const size_t none = size_t(std::llround(q * double(scores.size())));
  if (none >= scores.size()) return std::numeric_limits<double>::infinity();
  // Ties at the cut all keep their motor: the threshold is the lowest score that stays.
  return scores[none];
}

std::vector<MotorLabel> call_motors(const std::vector<PickSet>& sets, const std::vector<std::string>& runs,
                                    const TomoGeometryMap& geometry, double min_score, const std::string& object) {
  std::vector<MotorLabel> out;
  for (const auto& run : runs) {
    const TomoGeometry* g = find_tomo_geometry(geometry, run);
    if (!g || !(g->spacing_A > 0)) throw Error(run, "no voxel spacing known to write its motor in voxels");
    MotorLabel m;
    m.tomo_id = run;
    m.shape_z = g->nz, m.shape_y = g->ny, m.shape_x = g->nx;
    m.voxel_spacing = g->spacing_A;
    const auto* p = best_pick(sets, run, object);
    if (p && p->score >= min_score) {
      m.z = p->z / g->spacing_A, m.y = p->y / g->spacing_A, m.x = p->x / g->spacing_A;
      m.score = p->score;
      m.motor_count = 1;
    } else {
      m.score = p ? p->score : 0;
    }
    out.push_back(m);
  }
  return out;
}

}  // namespace tomopick
