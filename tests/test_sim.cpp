// The simulator: physics (projection geometry, WBP, missing wedge, CTF, contrast sign), the sample
// (symmetry, no overlaps, picks on density maxima), the project writer (determinism, layout) and the
// command line. Boxes are small so the whole set runs in seconds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <numbers>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/parallel.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/sim/ctf.h"
#include "tomopick/sim/denoise.h"
#include "tomopick/sim/fft.h"
#include "tomopick/sim/imaging.h"
#include "tomopick/sim/particle_models.h"
#include "tomopick/sim/projector.h"
#include "tomopick/sim/reconstruct.h"
#include "tomopick/sim/sample.h"
#include "tomopick/sim/simulate.h"

using namespace tomopick;
using namespace tomopick::sim;

namespace {

std::vector<double> angles(double lo, double hi, double step) {
  std::vector<double> a;
  for (double t = lo; t <= hi + 1e-9; t += step) a.push_back(t);
  return a;
}

// A small, quick config: one or two of a few particle types, no distractors but a few proteins.
SimConfig tiny_config() {
  SimConfig c = sim_preset("easy");
  c.shape = {32, 64, 64};
  c.spacing = 10;
  c.slab_thickness = 300;
  c.counts = {{"apo-ferritin", 2, 2}, {"beta-amylase", 1, 1}};
  c.reference_volume_A3 = 0;
  c.other_protein_min = 3, c.other_protein_max = 3;
  c.tilt_step = 6;
  return c;
}

}  // namespace

// ---- physics ----------------------------------------------------------------------------------------

TEST(SimPhysics, PointProjectsWhereTheGeometrySays) {
  Volume<float> v({16, 8, 24}, {10, 10, 10});
  v(5, 3, 17) = 2.0f;
  const auto a = angles(-60, 60, 15);
  const int64_t nu = detector_width(v.shape(), a);
  const Volume<float> p = project_tilt_series(v, a, nu);
  ASSERT_EQ(p.shape(), (Shape3{int64_t(a.size()), 8, nu}));
  for (size_t t = 0; t < a.size(); ++t) {
    double sum = 0, first = 0, other = 0;
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t u = 0; u < nu; ++u) {
        const double val = p(int64_t(t), y, u);
        if (y == 3) sum += val, first += val * double(u);
        else other += std::abs(val);
      }
    EXPECT_NEAR(sum, 2.0 * 10, 1e-4) << "line integral = value x voxel size";
    EXPECT_EQ(other, 0.0) << "rows other than the point's stay empty (tilt axis = y)";
    // u = xc cos t + zc sin t + (nu-1)/2 with xc = 17 - 11.5, zc = 5 - 7.5.
    const double rad = a[t] * std::numbers::pi / 180;
    const double expect = 5.5 * std::cos(rad) - 2.5 * std::sin(rad) + double(nu - 1) / 2;
    EXPECT_NEAR(first / sum, expect, 1e-4) << "tilt " << a[t];
    EXPECT_NEAR(detector_u(17, 5, v.shape(), nu, a[t]), expect, 1e-12);
  }
}

TEST(SimPhysics, WbpOfAPointPeaksThereAndIsLongerInZThanX) {
  Volume<float> v({48, 4, 48}, {10, 10, 10});
  v(20, 2, 27) = 1.0f;
  const auto a = angles(-60, 60, 3);
  const auto p = project_tilt_series(v, a, detector_width(v.shape(), a));
  const auto r = weighted_back_projection(p, a, v.shape());
  int64_t best = 0;
  for (int64_t i = 1; i < int64_t(r.size()); ++i)
    if (r.data()[i] > r.data()[best]) best = i;
  EXPECT_EQ(best, r.offset(20, 2, 27));
  const float peak = r(20, 2, 27);
  auto extent = [&](int dz, int dx) {  // half-maximum width along one axis
    int n = 1;
    for (int s : {-1, 1})
      for (int k = 1; k < 20 && r(20 + s * k * dz, 2, 27 + s * k * dx) > peak / 2; ++k) ++n;
    return n;
  };
  EXPECT_GT(extent(1, 0), extent(0, 1)) << "the missing wedge elongates a point along z";
  // With full angular coverage the same point comes back round.
  const auto full = angles(-88, 90, 2);
  const auto pf = project_tilt_series(v, full, detector_width(v.shape(), full));
  const auto rf = weighted_back_projection(pf, full, v.shape());
  auto ez = [&](int dz, int dx) {
    int n = 1;
    for (int s : {-1, 1})
      for (int k = 1; k < 20 && rf(20 + s * k * dz, 2, 27 + s * k * dx) > rf(20, 2, 27) / 2; ++k) ++n;
    return n;
  };
  EXPECT_EQ(ez(1, 0), ez(0, 1));
  EXPECT_NEAR(rf(20, 2, 27), 0.5, 0.3) << "WBP is quantitative (a linearly interpolated point)";
}

TEST(SimPhysics, ReconstructionIsEmptyInsideTheMissingWedge) {
  // Random points (white noise) -> tilt series at +-60 deg -> WBP; then the x-z power spectrum,
  // summed over y, within 20 deg of k_z (inside the 30 deg wedge) against within 40 deg of k_x.
  const Shape3 sh{64, 4, 64};
  Volume<float> v(sh, {10, 10, 10});
  Rng rng(7);
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(rng.normal());
  const auto a = angles(-60, 60, 3);
  const auto r = weighted_back_projection(project_tilt_series(v, a, detector_width(sh, a)), a, sh);
  RealFft fft(sh.z, sh.x);
  auto buf = fftwf_float_buffer(size_t(sh.z * sh.x));
  auto spec = fftwf_complex_buffer(size_t(fft.complex_size()));
  double in = 0, out = 0;
  int64_t nin = 0, nout = 0;
  for (int64_t y = 0; y < sh.y; ++y) {
    for (int64_t z = 0; z < sh.z; ++z)
      for (int64_t x = 0; x < sh.x; ++x) buf[size_t(z * sh.x + x)] = r(z, y, x);
    fft.forward(buf.get(), spec.get());
    const int64_t hx = sh.x / 2 + 1;
    for (int64_t z = 0; z < sh.z; ++z)
      for (int64_t x = 0; x < hx; ++x) {
        const double kz = double(z <= sh.z / 2 ? z : z - sh.z) / double(sh.z), kx = double(x) / double(sh.x);
        const double k = std::hypot(kx, kz);
        if (k < 0.06 || k > 0.45) continue;
        const double from_kz = std::atan2(kx, std::abs(kz)) * 180 / std::numbers::pi;
        const double p = std::pow(spec[size_t(z * hx + x)][0], 2) + std::pow(spec[size_t(z * hx + x)][1], 2);
        if (from_kz < 20) in += p, ++nin;
        else if (from_kz > 50) out += p, ++nout;
      }
  }
  ASSERT_GT(nin, 50);
  ASSERT_GT(nout, 50);
  EXPECT_LT((in / nin) / (out / nout), 0.02) << "power inside the wedge vs outside";
}

TEST(SimPhysics, OpticsConstants) {
  EXPECT_NEAR(electron_wavelength_A(300), 0.019687, 2e-6);
  EXPECT_NEAR(electron_wavelength_A(200), 0.025079, 2e-6);
  EXPECT_NEAR(interaction_constant(300), 6.526e-4, 3e-6);
  CtfParams p;
  p.defocus_A = 30000;
  EXPECT_LT(ctf_value(p, 0.005), 0) << "underfocus: low frequencies come out dark";
  EXPECT_NEAR(ctf_value(p, 0), -p.amplitude_contrast, 1e-12);
  const double k0 = ctf_first_zero(p);
  EXPECT_NEAR(k0, 1 / std::sqrt(electron_wavelength_A(300) * 30000), 0.002);  // ~sqrt(1/(lambda df))
  EXPECT_NEAR(ctf_value(p, k0), 0, 1e-9);
  EXPECT_LT(ctf_value(p, k0 * 0.98) * ctf_value(p, k0 * 1.02), 0);
  EXPECT_NEAR(exposure_filter(0.05, 0), 1.0, 1e-12);
  EXPECT_LT(exposure_filter(0.05, 100), exposure_filter(0.02, 100));
}

TEST(SimPhysics, RecordedImageSpectrumHasTheCtfZeroAtTheAnalyticFrequency) {
  // White-noise "projections" imaged without shot noise: the radial power spectrum of the image is
  // the CTF^2 envelope, whose first minimum must sit at ctf_first_zero.
  SimConfig c = tiny_config();
  c.spacing = 4;
  c.bfactor = 0;
  const int64_t n = 192;
  Volume<float> img({1, n, n}, {4, 4, 4});
  Rng rng(3);
  for (size_t i = 0; i < img.size(); ++i) img.data()[i] = float(rng.normal());
  Exposure e;
  e.defocus_A = 20000;
  e.dose = 1e-6;  // no radiation damage
  form_images(img, {0.0}, c, e, 1, false);
  RealFft fft(n, n);
  auto buf = fftwf_float_buffer(size_t(n * n));
  auto spec = fftwf_complex_buffer(size_t(fft.complex_size()));
  std::copy_n(img.data(), n * n, buf.get());
  fft.forward(buf.get(), spec.get());
  std::vector<double> power(size_t(n / 2), 0.0), count(size_t(n / 2), 0.0);
  for (int64_t y = 0; y < n; ++y)
    for (int64_t x = 0; x <= n / 2; ++x) {
      const double ky = double(y <= n / 2 ? y : y - n);
      const int64_t b = int64_t(std::lround(std::hypot(ky, double(x))));
      if (b >= n / 2) continue;
      const auto& s = spec[size_t(y * (n / 2 + 1) + x)];
      power[size_t(b)] += s[0] * s[0] + s[1] * s[1];
      count[size_t(b)] += 1;
    }
  CtfParams p;
  p.defocus_A = 20000;
  const double k0 = ctf_first_zero(p);  // 1/Å
  const int64_t expect = std::lround(k0 * 4 * double(n));
  // Search between the low-frequency minimum (CTF(0) = -A is small too) and the second zero.
  int64_t best = int64_t(expect * 0.6);
  for (int64_t b = best; b < int64_t(expect * 1.3); ++b)
    if (power[size_t(b)] / count[size_t(b)] < power[size_t(best)] / count[size_t(best)]) best = b;
  EXPECT_NEAR(double(best), double(expect), 1.0) << "first zero at " << 1 / k0 << " Å";
}

TEST(SimPhysics, DenseMatterComesOutDark) {
  SimConfig c = tiny_config();
  Volume<float> v(c.shape, {10, 10, 10});
  splat_atom(v, Vec3{160, 320, 320}, 40, 5e6);
  const auto a = tilt_angles(c);
  auto p = project_tilt_series(v, a, detector_width(c.shape, a));
  Exposure e;
  form_images(p, a, c, e, 1, false);
  const auto r = weighted_back_projection(p, a, c.shape, {c.radial_cutoff, c.radial_falloff});
  double m, sd;
  volume_stats(r, m, sd);
  EXPECT_LT(r(16, 32, 32), m - 3 * sd);
}

TEST(SimPhysics, CtfCorrectionKeepsDenseMatterDarkAtEveryFrequency) {
  // The transfer after correction, 2 CTF G: phase flipping makes it -2|CTF| (one sign, no lobe
  // inverted), the Wiener filter never positive and near -1 at low frequencies, where the CTF alone
  // passes under a tenth.
  EXPECT_EQ(parse_ctf_correction("phase-flip"), CtfCorrection::phase_flip);
  EXPECT_EQ(std::string(ctf_correction_name(parse_ctf_correction("wiener"))), "wiener");
  EXPECT_NE(test::error_message([] { parse_ctf_correction("flip"); }).find("known: none, phase-flip, wiener"),
            std::string::npos);
  for (double df : {20000.0, 30000.0, 50000.0}) {
    CtfParams p;
    p.defocus_A = df;
    p.bfactor = 500;
    const CtfCorrectionParams flip{CtfCorrection::phase_flip}, none{CtfCorrection::none};
    const CtfCorrectionParams wiener{CtfCorrection::wiener, 1000, 100};
    int positive_lobes = 0;
    for (double k = 0; k < 0.1; k += 1e-4) {
      const double c = ctf_value(p, k);
      if (c > 1e-3) ++positive_lobes;
      EXPECT_EQ(ctf_correction_gain(p, none, k), 1.0);
      EXPECT_NEAR(2 * c * ctf_correction_gain(p, flip, k), -2 * std::abs(c), 1e-12) << "df " << df << " k " << k;
      const double w = 2 * c * ctf_correction_gain(p, wiener, k);
      EXPECT_LE(w, 1e-12) << "df " << df << " k " << k;
      EXPECT_GE(w, -2.0) << "df " << df << " k " << k;
    }
    EXPECT_GT(positive_lobes, 0) << "the test sees CTF lobes that phase flipping must invert";
    const double k_low = 1.0 / 600;
    EXPECT_LT(std::abs(ctf_value(p, k_low)), 0.1);
    EXPECT_LT(ctf_value(p, k_low) * ctf_correction_gain(p, wiener, k_low), -0.8) << "df " << df;
  }
}

TEST(SimPhysics, TiltWeightsScaleEachImageByCosinePower) {
  SimConfig c = tiny_config();
  c.ctf_correction = CtfCorrection::none;
  c.tilt_weight_power = 1.5;
  Volume<float> img({3, 4, 5}, {10, 10, 10});
  img.fill(2.0f);
  prepare_for_reconstruction(img, {-60.0, 0.0, 45.0}, c, Exposure{});
  EXPECT_FLOAT_EQ(img(0, 1, 1), float(2 * std::pow(0.5, 1.5)));
  EXPECT_FLOAT_EQ(img(1, 3, 4), 2.0f);
  EXPECT_FLOAT_EQ(img(2, 0, 0), float(2 * std::pow(std::cos(std::numbers::pi / 4), 1.5)));
}

namespace {

// One apo-ferritin, noiseless, imaged and reconstructed with the czii-real preset's optics and
// reconstruction (or `correction`) at `defocus_A`, after the preset's denoising Gaussian: the mean
// of a 20 Å sphere at its centre minus the mean of everything over 150 Å away, in units of the
// deepest point of its shell (so > 0 means a bright centre).
double ferritin_centre_contrast(CtfCorrection correction, double defocus_A) {
  SimConfig c = sim_preset("czii-real");
  c.shape = {40, 48, 48};
  c.ctf_correction = correction;
  Volume<float> v(c.shape, {c.spacing, c.spacing, c.spacing});
  const double m = 23.5 * c.spacing;  // the centre of the box, in Å
  for (const auto& a : particle_model("apo-ferritin").atoms)
    splat_atom(v, Vec3{m - 4 * c.spacing + a.pos.z, m + a.pos.y, m + a.pos.x}, a.sigma, a.weight);
  const auto ang = tilt_angles(c);
  auto tilts = project_tilt_series(v, ang, detector_width(c.shape, ang));
  Exposure e;
  e.defocus_A = defocus_A;
  form_images(tilts, ang, c, e, 1, false);
  prepare_for_reconstruction(tilts, ang, c, e);
  const auto r = gaussian_filter(weighted_back_projection(tilts, ang, c.shape, {c.radial_cutoff, c.radial_falloff}),
                                 c.denoise_sigma);
  double centre = 0, far = 0, deepest = 0;
  int64_t nc = 0, nf = 0;
  for (int64_t z = 0; z < c.shape.z; ++z)
    for (int64_t y = 0; y < c.shape.y; ++y)
      for (int64_t x = 0; x < c.shape.x; ++x) {
        const double d = std::hypot(double(z) - 19.5, double(y) - 23.5, double(x) - 23.5) * c.spacing;
        if (d <= 20) centre += r(z, y, x), ++nc;
        if (d > 150) far += r(z, y, x), ++nf;
        if (d <= 70) deepest = std::min(deepest, double(r(z, y, x)));
      }
  far /= double(nf);
  return (centre / double(nc) - far) / (far - deepest);
}

}  // namespace

TEST(SimPhysics, HollowFerritinCentreStaysAtBackgroundWithTheWienerCorrection) {
  // The weak-phase CTF hardly passes the low frequencies, so an uncorrected (or phase-flipped) hollow
  // shell comes out as a dark ring around a bright centre (measured +0.20 and +0.34 of the ring's depth
  // at 3 and 5 µm); the Wiener correction restores them and the cavity (ice) stays at the level of
  // the ice around the particle (+0.02, +0.01).
  for (double df : {30000.0, 50000.0}) {
    EXPECT_GT(ferritin_centre_contrast(CtfCorrection::none, df), 0.15) << "df " << df;
    EXPECT_GT(ferritin_centre_contrast(CtfCorrection::phase_flip, df), 0.15) << "df " << df;
    EXPECT_LT(std::abs(ferritin_centre_contrast(CtfCorrection::wiener, df)), 0.05) << "df " << df;
  }
}

// ---- the sample -------------------------------------------------------------------------------------

TEST(SimSample, SymmetryGroupsAndModels) {
  for (auto [g, n] : std::vector<std::pair<std::string, size_t>>{{"C1", 1}, {"C2", 2}, {"D2", 4}, {"O", 24}, {"I", 60}}) {
    const auto rs = symmetry_group(g);
    ASSERT_EQ(rs.size(), n) << g;
    for (const auto& r : rs) {
      const Mat3 rt = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
      const Mat3 i = matmul(r, rt);
      for (int k = 0; k < 9; ++k) EXPECT_NEAR(i[k], kIdentity3[k], 1e-9) << g;
    }
  }
  EXPECT_THROW(symmetry_group("T"), Error);
  for (const auto& name : particle_names()) {
    const ParticleModel& m = particle_model(name);
    double w = 0, cx = 0, cy = 0, cz = 0, inside = 0;
    for (const auto& a : m.atoms) {
      w += a.weight, cx += a.weight * a.pos.x, cy += a.weight * a.pos.y, cz += a.weight * a.pos.z;
      if (std::sqrt(a.pos.x * a.pos.x + a.pos.y * a.pos.y + a.pos.z * a.pos.z) <= m.radius) inside += a.weight;
    }
    const double factor = name == "ribosome" ? 1.3 : 1.0;
    EXPECT_NEAR(w, m.mass_kda * 1000 * kAngstrom3PerDalton * kProteinContrastV * factor, 1e-6 * w) << name;
    EXPECT_NEAR(cx / w, 0, 1e-6) << name;
    EXPECT_NEAR(cy / w, 0, 1e-6) << name;
    EXPECT_NEAR(cz / w, 0, 1e-6) << name;
    EXPECT_GT(inside / w, 0.9) << name << ": mass lies within the CZII radius";
  }
  EXPECT_THROW(particle_model("ribosomes"), Error);
}

TEST(SimSample, CziiPlacementHasRealCountsAndNoOverlaps) {
  const SimConfig c = sim_preset("czii");
  Rng rng(11);
  const Sample s = place_sample(c, rng);
  for (size_t k = 0; k < c.counts.size(); ++k) {
    const auto& placed = s.placed[k];
    const auto& cr = *std::find_if(c.counts.begin(), c.counts.end(), [&](const CountRange& r) { return r.name == placed.first; });
    EXPECT_GE(placed.second, cr.min) << placed.first;
    EXPECT_LE(placed.second, cr.max) << placed.first;
  }
  const double zc = slab_centre(c), half = slab_half(c);
  std::vector<const SampleObject*> balls;
  for (const auto& o : s.objects)
    if (o.kind != ObjectKind::vesicle && o.kind != ObjectKind::sheet) balls.push_back(&o);
  EXPECT_GT(balls.size(), 900u);
  for (size_t i = 0; i < balls.size(); ++i) {
    const auto& a = *balls[i];
    if (a.kind == ObjectKind::particle || a.kind == ObjectKind::protein) {
      EXPECT_LE(std::abs(a.centre.z - zc), half - a.radius + 1e-9) << a.name << " inside the slab";
      EXPECT_GE(a.centre.x, 0);
      EXPECT_LE(a.centre.x, (c.shape.x - 1) * c.spacing);
    }
    for (size_t j = i + 1; j < balls.size(); ++j) {
      const auto& b = *balls[j];
      const double d = std::sqrt(std::pow(a.centre.x - b.centre.x, 2) + std::pow(a.centre.y - b.centre.y, 2) +
                                 std::pow(a.centre.z - b.centre.z, 2));
      ASSERT_GE(d, a.radius + b.radius - 1e-9) << a.name << " overlaps " << b.name;
    }
  }
}

TEST(SimSample, PicksFallOnDensityMaxima) {
  // Noiseless density of one particle of each type, smoothed at the particle's size: the maximum
  // near each pick is at the pick (Å / spacing = voxel index).
  SimConfig c = sim_preset("easy");
  c.shape = {48, 160, 160};
  c.spacing = 12;
  c.slab_thickness = 560;
  for (auto& cr : c.counts) cr.min = cr.max = 1;
  c.reference_volume_A3 = 0;
  c.other_protein_min = c.other_protein_max = 0;
  Rng rng(5);
  const Sample s = place_sample(c, rng);
  Volume<uint8_t> labels;
  Volume<uint16_t> instances;
  const Volume<float> d = render_sample(s, c, &labels, &instances);
  const auto picks = sample_picks(s, c, "r");
  size_t checked = 0;
  for (const auto& set : picks)
    for (const auto& p : set.points) {
      const double r = particle_radius(set.object) / c.spacing;  // voxels
      const Volume<float> sm = gaussian_filter(d, 0.5 * r);
      const Vec3 v = d.angstrom_to_voxel({p.z, p.y, p.x});
      double best = -1;
      Vec3 at;
      for (int64_t z = int64_t(v.z - r); z <= int64_t(v.z + r) + 1; ++z)
        for (int64_t y = int64_t(v.y - r); y <= int64_t(v.y + r) + 1; ++y)
          for (int64_t x = int64_t(v.x - r); x <= int64_t(v.x + r) + 1; ++x)
            if (sm.contains(z, y, x) && std::hypot(z - v.z, y - v.y, x - v.x) <= r && sm(z, y, x) > best)
              best = sm(z, y, x), at = {double(z), double(y), double(x)};
      EXPECT_LT(std::hypot(at.z - v.z, at.y - v.y, at.x - v.x), 1.5) << set.object;
      // The class label is painted on the particle.
      bool labelled = false;
      for (int64_t k = 0; k < int64_t(labels.size()); ++k)
        if (labels.data()[k] == czii_config().find(set.object)->label) labelled = true;
      EXPECT_TRUE(labelled) << set.object;
      // The instance volume carries this pick's instance id on its particle only (hollow particles
      // have none at the centre): within the particle's radius of the pick, with its class label.
      size_t with_id = 0;
      for (int64_t z = 0; z < instances.shape().z; ++z)
        for (int64_t y = 0; y < instances.shape().y; ++y)
          for (int64_t x = 0; x < instances.shape().x; ++x)
            if (instances(z, y, x) == p.instance_id) {
              ++with_id;
              ASSERT_LE(std::hypot(z - v.z, y - v.y, x - v.x), r + 1) << set.object;
              ASSERT_EQ(labels(z, y, x), czii_config().find(set.object)->label) << set.object;
            }
      EXPECT_GT(with_id, 0u) << set.object;
      ++checked;
    }
  EXPECT_EQ(checked, 6u);
}

// ---- project, determinism, parameters ----------------------------------------------------------------

TEST(SimProject, SameSeedSameBytesWhateverTheThreads) {
  test::TempDir d;
  SimConfig c = tiny_config();
  SimulateOptions o;
  o.runs = 2;
  o.seed = 42;
  o.save_density = o.save_labels = true;
  o.out = d / "a";
  const int threads = thread_count();
  set_thread_count(1);
  simulate_project(c, o);
  set_thread_count(std::max(2, threads));
  o.out = d / "b";
  simulate_project(c, o);
  o.seed = 43;
  o.out = d / "c";
  simulate_project(c, o);
  set_thread_count(threads);
  size_t files = 0;
  bool any_diff_c = false;
  for (const auto& e : fs::recursive_directory_iterator(d / "a")) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), d / "a");
    ASSERT_TRUE(fs::exists(d / "b" / rel)) << rel;
    EXPECT_EQ(read_file(e.path()), read_file(d / "b" / rel)) << rel;
    if (!fs::exists(d / "c" / rel) || read_file(e.path()) != read_file(d / "c" / rel)) any_diff_c = true;
    ++files;
  }
  EXPECT_GT(files, 40u);
  EXPECT_TRUE(any_diff_c) << "another seed gives another sample";
}

TEST(SimProject, CziiCorrectionsAreDeterministicWhateverTheThreads) {
  // The per-tilt CTF correction and tilt weights of the czii-real preset, in a box small enough to be quick.
  SimConfig c = sim_preset("czii-real");
  c.shape = {40, 64, 64};
  c.slab_thickness = 380;
  c.counts = {{"apo-ferritin", 2, 2}};
  c.reference_volume_A3 = 0;
  c.other_protein_min = c.other_protein_max = 5;
  c.vesicles_max = c.sheets_max = c.gold_max = c.ice_max = 0;
  const int threads = thread_count();
  set_thread_count(1);
  const SimulatedRun a = simulate_run(c, 5, 0, "r");
  set_thread_count(std::max(2, threads));
  const SimulatedRun b = simulate_run(c, 5, 0, "r");
  set_thread_count(threads);
  ASSERT_EQ(a.denoised.size(), b.denoised.size());
  EXPECT_EQ(0, std::memcmp(a.denoised.data(), b.denoised.data(), a.denoised.size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(a.wbp.data(), b.wbp.data(), a.wbp.size() * sizeof(float)));
}

namespace {

// A czii-real run in a 96 x 160 x 160 box with a few of each particle: per type, the mean over its
// picks of a 20 Å sphere at the centre of `denoised`, in SD from the tomogram's mean.
std::map<std::string, double> czii_centre_contrasts(CtfCorrection correction, uint64_t seed) {
  SimConfig c = sim_preset("czii-real");
  c.shape = {96, 160, 160};
  c.ctf_correction = correction;
  for (auto& k : c.counts) k.min = k.max = k.name == "apo-ferritin" ? 8 : k.name == "virus-like-particle" ? 1 : 3;
  c.reference_volume_A3 = 0;
  c.other_protein_min = c.other_protein_max = 40;
  c.vesicles_max = c.sheets_max = c.gold_max = c.ice_max = 0;
  const SimulatedRun r = simulate_run(c, seed, 0, "r");
  double m, sd;
  volume_stats(r.denoised, m, sd);
  std::map<std::string, double> out;
  for (const auto& set : r.picks) {
    double sum = 0;
    int n = 0;
    for (const auto& p : set.points) {
      const Vec3 v = r.denoised.angstrom_to_voxel({p.z, p.y, p.x});
      for (int64_t z = std::lround(v.z) - 2; z <= std::lround(v.z) + 2; ++z)
        for (int64_t y = std::lround(v.y) - 2; y <= std::lround(v.y) + 2; ++y)
          for (int64_t x = std::lround(v.x) - 2; x <= std::lround(v.x) + 2; ++x)
            if (r.denoised.contains(z, y, x) && std::hypot(z - v.z, y - v.y, x - v.x) <= 2.0)
              sum += (r.denoised(z, y, x) - m) / sd, ++n;
    }
    if (n > 0) out[set.object] = sum / n;
  }
  return out;
}

}  // namespace

TEST(SimProject, CziiParticlesAreDarkAtTheirCentres) {
  // End to end, with noise: every solid particle is dark at its centre and the hollow apo-ferritin is
  // no brighter than background, where without the CTF correction it stands out bright.
  ASSERT_EQ(sim_preset("czii-real").ctf_correction, CtfCorrection::wiener);
  ASSERT_EQ(sim_preset("czii").ctf_correction, CtfCorrection::none);  // the built-in model's look
  for (uint64_t seed : {2, 3}) {
    const auto with = czii_centre_contrasts(CtfCorrection::wiener, seed);
    ASSERT_EQ(with.size(), 6u);
    for (const auto& [name, v] : with) {
      if (name == "apo-ferritin") EXPECT_LT(v, 0.25) << "seed " << seed;  // measured -0.04, +0.13
      else EXPECT_LT(v, -1.0) << name << " seed " << seed;
    }
    EXPECT_GT(czii_centre_contrasts(CtfCorrection::none, seed).at("apo-ferritin"), 0.5) << "seed " << seed;  // 0.98, 0.75
  }
}

TEST(SimProject, WritesACopickProject) {
  test::TempDir d;
  SimConfig c = tiny_config();
  SimulateOptions o;
  o.out = d / "proj";
  o.seed = 9;
  EXPECT_EQ(simulate_project(c, o), (std::vector<std::string>{"sim_000"}));
  const auto p = CopickProject::open(d / "proj");
  EXPECT_EQ(p.config().objects.size(), 6u);
  EXPECT_EQ(p.runs(), (std::vector<std::string>{"sim_000"}));
  const auto t = p.find_tomogram("sim_000", "denoised", 10.0);
  const auto z = OmeZarr::open(t.path);
  ASSERT_EQ(z.levels().size(), 3u);
  EXPECT_EQ(z.levels()[0].meta.shape, c.shape);
  EXPECT_EQ(z.levels()[0].meta.dtype, DType::f32);
  EXPECT_NO_THROW(p.find_tomogram("sim_000", "wbp"));
  const auto picks = p.read_picks("sim_000", "", "simulation");
  EXPECT_EQ(count_picks(picks), 3u);
  for (const auto& s : picks)
    for (const auto& pk : s.points) {
      EXPECT_GE(pk.x, 0);
      EXPECT_LE(pk.x, 63 * 10.0);
      EXPECT_LE(pk.z, 31 * 10.0);
    }
  // An existing project is replaced only on request.
  EXPECT_NE(test::error_message([&] { simulate_project(c, o); }).find("--overwrite"), std::string::npos);
  o.overwrite = true;
  EXPECT_NO_THROW(simulate_project(c, o));
  write_file_atomic(d / "notes.txt", "x");
  o.out = d.path();
  EXPECT_NE(test::error_message([&] { simulate_project(c, o); }).find("not a copick project"), std::string::npos);
}

TEST(SimProject, BadParametersNameThemselves) {
  auto bad = [](const std::function<void(SimConfig&)>& f) {
    SimConfig c = sim_preset("czii");
    f(c);
    return test::error_message([&] { validate(c); });
  };
  EXPECT_EQ(test::error_message([] { validate(sim_preset("czii")); }), "(no error)");
  EXPECT_EQ(test::error_message([] { validate(sim_preset("easy")); }), "(no error)");
  EXPECT_EQ(test::error_message([] { validate(sim_preset("czii-real")); }), "(no error)");
  EXPECT_NE(test::error_message([] { sim_preset("hard"); }).find("unknown simulation preset 'hard' (known: czii, czii-real, easy, byu)"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.dose_min = -5; }).find("dose"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.tilt_step = 0; }).find("tilt_step must be > 0"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.shape = {20, 630, 630}; }).find("too small for"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.snr = 0; }).find("snr"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.wiener_ssnr = 0; }).find("wiener_ssnr must be > 0"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.wiener_falloff_A = -1; }).find("wiener_falloff_A"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.tilt_weight_power = -1; }).find("tilt_weight_power must be in 0..10"),
            std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.defocus_min_um = 5, c.defocus_max_um = 3; }).find("defocus"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.tilt_min = -95; }).find("tilt range"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.amplitude_contrast = 1.5; }).find("amplitude_contrast"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.counts.push_back({"ribosome", 5, 2}); }).find("ribosome count range"), std::string::npos);
  EXPECT_NE(bad([](SimConfig& c) { c.counts.push_back({"proteasome", 1, 2}); }).find("unknown particle type 'proteasome'"),
            std::string::npos);
  SimulateOptions o;
  o.runs = 0;
  o.out = "/tmp/x";
  EXPECT_NE(test::error_message([&] { simulate_project(tiny_config(), o); }).find("--runs"), std::string::npos);
}

// ---- command line -----------------------------------------------------------------------------------

TEST(SimCli, SimulatesAndReportsBadOptionsInOneLine) {
  test::TempDir d;
  const std::string bin = test::tomopick_binary();
  const auto ok = test::run_command(bin + " -q simulate --preset easy --shape 32,64,64 --slab 300 --tilt-step 10 --seed 3 --out " +
                                    test::shell_quote((d / "p").string()) + " --save-labels");
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(fs::exists(d / "p/ExperimentRuns/sim_000/VoxelSpacing10.000/labels.zarr/.zattrs"));
  EXPECT_TRUE(fs::exists(d / "p/ExperimentRuns/sim_000/VoxelSpacing10.000/instances.zarr/.zattrs"));
  EXPECT_TRUE(fs::exists(d / "p/ExperimentRuns/sim_000/simulation.json"));
  for (const auto& [args, expect] : std::vector<std::pair<std::string, std::string>>{
           {"--tilt-step 0", "tilt_step must be > 0"},
           {"--dose -3", "dose must be a range"},
           {"--dose abc", "--dose: 'abc' must be a number or MIN,MAX"},
           {"--preset hard", "unknown simulation preset 'hard'"},
           {"--shape 20,64,64 --preset czii", "too small for"}}) {
    const auto r = test::run_command(bin + " simulate --out " + test::shell_quote((d / "q").string()) + " " + args);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_NE(r.output.find(expect), std::string::npos) << args << ": " << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}
