#include "tomopick/eval/byu_score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "tomopick/core/error.h"

namespace tomopick {

namespace {

// One truth tomogram with its best pick, before any threshold.
struct Tomo {
  std::string run;
  std::vector<Pick> motors;  // truth, Å
  double truth_spacing = 0, pick_spacing = 0;
  bool has_picks = false;
  Pick best;
};

struct ByuPrepared {
  std::vector<Tomo> tomos;
  std::vector<std::string> picks_only_runs;
  int64_t picks_only_run_picks = 0;
};

bool wanted(const PickSet& s, const ByuOptions& o) { return o.object.empty() || s.object == o.object; }

ByuPrepared prepare(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks, const ByuOptions& opts) {
  std::map<std::string, Tomo> by_run;
  for (const auto& run : opts.truth_runs) by_run[run].run = run;
  for (const auto& s : truth) {
    Tomo& t = by_run[s.run];
    t.run = s.run;
    if (!(t.truth_spacing > 0)) t.truth_spacing = s.voxel_spacing;
    if (wanted(s, opts)) t.motors.insert(t.motors.end(), s.points.begin(), s.points.end());
  }
  ByuPrepared out;
  std::set<std::string> extra;
  for (const auto& s : picks) {
    if (!wanted(s, opts)) continue;
    auto it = by_run.find(s.run);
    if (it == by_run.end()) {
      if (!s.points.empty()) extra.insert(s.run);
      out.picks_only_run_picks += int64_t(s.points.size());
      continue;
    }
    Tomo& t = it->second;
    if (!(t.pick_spacing > 0)) t.pick_spacing = s.voxel_spacing;
    for (const auto& p : s.points) {
      if (std::isnan(p.score)) throw Error("tomogram '" + s.run + "': a pick has a NaN score");
      if (!t.has_picks || p.score > t.best.score) t.best = p;  // the first of equal scores wins
      t.has_picks = true;
    }
  }
  out.picks_only_runs.assign(extra.begin(), extra.end());
  for (auto& [run, t] : by_run) out.tomos.push_back(std::move(t));
  return out;
}

double spacing_of(const Tomo& t, const ByuOptions& opts) {
  const double sp = t.truth_spacing > 0 ? t.truth_spacing : t.pick_spacing > 0 ? t.pick_spacing : opts.fallback_spacing_A;
  if (!(sp > 0))
    throw Error("tomogram '" + t.run + "': voxel spacing unknown (the BYU distance is in voxels); pass --spacing");
  return sp;
}

// The metric's distance: np.linalg.norm over axes 0, 1, 2 (z, y, x) of voxel coordinates.
double voxel_distance(const Pick& a, const Pick& b, double sp) {
  const double dz = a.z / sp - b.z / sp, dy = a.y / sp - b.y / sp, dx = a.x / sp - b.x / sp;
  return std::sqrt(dz * dz + dy * dy + dx * dx);
}

// What the tomogram's best pick counts as when it is kept.
ByuTomogram judge(const Tomo& t, const ByuOptions& opts, bool predicted) {
  ByuTomogram r;
  r.run = t.run;
  r.has_motor = !t.motors.empty();
  r.has_picks = t.has_picks;
  r.predicted = predicted;
  r.score = t.has_picks ? t.best.score : 0;
  // Known or not, a motor-free tomogram is judged without it; reports still want it.
  r.spacing_A = t.truth_spacing > 0 ? t.truth_spacing : t.pick_spacing > 0 ? t.pick_spacing : opts.fallback_spacing_A;
  if (r.has_motor && r.predicted) {
    r.spacing_A = spacing_of(t, opts);
    r.threshold_vox = opts.distance_A / r.spacing_A;
    r.distance_vox = std::numeric_limits<double>::infinity();
    for (const auto& m : t.motors) r.distance_vox = std::min(r.distance_vox, voxel_distance(m, t.best, r.spacing_A));
    r.outcome = r.distance_vox > r.threshold_vox ? ByuOutcome::fn : ByuOutcome::tp;
  } else {
    r.outcome = r.has_motor ? ByuOutcome::fn : r.predicted ? ByuOutcome::fp : ByuOutcome::tn;
  }
  return r;
}

}  // namespace

const char* byu_outcome_name(ByuOutcome o) {
  switch (o) {
    case ByuOutcome::tp: return "TP";
    case ByuOutcome::fp: return "FP";
    case ByuOutcome::fn: return "FN";
    case ByuOutcome::tn: return "TN";
  }
  return "?";
}

Rates byu_rates(const Counts& c, double beta) {
  Rates r;
  r.precision = c.tp + c.fp > 0 ? double(c.tp) / double(c.tp + c.fp) : 0.0;
  r.recall = c.tp + c.fn > 0 ? double(c.tp) / double(c.tp + c.fn) : 0.0;
  const double b2 = beta * beta;
  const double denom = b2 * double(c.tp + c.fn) + double(c.tp + c.fp);
  r.fbeta = denom > 0 ? (1 + b2) * double(c.tp) / denom : 0.0;
  return r;
}

ByuResult byu_score(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks, const ByuOptions& opts) {
  const ByuPrepared p = prepare(truth, picks, opts);
  ByuResult res;
  res.picks_only_runs = p.picks_only_runs;
  res.picks_only_run_picks = p.picks_only_run_picks;
  for (const auto& t : p.tomos) {
    const bool predicted = t.has_picks && (!opts.min_score || t.best.score >= *opts.min_score);
    ByuTomogram r = judge(t, opts, predicted);
    switch (r.outcome) {
      case ByuOutcome::tp: ++res.counts.tp; break;
      case ByuOutcome::fp: ++res.counts.fp; break;
      case ByuOutcome::fn: ++res.counts.fn; break;
      case ByuOutcome::tn: ++res.tn; break;
    }
    res.tomograms.push_back(std::move(r));
  }
  res.rates = byu_rates(res.counts, opts.beta);
  return res;
}

std::vector<PrPoint> byu_pr_curve(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks,
                                  const ByuOptions& opts) {
  const ByuPrepared p = prepare(truth, picks, opts);
  struct Event {
    double score;
    ByuOutcome outcome;
  };
  std::vector<Event> events;
  int64_t motors = 0;
  for (const auto& t : p.tomos) {
    if (!t.motors.empty()) ++motors;
    if (t.has_picks) events.push_back({t.best.score, judge(t, opts, true).outcome});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.score > b.score; });
  std::vector<PrPoint> curve;
  Counts c;
  int64_t predicted = 0;
  for (size_t i = 0; i < events.size();) {
    size_t j = i;
    for (; j < events.size() && events[j].score == events[i].score; ++j) {
      ++predicted;
      if (events[j].outcome == ByuOutcome::tp) ++c.tp;
      if (events[j].outcome == ByuOutcome::fp) ++c.fp;
    }
    c.fn = motors - c.tp;
    PrPoint pt;
    pt.threshold = events[i].score;
    pt.picks = predicted;
    pt.counts = c;
    pt.rates = byu_rates(c, opts.beta);
    curve.push_back(pt);
    i = j;
  }
  return curve;
}

}  // namespace tomopick
