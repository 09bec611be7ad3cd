// The point head's decoding (pick/point_decode.h): centre-ness peaks moved by the offset field give
// the points exactly, on a strided grid and in a block of a larger one.
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"
#include "tomopick/pick/point_decode.h"

using namespace tomopick;

namespace {

struct Truth {
  size_t cls;
  double z, y, x;  // Å
};

// Maps for `truth` at stride 2 on 10 Å input voxels: a centre-ness bump of height 0.9 at each point's
// nearest output voxel (0.5 on its 6 neighbours) and the exact offset there.
PointField field_for(const std::vector<Truth>& truth, Shape3 shape, const HeatmapGrid& g, size_t classes) {
  PointField f;
  for (size_t c = 0; c < classes; ++c) f.centreness.emplace_back(shape);
  f.dz = Volume<float>(shape), f.dy = Volume<float>(shape), f.dx = Volume<float>(shape);
  for (const auto& t : truth) {
    // Fractional global output voxel of the point: p = ((j + 0.5) s - 0.5) sp.
    auto frac = [&](double a, double sp) { return (a / sp + 0.5) / g.stride - 0.5; };
    const double jz = frac(t.z, g.input_spacing_A.z), jy = frac(t.y, g.input_spacing_A.y), jx = frac(t.x, g.input_spacing_A.x);
    const int64_t z = std::llround(jz) - g.offset_vox.z, y = std::llround(jy) - g.offset_vox.y,
                  x = std::llround(jx) - g.offset_vox.x;
    auto& m = f.centreness[t.cls];
    m(z, y, x) = 0.9f;
    for (auto [a, b, c] : {std::tuple{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}}) m(z + a, y + b, x + c) = 0.5f;
    f.dz(z, y, x) = float(jz - std::llround(jz));
    f.dy(z, y, x) = float(jy - std::llround(jy));
    f.dx(z, y, x) = float(jx - std::llround(jx));
  }
  return f;
}

}  // namespace

TEST(PointDecode, PeaksMovedByTheOffsetsAreThePoints) {
  HeatmapGrid g;
  g.stride = 2;
  g.input_spacing_A = {10, 10, 10};
  const std::vector<Truth> truth = {{0, 53.0, 61.5, 88.25}, {0, 143.0, 171.0, 38.75}, {1, 96.5, 104.0, 222.0}};
  const PointField f = field_for(truth, {10, 12, 14}, g, 2);
  PeakOptions o;
  o.nms_radius_A = 30;
  o.threshold = 0.6f;
  const auto points = decode_points(f, g, {o, o}, {"a", "b"});
  ASSERT_EQ(points.size(), 2u);
  ASSERT_EQ(points[0].size(), 2u);
  ASSERT_EQ(points[1].size(), 1u);
  size_t seen[2] = {0, 0};
  for (const auto& t : truth) {
    const Pick& p = points[t.cls][t.cls == 0 ? seen[0]++ : seen[1]++];
    // float offsets: exact to float precision of a fraction of a voxel
    EXPECT_NEAR(p.z, t.z, 1e-5);
    EXPECT_NEAR(p.y, t.y, 1e-5);
    EXPECT_NEAR(p.x, t.x, 1e-5);
    EXPECT_FLOAT_EQ(float(p.score), 0.9f);
  }
  // Above every peak: nothing.
  o.threshold = 0.95f;
  EXPECT_TRUE(decode_points(f, g, {o, o})[0].empty());
}

TEST(PointDecode, ABlockOfALargerGridGivesGlobalPoints) {
  HeatmapGrid g;
  g.stride = 2;
  g.input_spacing_A = {10, 10, 10};
  g.offset_vox = {4, 6, 8};  // the block starts at output voxel (4, 6, 8) of the whole grid
  const std::vector<Truth> truth = {{0, 5 * 20 + 33.0, 6 * 20 + 71.0, 8 * 20 + 99.5}};
  const PointField f = field_for(truth, {8, 10, 12}, g, 1);
  PeakOptions o;
  o.nms_radius_A = 30;
  o.threshold = 0.6f;
  const auto points = decode_points(f, g, {o});
  ASSERT_EQ(points.at(0).size(), 1u);
  EXPECT_NEAR(points[0][0].z, truth[0].z, 1e-5);
  EXPECT_NEAR(points[0][0].y, truth[0].y, 1e-5);
  EXPECT_NEAR(points[0][0].x, truth[0].x, 1e-5);
}

TEST(PointDecode, MismatchedMapsAndBadOffsetsAreErrors) {
  HeatmapGrid g;
  g.stride = 2;
  g.input_spacing_A = {10, 10, 10};
  PointField f = field_for({{0, 53.0, 61.5, 88.25}}, {10, 12, 14}, g, 1);
  PeakOptions o;
  o.nms_radius_A = 30;
  o.threshold = 0.6f;
  EXPECT_NE(test::error_message([&] { decode_points(f, g, {o, o}); }).find("1 centre-ness maps but 2 classes"), std::string::npos);
  PointField g2 = f;
  g2.dx = Volume<float>({10, 12, 13});
  EXPECT_NE(test::error_message([&] { decode_points(g2, g, {o}, {"apo"}); }).find("centre-ness map of apo differ in shape"),
            std::string::npos);
  for (int64_t i = 0; i < f.dy.shape().count(); ++i) f.dy.data()[i] = NAN;
  EXPECT_NE(test::error_message([&] { decode_points(f, g, {o}, {"apo"}); }).find("offset at apo's peak"), std::string::npos);
}

TEST(PointDecode, PickPointClassesMovesPlateauPeaksByTheirVoxelsOffsets) {
  // The pipeline's grid (stride 1, 10 Å): a point head's 2x2x2 plateau of centre-ness and, at every
  // voxel, the offset to the particle (as nn's point_offsets_to_input_grid gives them).
  const Shape3 shape{8, 8, 8};
  const double pz = 33.0, py = 41.5, px = 28.25;  // Å
  std::vector<Volume<float>> maps(4, Volume<float>(shape));
  for (int64_t z = 0; z < 8; ++z)
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 8; ++x) {
        const bool block = z / 2 == 1 && y / 2 == 2 && x / 2 == 1;
        maps[0](z, y, x) = block ? 0.8f : 0.1f;
        maps[1](z, y, x) = float(pz / 10 - double(z));
        maps[2](z, y, x) = float(py / 10 - double(y));
        maps[3](z, y, x) = float(px / 10 - double(x));
      }
  HeatmapGrid g;
  g.input_spacing_A = {10, 10, 10};
  const std::vector<ClassPickSpec> specs{{"a", 60.0, 0.5f, 0.5}};
  const auto sets = pick_point_classes(maps, specs, g);
  ASSERT_EQ(sets.size(), 1u);
  ASSERT_EQ(sets[0].points.size(), 1u);
  EXPECT_NEAR(sets[0].points[0].z, pz, 1e-4);
  EXPECT_NEAR(sets[0].points[0].y, py, 1e-4);
  EXPECT_NEAR(sets[0].points[0].x, px, 1e-4);
  EXPECT_FLOAT_EQ(float(sets[0].points[0].score), 0.8f);
  // pick_maps dispatches on the flag; a core without the peak's voxel gives nothing.
  EXPECT_EQ(pick_maps(maps, true, specs, g)[0].points.size(), 1u);
  const Box core{{4, 0, 0}, {4, 8, 8}};
  EXPECT_TRUE(pick_point_classes(maps, specs, g, {}, &core)[0].points.empty());
  // The classes' maps and three offset fields, or an error saying so.
  const std::vector<Volume<float>> three(maps.begin(), maps.begin() + 3);
  EXPECT_NE(test::error_message([&] { pick_point_classes(three, specs, g); }).find("3 maps for 1 classes"), std::string::npos);
}
