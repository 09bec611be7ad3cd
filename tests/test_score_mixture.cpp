// pick/score_mixture: a class's threshold from its peaks' scores alone.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tomopick/pick/score_mixture.h"

using namespace tomopick;

namespace {

// `background` peaks with exponentially falling scores (mean 0.05 above 0.02) and `particles` peaks
// around `mu` (sd 0.08), clipped to [0, 1].
std::vector<double> peak_scores(int background, int particles, double mu, uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> bg(1 / 0.05);
  std::normal_distribution<double> fg(mu, 0.08);
  std::vector<double> s;
  for (int i = 0; i < background; ++i) s.push_back(std::min(0.02 + bg(rng), 1.0));
  for (int i = 0; i < particles; ++i) s.push_back(std::clamp(fg(rng), 0.0, 1.0));
  return s;
}

}  // namespace

TEST(ScoreMixture, FindsTheParticlePopulationWhereverItsScoresSit) {
  // The same tomogram scored by a model that fits it (particles near 0.7) and by one whose scores
  // sit lower on it (near 0.35, below a threshold of 0.6 tuned elsewhere): the threshold follows.
  for (const double mu : {0.7, 0.35}) {
    const auto s = peak_scores(2000, 150, mu, 7);
    const auto t = mixture_threshold(s, 4.0, 0.05);
    ASSERT_TRUE(t.has_value()) << mu;
    EXPECT_NEAR(t->mixture.mu, mu, 0.03) << mu;
    EXPECT_NEAR(t->mixture.particles(), 150, 25) << mu;
    EXPECT_LT(t->threshold, mu - 0.08) << mu;  // keeps most particles (F4 weighs recall)
    int kept_particles = 0, kept_background = 0;
    for (size_t i = 0; i < s.size(); ++i) (i < 2000 ? kept_background : kept_particles) += s[i] >= t->threshold;
    EXPECT_GE(kept_particles, 135) << mu;         // >= 90 % recall
    EXPECT_LE(kept_background, 150) << mu;        // not "keep everything": most of the 2000 go
    EXPECT_GT(t->f, 0.8) << mu;
  }
}

TEST(ScoreMixture, TooFewPeaksOrNoParticlesGiveNoThreshold) {
  EXPECT_FALSE(mixture_threshold({0.9, 0.8, 0.7, 0.1, 0.06}).has_value());  // 5 peaks
  EXPECT_FALSE(fit_score_mixture(std::vector<double>(9, 0.5)).has_value());
  // Scores below the floor do not count.
  std::vector<double> low(100, 0.01);
  EXPECT_FALSE(fit_score_mixture(low).has_value());
  // Background only: whatever the fit, it must not keep most of the peaks.
  const auto s = peak_scores(3000, 0, 0, 3);
  if (const auto t = mixture_threshold(s)) {
    int kept = 0;
    for (double v : s) kept += v >= t->threshold;
    EXPECT_LT(kept, 300) << "threshold " << t->threshold;
  }
}
