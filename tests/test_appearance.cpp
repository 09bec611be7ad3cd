// What a tomogram looks like to a network (core/appearance.h): the numbers, their ranges and what
// `pick` says when a tomogram falls outside them.
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"
#include "tomopick/core/appearance.h"
#include "tomopick/sim/random.h"

using namespace tomopick;

namespace {

Volume<float> noise(uint64_t seed, int smooth_passes) {
  sim::Rng rng(seed);
  Volume<float> v({16, 64, 64}, {20, 20, 20});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(rng.normal());
  for (int p = 0; p < smooth_passes; ++p) {
    Volume<float> next = v;
    for (int64_t z = 0; z < 16; ++z)
      for (int64_t y = 0; y < 64; ++y)
        for (int64_t x = 0; x < 64; ++x)
          next(z, y, x) = (v(z, (y + 63) % 64, x) + v(z, (y + 1) % 64, x) + v(z, y, (x + 63) % 64) + v(z, y, (x + 1) % 64) +
                           4 * v(z, y, x)) / 8;
    v = next;
  }
  return v;
}

}  // namespace

TEST(Appearance, WhiteNoiseSpreadsItsPowerByBandAreaAndSmoothingMovesItLow) {
  const auto a = appearance(noise(1, 0), 10);
  // White noise: power per band ~ the band's area in the (cycles/voxel) disc of radius 0.5 and the
  // corners beyond it (the last band takes frequencies up to 0.5 along an axis and corners beyond).
  EXPECT_NEAR(a.band_power[0], 3.14159 * 0.05 * 0.05, 0.01);
  EXPECT_NEAR(a.band_power[1], 3.14159 * (0.15 * 0.15 - 0.05 * 0.05), 0.02);
  double sum = 0;
  for (double p : a.band_power) sum += p;
  EXPECT_NEAR(sum, 1, 1e-9);
  EXPECT_NEAR(a.p50, 0, 0.05);
  EXPECT_NEAR(a.p99, 2.33, 0.1);
  EXPECT_NEAR(a.skewness, 0, 0.05);
  EXPECT_EQ(a.source_spacing_A, 10);
  const auto s = appearance(noise(1, 8), 10);
  EXPECT_GT(s.band_power[0] + s.band_power[1], 0.8);
  EXPECT_LT(s.band_power[3], 0.01);
}

TEST(Appearance, RangesFlagOnlyWhatIsFarOutside) {
  AppearanceRange r;
  include(r, appearance(noise(1, 0), 10));
  include(r, appearance(noise(2, 0), 10));
  EXPECT_EQ(r.count, 2);
  EXPECT_TRUE(appearance_mismatches(appearance(noise(3, 0), 10), r).empty());
  EXPECT_TRUE(appearance_mismatches(appearance(noise(3, 0), 13), r).empty());  // 1.3x: ordinary
  const auto far = appearance_mismatches(appearance(noise(3, 8), 31.36), r);
  ASSERT_GE(far.size(), 2u);
  EXPECT_EQ(far[0], "voxel spacing 31.36 Å, trained on 10 Å");
  EXPECT_NE(far.back().find("high-frequency share of the power"), std::string::npos) << far.back();
  // Unknown ranges (older models) say nothing; the JSON round trip keeps every number.
  EXPECT_TRUE(appearance_mismatches(appearance(noise(3, 8), 31.36), AppearanceRange{}).empty());
  const auto back = appearance_range_from_json(appearance_range_to_json(r), "m.pt");
  EXPECT_EQ(back.count, 2);
  EXPECT_EQ(back.hi.band_power, r.hi.band_power);
  EXPECT_EQ(back.lo.p01, r.lo.p01);
  test::expect_error([] { appearance_range_from_json("{\"count\": 1}", "m.pt"); }, "m.pt", "training-data appearance");
  test::expect_error([] { appearance_range_from_json("{\"count\": 1e30}", "m.pt"); }, "m.pt", "count must be an integer");
}

namespace {

// Noise with dense particles: a share of voxels much darker than the rest (negative skew, as in
// cryo-ET), z-scored as `pick` does; `sign` -1 saves it with the opposite contrast.
Volume<float> dark_spots(uint64_t seed, double depth, double share, float sign = 1) {
  sim::Rng rng(seed);
  Volume<float> v = noise(seed, 0);
  for (size_t i = 0; i < v.size(); ++i)
    if (rng.uniform() < share) v.data()[i] -= float(depth);
  double mean = 0, sq = 0;
  for (size_t i = 0; i < v.size(); ++i) mean += v.data()[i];
  mean /= double(v.size());
  for (size_t i = 0; i < v.size(); ++i) sq += (v.data()[i] - mean) * (v.data()[i] - mean);
  const double sd = std::sqrt(sq / double(v.size()));
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = sign * float((v.data()[i] - mean) / sd);
  return v;
}

}  // namespace

TEST(Appearance, MirroredIntensitiesSayTheContrastLooksInverted) {
  AppearanceRange r;
  include(r, appearance(dark_spots(1, 4, 0.05), 10));
  include(r, appearance(dark_spots(2, 5, 0.05), 10));
  ASSERT_LT(r.hi.skewness, -1.0);  // dark particles: a long dark tail
  EXPECT_TRUE(appearance_mismatches(appearance(dark_spots(3, 4.5, 0.05), 10), r).empty());
  // The same kind of tomogram saved bright-on-dark: the skewness is off, and mirrored it fits.
  const auto inverted = appearance_mismatches(appearance(dark_spots(3, 4.5, 0.05, -1), 10), r);
  ASSERT_FALSE(inverted.empty());
  EXPECT_NE(inverted.back().find("the contrast looks inverted"), std::string::npos) << inverted.back();
  EXPECT_NE(inverted.back().find("--invert"), std::string::npos);
  // Plain noise has no dark tail: its skewness is off, but mirroring does not explain it.
  const auto plain = appearance_mismatches(appearance(noise(4, 0), 10), r);
  ASSERT_FALSE(plain.empty());
  for (const auto& m : plain) EXPECT_EQ(m.find("inverted"), std::string::npos) << m;
}
