#include "tomopick/sim/ctf.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "tomopick/core/error.h"
#include "tomopick/sim/fft.h"

namespace tomopick::sim {

double electron_wavelength_A(double kv) {
  const double v = kv * 1000.0;
  return 12.2643247 / std::sqrt(v * (1.0 + 0.978466e-6 * v));
}

double interaction_constant(double kv) {
  const double v = kv * 1000.0, e0 = 510998.95;  // m0 c^2 in eV
  return 2 * std::numbers::pi / (electron_wavelength_A(kv) * v) * (e0 + v) / (2 * e0 + v);
}

double ctf_value(const CtfParams& p, double k) {
  const double lam = electron_wavelength_A(p.kv), cs = p.cs_mm * 1e7, k2 = k * k;
  const double chi = std::numbers::pi * lam * p.defocus_A * k2 - 0.5 * std::numbers::pi * cs * lam * lam * lam * k2 * k2;
  const double a = p.amplitude_contrast;
  return -(std::sqrt(1 - a * a) * std::sin(chi) + a * std::cos(chi)) * std::exp(-p.bfactor * k2 / 4);
}

double ctf_first_zero(const CtfParams& p) {
  // chi(k) = pi - asin(A): with q = k^2, (pi/2) Cs lam^3 q^2 - pi lam df q + (pi - asin A) = 0.
  const double lam = electron_wavelength_A(p.kv), cs = p.cs_mm * 1e7;
  const double target = std::numbers::pi - std::asin(p.amplitude_contrast);
  const double a = 0.5 * std::numbers::pi * cs * lam * lam * lam, b = -std::numbers::pi * lam * p.defocus_A;
  if (a == 0) return std::sqrt(target / -b);
  const double disc = b * b - 4 * a * target;
  if (disc < 0) return 0;
  return std::sqrt((-b - std::sqrt(disc)) / (2 * a));  // the smaller root
}

double exposure_filter(double k, double exposure) {
  if (k <= 0 || exposure <= 0) return 1.0;
  const double ne = 0.245 * std::pow(k, -1.665) + 2.81;
  return std::exp(-exposure / (2 * ne));
}

const char* ctf_correction_name(CtfCorrection mode) {
  switch (mode) {
    case CtfCorrection::none: return "none";
    case CtfCorrection::phase_flip: return "phase-flip";
    case CtfCorrection::wiener: return "wiener";
  }
  return "?";
}

CtfCorrection parse_ctf_correction(const std::string& name) {
  for (CtfCorrection m : {CtfCorrection::none, CtfCorrection::phase_flip, CtfCorrection::wiener})
    if (name == ctf_correction_name(m)) return m;
  throw Error("unknown CTF correction '" + name + "' (known: none, phase-flip, wiener)");
}

double ctf_correction_gain(const CtfParams& p, const CtfCorrectionParams& c, double k) {
  switch (c.mode) {
    case CtfCorrection::none: return 1.0;
    case CtfCorrection::phase_flip: return ctf_value(p, k) > 0 ? -1.0 : 1.0;
    case CtfCorrection::wiener: {
      // Real deconvolution filters know the CTF model, not the envelope (drift, damage) that the data carries.
      CtfParams bare = p;
      bare.bfactor = 0;
      const double v = ctf_value(bare, k);
      return -v / (v * v + std::exp(k * c.falloff_A) / c.ssnr);
    }
  }
  return 1.0;
}

void filter_image(float* image, int64_t ny, int64_t nx, double pixel_A, int64_t pad,
                  const std::function<double(double)>& filter) {
  const int64_t fy = fft_size(ny + pad), fx = fft_size(nx + pad);
  RealFft fft(fy, fx);
  auto buf = fftwf_float_buffer(size_t(fy * fx));
  auto spec = fftwf_complex_buffer(size_t(fft.complex_size()));
  for (int64_t y = 0; y < ny; ++y)
    for (int64_t x = 0; x < nx; ++x) buf[size_t(y * fx + x)] = image[y * nx + x];
  fft.forward(buf.get(), spec.get());
  const int64_t hx = fx / 2 + 1;
  std::vector<double> kx2(static_cast<size_t>(hx));
  for (int64_t x = 0; x < hx; ++x) kx2[size_t(x)] = std::pow(double(x) / (double(fx) * pixel_A), 2);
  const double norm = 1.0 / double(fy * fx);
  for (int64_t y = 0; y < fy; ++y) {
    const double ky = double(y <= fy / 2 ? y : y - fy) / (double(fy) * pixel_A);
    for (int64_t x = 0; x < hx; ++x) {
      const double f = filter(std::sqrt(ky * ky + kx2[size_t(x)])) * norm;
      spec[size_t(y * hx + x)][0] *= float(f);
      spec[size_t(y * hx + x)][1] *= float(f);
    }
  }
  fft.inverse(spec.get(), buf.get());
  for (int64_t y = 0; y < ny; ++y)
    for (int64_t x = 0; x < nx; ++x) image[y * nx + x] = buf[size_t(y * fx + x)];
}

}  // namespace tomopick::sim
