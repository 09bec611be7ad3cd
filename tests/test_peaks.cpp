#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "test_support.h"
#include "tomopick/pick/peaks.h"
#include "tomopick/targets/targets.h"

using namespace tomopick;
using tomopick::test::expect_error;

namespace {

struct Blob {
  double x, y, z;  // Å
  double amp;
  double sigma_A;
};

// Å of a global heatmap voxel, written out from the targets' convention (not via the code under test).
double centre_A(double j, int stride, double spacing) { return ((j + 0.5) * stride - 0.5) * spacing; }

// A heatmap block holding the voxel-wise maximum of Gaussian blobs placed in Å.
Volume<float> blob_heatmap(const Shape3& shape, const HeatmapGrid& g, const std::vector<Blob>& blobs) {
  Volume<float> h(shape, {g.input_spacing_A.z * g.stride, g.input_spacing_A.y * g.stride, g.input_spacing_A.x * g.stride});
  for (int64_t z = 0; z < shape.z; ++z)
    for (int64_t y = 0; y < shape.y; ++y)
      for (int64_t x = 0; x < shape.x; ++x) {
        const double az = centre_A(double(g.offset_vox.z + z), g.stride, g.input_spacing_A.z);
        const double ay = centre_A(double(g.offset_vox.y + y), g.stride, g.input_spacing_A.y);
        const double ax = centre_A(double(g.offset_vox.x + x), g.stride, g.input_spacing_A.x);
        double v = 0;
        for (const Blob& b : blobs) {
          const double d2 = (ax - b.x) * (ax - b.x) + (ay - b.y) * (ay - b.y) + (az - b.z) * (az - b.z);
          v = std::max(v, b.amp * std::exp(-d2 / (2 * b.sigma_A * b.sigma_A)));
        }
        h(z, y, x) = float(v);
      }
  return h;
}

HeatmapGrid grid_of(double spacing, int stride = 1, Index3 offset = {}) {
  HeatmapGrid g;
  g.stride = stride;
  g.input_spacing_A = {spacing, spacing, spacing};
  g.offset_vox = offset;
  return g;
}

PeakOptions opts_of(double nms_radius_A, float threshold, bool subvoxel = true) {
  PeakOptions o;
  o.nms_radius_A = nms_radius_A;
  o.threshold = threshold;
  o.subvoxel = subvoxel;
  return o;
}

// The pick nearest to (x, y, z) Å.
const Pick& nearest(const std::vector<Pick>& picks, double x, double y, double z) {
  auto d2 = [&](const Pick& p) { return (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y) + (p.z - z) * (p.z - z); };
  return *std::min_element(picks.begin(), picks.end(), [&](const Pick& a, const Pick& b) { return d2(a) < d2(b); });
}

bool by_score_then_position(const Pick& a, const Pick& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.z != b.z) return a.z < b.z;
  if (a.y != b.y) return a.y < b.y;
  return a.x < b.x;
}

}  // namespace

TEST(Peaks, GaussianBlobsAreFoundAtTheirSubvoxelPositionsWithTheirAmplitude) {
  // spacing 10 Å, σ 20 Å (2 voxels); centres off the voxel grid and off half-voxels
  const std::vector<Blob> blobs = {{103.4, 147.2, 96.7, 0.9, 20},
                                   {311.7, 224.4, 178.2, 0.7, 20},
                                   {226.1, 82.9, 253.6, 0.55, 20}};
  const HeatmapGrid g = grid_of(10);
  const auto h = blob_heatmap({32, 30, 40}, g, blobs);
  const auto picks = find_peaks(h, g, opts_of(30, 0.3f));
  ASSERT_EQ(picks.size(), 3u);
  // sorted by descending score
  EXPECT_GT(picks[0].score, picks[1].score);
  EXPECT_GT(picks[1].score, picks[2].score);
  for (const Blob& b : blobs) {
    const Pick& p = nearest(picks, b.x, b.y, b.z);
    EXPECT_NEAR(p.x, b.x, 1.5) << "0.15 voxel";
    EXPECT_NEAR(p.y, b.y, 1.5);
    EXPECT_NEAR(p.z, b.z, 1.5);
    EXPECT_NEAR(p.score, b.amp, 1e-4);  // log-parabola: exact for a Gaussian
  }
  // without refinement: the voxel itself (103.4 Å -> voxel 10 -> 100 Å) and its value
  const auto coarse = find_peaks(h, g, opts_of(30, 0.3f, false));
  ASSERT_EQ(coarse.size(), 3u);
  const Pick& c = nearest(coarse, 103.4, 147.2, 96.7);
  EXPECT_DOUBLE_EQ(c.x, 100.0);
  EXPECT_DOUBLE_EQ(c.y, 150.0);
  EXPECT_DOUBLE_EQ(c.z, 100.0);
  EXPECT_EQ(c.score, double(h(10, 15, 10)));
  EXPECT_LT(c.score, 0.9);
}

TEST(Peaks, MaxPoolMatchesTheBruteForceDefinitionOnNoise) {
  // anisotropic voxels (z 12, y 10, x 7 Å), radius 25 Å: cube half-widths (2, 2, 3); large enough to
  // run the parallel path
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  Volume<float> h({48, 50, 60});
  for (size_t i = 0; i < h.size(); ++i) h.data()[i] = u(rng);
  HeatmapGrid g;
  g.input_spacing_A = {12, 10, 7};
  const auto picks = find_peaks(h, g, opts_of(25, 0.5f, false));
  std::vector<Pick> expected;
  const Shape3 s = h.shape();
  for (int64_t z = 0; z < s.z; ++z)
    for (int64_t y = 0; y < s.y; ++y)
      for (int64_t x = 0; x < s.x; ++x) {
        const float v = h(z, y, x);
        if (v < 0.5f) continue;
        bool is_max = true;
        for (int64_t dz = -2; dz <= 2 && is_max; ++dz)
          for (int64_t dy = -2; dy <= 2 && is_max; ++dy)
            for (int64_t dx = -3; dx <= 3 && is_max; ++dx)
              if (h.contains(z + dz, y + dy, x + dx) && h(z + dz, y + dy, x + dx) > v) is_max = false;
        if (!is_max) continue;
        Pick p;
        p.x = x * 7.0;
        p.y = y * 10.0;
        p.z = z * 12.0;
        p.score = v;
        expected.push_back(p);
      }
  std::sort(expected.begin(), expected.end(), by_score_then_position);
  ASSERT_GT(expected.size(), 100u);
  EXPECT_EQ(picks, expected);
}

TEST(Peaks, StridedGridsGiveHandComputedAngstrom) {
  // a single spike at heatmap voxel (z, y, x) = (3, 4, 5)
  Volume<float> h({8, 8, 8});
  h(3, 4, 5) = 0.8f;
  {
    // stride 2, 10 Å: x = ((5 + 0.5) * 2 - 0.5) * 10 = 105, y = 85, z = 65
    const auto p = find_peaks(h, grid_of(10, 2), opts_of(40, 0.5f));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_DOUBLE_EQ(p[0].x, 105.0);
    EXPECT_DOUBLE_EQ(p[0].y, 85.0);
    EXPECT_DOUBLE_EQ(p[0].z, 65.0);
    EXPECT_FLOAT_EQ(float(p[0].score), 0.8f);
  }
  {
    // stride 4, anisotropic spacing (z 8, y 10, x 12 Å), block offset (1, 0, 2):
    // x = ((7 + 0.5) * 4 - 0.5) * 12 = 354, y = ((4.5) * 4 - 0.5) * 10 = 175, z = ((4.5) * 4 - 0.5) * 8 = 140
    HeatmapGrid g;
    g.stride = 4;
    g.input_spacing_A = {8, 10, 12};
    g.offset_vox = {1, 0, 2};
    const auto p = find_peaks(h, g, opts_of(100, 0.5f));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_DOUBLE_EQ(p[0].x, 354.0);
    EXPECT_DOUBLE_EQ(p[0].y, 175.0);
    EXPECT_DOUBLE_EQ(p[0].z, 140.0);
  }
  // the inverse of the training targets: heatmaps made from picks at stride 2 give those picks back
  PickSet truth;
  truth.object = "a";
  truth.points = {Pick{101.3, 143.9, 88.2}, Pick{262.6, 77.4, 205.1}};
  TargetSpec spec;
  spec.classes = {{"a", 60, 20}};
  spec.stride = 2;
  const auto maps = gaussian_heatmaps({{}, {32, 24, 32}}, {10, 10, 10}, {truth}, spec);
  const auto found = find_peaks(maps[0], grid_of(10, 2), opts_of(30, 0.5f));
  ASSERT_EQ(found.size(), 2u);
  for (const Pick& t : truth.points) {
    const Pick& p = nearest(found, t.x, t.y, t.z);
    EXPECT_NEAR(p.x, t.x, 3.0) << "0.15 heatmap voxel = 3 Å";
    EXPECT_NEAR(p.y, t.y, 3.0);
    EXPECT_NEAR(p.z, t.z, 3.0);
    EXPECT_NEAR(p.score, 1.0, 1e-3);
  }
}

TEST(Peaks, SuppressionRemovesAWeakerBlobWithinTheRadiusOnly) {
  // σ 10 Å at 10 Å spacing: three separate local maxima along x, 30 Å and 60 Å from the strong one
  const std::vector<Blob> blobs = {{100, 100, 100, 0.9, 10}, {130, 100, 100, 0.6, 10}, {160, 100, 100, 0.6 + 1e-3, 10}};
  const HeatmapGrid g = grid_of(10);
  const auto h = blob_heatmap({20, 20, 24}, g, blobs);
  // radius 40 Å = 4 voxels: the blob at 130 (3 voxels from the strong one) goes; the one at 160
  // (6 voxels away) stays
  const auto p40 = find_peaks(h, g, opts_of(40, 0.3f));
  ASSERT_EQ(p40.size(), 2u);
  EXPECT_NEAR(p40[0].x, 100, 0.5);
  EXPECT_NEAR(p40[1].x, 160, 0.5);
  // radius 20 Å: all three survive
  const auto p20 = find_peaks(h, g, opts_of(20, 0.3f));
  ASSERT_EQ(p20.size(), 3u);
  EXPECT_NEAR(nearest(p20, 130, 100, 100).x, 130, 0.5);
  // the cube is per axis in voxels of the heatmap spacing: 40 Å at stride 2 (20 Å voxels) is 2 voxels
  Volume<float> s({10, 10, 10});
  s(5, 5, 2) = 0.9f;
  s(5, 5, 5) = 0.7f;  // 3 voxels away: outside the 2-voxel cube
  s(5, 5, 7) = 0.6f;  // 2 voxels from 0.7: suppressed
  const auto st = find_peaks(s, grid_of(10, 2), opts_of(40, 0.5f, false));
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[1].score, double(0.7f));
}

TEST(Peaks, PlateausGiveOnePeak) {
  const HeatmapGrid g = grid_of(10);
  {
    // a flat 3 x 2 x 4 block of 0.8: one peak, at the plateau's centre
    Volume<float> h({12, 12, 12});
    for (int64_t z = 4; z < 7; ++z)
      for (int64_t y = 5; y < 7; ++y)
        for (int64_t x = 2; x < 6; ++x) h(z, y, x) = 0.8f;
    const auto p = find_peaks(h, g, opts_of(10, 0.5f));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_DOUBLE_EQ(p[0].z, 50.0);
    EXPECT_DOUBLE_EQ(p[0].y, 55.0);
    EXPECT_DOUBLE_EQ(p[0].x, 35.0);
    EXPECT_FLOAT_EQ(float(p[0].score), 0.8f);
    // without refinement: its first voxel in z, y, x order
    const auto c = find_peaks(h, g, opts_of(10, 0.5f, false));
    ASSERT_EQ(c.size(), 1u);
    EXPECT_DOUBLE_EQ(c[0].z, 40.0);
    EXPECT_DOUBLE_EQ(c[0].y, 50.0);
    EXPECT_DOUBLE_EQ(c[0].x, 20.0);
  }
  {
    // a Gaussian centred exactly between voxels 10 and 11 along x: two equal maxima, one pick at 10.5
    const auto h = blob_heatmap({16, 16, 20}, g, {{105, 80, 70, 0.9, 20}});
    ASSERT_EQ(h(7, 8, 10), h(7, 8, 11));
    const auto p = find_peaks(h, g, opts_of(30, 0.5f));
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NEAR(p[0].x, 105.0, 1e-9);
    EXPECT_NEAR(p[0].y, 80.0, 1e-6);
    EXPECT_NEAR(p[0].z, 70.0, 1e-6);
  }
  {
    // equal spikes that do not touch: within the cube only the first (z, y, x order) is kept
    Volume<float> h({12, 12, 12});
    h(6, 6, 3) = 0.7f;
    h(6, 6, 5) = 0.7f;  // 2 voxels away, radius 3 voxels
    h(6, 9, 11) = 0.7f; // 6 voxels from (6,6,5) in x: kept
    const auto p = find_peaks(h, g, opts_of(30, 0.5f, false));
    ASSERT_EQ(p.size(), 2u);
    EXPECT_DOUBLE_EQ(p[0].x, 30.0);
    EXPECT_DOUBLE_EQ(p[1].x, 110.0);
  }
}

TEST(Peaks, ThresholdIsInclusiveAndMaxPeaksKeepsTheHighest) {
  Volume<float> h({10, 10, 30});
  const float v[] = {0.2f, 0.5f, 0.7f, 0.9f, 0.4999f};
  for (int i = 0; i < 5; ++i) h(5, 5, 2 + 6 * i) = v[i];
  const HeatmapGrid g = grid_of(10);
  const auto p = find_peaks(h, g, opts_of(20, 0.5f));
  ASSERT_EQ(p.size(), 3u);
  EXPECT_FLOAT_EQ(float(p[0].score), 0.9f);
  EXPECT_FLOAT_EQ(float(p[1].score), 0.7f);
  EXPECT_FLOAT_EQ(float(p[2].score), 0.5f);
  EXPECT_DOUBLE_EQ(p[2].x, 80.0);
  PeakOptions o = opts_of(20, 0.1f);
  o.max_peaks = 2;
  const auto top = find_peaks(h, g, o);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_FLOAT_EQ(float(top[0].score), 0.9f);
  EXPECT_FLOAT_EQ(float(top[1].score), 0.7f);
  EXPECT_EQ(find_peaks(h, g, opts_of(20, 0.95f)).size(), 0u);
  EXPECT_EQ(find_peaks(h, g, opts_of(20, 0.1f)).size(), 5u);
}

TEST(Peaks, SlabsWithAHaloGiveExactlyThePicksOfTheWholeVolume) {
  // many overlapping blobs of random amplitude plus noise, at stride 2
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uz(0, 600), uy(0, 560), ux(0, 640), ua(0.2, 1.0), un(0, 0.05);
  std::vector<Blob> blobs;
  for (int i = 0; i < 80; ++i) blobs.push_back({ux(rng), uy(rng), uz(rng), ua(rng), 25});
  const HeatmapGrid whole_grid = grid_of(7, 2);
  const Shape3 shape{44, 40, 46};
  Volume<float> h = blob_heatmap(shape, whole_grid, blobs);
  for (size_t i = 0; i < h.size(); ++i) h.data()[i] += float(un(rng));
  PeakOptions o = opts_of(45, 0.15f);  // 45 Å at 14 Å voxels: cube half-width 3
  auto whole = find_peaks(h, whole_grid, o);
  ASSERT_GT(whole.size(), 30u);

  const int64_t halo = 3;
  for (const Index3 core_size : {Index3{7, 40, 46}, Index3{16, 13, 20}}) {
    std::vector<Pick> pieces;
    for (int64_t z0 = 0; z0 < shape.z; z0 += core_size.z)
      for (int64_t y0 = 0; y0 < shape.y; y0 += core_size.y)
        for (int64_t x0 = 0; x0 < shape.x; x0 += core_size.x) {
          const Box core_global = Box{{z0, y0, x0}, core_size}.clipped(shape);
          const Box block = Box{{z0 - halo, y0 - halo, x0 - halo},
                                {core_size.z + 2 * halo, core_size.y + 2 * halo, core_size.x + 2 * halo}}
                                .clipped(shape);
          const Volume<float> piece = h.crop(block);
          const Box core{{core_global.begin.z - block.begin.z, core_global.begin.y - block.begin.y,
                          core_global.begin.x - block.begin.x},
                         core_global.shape};
          const auto found = find_peaks(piece, grid_of(7, 2, block.begin), o, &core);
          pieces.insert(pieces.end(), found.begin(), found.end());
        }
    std::sort(pieces.begin(), pieces.end(), by_score_then_position);
    std::sort(whole.begin(), whole.end(), by_score_then_position);
    EXPECT_EQ(pieces, whole) << "core " << core_size.str();
  }
  // without the halo the block edges invent peaks
  std::vector<Pick> no_halo;
  for (int64_t z0 = 0; z0 < shape.z; z0 += 7) {
    const Box block = Box{{z0, 0, 0}, {7, shape.y, shape.x}}.clipped(shape);
    const auto found = find_peaks(h.crop(block), grid_of(7, 2, block.begin), o);
    no_halo.insert(no_halo.end(), found.begin(), found.end());
  }
  EXPECT_GT(no_halo.size(), whole.size());
}

TEST(Peaks, ComponentCentroids) {
  Volume<float> h({10, 10, 10});
  h(2, 2, 2) = 1.0f;
  h(2, 2, 3) = 0.5f;    // same component: centroid x = (2 * 1 + 3 * 0.5) / 1.5
  h(6, 6, 6) = 0.6f;
  h(7, 7, 7) = 0.6f;    // touches (6,6,6) by a corner: 26-connected
  h(2, 8, 8) = 0.9f;    // a single voxel
  h(5, 1, 1) = 0.3f;    // below threshold
  PeakOptions o = opts_of(0, 0.4f);
  o.centroid = true;
  const HeatmapGrid g = grid_of(10);
  auto p = find_peaks(h, g, o);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_FLOAT_EQ(float(p[0].score), 1.0f);
  EXPECT_NEAR(p[0].x, 10 * (2.0 + 1.5) / 1.5, 1e-9);
  EXPECT_NEAR(p[0].y, 20.0, 1e-9);
  EXPECT_FLOAT_EQ(float(p[1].score), 0.9f);
  EXPECT_FLOAT_EQ(float(p[2].score), 0.6f);
  EXPECT_NEAR(p[2].x, 65.0, 1e-9);
  EXPECT_NEAR(p[2].z, 65.0, 1e-9);
  o.min_component_vox = 2;  // the single voxel goes
  p = find_peaks(h, g, o);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_FLOAT_EQ(float(p[1].score), 0.6f);
  // stride 2: the centroid maps through the output-grid convention (x = ((2 + 1/3 + 0.5) * 2 - 0.5) * 10)
  p = find_peaks(h, grid_of(10, 2), o);
  EXPECT_NEAR(p[0].x, ((2.0 + 1.0 / 3.0 + 0.5) * 2 - 0.5) * 10, 1e-9);
  // a core keeps the components whose maximum lies in it
  const Box core{{5, 0, 0}, {5, 10, 10}};
  p = find_peaks(h, g, o, &core);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_FLOAT_EQ(float(p[0].score), 0.6f);
}

TEST(Peaks, PickClassesMakesOneSetPerClass) {
  const HeatmapGrid g = grid_of(10);
  const auto a = blob_heatmap({16, 16, 16}, g, {{50, 50, 50, 0.9, 15}, {90, 50, 50, 0.8, 15}});
  const auto b = blob_heatmap({16, 16, 16}, g, {{100, 100, 100, 0.4, 15}});
  PickClassesOptions po;
  po.run = "TS_1";
  po.user_id = "me";
  // class "big": radius 100 Å -> NMS 50 Å removes the blob 40 Å away; "small": threshold 0.3
  const auto sets = pick_classes({a, b}, {{"big", 100, 0.5f}, {"small", 60, 0.3f}}, g, po);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].object, "big");
  EXPECT_EQ(sets[0].run, "TS_1");
  EXPECT_EQ(sets[0].user_id, "me");
  EXPECT_DOUBLE_EQ(sets[0].voxel_spacing, 10.0);
  ASSERT_EQ(sets[0].points.size(), 1u);
  EXPECT_NEAR(sets[0].points[0].x, 50, 0.5);
  ASSERT_EQ(sets[1].points.size(), 1u);
  EXPECT_NEAR(sets[1].points[0].score, 0.4, 1e-4);
  // nms_fraction 0.3 -> 30 Å: both blobs of "big"
  const auto more = pick_classes({a}, {{"big", 100, 0.5f, 0.3}}, g, po);
  EXPECT_EQ(more[0].points.size(), 2u);
}

TEST(Peaks, BadInputIsAClearError) {
  Volume<float> h({4, 5, 6});
  h(1, 2, 3) = std::numeric_limits<float>::quiet_NaN();
  h(2, 0, 0) = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { find_peaks(h, grid_of(10, 1, {10, 0, 0}), opts_of(20, 0.5f), nullptr, "ribosome"); },
               "heatmap ribosome", "contains NaN at voxel (11, 2, 3)");
  Volume<float> inf({4, 5, 6});
  inf(3, 4, 5) = -std::numeric_limits<float>::infinity();
  expect_error([&] { find_peaks(inf, grid_of(10), opts_of(20, 0.5f)); }, "heatmap", "contains -inf at voxel (3, 4, 5)");
  const Volume<float> ok({4, 5, 6});
  expect_error([&] { find_peaks(Volume<float>({0, 5, 6}), grid_of(10), opts_of(20, 0.5f)); }, "heatmap", "is empty");
  expect_error([&] { find_peaks(ok, grid_of(0), opts_of(20, 0.5f)); }, "heatmap", "spacing must be positive");
  expect_error([&] { find_peaks(ok, grid_of(10, 0), opts_of(20, 0.5f)); }, "heatmap", "stride must be at least 1");
  expect_error([&] { find_peaks(ok, grid_of(10), opts_of(0, 0.5f)); }, "heatmap", "NMS radius must be positive");
  expect_error([&] { find_peaks(ok, grid_of(10), opts_of(20, std::nanf(""))); }, "heatmap", "threshold");
  PeakOptions neg = opts_of(20, 0.5f);
  neg.max_peaks = -1;
  expect_error([&] { find_peaks(ok, grid_of(10), neg); }, "heatmap", "max_peaks");
  const Box outside{{0, 0, 0}, {5, 5, 6}};
  expect_error([&] { find_peaks(ok, grid_of(10), opts_of(20, 0.5f), &outside); }, "heatmap", "lies outside the block");
  expect_error([&] { pick_classes({ok}, {{"a", 60}, {"b", 60}}, grid_of(10)); }, "pick classes", "1 heatmaps for 2 classes");
  expect_error([&] { pick_classes({ok}, {{"a", -5}}, grid_of(10)); }, "class a", "radius must be positive");
  expect_error([&] { pick_classes({ok, Volume<float>({4, 5, 7})}, {{"a", 60}, {"b", 60}}, grid_of(10)); },
               "heatmap b", "differs from the first heatmap");
}

TEST(Peaks, RefinedScoresStayNearTheNetworksOutput) {
  // A peak whose neighbour on one side is a sigmoid's far tail (1e-9): a log-parabola through it
  // would put the vertex height at several times the peak value; the score stays within the gain a
  // Gaussian of σ >= 1 voxel can have (e^(1/8) per axis).
  Volume<float> h(Shape3{5, 5, 5}, Vec3{10, 10, 10}, Vec3{}, 1e-9f);
  h(2, 2, 2) = 0.5f;
  h(2, 2, 3) = 0.5f - 1e-6f;
  h(2, 2, 1) = 1e-9f;
  HeatmapGrid g;
  g.input_spacing_A = {10, 10, 10};
  PeakOptions o;
  o.nms_radius_A = 10;
  o.threshold = 0.1f;
  const auto picks = find_peaks(h, g, o);
  ASSERT_EQ(picks.size(), 1u);
  EXPECT_LE(picks[0].score, 0.5 * std::exp(0.125) + 1e-6);
  EXPECT_GE(picks[0].score, 0.5);
}
