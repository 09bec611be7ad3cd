#include "tomopick/eval/czii_score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Sets by (run, object); several sets for one key (several users' picks) are read together.
using SetIndex = std::map<std::pair<std::string, std::string>, std::vector<const PickSet*>>;
SetIndex index_sets(const std::vector<PickSet>& sets) {
  SetIndex idx;
  for (const auto& s : sets) idx[{s.run, s.object}].push_back(&s);
  return idx;
}
const std::vector<const PickSet*>& sets_of(const SetIndex& idx, const std::string& run, const std::string& object) {
  static const std::vector<const PickSet*> none;
  auto it = idx.find({run, object});
  return it == idx.end() ? none : it->second;
}
std::vector<Vec3d> points_of(const std::vector<const PickSet*>& sets) {
  std::vector<Vec3d> out;
  for (const PickSet* s : sets)
    for (const auto& p : s->points) out.push_back({p.x, p.y, p.z});
  return out;
}

struct CziiPreparedType {
  ParticleType def;
  bool scored = false;
  TypeMatches matches;
};

struct CziiPrepared {
  std::vector<CziiPreparedType> types;
  CziiResult shell;  // everything but the per-type numbers
};

CziiPrepared prepare(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks, const CziiOptions& opts) {
  CziiPrepared out;
  CziiResult& res = out.shell;

  std::set<std::string> truth_runs(opts.truth_runs.begin(), opts.truth_runs.end());
  std::set<std::string> truth_types, truth_types_with_points, pick_runs, pick_types;
  for (const auto& s : truth) {
    truth_runs.insert(s.run);
    truth_types.insert(s.object);
    if (!s.points.empty()) truth_types_with_points.insert(s.object);
  }
  for (const auto& s : picks) {
    pick_runs.insert(s.run);
    pick_types.insert(s.object);
  }
  res.runs.assign(truth_runs.begin(), truth_runs.end());
  for (const auto& r : truth_runs)
    if (!pick_runs.count(r)) res.truth_only_runs.push_back(r);

  // Known names: the option's types and whatever the truth holds.
  std::vector<std::string> known;
  for (const auto& t : opts.types) known.push_back(t.name);
  for (const auto& t : truth_types)
    if (!find_particle_type(opts.types, t)) known.push_back(t);
  std::sort(known.begin(), known.end());
  auto is_known = [&](const std::string& n) { return std::binary_search(known.begin(), known.end(), n); };

  std::set<std::string> skipped_types;
  for (const auto& t : pick_types) {
    if (is_known(t)) continue;
    if (!opts.ignore_unknown)
      throw Error("unknown particle type '" + t + "' in the picks" + did_you_mean(t, known) + "; known: " + join(known) +
                  " (add it to copick_config.json, pass --radius " + t + "=R, or --ignore-unknown to skip it)");
    skipped_types.insert(t);
  }
  res.unknown_types.assign(skipped_types.begin(), skipped_types.end());

  std::set<std::string> scored;
  if (!opts.scored_types.empty()) {
    for (const auto& t : opts.scored_types) {
      if (!is_known(t)) throw Error("scored type '" + t + "' is not known" + did_you_mean(t, known) + "; known: " + join(known));
      scored.insert(t);
    }
  } else {
    scored = truth_types_with_points;
  }

  std::set<std::string> listed = scored;
  listed.insert(truth_types.begin(), truth_types.end());
  for (const auto& t : pick_types)
    if (!skipped_types.count(t)) listed.insert(t);

  std::set<std::string> extra_runs;
  for (const auto& s : picks) {
    if (skipped_types.count(s.object)) {
      res.unknown_type_picks += int64_t(s.points.size());
    } else if (!truth_runs.count(s.run)) {
      extra_runs.insert(s.run);
      res.picks_only_run_picks += int64_t(s.points.size());
    }
  }
  res.picks_only_runs.assign(extra_runs.begin(), extra_runs.end());

  // One neighbour search per (type, run), all in one parallel loop; then each type's rows in run order.
  struct Job {
    size_t type;
    const std::string* run;
    std::vector<Vec3d> truths, picks;
    std::vector<double> scores;
    Neighbours neighbours;
  };
  const SetIndex truth_idx = index_sets(truth), pick_idx = index_sets(picks);
  std::vector<Job> jobs;
  for (const auto& name : listed) {
    CziiPreparedType pt;
    const ParticleType* def = find_particle_type(opts.types, name);
    pt.def = def ? *def : ParticleType{name, 0, default_weight(name)};
    pt.scored = scored.count(name) > 0;
    if (!(pt.def.radius_A > 0) && (truth_types.count(name) || pt.scored))
      throw Error("particle type '" + name + "' (in the truth) has no radius; add it to copick_config.json or pass --radius " +
                  name + "=R");
    auto add_run = [&](const std::string& run, bool with_truth) {
      Job j{out.types.size(), &run, {}, {}, {}, {}};
      if (with_truth) j.truths = points_of(sets_of(truth_idx, run, name));
      for (const PickSet* ps : sets_of(pick_idx, run, name))
        for (const auto& p : ps->points) {
          if (std::isnan(p.score)) throw Error("run '" + run + "', type '" + name + "': a pick has a NaN score");
          j.picks.push_back({p.x, p.y, p.z});
          j.scores.push_back(p.score);
        }
      if (!j.picks.empty() || !j.truths.empty()) jobs.push_back(std::move(j));
    };
    for (const auto& run : truth_runs) add_run(run, true);
    if (opts.extra_runs_are_fp)
      for (const auto& run : extra_runs) add_run(run, false);
    out.types.push_back(std::move(pt));
  }
  auto search = [&](Job& j) {
    const CziiPreparedType& pt = out.types[j.type];
    try {
      j.neighbours = find_neighbours(j.picks, j.truths, pt.def.radius_A * opts.distance_multiplier);
    } catch (const Error& e) {
      throw Error("run '" + *j.run + "', type '" + pt.def.name + "': " + e.what());
    }
  };
  // Big groups search in parallel themselves (nested parallel regions would run on one thread).
  constexpr size_t kBig = 65536;
  std::vector<Job*> small;
  for (Job& j : jobs) {
    if (j.picks.size() >= kBig) search(j);
    else small.push_back(&j);
  }
  parallel_for(int64_t(small.size()), [&](int64_t i) { search(*small[size_t(i)]); });
  for (Job& j : jobs) {
    TypeMatches& m = out.types[j.type].matches;
    if (m.truths + int64_t(j.truths.size()) > int64_t(INT32_MAX))
      throw Error("more than 2^31 truth points of type " + out.types[j.type].def.name);
    m.neighbours.append(j.neighbours, int32_t(m.truths));
    m.truths += int64_t(j.truths.size());
    m.scores.insert(m.scores.end(), j.scores.begin(), j.scores.end());
    j = Job{};
  }
  return out;
}

}  // namespace

CziiResult czii_score(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks, const CziiOptions& opts) {
  CziiPrepared p = prepare(truth, picks, opts);
  CziiResult res = std::move(p.shell);
  double wsum = 0, fsum = 0;
  for (const auto& pt : p.types) {
    TypeScore ts;
    ts.name = pt.def.name;
    ts.radius_A = pt.def.radius_A;
    ts.weight = pt.def.weight;
    ts.scored = pt.scored;
    ts.truths = pt.matches.truths;
    double min_score = -std::numeric_limits<double>::infinity();
    if (auto it = opts.min_score.find(ts.name); it != opts.min_score.end()) {
      ts.min_score = it->second;
      min_score = it->second;
    }
    ts.counts = count_matches(pt.matches, opts.matching, min_score);
    ts.picks = ts.counts.tp + ts.counts.fp;
    ts.rates = czii_rates(ts.counts, opts.beta);
    if (ts.scored) {
      fsum += ts.rates.fbeta * ts.weight;
      wsum += ts.weight;
    }
    res.types.push_back(ts);
  }
  res.score = wsum > 0 ? fsum / wsum : std::numeric_limits<double>::quiet_NaN();
  return res;
}

std::vector<TypeCurve> czii_pr_curves(const std::vector<PickSet>& truth, const std::vector<PickSet>& picks,
                                      const CziiOptions& opts) {
  const CziiPrepared p = prepare(truth, picks, opts);
  std::vector<TypeCurve> out;
  for (const auto& pt : p.types) {
    TypeCurve c;
    c.name = pt.def.name;
    c.weight = pt.def.weight;
    c.scored = pt.scored;
    c.truths = pt.matches.truths;
    c.points = pr_curve(pt.matches, opts.matching, opts.beta);
    c.best = best_point(c.points);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace tomopick
