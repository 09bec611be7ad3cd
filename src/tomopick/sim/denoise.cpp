#include "tomopick/sim/denoise.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tomopick/core/parallel.h"

namespace tomopick::sim {

namespace {

std::vector<float> kernel(double sigma) {
  const int r = std::max(1, int(std::ceil(4 * sigma)));
  std::vector<float> k(size_t(2 * r + 1));
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += (k[size_t(i + r)] = float(std::exp(-0.5 * i * i / (sigma * sigma))));
  for (auto& v : k) v = float(v / sum);
  return k;
}

// One 1D pass along an axis with element stride `stride` and length n, over `lines` lines whose
// starts are given by `start(i)`.
template <class Start>
void pass(float* data, int64_t lines, int64_t n, int64_t stride, const std::vector<float>& k, Start start) {
  const int64_t r = int64_t(k.size() / 2);
  parallel_for((lines + 63) / 64, [&](int64_t b) {
    std::vector<float> in(size_t(n + 2 * r));  // the line with its edge values repeated r times
    for (int64_t l = b * 64; l < std::min(lines, b * 64 + 64); ++l) {
      float* p = data + start(l);
      for (int64_t i = 0; i < n + 2 * r; ++i) in[size_t(i)] = p[std::clamp<int64_t>(i - r, 0, n - 1) * stride];
      for (int64_t i = 0; i < n; ++i) {
        float acc = 0;
        const float* w = &in[size_t(i)];
        for (size_t j = 0; j < k.size(); ++j) acc += k[j] * w[j];
        p[i * stride] = acc;
      }
    }
  });
}

}  // namespace

Volume<float> gaussian_filter(const Volume<float>& v, double sigma) {
  Volume<float> out = v;
  if (sigma <= 0) return out;
  const auto k = kernel(sigma);
  const Shape3 s = v.shape();
  float* d = out.data();
  pass(d, s.z * s.y, s.x, 1, k, [&](int64_t l) { return l * s.x; });
  pass(d, s.z * s.x, s.y, s.x, k, [&](int64_t l) { return (l / s.x) * s.y * s.x + l % s.x; });
  pass(d, s.y * s.x, s.z, s.y * s.x, k, [&](int64_t l) { return l; });
  return out;
}

void volume_stats(const Volume<float>& v, double& mean, double& std) {
  const Shape3 s = v.shape();
  std::vector<double> sum(size_t(s.z)), sum2(size_t(s.z));
  parallel_for(s.z, [&](int64_t z) {
    double a = 0, b = 0;
    const float* p = &v(z, 0, 0);
    for (int64_t i = 0; i < s.y * s.x; ++i) {
      a += p[i];
      b += double(p[i]) * p[i];
    }
    sum[size_t(z)] = a;
    sum2[size_t(z)] = b;
  });
  double a = 0, b = 0;
  for (int64_t z = 0; z < s.z; ++z) a += sum[size_t(z)], b += sum2[size_t(z)];
  const double n = double(v.size());
  mean = a / n;
  std = std::sqrt(std::max(0.0, b / n - mean * mean));
}

void normalize_intensity(Volume<float>& v, double mean, double std) {
  if (std <= 0) return;
  double m, sd;
  volume_stats(v, m, sd);
  const double g = sd > 0 ? std / sd : 0.0;
  const Shape3 s = v.shape();
  parallel_for(s.z, [&](int64_t z) {
    float* p = &v(z, 0, 0);
    for (int64_t i = 0; i < s.y * s.x; ++i) p[i] = float((p[i] - m) * g + mean);
  });
}

}  // namespace tomopick::sim
