#include "tomopick/sim/reconstruct.h"

#include <cmath>
#include <numbers>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"
#include "tomopick/sim/fft.h"

namespace tomopick::sim {

namespace {

double rolloff(double f, const WbpOptions& o) {
  if (f <= o.radial_cutoff) return 1.0;
  if (o.radial_falloff <= 0) return 0.0;
  const double d = (f - o.radial_cutoff) / o.radial_falloff;
  return std::exp(-0.5 * d * d);
}

}  // namespace

double wbp_filter_gain(double f, const WbpOptions& o) { return std::abs(f) * rolloff(std::abs(f), o); }

Volume<float> weighted_back_projection(const Volume<float>& tilts, const std::vector<double>& angles_deg,
                                       const Shape3& shape, const WbpOptions& opts) {
  const Shape3 ts = tilts.shape();
  const int64_t nt = ts.z, ny = ts.y, nu = ts.x;
  if (nt != int64_t(angles_deg.size()) || nt == 0) throw Error("weighted_back_projection: tilt count mismatch");
  if (ny != shape.y) throw Error("weighted_back_projection: tilt images have " + std::to_string(ny) + " rows, volume " + std::to_string(shape.y));
  for (double a : angles_deg)
    for (double x : {0.0, double(shape.x - 1)})
      for (double z : {0.0, double(shape.z - 1)}) {
        const double u = (x - double(shape.x - 1) / 2) * std::cos(a * std::numbers::pi / 180) +
                         (z - double(shape.z - 1) / 2) * std::sin(a * std::numbers::pi / 180) + double(nu - 1) / 2;
        if (u < 0 || u > double(nu - 2))
          throw Error("weighted_back_projection: detector of " + std::to_string(nu) + " pixels is too narrow for " + shape.str());
      }
  const double s = tilts.spacing().x;
  Volume<float> out(shape, {s, s, s});

  // The filter: the spectrum of the padded Ram-Lak kernel (exactly |f| away from f = 0, and the
  // right DC term for a finite row), times the roll-off.
  const int64_t nf = fft_size(2 * nu);
  RealFft fft(nf);
  std::vector<float> gain(size_t(fft.complex_size()));
  {
    auto h = fftwf_float_buffer(size_t(nf));
    auto hs = fftwf_complex_buffer(size_t(fft.complex_size()));
    h[0] = 0.25f;
    for (int64_t n = 1; n < nf / 2; n += 2) {
      const float v = float(-1.0 / (std::numbers::pi * std::numbers::pi * double(n) * double(n)));
      h[size_t(n)] = v;
      h[size_t(nf - n)] = v;
    }
    fft.forward(h.get(), hs.get());
    for (int64_t k = 0; k < fft.complex_size(); ++k) gain[size_t(k)] = float(hs[size_t(k)][0] * rolloff(double(k) / double(nf), opts));
  }
  double dtheta = std::numbers::pi;
  if (nt > 1) dtheta = (angles_deg.back() - angles_deg.front()) / double(nt - 1) * std::numbers::pi / 180.0;
  const double scale = dtheta / (double(nf) * s);  // FFT normalisation, Å -> voxels

  std::vector<double> cs(static_cast<size_t>(nt)), sn(static_cast<size_t>(nt));
  for (int64_t t = 0; t < nt; ++t) {
    cs[size_t(t)] = std::cos(angles_deg[size_t(t)] * std::numbers::pi / 180.0);
    sn[size_t(t)] = std::sin(angles_deg[size_t(t)] * std::numbers::pi / 180.0);
  }
  parallel_for(ny, [&](int64_t y) {
    auto row = fftwf_float_buffer(size_t(nf));
    auto spec = fftwf_complex_buffer(size_t(fft.complex_size()));
    std::vector<float> q(size_t(nu + 2));
    std::vector<float> acc(size_t(shape.z * shape.x), 0.0f);
    for (int64_t t = 0; t < nt; ++t) {
      std::fill_n(row.get(), nf, 0.0f);
      std::copy_n(&tilts(t, y, 0), nu, row.get());
      fft.forward(row.get(), spec.get());
      for (int64_t k = 0; k < fft.complex_size(); ++k) {
        spec[size_t(k)][0] *= gain[size_t(k)];
        spec[size_t(k)][1] *= gain[size_t(k)];
      }
      fft.inverse(spec.get(), row.get());
      for (int64_t i = 0; i < nu; ++i) q[size_t(i)] = float(row[size_t(i)] * scale);
      q[size_t(nu)] = q[size_t(nu + 1)] = 0.0f;
      const double c = cs[size_t(t)], si = sn[size_t(t)];
      for (int64_t z = 0; z < shape.z; ++z) {
        const double u0 = -double(shape.x - 1) / 2 * c + (double(z) - double(shape.z - 1) / 2) * si + double(nu - 1) / 2;
        float* a = &acc[size_t(z * shape.x)];
        for (int64_t x = 0; x < shape.x; ++x) {
          const double u = u0 + double(x) * c;
          const int64_t i = int64_t(u);
          const float w = float(u - double(i));
          a[x] += q[size_t(i)] + w * (q[size_t(i + 1)] - q[size_t(i)]);
        }
      }
    }
    for (int64_t z = 0; z < shape.z; ++z) std::copy_n(&acc[size_t(z * shape.x)], shape.x, &out(z, y, 0));
  });
  return out;
}

}  // namespace tomopick::sim
