#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "test_support.h"
#include "tomopick/core/resample.h"
#include "tomopick/pick/peaks.h"

using namespace tomopick;
using tomopick::test::expect_error;

namespace {

// a + b z + c y + d x in voxel units of the input
double ramp(double z, double y, double x) { return 1.0 + 0.5 * z - 0.25 * y + 0.125 * x; }

Volume<float> ramp_volume(const Shape3& s, const Vec3& spacing) {
  Volume<float> v(s, spacing);
  for (int64_t z = 0; z < s.z; ++z)
    for (int64_t y = 0; y < s.y; ++y)
      for (int64_t x = 0; x < s.x; ++x) v(z, y, x) = float(ramp(double(z), double(y), double(x)));
  return v;
}

Volume<float> blob_volume(const Shape3& s, double spacing, double cx, double cy, double cz, double sigma_A) {
  Volume<float> v(s, {spacing, spacing, spacing});
  for (int64_t z = 0; z < s.z; ++z)
    for (int64_t y = 0; y < s.y; ++y)
      for (int64_t x = 0; x < s.x; ++x) {
        const double dx = x * spacing - cx, dy = y * spacing - cy, dz = z * spacing - cz;
        v(z, y, x) = float(std::exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma_A * sigma_A)));
      }
  return v;
}

}  // namespace

TEST(Resample, ShapeFollowsTheFormula) {
  const Vec3 ten{10, 10, 10};
  // floor((n - 1) * old / new) + 1
  EXPECT_EQ(resampled_shape({184, 630, 630}, ten, {20, 20, 20}), (Shape3{92, 315, 315}));
  EXPECT_EQ(resampled_shape({184, 630, 630}, ten, ten), (Shape3{184, 630, 630}));
  EXPECT_EQ(resampled_shape({184, 630, 630}, ten, {5, 5, 5}), (Shape3{367, 1259, 1259}));
  EXPECT_EQ(resampled_shape({184, 630, 630}, ten, {13, 13, 13}), (Shape3{141, 484, 484}));  // 140.77, 483.85
  // the CZII spacing binned by 2
  EXPECT_EQ(resampled_shape({184, 10, 7}, {10.0124, 10.0124, 10.0124}, {20.0248, 20.0248, 20.0248}),
            (Shape3{92, 5, 4}));
  // an exact ratio keeps its last voxel although 3 * 6.6 / 19.8 is 0.9999999999999998 in doubles
  EXPECT_EQ(resampled_shape({4, 4, 4}, {6.6, 6.6, 6.6}, {19.8, 19.8, 19.8}), (Shape3{2, 2, 2}));
  EXPECT_EQ(resampled_shape({1, 1, 1}, ten, {40, 3, 7}), (Shape3{1, 1, 1}));
  // anisotropic
  EXPECT_EQ(resampled_shape({10, 20, 30}, {8, 10, 12}, {16, 5, 12}), (Shape3{5, 39, 30}));
}

TEST(Resample, EqualSpacingIsAnExactCopy) {
  const Volume<float> v = blob_volume({6, 7, 8}, 10, 30, 30, 30, 15);
  const Volume<float> r = resample(v, {10, 10, 10});
  EXPECT_EQ(r.shape(), v.shape());
  EXPECT_EQ(r.spacing(), v.spacing());
  EXPECT_EQ(std::memcmp(r.data(), v.data(), v.bytes()), 0);
  EXPECT_NE(r.data(), v.data());  // a copy, not shared storage
}

TEST(Resample, LinearRampsAreReproducedExactly) {
  const Shape3 s{24, 28, 32};
  const Vec3 old_A{10, 8, 12};
  const Volume<float> v = ramp_volume(s, old_A);
  // upsampling (no prefilter): exact everywhere, edges included
  {
    const Vec3 new_A{4, 5, 7.5};
    const Volume<float> r = resample(v, new_A);
    ASSERT_EQ(r.shape(), resampled_shape(s, old_A, new_A));
    EXPECT_EQ(r.spacing(), new_A);
    for (int64_t z = 0; z < r.shape().z; ++z)
      for (int64_t y = 0; y < r.shape().y; ++y)
        for (int64_t x = 0; x < r.shape().x; ++x)
          ASSERT_NEAR(r(z, y, x), ramp(z * 4.0 / 10, y * 5.0 / 8, x * 7.5 / 12), 5e-5) << z << " " << y << " " << x;
  }
  // downsampling: the symmetric, normalised prefilter keeps a ramp too, away from the edges (where
  // the repeated border bends it); kernels reach 4 σ, σ ≤ 0.5 f input voxels
  {
    const Vec3 new_A{20, 13, 17};  // factors 2, 1.625, 1.417
    const Volume<float> r = resample(v, new_A);
    ASSERT_EQ(r.shape(), resampled_shape(s, old_A, new_A));
    int64_t checked = 0;
    const double f[3] = {2.0, 13.0 / 8, 17.0 / 12};
    const int64_t n[3] = {s.z, s.y, s.x};
    auto interior = [&](int a, int64_t j) {
      const double p = j * f[a];
      const double reach = std::ceil(4 * 0.5 * std::sqrt(f[a] * f[a] - 1)) + 1;
      return p - reach >= 0 && p + reach <= double(n[a] - 1);
    };
    for (int64_t z = 0; z < r.shape().z; ++z)
      for (int64_t y = 0; y < r.shape().y; ++y)
        for (int64_t x = 0; x < r.shape().x; ++x) {
          if (!interior(0, z) || !interior(1, y) || !interior(2, x)) continue;
          ++checked;
          ASSERT_NEAR(r(z, y, x), ramp(z * f[0], y * f[1], x * f[2]), 1e-4) << z << " " << y << " " << x;
        }
    EXPECT_GT(checked, 100);
    // at the edge the border repeats, so the value at voxel 0 is pulled up (the ramp rises in z)
    EXPECT_GT(r(0, 5, 5), ramp(0, 5 * f[1], 5 * f[2]) + 0.01);
  }
}

TEST(Resample, ABlobStaysAtTheSameAngstrom) {
  // a Gaussian at (x, y, z) = (213, 187, 164) Å in a 10 Å volume
  const Volume<float> v = blob_volume({36, 40, 44}, 10, 213, 187, 164, 30);
  for (const double s : {20.0, 15.0}) {
    const Volume<float> r = resample(v, {s, s, s});
    EXPECT_EQ(r.origin(), v.origin());
    // the score-weighted centre of mass, in Å
    double w = 0, cx = 0, cy = 0, cz = 0;
    for (int64_t z = 0; z < r.shape().z; ++z)
      for (int64_t y = 0; y < r.shape().y; ++y)
        for (int64_t x = 0; x < r.shape().x; ++x) {
          const double val = r(z, y, x);
          w += val;
          cx += val * x * s;
          cy += val * y * s;
          cz += val * z * s;
        }
    EXPECT_NEAR(cx / w, 213, 0.5) << s;
    EXPECT_NEAR(cy / w, 187, 0.5) << s;
    EXPECT_NEAR(cz / w, 164, 0.5) << s;
    // and the picker finds it there
    HeatmapGrid g;
    g.input_spacing_A = {s, s, s};
    PeakOptions o;
    o.nms_radius_A = 40;
    o.threshold = 0.3f;
    const auto p = find_peaks(r, g, o);
    ASSERT_EQ(p.size(), 1u) << s;
    EXPECT_NEAR(p[0].x, 213, 1.0) << s;
    EXPECT_NEAR(p[0].y, 187, 1.0) << s;
    EXPECT_NEAR(p[0].z, 164, 1.0) << s;
  }
}

TEST(Resample, DownsamplingSmoothsInsteadOfAliasing) {
  // +1 / -1 alternating along x: every second voxel is +1, which plain sampling at 20 Å would keep
  Volume<float> v({8, 8, 40}, {10, 10, 10});
  for (int64_t z = 0; z < 8; ++z)
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 40; ++x) v(z, y, x) = x % 2 ? -1.f : 1.f;
  const Volume<float> r = resample(v, {10, 10, 20});
  ASSERT_EQ(r.shape(), (Shape3{8, 8, 20}));
  // the sampled Gaussian of σ = 0.5 sqrt(3) voxels (taps to ±4) passes
  // Σ g(k) (-1)^k / Σ g(k) = 0.04939 of the Nyquist frequency (hand-computed)
  for (int64_t x = 2; x < 18; ++x) EXPECT_NEAR(r(4, 4, x), 0.04939, 1e-4) << x;
}

TEST(Resample, BadInputIsAClearError) {
  const Volume<float> v({4, 4, 4}, {10, 10, 10});
  expect_error([&] { resample(Volume<float>({0, 4, 4}), {5, 5, 5}); }, "resample", "the volume is empty");
  expect_error([&] { resample(v, {0, 10, 10}); }, "resample", "output spacing must be positive");
  expect_error([&] { resample(v, {10, -2, 10}); }, "resample", "output spacing must be positive");
  expect_error([&] { resample(v, {10, 10, std::numeric_limits<double>::quiet_NaN()}); }, "resample",
               "output spacing must be positive");
  expect_error([&] { resample(Volume<float>({4, 4, 4}, {10, 0, 10}), {5, 5, 5}); }, "resample",
               "input spacing must be positive");
  expect_error([&] { resampled_shape({4, 4, 4}, {10, 10, 10}, {10, 10, -1}); }, "resample", "output spacing");
}

TEST(ResampleBoxes, EveryBoxEqualsTheSameRegionOfTheWholeResampleBitForBit) {
  // Down on z and x, up on y: every kind of axis operator, the Gaussian prefilter included.
  const Shape3 shape{37, 41, 29};
  const Vec3 old_A{10, 10, 10};
  for (const Vec3 new_A : {Vec3{20, 20, 20}, Vec3{13.7, 9, 20}, Vec3{10, 10, 31}}) {
    Volume<float> v(shape, old_A, {5, 6, 7});
    uint32_t state = 12345;
    for (size_t i = 0; i < v.size(); ++i) {
      state = state * 1664525u + 1013904223u;
      v.data()[i] = float(state >> 8) / float(1 << 24) - 0.5f;
    }
    const Volume<float> whole = resample(v, new_A);
    const BoxResampler r(shape, old_A, new_A);
    ASSERT_EQ(r.output_shape(), whole.shape());
    const Shape3 o = whole.shape();
    for (const Box b : {Box{{0, 0, 0}, o}, Box{{1, 2, 3}, {3, 4, 5}}, Box{{o.z - 2, 0, o.x - 1}, {2, o.y, 1}},
                        Box{{0, o.y - 1, 0}, {o.z, 1, o.x}}}) {
      SCOPED_TRACE(b.begin.str() + " " + b.shape.str());
      const Box src = r.source_box(b);
      ASSERT_TRUE(src.inside(shape));
      // a box needs only part of the input (it would not stream otherwise)
      if (b.shape.z < o.z) EXPECT_LT(src.shape.z, shape.z);
      const Volume<float> part = r.resample(v.crop(src), b);
      const Volume<float> expect = whole.crop(b);
      ASSERT_EQ(part.shape(), b.shape);
      EXPECT_EQ(std::memcmp(part.data(), expect.data(), part.size() * sizeof(float)), 0);
      EXPECT_EQ(part.spacing(), new_A);
      EXPECT_NEAR(part.origin().y, expect.origin().y, 1e-9);
    }
  }
}

TEST(ResampleBoxes, BadBoxesAreClearErrors) {
  const BoxResampler r({20, 20, 20}, {10, 10, 10}, {20, 20, 20});
  expect_error([&] { r.source_box({{0, 0, 0}, {11, 1, 1}}); }, "resample", "not inside");
  expect_error([&] { r.source_box({{0, 0, 0}, {0, 1, 1}}); }, "resample", "not inside");
  expect_error([&] { r.resample(Volume<float>({2, 2, 2}), {{0, 0, 0}, {4, 4, 4}}); }, "resample", "source box");
  expect_error([&] { BoxResampler({0, 4, 4}, {10, 10, 10}, {20, 20, 20}); }, "resample", "empty");
}
