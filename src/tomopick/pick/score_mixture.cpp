#include "tomopick/pick/score_mixture.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tomopick {

namespace {

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// The share of the background population above t (exponential truncated to [floor, 1]).
double background_above(const ScoreMixture& m, double t) {
  const double z = 1 - std::exp(-(1 - m.floor) / m.lambda);
  return (std::exp(-(t - m.floor) / m.lambda) - std::exp(-(1 - m.floor) / m.lambda)) / z;
}

// The share of the particle population above t (Gaussian truncated to [floor, 1]).
double particles_above(const ScoreMixture& m, double t) {
  const double z = normal_cdf((1 - m.mu) / m.sd) - normal_cdf((m.floor - m.mu) / m.sd);
  if (!(z > 0)) return t <= m.mu ? 1.0 : 0.0;
  return std::clamp((normal_cdf((1 - m.mu) / m.sd) - normal_cdf((t - m.mu) / m.sd)) / z, 0.0, 1.0);
}

}  // namespace

std::optional<ScoreMixture> fit_score_mixture(const std::vector<double>& scores, double floor) {
  std::vector<double> s;
  for (double v : scores)
    if (v >= floor && std::isfinite(v)) s.push_back(std::min(v, 1.0));
  if (s.size() < 10) return std::nullopt;
  const double n = double(s.size());
  // Start: the top fifth are particles.
  std::vector<double> sorted = s;
  std::sort(sorted.begin(), sorted.end());
  const double q = sorted[size_t(0.8 * double(sorted.size() - 1))];
  double hi_sum = 0, hi_sq = 0, hi_n = 0, lo_sum = 0, lo_n = 0;
  for (double v : s) {
    if (v >= q) hi_sum += v, hi_sq += v * v, hi_n += 1;
    else lo_sum += v, lo_n += 1;
  }
  ScoreMixture m;
  m.peaks = int64_t(s.size());
  m.floor = floor;
  m.share = 0.2;
  m.mu = hi_sum / hi_n;
  m.sd = std::max(std::sqrt(std::max(hi_sq / hi_n - m.mu * m.mu, 0.0)), 0.03);
  m.lambda = std::max((lo_n > 0 ? lo_sum / lo_n : floor) - floor, 0.01);
  std::vector<double> r(s.size());
  for (int it = 0; it < 300; ++it) {
    const double zb = 1 - std::exp(-(1 - floor) / m.lambda);
    const double zp = std::max(normal_cdf((1 - m.mu) / m.sd) - normal_cdf((floor - m.mu) / m.sd), 1e-9);
    double rsum = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const double fb = std::exp(-(s[i] - floor) / m.lambda) / m.lambda / zb;
      const double fp = normal_pdf((s[i] - m.mu) / m.sd) / m.sd / zp;
      const double a = m.share * fp, b = (1 - m.share) * fb;
      r[i] = a + b > 0 ? a / (a + b) : 0.0;
      rsum += r[i];
    }
    m.share = rsum / n;
    if (m.share < 1e-4 || m.share > 1 - 1e-4) break;
    double mu = 0, bsum = 0;
    for (size_t i = 0; i < s.size(); ++i) mu += r[i] * s[i], bsum += (1 - r[i]) * (s[i] - floor);
    mu /= rsum;
    double var = 0;
    for (size_t i = 0; i < s.size(); ++i) var += r[i] * (s[i] - mu) * (s[i] - mu);
    m.mu = mu;
    m.sd = std::max(std::sqrt(var / rsum), 0.02);
    m.lambda = std::max(bsum / (n - rsum), 0.005);
  }
  return m;
}

std::optional<MixtureThreshold> mixture_threshold(const std::vector<double>& scores, double beta, double floor) {
  const auto m = fit_score_mixture(scores, floor);
  if (!m || m->particles() < 1) return std::nullopt;
  const double b2 = beta * beta;
  const double np = m->particles(), nb = double(m->peaks) - np;
  MixtureThreshold best{floor, -1, *m};
  for (int k = 0;; ++k) {
    const double t = floor + 0.005 * k;
    if (t >= 1) break;
    const double tp = np * particles_above(*m, t), fp = nb * background_above(*m, t), fn = np - tp;
    const double denom = (1 + b2) * tp + b2 * fn + fp;
    const double f = denom > 0 ? (1 + b2) * tp / denom : 0;
    if (f > best.f) best.threshold = t, best.f = f;
  }
  return best;
}

}  // namespace tomopick
