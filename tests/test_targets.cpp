#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"
#include "tomopick/targets/targets.h"

using namespace tomopick;

namespace {

PickSet one(const std::string& object, double x, double y, double z) {
  PickSet s;
  s.object = object;
  s.run = "r";
  s.points.push_back(Pick{x, y, z});
  return s;
}

TargetSpec spec_of(std::vector<TargetClass> classes, int stride = 1) {
  TargetSpec s;
  s.classes = std::move(classes);
  s.stride = stride;
  return s;
}

}  // namespace

TEST(Targets, GaussianMatchesHandComputedValues) {
  // spacing 10 Å, σ 20 Å; pick at voxel (z,y,x) = (2,3,4) -> Å (40, 30, 20) in x, y, z order
  const Vec3 sp{10, 10, 10};
  const auto h = gaussian_heatmaps({{}, {5, 6, 12}}, sp, {one("a", 40, 30, 20)}, spec_of({{"a", 60, 20}}));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_FLOAT_EQ(h[0](2, 3, 4), 1.0f);
  EXPECT_NEAR(h[0](2, 3, 5), std::exp(-100.0 / 800.0), 1e-6);          // 10 Å away in x
  EXPECT_NEAR(h[0](3, 4, 5), std::exp(-300.0 / 800.0), 1e-6);          // (10,10,10) Å away
  EXPECT_GT(h[0](0, 0, 0), 0.f);                                        // 53.9 Å: inside 3σ = 60 Å
  EXPECT_EQ(h[0](0, 0, 11), 0.f);                                       // 78.7 Å: cut off at 3σ
  EXPECT_DOUBLE_EQ(h[0].spacing().x, 10.0);
}

TEST(Targets, OverlapsTakeTheVoxelwiseMaximumAndClassesStaySeparate) {
  const Vec3 sp{10, 10, 10};
  std::vector<PickSet> picks = {one("a", 20, 20, 20), one("a", 40, 20, 20), one("b", 20, 20, 20)};
  const auto h = gaussian_heatmaps({{}, {5, 5, 8}}, sp, picks, spec_of({{"a", 60, 15}, {"b", 90, 15}}));
  // midway voxel x=3 (30 Å) is 10 Å from both a-picks: max, not sum
  EXPECT_NEAR(h[0](2, 2, 3), std::exp(-100.0 / 450.0), 1e-6);
  EXPECT_FLOAT_EQ(h[1](2, 2, 2), 1.f);
  EXPECT_EQ(h[1](2, 2, 4), float(std::exp(-400.0 / 450.0)));
  // an object not in the spec is skipped
  const auto only_b = gaussian_heatmaps({{}, {5, 5, 8}}, sp, {one("zzz", 20, 20, 20)}, spec_of({{"b", 90, 15}}));
  EXPECT_EQ(only_b[0](2, 2, 2), 0.f);
}

TEST(Targets, StrideGridCentresFollowTheDocumentedConvention) {
  const Vec3 sp{10, 10, 10};
  // stride 2: output voxel j has its centre at input voxel 2j + 0.5, i.e. (20j + 5) Å
  const Vec3 c = target_voxel_center_A({1, 2, 3}, sp, 2);
  EXPECT_DOUBLE_EQ(c.z, 25.0);
  EXPECT_DOUBLE_EQ(c.y, 45.0);
  EXPECT_DOUBLE_EQ(c.x, 65.0);
  EXPECT_EQ(target_shape({{}, {5, 6, 7}}, 2), (Shape3{3, 3, 4}));
  // a pick at output voxel (1,2,3)'s centre peaks there
  const auto h = gaussian_heatmaps({{}, {6, 8, 10}}, sp, {one("a", 65, 45, 25)}, spec_of({{"a", 60}}, 2));
  EXPECT_EQ(h[0].shape(), (Shape3{3, 4, 5}));
  EXPECT_FLOAT_EQ(h[0](1, 2, 3), 1.f);
  EXPECT_DOUBLE_EQ(h[0].spacing().x, 20.0);
  EXPECT_THROW(target_shape({{1, 0, 0}, {4, 4, 4}}, 2), Error);
}

TEST(Targets, CropsEqualTheSameRegionOfTheWholeVolume) {
  const Vec3 sp{7, 7, 7};
  std::vector<PickSet> picks = {one("a", 50, 60, 30), one("a", 120, 20, 70)};
  const auto spec = spec_of({{"a", 60, 14}}, 2);
  const auto whole = gaussian_heatmaps({{}, {16, 16, 24}}, sp, picks, spec);
  const Box crop{{4, 2, 6}, {8, 10, 12}};
  const auto part = gaussian_heatmaps(crop, sp, picks, spec);
  ASSERT_EQ(part[0].shape(), (Shape3{4, 5, 6}));
  for (int64_t z = 0; z < 4; ++z)
    for (int64_t y = 0; y < 5; ++y)
      for (int64_t x = 0; x < 6; ++x) ASSERT_FLOAT_EQ(part[0](z, y, x), whole[0](z + 2, y + 1, x + 3));
}

TEST(Targets, SpheresAndLabelsWithIgnoreShellsAndUnscoredClasses) {
  const Vec3 sp{10, 10, 10};
  TargetSpec spec = spec_of({{"ribosome", 100}, {"beta-amylase", 60, 0, false}});
  spec.sphere_fraction = 0.3;   // ribosome sphere radius 30 Å
  spec.ignore_fraction = 0.5;   // rim to 50 Å
  spec.ignore_unscored = true;
  std::vector<PickSet> picks = {one("ribosome", 100, 100, 100), one("beta-amylase", 300, 100, 100)};
  const auto m = sphere_masks({{}, {20, 20, 40}}, sp, picks, spec);
  EXPECT_EQ(m[0](10, 10, 10), 1.f);
  EXPECT_EQ(m[0](10, 10, 13), 1.f);  // 30 Å: on the boundary, inside
  EXPECT_EQ(m[0](10, 10, 14), 0.f);  // 40 Å
  const auto l = label_volume({{}, {20, 20, 40}}, sp, picks, spec);
  EXPECT_EQ(l(10, 10, 10), 1);             // ribosome = class 0 + 1
  EXPECT_EQ(l(10, 10, 14), kIgnoreLabel);  // 40 Å: rim
  EXPECT_EQ(l(10, 10, 16), 0);             // 60 Å: background
  EXPECT_EQ(l(10, 10, 30), kIgnoreLabel);  // unscored class is ignored, not labelled 2
  spec.ignore_unscored = false;
  EXPECT_EQ(label_volume({{}, {20, 20, 40}}, sp, picks, spec)(10, 10, 30), 2);
}

TEST(Targets, OverlappingSpheresGoToTheNearerParticle) {
  const Vec3 sp{10, 10, 10};
  TargetSpec spec = spec_of({{"a", 100}, {"b", 100}});
  // centres 40 Å apart, spheres 50 Å: the voxel 10 Å from b and 30 Å from a belongs to b
  std::vector<PickSet> picks = {one("a", 100, 100, 100), one("b", 140, 100, 100)};
  const auto l = label_volume({{}, {20, 20, 30}}, sp, picks, spec);
  EXPECT_EQ(l(10, 10, 13), 2);
  EXPECT_EQ(l(10, 10, 11), 1);
  std::swap(picks[0], picks[1]);  // order does not matter
  EXPECT_EQ(label_volume({{}, {20, 20, 30}}, sp, picks, spec)(10, 10, 13), 2);
}

TEST(Targets, BadSpecsAreClearErrors) {
  const Vec3 sp{10, 10, 10};
  test::expect_error([&] { gaussian_heatmaps({{}, {4, 4, 4}}, sp, {}, spec_of({{"a", 0}})); }, "class 'a'", "positive radius");
  test::expect_error([&] { gaussian_heatmaps({{}, {4, 4, 4}}, sp, {}, spec_of({{"a", 10}, {"a", 10}})); }, "'a'", "twice");
  test::expect_error([&] { gaussian_heatmaps({{}, {4, 4, 4}}, sp, {}, spec_of({{"a", 10}}, 0)); }, "targets", "stride");
  TargetSpec s = spec_of({{"a", 10}});
  s.ignore_fraction = 0.2;  // smaller than sphere_fraction 0.5
  test::expect_error([&] { label_volume({{}, {4, 4, 4}}, sp, {}, s); }, "targets", "ignore_fraction");
}

TEST(PointTargets, TheNearestVoxelsLearnTheQualityAndTheExactOffset) {
  // 10 Å voxels, stride 2: output voxel j's centre is at ((j + 0.5) 2 - 0.5) 10 = 20 j + 5 Å.
  const TargetSpec spec = spec_of({{"a", 60.0, 20.0}}, 2);  // reach max(0.5 x 60, √3/2 x 20) = 30 Å
  const Vec3 sp{10, 10, 10};
  const double px = 87.0, py = 66.0, pz = 52.0;
  const auto t = point_targets({{0, 0, 0}, {20, 20, 20}}, sp, {one("a", px, py, pz)}, spec);
  ASSERT_EQ(t.quality.size(), 1u);
  EXPECT_EQ(t.dz.shape(), (Shape3{10, 10, 10}));
  int assigned = 0;
  for (int64_t z = 0; z < 10; ++z)
    for (int64_t y = 0; y < 10; ++y)
      for (int64_t x = 0; x < 10; ++x) {
        const double cz = 20.0 * z + 5, cy = 20.0 * y + 5, cx = 20.0 * x + 5;
        const double d2 = (cz - pz) * (cz - pz) + (cy - py) * (cy - py) + (cx - px) * (cx - px);
        const float q = t.quality[0](z, y, x);
        if (d2 > 30.0 * 30.0) {
          EXPECT_EQ(q, 0.0f);
          EXPECT_EQ(t.dx(z, y, x), 0.0f);
          continue;
        }
        ++assigned;
        EXPECT_NEAR(q, std::exp(-d2 / (2 * 20.0 * 20.0)), 1e-6);
        // Offsets in output voxels: where the pick sits from the voxel's centre.
        EXPECT_NEAR(t.dz(z, y, x), (pz - cz) / 20.0, 1e-6);
        EXPECT_NEAR(t.dy(z, y, x), (py - cy) / 20.0, 1e-6);
        EXPECT_NEAR(t.dx(z, y, x), (px - cx) / 20.0, 1e-6);
      }
  EXPECT_GE(assigned, 8);   // a ball of 1.5 output voxels holds at least the 8 around the pick
  EXPECT_LE(assigned, 27);
  // A small particle still gets its nearest voxel (the reach never drops below √3/2 output voxels).
  const auto small = point_targets({{0, 0, 0}, {20, 20, 20}}, sp, {one("a", 100.0, 100.0, 100.0)}, spec_of({{"a", 8.0}}, 2));
  float peak = 0;
  for (size_t i = 0; i < small.quality[0].size(); ++i) peak = std::max(peak, small.quality[0].data()[i]);
  EXPECT_GT(peak, 0.0f);
}

TEST(PointTargets, AVoxelNearTwoPicksPointsToTheCloserAndCropsMatchTheWhole) {
  const TargetSpec spec = spec_of({{"a", 100.0}, {"b", 100.0}}, 2);
  const Vec3 sp{10, 10, 10};
  // Voxel (2, 2, 2) is centred at 45 Å; a at 3 Å from it in x, b at 12 Å.
  const std::vector<PickSet> picks{one("a", 48.0, 45.0, 45.0), one("b", 33.0, 45.0, 45.0)};
  const auto t = point_targets({{0, 0, 0}, {12, 12, 12}}, sp, picks, spec);
  EXPECT_GT(t.quality[0](2, 2, 2), 0.0f);
  EXPECT_GT(t.quality[1](2, 2, 2), 0.0f);  // both classes learn this voxel
  EXPECT_NEAR(t.dx(2, 2, 2), 3.0 / 20.0, 1e-6);  // its offset goes to the closer pick
  // A crop starting on the stride sees the same targets as the whole box.
  const auto crop = point_targets({{2, 4, 6}, {6, 6, 6}}, sp, picks, spec);
  for (int64_t z = 0; z < 3; ++z)
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t x = 0; x < 3; ++x) {
        EXPECT_EQ(crop.quality[1](z, y, x), t.quality[1](z + 1, y + 2, x + 3));
        EXPECT_EQ(crop.dx(z, y, x), t.dx(z + 1, y + 2, x + 3));
        EXPECT_EQ(crop.dz(z, y, x), t.dz(z + 1, y + 2, x + 3));
      }
}
