#include "tomopick/sim/projector.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "tomopick/core/parallel.h"

namespace tomopick::sim {

namespace {
double rad(double deg) { return deg * std::numbers::pi / 180.0; }
}  // namespace

int64_t detector_width(const Shape3& shape, const std::vector<double>& angles_deg) {
  double w = double(shape.x);
  for (double a : angles_deg)
    w = std::max(w, std::abs(std::cos(rad(a))) * double(shape.x - 1) + std::abs(std::sin(rad(a))) * double(shape.z - 1) + 1);
  return int64_t(std::ceil(w)) + 4;
}

double detector_u(double x, double z, const Shape3& shape, int64_t nu, double angle_deg) {
  const double xc = x - double(shape.x - 1) / 2, zc = z - double(shape.z - 1) / 2;
  return xc * std::cos(rad(angle_deg)) + zc * std::sin(rad(angle_deg)) + double(nu - 1) / 2;
}

Volume<float> project_tilt_series(const Volume<float>& v, const std::vector<double>& angles_deg, int64_t nu) {
  const Shape3 sh = v.shape();
  const int64_t nt = int64_t(angles_deg.size());
  const double s = v.spacing().x;
  Volume<float> out({nt, sh.y, nu}, {s, s, s});
  parallel_for(sh.y, [&](int64_t y) {
    std::vector<float> slice(size_t(sh.z * sh.x));
    for (int64_t z = 0; z < sh.z; ++z) std::copy_n(&v(z, y, 0), sh.x, &slice[size_t(z * sh.x)]);
    std::vector<float> row(size_t(nu + 2));
    for (int64_t t = 0; t < nt; ++t) {
      std::fill(row.begin(), row.end(), 0.0f);
      const double c = std::cos(rad(angles_deg[size_t(t)])), sn = std::sin(rad(angles_deg[size_t(t)]));
      for (int64_t z = 0; z < sh.z; ++z) {
        const double u0 = -double(sh.x - 1) / 2 * c + (double(z) - double(sh.z - 1) / 2) * sn + double(nu - 1) / 2;
        const float* f = &slice[size_t(z * sh.x)];
        for (int64_t x = 0; x < sh.x; ++x) {
          const float val = f[x];
          if (val == 0.0f) continue;
          const double u = u0 + double(x) * c;
          const int64_t i = int64_t(u);  // u >= 0: the detector covers the slice
          const float w = float(u - double(i));
          row[size_t(i)] += val * (1.0f - w);
          row[size_t(i + 1)] += val * w;
        }
      }
      float* o = &out(t, y, 0);
      for (int64_t i = 0; i < nu; ++i) o[i] = float(row[size_t(i)] * s);
    }
  });
  return out;
}

}  // namespace tomopick::sim
