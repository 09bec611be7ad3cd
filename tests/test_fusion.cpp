#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "test_support.h"
#include "tomopick/pick/fusion.h"

using namespace tomopick;
using tomopick::test::expect_error;

namespace {

Pick pk(double x, double y, double z, double score) { return Pick{x, y, z, score}; }

FusionOptions radius(double r, FusionOptions::Score s = FusionOptions::Score::wbf) {
  FusionOptions o;
  o.match_radius_A = r;
  o.score = s;
  return o;
}

// The same greedy clustering written plainly (all pairs), to check the spatial hash against.
std::vector<Pick> fuse_brute_force(const std::vector<std::vector<Pick>>& lists, const std::vector<double>& w, double r) {
  struct E {
    Pick p;
    size_t m, i;
  };
  std::vector<E> all;
  for (size_t m = 0; m < lists.size(); ++m)
    for (size_t i = 0; i < lists[m].size(); ++i) all.push_back({lists[m][i], m, i});
  std::sort(all.begin(), all.end(), [](const E& a, const E& b) {
    return std::make_tuple(-a.p.score, a.p.z, a.p.y, a.p.x, a.m, a.i) <
           std::make_tuple(-b.p.score, b.p.z, b.p.y, b.p.x, b.m, b.i);
  });
  struct C {
    double ws = 0, wx = 0, wy = 0, wz = 0, cx = 0, cy = 0, cz = 0;
    std::vector<size_t> models;
  };
  std::vector<C> cs;
  for (const E& e : all) {
    int best = -1;
    double bd = 0;
    for (size_t k = 0; k < cs.size(); ++k) {
      const double d = (cs[k].cx - e.p.x) * (cs[k].cx - e.p.x) + (cs[k].cy - e.p.y) * (cs[k].cy - e.p.y) +
                       (cs[k].cz - e.p.z) * (cs[k].cz - e.p.z);
      if (d > r * r || std::count(cs[k].models.begin(), cs[k].models.end(), e.m)) continue;
      if (best < 0 || d < bd) {
        best = int(k);
        bd = d;
      }
    }
    if (best < 0) {
      cs.emplace_back();
      best = int(cs.size() - 1);
    }
    C& c = cs[size_t(best)];
    const double ww = e.p.score * w[e.m];
    c.ws += ww;
    c.wx += ww * e.p.x;
    c.wy += ww * e.p.y;
    c.wz += ww * e.p.z;
    c.cx = c.wx / c.ws;
    c.cy = c.wy / c.ws;
    c.cz = c.wz / c.ws;
    c.models.push_back(e.m);
  }
  double total = 0;
  for (double x : w) total += x;
  std::vector<Pick> out;
  for (const C& c : cs) out.push_back(pk(c.cx, c.cy, c.cz, c.ws / total));
  std::sort(out.begin(), out.end(), [](const Pick& a, const Pick& b) {
    return std::make_tuple(-a.score, a.z, a.y, a.x) < std::make_tuple(-b.score, b.z, b.y, b.x);
  });
  return out;
}

}  // namespace

TEST(Fusion, TwoModelsThatAgreeGiveOneWeightedPick) {
  // model 0 (weight 2): x = 100, score 0.8; model 1 (weight 1): x = 110, score 0.4
  const auto f = fuse_picks({{pk(100, 50, 20, 0.8)}, {pk(110, 50, 20, 0.4)}}, {2, 1}, radius(30));
  ASSERT_EQ(f.size(), 1u);
  // centre weighted by score × weight: (1.6 * 100 + 0.4 * 110) / 2.0 = 102
  EXPECT_NEAR(f[0].x, 102.0, 1e-12);
  EXPECT_NEAR(f[0].y, 50.0, 1e-12);
  EXPECT_NEAR(f[0].z, 20.0, 1e-12);
  // WBF score: (1.6 + 0.4) / (2 + 1)
  EXPECT_NEAR(f[0].score, 2.0 / 3.0, 1e-12);
  // equal weights: centre (0.8 * 100 + 0.4 * 110) / 1.2, score 1.2 / 2
  const auto e = fuse_picks({{pk(100, 0, 0, 0.8)}, {pk(110, 0, 0, 0.4)}}, {}, radius(30));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NEAR(e[0].x, 124.0 / 1.2, 1e-12);
  EXPECT_NEAR(e[0].score, 0.6, 1e-12);
}

TEST(Fusion, ALonePickKeepsItsShareOfTheWeightsOrItsScoreWithTheMeanOption) {
  const std::vector<std::vector<Pick>> lists = {{pk(0, 0, 0, 0.9)}, {}, {pk(500, 0, 0, 0.6)}};
  const auto wbf = fuse_picks(lists, {1, 1, 2}, radius(50));
  ASSERT_EQ(wbf.size(), 2u);
  EXPECT_NEAR(wbf[0].score, 0.6 * 2 / 4, 1e-12);  // 0.3
  EXPECT_NEAR(wbf[1].score, 0.9 * 1 / 4, 1e-12);  // 0.225
  EXPECT_DOUBLE_EQ(wbf[1].x, 0.0);
  const auto mean = fuse_picks(lists, {1, 1, 2}, radius(50, FusionOptions::Score::mean));
  ASSERT_EQ(mean.size(), 2u);
  EXPECT_NEAR(mean[0].score, 0.9, 1e-12);
  EXPECT_NEAR(mean[1].score, 0.6, 1e-12);
  // mean over members, weighted: (0.8 * 2 + 0.5 * 1) / 3
  const auto both = fuse_picks({{pk(0, 0, 0, 0.8)}, {pk(5, 0, 0, 0.5)}}, {2, 1}, radius(50, FusionOptions::Score::mean));
  ASSERT_EQ(both.size(), 1u);
  EXPECT_NEAR(both[0].score, 2.1 / 3, 1e-12);
}

TEST(Fusion, FarPicksStayApartAndOneModelNeverVotesTwice) {
  // beyond the radius: two picks
  EXPECT_EQ(fuse_picks({{pk(0, 0, 0, 0.9)}, {pk(0, 31, 0, 0.9)}}, {}, radius(30)).size(), 2u);
  // exactly at the radius: joined
  EXPECT_EQ(fuse_picks({{pk(0, 0, 0, 0.9)}, {pk(0, 30, 0, 0.9)}}, {}, radius(30)).size(), 1u);
  // model 0 has two picks 10 Å apart: two clusters; model 1's pick at x = 12 joins the nearer one
  // (x = 10), not the higher-scoring one at x = 0
  const auto f = fuse_picks({{pk(0, 0, 0, 0.9), pk(10, 0, 0, 0.8)}, {pk(12, 0, 0, 0.7)}}, {}, radius(30));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NEAR(f[0].x, (0.8 * 10 + 0.7 * 12) / 1.5, 1e-12);
  EXPECT_NEAR(f[0].score, 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(f[1].x, 0.0);
  EXPECT_NEAR(f[1].score, 0.45, 1e-12);
  // model 1's second pick (x = 10) is nearest to the cluster at x ≈ 1.4, which already holds model
  // 1's pick at x = 3: it joins the next cluster within reach (x = 25) instead
  const auto g = fuse_picks({{pk(0, 0, 0, 0.9), pk(25, 0, 0, 0.85)}, {pk(3, 0, 0, 0.8), pk(10, 0, 0, 0.7)}}, {},
                            radius(30));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_NEAR(g[0].x, (0.8 * 3) / 1.7, 1e-12);
  EXPECT_NEAR(g[0].score, 0.85, 1e-12);
  EXPECT_NEAR(g[1].x, (0.85 * 25 + 0.7 * 10) / 1.55, 1e-12);
  EXPECT_NEAR(g[1].score, 0.775, 1e-12);
  // when no other cluster is within reach, it starts its own
  const auto h = fuse_picks({{pk(0, 0, 0, 0.9)}, {pk(3, 0, 0, 0.8), pk(10, 0, 0, 0.7)}}, {}, radius(30));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_NEAR(h[1].x, 10.0, 1e-12);
  EXPECT_NEAR(h[1].score, 0.35, 1e-12);
}

TEST(Fusion, ResultDoesNotDependOnInputOrderAndMatchesAllPairs) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> pos(0, 400);
  std::uniform_int_distribution<int> sc(1, 4);  // few distinct scores: many ties
  std::vector<std::vector<Pick>> lists(3);
  for (auto& l : lists)
    for (int i = 0; i < 300; ++i) l.push_back(pk(pos(rng), pos(rng), pos(rng), 0.2 * sc(rng)));
  const std::vector<double> w = {1, 2, 0.5};
  const auto ref = fuse_picks(lists, w, radius(25));
  EXPECT_LT(ref.size(), 900u);  // clusters did form
  EXPECT_GT(ref.size(), 300u);
  EXPECT_EQ(ref.size(), fuse_brute_force(lists, w, 25).size());
  const auto brute = fuse_brute_force(lists, w, 25);
  for (size_t i = 0; i < std::min(ref.size(), brute.size()); ++i) {
    EXPECT_NEAR(ref[i].x, brute[i].x, 1e-9);
    EXPECT_NEAR(ref[i].score, brute[i].score, 1e-12);
  }
  // shuffled lists, and the models in another order with their weights
  auto shuffled = lists;
  for (auto& l : shuffled) std::shuffle(l.begin(), l.end(), rng);
  EXPECT_EQ(fuse_picks(shuffled, w, radius(25)), ref);
  EXPECT_EQ(fuse_picks({shuffled[2], shuffled[0], shuffled[1]}, {0.5, 1, 2}, radius(25)), ref);
}

TEST(Fusion, SparsePicksOverAHugeBoxStillMatch) {
  // 1 Å radius over a 10^7 Å box: the cell grid coarsens to stay small, matching is unchanged
  const auto f = fuse_picks({{pk(0, 0, 0, 0.9), pk(1e7, 5e6, 0, 0.8)}, {pk(1e7 + 0.5, 5e6, 0.5, 0.6), pk(0, 0, 1.5, 0.7)}},
                            {}, radius(1));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[0].score, 0.7, 1e-12);  // (0.8 + 0.6) / 2
  EXPECT_NEAR(f[0].x, 1e7 + 0.6 * 0.5 / 1.4, 1e-6);
  EXPECT_NEAR(f[1].score, 0.45, 1e-12);
  EXPECT_NEAR(f[2].z, 1.5, 1e-12);
  const auto d = dedupe_picks({pk(0, 0, 0, 0.9), pk(1e7, 0, 0, 0.8), pk(1e7, 0.5, 0, 0.7)}, 1);
  EXPECT_EQ(d.size(), 2u);
}

TEST(Fusion, DedupeKeepsTheHighestScoreWithinTheRadius) {
  const std::vector<Pick> picks = {pk(0, 0, 0, 0.5), pk(5, 0, 0, 0.9), pk(20, 0, 0, 0.3), pk(15, 0, 0, 0.2),
                                   pk(5, 0, 300, 0.1)};
  const auto d = dedupe_picks(picks, 10);
  // by score: 5 (0.9) kept; 0 (0.5) is 5 Å from it: dropped; 20 (0.3) kept; 15 (0.2) is exactly 10 Å
  // from the first (not closer) but 5 Å from 20: dropped; the one at z = 300 kept
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], picks[1]);
  EXPECT_EQ(d[1], picks[2]);
  EXPECT_EQ(d[2], picks[4]);
  const auto e = dedupe_picks({pk(0, 0, 0, 0.5), pk(10, 0, 0, 0.4)}, 10);
  EXPECT_EQ(e.size(), 2u);  // exactly at the radius is not closer than it
}

TEST(Fusion, PickSetsAndBadInput) {
  PickSet a, b;
  a.object = b.object = "ribosome";
  a.run = b.run = "TS_1";
  a.points = {pk(0, 0, 0, 0.8)};
  b.points = {pk(3, 0, 0, 0.8)};
  const PickSet f = fuse_pick_sets({a, b}, {}, radius(20));
  EXPECT_EQ(f.object, "ribosome");
  EXPECT_EQ(f.run, "TS_1");
  ASSERT_EQ(f.points.size(), 1u);
  EXPECT_NEAR(f.points[0].x, 1.5, 1e-12);
  b.object = "apo-ferritin";
  expect_error([&] { fuse_pick_sets({a, b}, {}, radius(20)); }, "fusion", "cannot fuse picks of TS_1/apo-ferritin");
  expect_error([&] { fuse_picks({{}, {}}, {1}, radius(20)); }, "fusion", "1 weights for 2 models");
  expect_error([&] { fuse_picks({{}, {}}, {1, -1}, radius(20)); }, "fusion", "model 1's weight must be >= 0");
  expect_error([&] { fuse_picks({{}, {}}, {0, 0}, radius(20)); }, "fusion", "all model weights are 0");
  expect_error([&] { fuse_picks({{}}, {}, radius(0)); }, "fusion", "radius must be positive");
  expect_error([&] { fuse_picks({{pk(std::nan(""), 0, 0, 1)}}, {}, radius(5)); }, "fusion", "non-finite");
  expect_error([&] { dedupe_picks({}, -1); }, "dedupe", "radius must be positive");
}
