#include "tomopick/sim/imaging.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "tomopick/core/parallel.h"
#include "tomopick/sim/random.h"

namespace tomopick::sim {

std::vector<int> dose_symmetric_rank(const std::vector<double>& angles_deg) {
  std::vector<int> order(angles_deg.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const double fa = std::abs(angles_deg[size_t(a)]), fb = std::abs(angles_deg[size_t(b)]);
    if (std::abs(fa - fb) > 1e-9) return fa < fb;
    return angles_deg[size_t(a)] < angles_deg[size_t(b)];
  });
  std::vector<int> rank(angles_deg.size());
  for (size_t i = 0; i < order.size(); ++i) rank[size_t(order[i])] = int(i);
  return rank;
}

CtfParams run_ctf(const SimConfig& c, const Exposure& e) {
  CtfParams ctf;
  ctf.kv = c.voltage_kv;
  ctf.cs_mm = c.cs_mm;
  ctf.defocus_A = e.defocus_A;
  ctf.amplitude_contrast = c.amplitude_contrast;
  ctf.bfactor = c.bfactor;
  return ctf;
}

void form_images(Volume<float>& tilts, const std::vector<double>& angles_deg, const SimConfig& c, const Exposure& e,
                 uint64_t seed, bool noise) {
  const Shape3 sh = tilts.shape();  // (tilts, Y, nu)
  const double s = c.spacing;
  const double sigma = interaction_constant(c.voltage_kv);
  const double dose_per_tilt = e.dose / double(angles_deg.size());
  const std::vector<int> rank = dose_symmetric_rank(angles_deg);
  const CtfParams ctf = run_ctf(c, e);
  const double thickness_nm = std::min(c.slab_thickness, double(c.shape.z) * s) / 10.0;
  parallel_for(sh.z, [&](int64_t t) {
    float* img = &tilts(t, 0, 0);
    const int64_t n = sh.y * sh.x;
    for (int64_t i = 0; i < n; ++i) img[i] *= float(sigma);
    const double exposed = dose_per_tilt * (rank[size_t(t)] + 0.5);
    filter_image(img, sh.y, sh.x, s, 16, [&](double k) { return 2.0 * ctf_value(ctf, k) * exposure_filter(k, exposed); });
    if (!noise) return;
    const double cos_t = std::cos(angles_deg[size_t(t)] * std::numbers::pi / 180.0);
    const double electrons = dose_per_tilt * s * s * std::exp(-thickness_nm / (cos_t * c.inelastic_mfp_nm)) * c.dqe;
    const double k = 1.0 / (std::sqrt(electrons) * c.snr);
    Rng rng(derive_seed(seed, uint64_t(t)));
    for (int64_t i = 0; i < n; ++i) {
      const double intensity = std::max(0.0, 1.0 + double(img[i]));
      img[i] = float(double(img[i]) + std::sqrt(intensity) * k * rng.normal());
    }
  });
}

void prepare_for_reconstruction(Volume<float>& tilts, const std::vector<double>& angles_deg, const SimConfig& c,
                                const Exposure& e) {
  const Shape3 sh = tilts.shape();
  const CtfParams ctf = run_ctf(c, e);
  const CtfCorrectionParams corr{c.ctf_correction, c.wiener_ssnr, c.wiener_falloff_A};
  parallel_for(sh.z, [&](int64_t t) {
    float* img = &tilts(t, 0, 0);
    if (corr.mode != CtfCorrection::none)
      filter_image(img, sh.y, sh.x, c.spacing, 16, [&](double k) { return ctf_correction_gain(ctf, corr, k); });
    if (c.tilt_weight_power != 0) {
      const float w = float(std::pow(std::cos(angles_deg[size_t(t)] * std::numbers::pi / 180.0), c.tilt_weight_power));
      for (int64_t i = 0; i < sh.y * sh.x; ++i) img[i] *= w;
    }
  });
}

}  // namespace tomopick::sim
