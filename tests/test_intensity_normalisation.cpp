// Intensity normalisation (core/intensity_normalisation.h): z-score as before, the robust median/MAD
// that heavy-tailed real tomograms need, block-wise accumulation that matches a single pass, bounded
// sampling for large volumes, and clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "test_support.h"
#include "tomopick/core/intensity_normalisation.h"

using namespace tomopick;

namespace {

std::vector<float> gaussian_values(size_t n, double mean, double sd, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g{float(mean), float(sd)};
  std::vector<float> v(n);
  for (auto& x : v) x = g(rng);
  return v;
}

Normalisation of(const std::string& method, const std::vector<float>& v) {
  NormalisationStats s(method, int64_t(v.size()));
  s.add(v.data(), int64_t(v.size()));
  return s.result();
}

}  // namespace

TEST(IntensityNormalisation, ZscoreIsTheMeanAndStandardDeviation) {
  const auto v = gaussian_values(10000, 3.0, 2.0, 1);
  double s = 0, s2 = 0;
  for (float x : v) s += x, s2 += double(x) * x;
  const double mean = s / double(v.size()), sd = std::sqrt(s2 / double(v.size()) - mean * mean);
  const auto n = of("zscore", v);
  EXPECT_EQ(n.centre, float(mean));
  EXPECT_EQ(n.scale, float(1 / sd));
}

TEST(IntensityNormalisation, RobustMatchesZscoreOnGaussianIntensities) {
  const auto v = gaussian_values(200000, -1.5, 0.5, 2);
  const auto z = of("zscore", v), r = of("robust", v);
  EXPECT_NEAR(r.centre, z.centre, 0.01);
  EXPECT_NEAR(r.scale / z.scale, 1.0, 0.02);
}

TEST(IntensityNormalisation, RobustIgnoresAHeavyTail) {
  // Unit Gaussian background with 10 % of the voxels far darker (crowded particles, gold): the
  // z-score's spread triples, the robust one stays near the background's.
  auto v = gaussian_values(100000, 0.0, 1.0, 3);
  for (size_t i = 0; i < v.size(); i += 10) v[i] = -12.0f;
  const auto z = of("zscore", v), r = of("robust", v);
  EXPECT_LT(z.scale, 0.4f);
  EXPECT_NEAR(r.scale, 1.0f / 1.1f, 0.06);  // the MAD of the remaining 90 % widens a little
  EXPECT_NEAR(r.centre, -0.14f, 0.05);  // the median of all: the background's 44.4th percentile
  EXPECT_LT(z.centre, -1.0f);
}

TEST(IntensityNormalisation, BlockwiseEqualsOnePass) {
  const auto v = gaussian_values(50001, 1.0, 3.0, 4);
  for (const std::string method : {"zscore", "robust"}) {
    NormalisationStats blocks(method, int64_t(v.size()));
    for (size_t i = 0; i < v.size(); i += 777) blocks.add(v.data() + i, int64_t(std::min<size_t>(777, v.size() - i)));
    const auto a = blocks.result(), b = of(method, v);
    EXPECT_EQ(a.centre, b.centre) << method;
    EXPECT_EQ(a.scale, b.scale) << method;
  }
}

TEST(IntensityNormalisation, LargeVolumesAreSampledCloseToTheExactMedian) {
  const size_t n = size_t(NormalisationStats::kRobustSamples) * 2 + 12345;
  auto v = gaussian_values(n, 5.0, 2.0, 5);
  for (size_t i = 0; i < n; i += 7) v[i] = 100.0f;  // a bright tail
  const auto r = of("robust", v);
  auto w = v;
  std::nth_element(w.begin(), w.begin() + std::ptrdiff_t(n / 2), w.end());
  const float median = w[n / 2];
  EXPECT_NEAR(r.centre, median, 0.01);
  for (auto& x : w) x = std::abs(x - median);
  std::nth_element(w.begin(), w.begin() + std::ptrdiff_t(n / 2), w.end());
  EXPECT_NEAR(1 / r.scale, 1.4826 * w[n / 2], 0.01);
}

TEST(IntensityNormalisation, DegenerateVolumesStayFinite) {
  const std::vector<float> constant(1000, 7.0f);
  for (const std::string method : {"zscore", "robust"}) {
    const auto n = of(method, constant);
    EXPECT_EQ(n.centre, 7.0f) << method;
    EXPECT_EQ(n.scale, 1.0f) << method;
  }
  // 8-bit data where more than half the voxels share one value: MAD 0, so the SD is the spread
  std::vector<float> quantised(1000, 0.0f);
  for (size_t i = 0; i < 300; ++i) quantised[i] = float(i % 5) - 2.0f;
  const auto r = of("robust", quantised), z = of("zscore", quantised);
  EXPECT_EQ(r.centre, 0.0f);
  EXPECT_EQ(r.scale, z.scale);
  // nothing added
  NormalisationStats empty("robust", 0);
  EXPECT_EQ(empty.result().scale, 1.0f);
}

TEST(IntensityNormalisation, FixedAndBadMethods) {
  NormalisationStats f("fixed", 10, 2.0, 4.0);
  const float x = 1.0f;
  f.add(&x, 1);
  EXPECT_EQ(f.result().centre, 2.0f);
  EXPECT_EQ(f.result().scale, 0.25f);
  EXPECT_EQ(f.result().apply(6.0f), 1.0f);
  test::expect_error([] { NormalisationStats("mad", 10); }, "normalisation", "zscore, robust or fixed");
  test::expect_error([] { check_normalisation_method("", "--normalize"); }, "--normalize", "got ''");
}
