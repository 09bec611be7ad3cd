#pragma once
// A threshold for one class in one tomogram from its peaks' scores alone, for when thresholds tuned
// elsewhere do not fit (a real tomogram whose scores all sit below a simulation-tuned threshold).
//
// The peaks scoring at least `floor` are modelled as a mixture of two populations on [floor, 1]:
// background peaks, whose count falls off exponentially with the score (rate 1/lambda), and
// particles, a Gaussian (mu, sd); both truncated to [floor, 1] and fitted by expectation-maximisation.
// The threshold maximises the F-beta the fitted mixture predicts (true positives: the particle
// population above it; false positives: the background above it). Measured (README, `pick
// --calibrate`): on simulated CZII runs about as good as thresholds tuned on labels (0.871 against
// 0.880), on real data it keeps more peaks than a threshold that fits.
#include <cstdint>
#include <optional>
#include <vector>

namespace tomopick {

struct ScoreMixture {
  int64_t peaks = 0;        // scores >= floor
  double floor = 0.05;
  double share = 0;         // of the peaks that are particles
  double mu = 0, sd = 0;    // the particles' scores
  double lambda = 0;        // the background's decay (score units)
  double particles() const { return share * double(peaks); }
};

// nullopt with fewer than 10 peaks at or above floor.
std::optional<ScoreMixture> fit_score_mixture(const std::vector<double>& scores, double floor = 0.05);

struct MixtureThreshold {
  double threshold = 0;
  double f = 0;  // the F-beta the mixture predicts there
  ScoreMixture mixture;
};

// nullopt when no mixture fits or it holds less than one particle.
std::optional<MixtureThreshold> mixture_threshold(const std::vector<double>& scores, double beta = 4,
                                                  double floor = 0.05);

}  // namespace tomopick
