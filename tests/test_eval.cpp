// Scoring: the CZII and BYU Kaggle metrics, one-to-one matching, precision-recall curves and tuned
// thresholds. Hand-worked cases first, then the fast paths against brute-force O(n*m) versions.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "byu_example.h"
#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/eval/byu_score.h"
#include "tomopick/eval/czii_score.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/eval/match.h"
#include "tomopick/eval/pr_curve.h"
#include "tomopick/eval/partial_tune.h"
#include "tomopick/eval/thresholds.h"

using namespace tomopick;

namespace {

struct P {
  double x, y, z, score = 1.0;
};

PickSet make(const std::string& run, const std::string& object, std::vector<P> pts, double spacing = 10) {
  PickSet s;
  s.run = run;
  s.object = object;
  s.voxel_spacing = spacing;
  for (const auto& p : pts) {
    Pick k;
    k.x = p.x;
    k.y = p.y;
    k.z = p.z;
    k.score = p.score;
    s.points.push_back(k);
  }
  return s;
}

const TypeScore& type_of(const CziiResult& r, const std::string& name) {
  for (const auto& t : r.types)
    if (t.name == name) return t;
  throw std::runtime_error("no type " + name);
}

double f_beta(double tp, double fp, double fn, double beta) {
  const double p = tp + fp > 0 ? tp / (tp + fp) : 0, r = tp + fn > 0 ? tp / (tp + fn) : 0;
  return p + r > 0 ? (1 + beta * beta) * p * r / (beta * beta * p + r) : 0;
}

}  // namespace

// ---- CZII: hand-worked ----------------------------------------------------------------------------

TEST(CziiScore, DuplicatesNearOneParticleGiveOneTpAndOneFp) {
  const std::vector<PickSet> truth = {make("TS_1", "apo-ferritin", {{1000, 1000, 1000}, {2000, 1000, 1000}})};
  const std::vector<PickSet> picks = {make("TS_1", "apo-ferritin", {{1005, 1000, 1000}, {995, 1002, 1000}})};
  const CziiResult r = czii_score(truth, picks, {});
  const auto& t = type_of(r, "apo-ferritin");
  EXPECT_EQ(t.counts, (Counts{1, 1, 1}));
  EXPECT_DOUBLE_EQ(t.rates.precision, 0.5);
  EXPECT_DOUBLE_EQ(t.rates.recall, 0.5);
  EXPECT_DOUBLE_EQ(t.rates.fbeta, 0.5);  // P = R gives F = P for any beta
  EXPECT_DOUBLE_EQ(r.score, 0.5);
}

TEST(CziiScore, PickExactlyOnTheHalfRadiusBoundaryIsAHit) {
  // apo-ferritin: r = 60 Å, match within 30 Å. (18, 24, 0) is exactly 30 Å away: 324 + 576 = 900.
  const std::vector<PickSet> truth = {make("TS_1", "apo-ferritin", {{1000, 1000, 1000}, {5000, 5000, 1000}, {9000, 9000, 1000}})};
  const std::vector<PickSet> picks = {make("TS_1", "apo-ferritin",
                                           {{1030, 1000, 1000},                              // on the sphere: hit
                                            {5018, 5024, 1000},                              // on the sphere: hit
                                            {std::nextafter(9030.0, 1e9), 9000, 1000}})};    // just outside: miss
  const auto t = type_of(czii_score(truth, picks, {}), "apo-ferritin");
  EXPECT_EQ(t.counts, (Counts{2, 1, 1}));
  // The multiplier moves the boundary: at 0.25 x radius (15 Å) nothing is within reach.
  CziiOptions o;
  o.distance_multiplier = 0.25;
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "apo-ferritin").counts, (Counts{0, 3, 3}));
}

TEST(CziiScore, EmptyTypesAndTypesWithoutTruth) {
  const std::vector<PickSet> truth = {
      make("TS_1", "ribosome", {{1000, 1000, 1000}, {3000, 1000, 1000}}),
      make("TS_1", "thyroglobulin", {}),  // a type the truth lists, with no particles
  };
  const std::vector<PickSet> picks = {
      make("TS_1", "ribosome", {{1010, 1000, 1000}}),
      make("TS_1", "apo-ferritin", {{500, 500, 500}, {600, 600, 600}}),  // no apo-ferritin truth anywhere
  };
  const CziiResult r = czii_score(truth, picks, {});
  ASSERT_EQ(r.types.size(), 3u);
  const auto& ribo = type_of(r, "ribosome");
  EXPECT_TRUE(ribo.scored);
  EXPECT_EQ(ribo.counts, (Counts{1, 0, 1}));
  const auto& apo = type_of(r, "apo-ferritin");
  EXPECT_FALSE(apo.scored);  // the Kaggle metric scores the types the truth holds
  EXPECT_EQ(apo.counts, (Counts{0, 2, 0}));
  EXPECT_DOUBLE_EQ(apo.rates.fbeta, 0);
  const auto& thyro = type_of(r, "thyroglobulin");
  EXPECT_FALSE(thyro.scored);
  EXPECT_EQ(thyro.counts, (Counts{0, 0, 0}));
  EXPECT_DOUBLE_EQ(r.score, f_beta(1, 0, 1, 4));  // ribosome alone: 17 * 0.5 / (16 + 0.5)
  // Naming the scored types makes the FP-only type count, with F = 0 and its weight 1.
  CziiOptions o;
  o.scored_types = {"ribosome", "apo-ferritin"};
  EXPECT_DOUBLE_EQ(czii_score(truth, picks, o).score, f_beta(1, 0, 1, 4) / 2);
  // No picks at all: every truth is a FN.
  EXPECT_EQ(type_of(czii_score(truth, {}, {}), "ribosome").counts, (Counts{0, 0, 2}));
}

TEST(CziiScore, RunsOnlyInTruthOrOnlyInPicks) {
  const std::vector<PickSet> truth = {make("A", "ribosome", {{1000, 1000, 1000}}), make("B", "ribosome", {{1000, 1000, 1000}})};
  const std::vector<PickSet> picks = {make("A", "ribosome", {{1000, 1000, 1000}}),
                                      make("C", "ribosome", {{1000, 1000, 1000}, {2000, 2000, 2000}})};
  CziiResult r = czii_score(truth, picks, {});
  EXPECT_EQ(type_of(r, "ribosome").counts, (Counts{1, 0, 1}));  // B: a FN; C: dropped, as the metric does
  EXPECT_EQ(r.truth_only_runs, (std::vector<std::string>{"B"}));
  EXPECT_EQ(r.picks_only_runs, (std::vector<std::string>{"C"}));
  EXPECT_EQ(r.picks_only_run_picks, 2);
  CziiOptions o;
  o.extra_runs_are_fp = true;
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "ribosome").counts, (Counts{1, 2, 1}));
  // A run the truth covers without particles of the type (a project's run): its picks are FP.
  CziiOptions p;
  p.truth_runs = {"C"};
  r = czii_score(truth, picks, p);
  EXPECT_EQ(type_of(r, "ribosome").counts, (Counts{1, 2, 1}));
  EXPECT_TRUE(r.picks_only_runs.empty());
}

TEST(CziiScore, UnknownTypeNamesAreAClearError) {
  const std::vector<PickSet> truth = {make("A", "ribosome", {{1000, 1000, 1000}})};
  const std::vector<PickSet> picks = {make("A", "ribosom", {{1000, 1000, 1000}})};
  const std::string m = test::error_message([&] { czii_score(truth, picks, {}); });
  EXPECT_NE(m.find("unknown particle type 'ribosom'"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean 'ribosome'?"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  CziiOptions o;
  o.ignore_unknown = true;
  const CziiResult r = czii_score(truth, picks, o);
  EXPECT_EQ(r.unknown_types, (std::vector<std::string>{"ribosom"}));
  EXPECT_EQ(r.unknown_type_picks, 1);
  EXPECT_EQ(type_of(r, "ribosome").counts, (Counts{0, 0, 1}));
  // A truth type nobody gave a radius is an error naming the option that fixes it.
  const std::string n = test::error_message([&] { czii_score({make("A", "proteasome", {{0, 0, 0}})}, {}, {}); });
  EXPECT_NE(n.find("--radius proteasome=R"), std::string::npos) << n;
  // Known through the overrides, it scores with weight 1.
  CziiOptions q;
  q.types = resolve_particle_types(nullptr, parse_name_values("proteasome=100", "--radius"), {});
  const CziiResult rq = czii_score({make("A", "proteasome", {{0, 0, 0}})}, {make("A", "proteasome", {{49, 0, 0}})}, q);
  EXPECT_EQ(type_of(rq, "proteasome").counts, (Counts{1, 0, 0}));
  EXPECT_DOUBLE_EQ(type_of(rq, "proteasome").weight, 1);
}

TEST(CziiScore, OnePickWithinReachOfTwoTruths) {
  // Two thyroglobulin truths 100 Å apart (r = 130, reach 65): a pick between them reaches both.
  const std::vector<PickSet> truth = {make("A", "thyroglobulin", {{1000, 1000, 1000}, {1100, 1000, 1000}})};
  const std::vector<PickSet> picks = {make("A", "thyroglobulin", {{1050, 1000, 1000}})};
  CziiOptions o;
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "thyroglobulin").counts, (Counts{2, -1, 0}));  // the metric's arithmetic
  EXPECT_GT(type_of(czii_score(truth, picks, o), "thyroglobulin").rates.precision, 1.0);
  o.matching = Matching::greedy;
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "thyroglobulin").counts, (Counts{1, 0, 1}));
  o.matching = Matching::optimal;
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "thyroglobulin").counts, (Counts{1, 0, 1}));
}

TEST(CziiScore, OptimalMatchingFindsWhatGreedyMisses) {
  // Truths T1 at x=0, T2 at x=25 (ribosome reach 75 is too wide; use apo-ferritin, reach 30).
  // P1 at x=12 (12 from T1, 13 from T2), P2 at x=-15 (15 from T1, 40 from T2).
  const std::vector<PickSet> truth = {make("A", "apo-ferritin", {{1000, 0, 0}, {1025, 0, 0}})};
  const std::vector<PickSet> picks = {make("A", "apo-ferritin", {{1012, 0, 0}, {985, 0, 0}})};
  CziiOptions o;
  o.matching = Matching::greedy;  // closest pair first: P1-T1, then P2 finds T1 taken
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "apo-ferritin").counts, (Counts{1, 1, 1}));
  o.matching = Matching::optimal;  // P1-T2, P2-T1
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "apo-ferritin").counts, (Counts{2, 0, 0}));
  o.matching = Matching::kaggle;
  EXPECT_EQ(type_of(czii_score(truth, picks, o), "apo-ferritin").counts, (Counts{2, 0, 0}));
  // Greedy goes by score first: give P2 the higher score and it takes T1, leaving T2 to P1.
  const std::vector<PickSet> scored = {make("A", "apo-ferritin", {{1012, 0, 0, 0.5}, {985, 0, 0, 0.9}})};
  o.matching = Matching::greedy;
  EXPECT_EQ(type_of(czii_score(truth, scored, o), "apo-ferritin").counts, (Counts{2, 0, 0}));
}

TEST(CziiScore, WeightedMeanOfPerTypeF) {
  const std::vector<PickSet> truth = {make("A", "thyroglobulin", {{0, 0, 0}}),
                                      make("A", "ribosome", {{5000, 0, 0}, {9000, 0, 0}}),
                                      make("A", "beta-amylase", {{0, 5000, 0}})};
  const std::vector<PickSet> picks = {make("A", "thyroglobulin", {{10, 0, 0}}), make("A", "ribosome", {{5000, 10, 0}})};
  const CziiResult r = czii_score(truth, picks, {});
  // thyroglobulin F = 1 (weight 2), ribosome F(1,0,1) (weight 1), beta-amylase F = 0 (weight 0).
  EXPECT_DOUBLE_EQ(r.score, (2 * 1.0 + 1 * f_beta(1, 0, 1, 4) + 0 * 0.0) / 3);
  CziiOptions o;
  o.types = resolve_particle_types(nullptr, {}, parse_name_values("ribosome=3, thyroglobulin=1", "--weights"));
  o.beta = 1;
  EXPECT_DOUBLE_EQ(czii_score(truth, picks, o).score, (1 * 1.0 + 3 * f_beta(1, 0, 1, 1)) / 4);
  // Only weight-0 types: the weighted mean is undefined (numpy.average would raise).
  EXPECT_TRUE(std::isnan(czii_score({truth[2]}, {}, {}).score));
  // Bad override text names the option.
  EXPECT_NE(test::error_message([] { parse_name_values("ribosome:3", "--weights"); }).find("--weights"), std::string::npos);
  EXPECT_NE(test::error_message([] { parse_name_values("ribosome=x", "--weights"); }).find("not a number"), std::string::npos);
}

TEST(CziiScore, RadiiComeFromTheConfigAndTheOptions) {
  CopickConfig cfg = czii_config();
  cfg.objects[3].radius = 140;  // ribosome
  cfg.objects.push_back({"membrane-thing", 7, 200});
  const auto types = resolve_particle_types(&cfg, parse_name_values("apo-ferritin=70", "--radius"), {});
  EXPECT_DOUBLE_EQ(find_particle_type(types, "ribosome")->radius_A, 140);
  EXPECT_DOUBLE_EQ(find_particle_type(types, "ribosome")->weight, 1);
  EXPECT_DOUBLE_EQ(find_particle_type(types, "apo-ferritin")->radius_A, 70);
  EXPECT_DOUBLE_EQ(find_particle_type(types, "membrane-thing")->weight, 1);
  EXPECT_DOUBLE_EQ(find_particle_type(types, "beta-galactosidase")->weight, 2);
  EXPECT_DOUBLE_EQ(find_particle_type(types, "beta-amylase")->weight, 0);
}

// ---- CZII: the real ground truth -------------------------------------------------------------------

TEST(CziiScore, RealGroundTruthAgainstItselfAndAJitteredSubsample) {
  const fs::path dir = test::shared_data() / "czii-fragments/picks";
  if (test::shared_data().empty() || !fs::exists(dir)) GTEST_SKIP() << "no shared data";
  const PickSource src = load_pick_source(dir);
  EXPECT_EQ(src.description, "folder of 7 pick files");
  ASSERT_EQ(src.sets.size(), 35u);  // 7 runs x 5 types
  const CziiResult self = czii_score(src.sets, src.sets, {});
  EXPECT_DOUBLE_EQ(self.score, 1.0);
  EXPECT_EQ(self.runs.size(), 7u);

  // Keep every other particle, moved 0.4 x its radius along x (still a hit); duplicate every fourth
  // kept one 0.2 x radius along y (a FP); add one pick per run and type far outside (a FP).
  std::vector<PickSet> picks;
  std::map<std::string, std::array<int64_t, 3>> expect;  // tp, fp, fn
  for (const auto& s : src.sets) {
    const double r = find_particle_type(czii_particle_types(), s.object)->radius_A;
    PickSet p = s;
    p.points.clear();
    auto& e = expect[s.object];
    for (size_t i = 0; i < s.points.size(); ++i) {
      if (i % 2) {
        ++e[2];
        continue;
      }
      Pick k = s.points[i];
      k.x += 0.4 * r;
      p.points.push_back(k);
      ++e[0];
      if (i % 8 == 0) {
        k.y += 0.2 * r;
        p.points.push_back(k);
        ++e[1];
      }
    }
    Pick far;
    far.z = -1e5;
    p.points.push_back(far);
    ++e[1];
    picks.push_back(p);
  }
  const CziiResult r = czii_score(src.sets, picks, {});
  double num = 0, den = 0;
  for (const auto& [name, e] : expect) {
    const auto& t = type_of(r, name);
    EXPECT_EQ(t.counts, (Counts{e[0], e[1], e[2]})) << name;
    const double w = find_particle_type(czii_particle_types(), name)->weight;
    num += w * f_beta(double(e[0]), double(e[1]), double(e[2]), 4);
    den += w;
  }
  EXPECT_NEAR(r.score, num / den, 1e-12);
  EXPECT_LT(r.score, 0.8);
  EXPECT_GT(r.score, 0.4);
}

// ---- CZII: fast paths against brute force -------------------------------------------------------------

namespace {

// Clustered random points, some of them exactly on a neighbour's sphere, to make conflicts and ties.
std::vector<Vec3d> random_points(std::mt19937& rng, size_t n, double box) {
  std::uniform_real_distribution<double> u(0, box);
  std::vector<Vec3d> v(n);
  for (auto& p : v) p = {std::round(u(rng)), std::round(u(rng)), std::round(u(rng))};
  return v;
}

// TP by the metric's definition, pair by pair.
int64_t brute_kaggle_tp(const std::vector<Vec3d>& picks, const std::vector<Vec3d>& truths, double r) {
  int64_t tp = 0;
  for (const auto& t : truths) {
    bool hit = false;
    for (const auto& p : picks) hit |= squared_distance(p, t) <= r * r;
    tp += hit;
  }
  return tp;
}

// The largest matching by dynamic programming over subsets of truths (<= 16 of them).
int64_t brute_max_matching(const std::vector<Vec3d>& picks, const std::vector<Vec3d>& truths, double r) {
  const size_t m = truths.size();
  std::vector<int> best(size_t(1) << m, -1);
  best[0] = 0;
  for (const auto& p : picks) {
    std::vector<int> next = best;
    for (size_t mask = 0; mask < best.size(); ++mask) {
      if (best[mask] < 0) continue;
      for (size_t t = 0; t < m; ++t)
        if (!(mask >> t & 1) && squared_distance(p, truths[t]) <= r * r)
          next[mask | size_t(1) << t] = std::max(next[mask | size_t(1) << t], best[mask] + 1);
    }
    best = next;
  }
  return *std::max_element(best.begin(), best.end());
}

// Greedy one-to-one by score, then distance, pair by pair.
int64_t brute_greedy_tp(const std::vector<Vec3d>& picks, const std::vector<double>& scores, const std::vector<Vec3d>& truths,
                        double r, double min_score) {
  std::vector<double> levels;
  for (const double s : scores)
    if (s >= min_score) levels.push_back(s);
  std::sort(levels.rbegin(), levels.rend());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  std::vector<char> taken(truths.size(), 0), used(picks.size(), 0);
  int64_t tp = 0;
  for (const double level : levels) {
    std::vector<std::tuple<double, size_t, size_t>> pairs;
    for (size_t p = 0; p < picks.size(); ++p)
      for (size_t t = 0; t < truths.size(); ++t)
        if (scores[p] == level && squared_distance(picks[p], truths[t]) <= r * r)
          pairs.emplace_back(squared_distance(picks[p], truths[t]), p, t);
    std::sort(pairs.begin(), pairs.end());
    for (const auto& [d, p, t] : pairs)
      if (!used[p] && !taken[t]) used[p] = taken[t] = 1, ++tp;
  }
  return tp;
}

}  // namespace

TEST(CziiScore, NeighbourGridMatchesBruteForce) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 40; ++trial) {
    const double box = trial % 4 == 3 ? 1e6 : 400;  // the last: sparse points over a huge box
    auto truths = random_points(rng, 1 + rng() % 300, box);
    auto picks = random_points(rng, rng() % 400, box);
    const double r = trial % 5 == 0 ? 0.0 : double(5 + rng() % 60);
    for (size_t i = 0; i < picks.size() && !truths.empty(); i += 7) {  // on the sphere of a truth
      const auto& t = truths[rng() % truths.size()];
      picks[i] = {t.x + r * 0.6, t.y + r * 0.8, t.z};
    }
    const Neighbours a = find_neighbours(picks, truths, r), b = find_neighbours_brute_force(picks, truths, r);
    ASSERT_EQ(a.offsets, b.offsets) << "trial " << trial;
    ASSERT_EQ(a.refs, b.refs) << "trial " << trial;
    ASSERT_EQ(a.d2, b.d2) << "trial " << trial;
  }
  EXPECT_THROW(find_neighbours(std::vector<Vec3d>{{NAN, 0, 0}}, std::vector<Vec3d>{{0, 0, 0}}, 1), Error);
}

TEST(CziiScore, AllMatchingsAgreeWithBruteForceOnRandomData) {
  std::mt19937 rng(11);
  const std::vector<std::string> types = {"apo-ferritin", "ribosome", "thyroglobulin"};
  std::map<Matching, int64_t> tp_sum;  // the data must make the rules disagree, or this proves little
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<PickSet> truth, picks;
    std::map<std::string, std::vector<std::tuple<std::vector<Vec3d>, std::vector<double>, std::vector<Vec3d>>>> groups;
    for (const std::string run : {"r1", "r2", "r3"})
      for (const auto& type : types) {
        const double box = 100 + double(rng() % 300);  // small: neighbourhoods overlap, rules disagree
        auto tv = random_points(rng, rng() % 12, box);
        auto pv = random_points(rng, rng() % 20, box);
        std::vector<double> sc;
        PickSet ts = make(run, type, {}), ps = make(run, type, {});
        for (const auto& t : tv) ts.points.push_back(Pick{t.x, t.y, t.z});
        for (const auto& p : pv) {
          Pick k{p.x, p.y, p.z};
          k.score = double(rng() % 5) / 4;  // few levels: ties
          sc.push_back(k.score);
          ps.points.push_back(k);
        }
        if (!tv.empty() || rng() % 2) truth.push_back(ts);
        picks.push_back(ps);
        groups[type].emplace_back(pv, sc, tv);
      }
    for (const double thr : {0.0, 0.5, 1.0}) {
      for (const Matching m : {Matching::kaggle, Matching::greedy, Matching::optimal}) {
        CziiOptions o;
        o.matching = m;
        o.truth_runs = {"r1", "r2", "r3"};
        for (const auto& t : types) o.min_score[t] = thr;
        const CziiResult r = czii_score(truth, picks, o);
        for (const auto& type : types) {
          const double rad = find_particle_type(czii_particle_types(), type)->radius_A * 0.5;
          int64_t tp = 0, n = 0, truths = 0;
          for (const auto& [pv, sc, tv] : groups[type]) {
            std::vector<Vec3d> kept;
            std::vector<double> ks;
            for (size_t i = 0; i < pv.size(); ++i)
              if (sc[i] >= thr) kept.push_back(pv[i]), ks.push_back(sc[i]);
            n += int64_t(kept.size());
            truths += int64_t(tv.size());
            tp += m == Matching::kaggle ? brute_kaggle_tp(kept, tv, rad)
                  : m == Matching::greedy ? brute_greedy_tp(kept, ks, tv, rad, thr)
                                          : brute_max_matching(kept, tv, rad);
          }
          Counts want{tp, n - tp, truths - tp};
          if (std::none_of(truth.begin(), truth.end(), [&](const PickSet& s) { return s.object == type; }) && n == 0) continue;
          EXPECT_EQ(type_of(r, type).counts, want) << type << " " << matching_name(m) << " threshold " << thr;
          tp_sum[m] += tp;
        }
      }
    }
  }
  EXPECT_GT(tp_sum[Matching::kaggle], tp_sum[Matching::optimal]);
  EXPECT_GT(tp_sum[Matching::optimal], tp_sum[Matching::greedy]);
}

// ---- precision-recall curves ---------------------------------------------------------------------------

TEST(PrCurve, HandWorkedCurve) {
  // Truths T1, T2, T3. Picks: a 0.9 on T1, b 0.8 on T1 again, c 0.7 on T2, d 0.7 nowhere, e 0.2 on T3.
  const std::vector<PickSet> truth = {make("A", "apo-ferritin", {{0, 0, 0}, {1000, 0, 0}, {2000, 0, 0}})};
  const std::vector<PickSet> picks = {make(
      "A", "apo-ferritin", {{1, 0, 0, 0.9}, {0, 2, 0, 0.8}, {1000, 3, 0, 0.7}, {500, 500, 500, 0.7}, {2000, 0, 4, 0.2}})};
  const auto curves = czii_pr_curves(truth, picks, {});
  ASSERT_EQ(curves.size(), 1u);
  const auto& pts = curves[0].points;
  ASSERT_EQ(pts.size(), 4u);
  const double th[] = {0.9, 0.8, 0.7, 0.2};
  const Counts c[] = {{1, 0, 2}, {1, 1, 2}, {2, 2, 1}, {3, 2, 0}};
  const int64_t n[] = {1, 2, 4, 5};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(pts[i].threshold, th[i]);
    EXPECT_EQ(pts[i].counts, c[i]) << i;
    EXPECT_EQ(pts[i].picks, n[i]);
    EXPECT_DOUBLE_EQ(pts[i].rates.fbeta, f_beta(double(c[i].tp), double(c[i].fp), double(c[i].fn), 4));
  }
  EXPECT_EQ(curves[0].best, 3);  // F4(3, 2, 0) = 0.962 beats F4(1, 0, 2) = 0.347
  // Each point is what evaluate says at that threshold.
  for (const auto& p : pts) {
    CziiOptions o;
    o.min_score["apo-ferritin"] = p.threshold;
    EXPECT_EQ(type_of(czii_score(truth, picks, o), "apo-ferritin").counts, p.counts);
  }
}

TEST(PrCurve, TiesGoToTheHigherThreshold) {
  // beta = 1, two truths. a 0.9 hits T1: F1 = 2/3. b 0.5 misses: 1/2. c, d 0.4 hit T2 and miss: 4/6 = 2/3.
  const std::vector<PickSet> truth = {make("A", "ribosome", {{0, 0, 0}, {1000, 0, 0}})};
  const std::vector<PickSet> picks = {
      make("A", "ribosome", {{0, 0, 0, 0.9}, {5000, 0, 0, 0.5}, {1000, 0, 0, 0.4}, {7000, 0, 0, 0.4}})};
  CziiOptions o;
  o.beta = 1;
  const auto curves = czii_pr_curves(truth, picks, o);
  ASSERT_EQ(curves[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(curves[0].points[0].rates.fbeta, 2.0 / 3);
  EXPECT_DOUBLE_EQ(curves[0].points[2].rates.fbeta, 2.0 / 3);
  EXPECT_EQ(curves[0].best, 0);
  EXPECT_EQ(best_point({}), -1);
}

TEST(PrCurve, EveryPointEqualsARecountOnRandomData) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    TypeMatches m;
    const auto truths = random_points(rng, 1 + rng() % 40, 300);
    const auto picks = random_points(rng, rng() % 80, 300);
    m.truths = int64_t(truths.size());
    m.neighbours = find_neighbours(picks, truths, 40);
    for (size_t i = 0; i < picks.size(); ++i) m.scores.push_back(double(rng() % 10) / 10);
    for (const Matching mode : {Matching::kaggle, Matching::greedy, Matching::optimal}) {
      const auto curve = pr_curve(m, mode, 4);
      std::set<double> distinct(m.scores.begin(), m.scores.end());
      ASSERT_EQ(curve.size(), distinct.size());
      for (size_t i = 0; i < curve.size(); ++i) {
        if (i) EXPECT_GT(curve[i - 1].threshold, curve[i].threshold);
        EXPECT_EQ(curve[i].counts, count_matches(m, mode, curve[i].threshold)) << matching_name(mode) << " " << i;
        EXPECT_EQ(curve[i].picks, curve[i].counts.tp + curve[i].counts.fp);
      }
    }
  }
}

// ---- BYU ---------------------------------------------------------------------------------------------------

TEST(ByuScore, TheMetricsDocumentedExample) {
  // The example in the metric's docstring: 4 tomograms at 10 Å, expected 0.35714285714285715.
  test::TempDir d;
  write_file_atomic(d / "train_labels.csv", test::kByuExampleLabels);
  write_file_atomic(d / "submission.csv", test::kByuExampleSubmission);
  EvalRequest req;
  req.truth = d / "train_labels.csv";
  req.picks = d / "submission.csv";
  req.metric = "byu";
  const EvalSetup s = prepare_evaluation(req);
  const ByuResult r = byu_score(s.truth.sets, s.picks.sets, s.byu);
  EXPECT_EQ(r.counts, (Counts{1, 1, 2}));
  EXPECT_EQ(r.tn, 0);
  EXPECT_DOUBLE_EQ(r.rates.fbeta, 0.35714285714285715);
  ASSERT_EQ(r.tomograms.size(), 4u);
  EXPECT_EQ(r.tomograms[2].outcome, ByuOutcome::fn);  // predicted 866 voxels away: a FN, not a FP
  EXPECT_TRUE(r.tomograms[2].predicted);
  EXPECT_NEAR(r.tomograms[2].distance_vox, std::sqrt(3.0) * 500, 1e-9);
  EXPECT_DOUBLE_EQ(r.tomograms[2].threshold_vox, 100);
}

TEST(ByuScore, BoundaryBestPickThresholdAndMissingTomograms) {
  // Spacing 10 Å: the limit is 100 voxels = 1000 Å; exactly on it is a hit (the metric drops only > it).
  const std::vector<PickSet> truth = {make("t1", kMotorObject, {{1000, 1000, 1000}}),
                                      make("t2", kMotorObject, {{1000, 1000, 1000}}), make("t3", kMotorObject, {}),
                                      make("t4", kMotorObject, {{500, 500, 500}}), make("t5", kMotorObject, {})};
  const std::vector<PickSet> picks = {
      make("t1", kMotorObject, {{1000, 1000, 2000, 0.6}}),                            // 100 voxels: TP
      make("t2", kMotorObject, {{1000, 1000, 3000, 0.9}, {1000, 1000, 1000, 0.5}}),  // best is far: FN
      make("t3", kMotorObject, {{10, 10, 10, 0.3}}),                                 // motor-free: FP
      make("t9", kMotorObject, {{10, 10, 10}}),                                      // not in the truth: ignored
  };  // t4 (motor, no picks): FN; t5: TN
  ByuResult r = byu_score(truth, picks, {});
  EXPECT_EQ(r.counts, (Counts{1, 1, 2}));
  EXPECT_EQ(r.tn, 1);
  EXPECT_EQ(r.picks_only_runs, (std::vector<std::string>{"t9"}));
  EXPECT_DOUBLE_EQ(r.rates.fbeta, 5.0 * 1 / (5.0 * 1 + 4 * 2 + 1));
  ByuOptions o;
  o.min_score = 0.5;  // t3's pick goes: FP -> TN
  r = byu_score(truth, picks, o);
  EXPECT_EQ(r.counts, (Counts{1, 0, 2}));
  EXPECT_EQ(r.tn, 2);
  // Just past the limit is a FN.
  const std::vector<PickSet> past = {make("t1", kMotorObject, {{1000, 1000, std::nextafter(2000.0, 3000.0)}})};
  EXPECT_EQ(byu_score({truth[0]}, past, {}).counts, (Counts{0, 0, 1}));
  // Without a spacing anywhere the voxel distance cannot be had.
  auto nosp = truth;
  for (auto& s : nosp) s.voxel_spacing = 0;
  auto picks0 = picks;
  for (auto& s : picks0) s.voxel_spacing = 0;
  const std::string m = test::error_message([&] { byu_score(nosp, picks0, {}); });
  EXPECT_NE(m.find("voxel spacing unknown"), std::string::npos) << m;
  ByuOptions f;
  f.fallback_spacing_A = 10;
  EXPECT_EQ(byu_score(nosp, picks0, f).counts, (Counts{1, 1, 2}));
}

TEST(ByuScore, CurveOverBestPickScores) {
  const std::vector<PickSet> truth = {make("t1", kMotorObject, {{0, 0, 0}}), make("t2", kMotorObject, {{0, 0, 0}}),
                                      make("t3", kMotorObject, {})};
  const std::vector<PickSet> picks = {make("t1", kMotorObject, {{10, 0, 0, 0.8}}), make("t2", kMotorObject, {{9000, 0, 0, 0.9}}),
                                      make("t3", kMotorObject, {{0, 0, 0, 0.4}})};
  const auto curve = byu_pr_curve(truth, picks, {});
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_EQ(curve[0].counts, (Counts{0, 0, 2}));  // t2 predicted, far: FN
  EXPECT_EQ(curve[1].counts, (Counts{1, 0, 1}));
  EXPECT_EQ(curve[2].counts, (Counts{1, 1, 1}));
  for (const auto& p : curve) {
    ByuOptions o;
    o.min_score = p.threshold;
    EXPECT_EQ(byu_score(truth, picks, o).counts, p.counts);
  }
  EXPECT_EQ(best_point(curve), 1);
}

// ---- tuning --------------------------------------------------------------------------------------------------

TEST(Tune, PerTypeThresholdsMaximiseFAndRoundTrip) {
  const std::vector<PickSet> truth = {make("A", "apo-ferritin", {{0, 0, 0}, {1000, 0, 0}, {2000, 0, 0}}),
                                      make("A", "ribosome", {{0, 5000, 0}}), make("A", "thyroglobulin", {{0, 9000, 0}})};
  const double odd = 0.1 + 0.2;  // not a short decimal: must survive the file bit-exactly
  const std::vector<PickSet> picks = {
      make("A", "apo-ferritin", {{1, 0, 0, 0.9}, {0, 2, 0, 0.8}, {1000, 3, 0, 0.7}, {500, 500, 500, 0.7}, {2000, 0, 4, 0.2}}),
      make("A", "ribosome", {{0, 5000, 0, odd}, {9000, 9000, 0, 0.95}}),
      make("A", "thyroglobulin", {{7000, 7000, 7000, 0.5}}),  // nothing good: keep none
      make("A", "beta-amylase", {{0, 0, 9000, 0.5}}),         // no truth: not tuned
  };
  CziiOptions o;
  const Thresholds t = tune_czii(czii_pr_curves(truth, picks, o), o);
  ASSERT_EQ(t.types.size(), 3u);
  ASSERT_TRUE(t.find("apo-ferritin")->threshold);
  EXPECT_EQ(*t.find("apo-ferritin")->threshold, 0.2);
  EXPECT_EQ(*t.find("ribosome")->threshold, odd);  // keeping the 0.95 FP as well lowers F
  EXPECT_EQ(t.find("ribosome")->at.counts, (Counts{1, 1, 0}));
  EXPECT_FALSE(t.find("thyroglobulin")->threshold);
  EXPECT_EQ(t.find("thyroglobulin")->at.counts, (Counts{0, 0, 1}));
  EXPECT_EQ(t.find("beta-amylase"), nullptr);
  const double want = (1 * f_beta(3, 2, 0, 4) + 1 * f_beta(1, 1, 0, 4) + 2 * 0.0) / 4;
  EXPECT_DOUBLE_EQ(t.expected_score, want);

  test::TempDir d;
  write_thresholds(d / "thresholds.json", t);
  const Thresholds back = read_thresholds(d / "thresholds.json");
  EXPECT_EQ(back.metric, "czii");
  EXPECT_EQ(back.beta, 4);
  EXPECT_EQ(*back.find("ribosome")->threshold, odd);
  EXPECT_FALSE(back.find("thyroglobulin")->threshold);
  // Applying them reproduces the expected score.
  o.min_score = back.min_scores();
  EXPECT_DOUBLE_EQ(czii_score(truth, picks, o).score, want);

  write_file_atomic(d / "bad.json", "{\"thresholds\": {\"ribosome\": \"high\"}}");
  const std::string m = test::error_message([&] { read_thresholds(d / "bad.json"); });
  EXPECT_NE(m.find("bad.json"), std::string::npos) << m;
  EXPECT_NE(m.find("thresholds.ribosome"), std::string::npos) << m;
}

TEST(Tune, PartialLabelsGivePositiveUnlabelledThresholds) {
  // 20 particles scoring 0.95, 0.93, ... 0.57 along x, 40 background peaks scoring 0.05 ... 0.44 far
  // away; the labels are 4 of the particles (a user's few picks), one more label has no pick near it.
  std::vector<P> particles, background;
  for (int i = 0; i < 20; ++i) particles.push_back({1000.0 * i, 0, 0, 0.95 - 0.02 * i});
  for (int i = 0; i < 40; ++i) background.push_back({1000.0 * i, 20000, 0, 0.05 + 0.01 * i});
  std::vector<P> labelled;
  for (int i : {1, 6, 11, 16}) labelled.push_back({1000.0 * i + 30, 20, -10});  // within 75 Å
  auto picks_of = [&](const std::vector<P>& a) {
    std::vector<P> all = a;
    all.insert(all.end(), background.begin(), background.end());
    return all;
  };
  const std::vector<PickSet> picks = {make("A", "ribosome", picks_of(particles))};
  const std::vector<PickSet> labels = {make("A", "ribosome", labelled)};
  CziiOptions o;
  Thresholds t = tune_partial(labels, picks, o);
  EXPECT_EQ(t.metric, "pu");
  ASSERT_EQ(t.types.size(), 1u);
  const auto& r = t.types[0];
  // The lowest labelled particle's score: every particle kept, no background peak.
  ASSERT_TRUE(r.threshold);
  EXPECT_EQ(*r.threshold, 0.95 - 0.02 * 16);
  EXPECT_EQ(r.at.picks, 17);
  EXPECT_EQ(r.at.counts, (Counts{4, 0, 0}));
  EXPECT_DOUBLE_EQ(r.at.rates.recall, 1.0);
  EXPECT_GE(r.estimated_count, 12);  // about the 20 there are, from 4 labels
  EXPECT_LE(r.estimated_count, 20);
  // A label far from every pick is simply not found; a given count replaces the estimate.
  labelled.push_back({500, 90000, 0});
  PartialTuneOptions po;
  po.expected["ribosome"] = 40;
  t = tune_partial({make("A", "ribosome", labelled)}, picks, o, po);
  EXPECT_EQ(t.types[0].at.counts, (Counts{4, 0, 1}));
  EXPECT_EQ(t.types[0].estimated_count, 40);
  // Through thresholds.json and back.
  test::TempDir d;
  write_thresholds(d / "t.json", t);
  const auto back = read_thresholds(d / "t.json");
  EXPECT_EQ(back.metric, "pu");
  EXPECT_EQ(*back.find("ribosome")->threshold, 0.95 - 0.02 * 16);
  // Labels of a type without a radius, or no labels at all, are errors saying so.
  test::expect_error([&] { tune_partial({make("A", "blob", labelled)}, picks, o); }, "truth", "--radius blob=");
  test::expect_error([&] { tune_partial({make("A", "ribosome", {})}, picks, o); }, "truth", "no labelled picks");
}

TEST(Tune, OneMotorThresholdForByu) {
  const std::vector<PickSet> truth = {make("t1", kMotorObject, {{0, 0, 0}}), make("t2", kMotorObject, {{0, 0, 0}}),
                                      make("t3", kMotorObject, {}), make("t4", kMotorObject, {})};
  const std::vector<PickSet> picks = {make("t1", kMotorObject, {{10, 0, 0, 0.8}}), make("t2", kMotorObject, {{0, 10, 0, 0.3}}),
                                      make("t3", kMotorObject, {{0, 0, 0, 0.9}}), make("t4", kMotorObject, {{0, 0, 0, 0.2}})};
  ByuOptions o;
  const Thresholds t = tune_byu(byu_pr_curve(truth, picks, o), 2, o);
  ASSERT_EQ(t.types.size(), 1u);
  // >= 0.9: FP only (F 0); >= 0.8: TP 1 FP 1 FN 1 (F2 0.5); >= 0.3: TP 2 FP 1 (F2 10/11); >= 0.2: TP 2 FP 2 (F2 5/6).
  EXPECT_EQ(*t.types[0].threshold, 0.3);
  EXPECT_DOUBLE_EQ(t.expected_score, 10.0 / 11);
  test::TempDir d;
  write_thresholds(d / "t.json", t);
  EXPECT_EQ(read_thresholds(d / "t.json").metric, "byu");
}
