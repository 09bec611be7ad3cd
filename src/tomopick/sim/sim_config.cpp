#include "tomopick/sim/sim_config.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tomopick/core/error.h"
#include "tomopick/sim/particle_models.h"

namespace tomopick::sim {

namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void require(bool ok, const std::string& what) {
  if (!ok) throw Error("simulation parameter " + what);
}

void check_range(int lo, int hi, const std::string& name) {
  require(lo >= 0 && hi >= lo, name + " count range must satisfy 0 <= min <= max (got " + std::to_string(lo) + ".." +
                                   std::to_string(hi) + ")");
}

}  // namespace

const std::vector<std::string>& sim_preset_names() {
  static const std::vector<std::string> names = {"czii", "czii-real", "easy", "byu"};
  return names;
}

SimConfig sim_preset(const std::string& name) {
  if (name == "byu") {
    // Bacteria with flagellar motors (the BYU Kaggle task) with czii-real's imaging physics (Wiener
    // CTF correction, weighted tilts, physical noise), at a typical BYU size and spacing; the BYU
    // data set writer (sim/byu_dataset.h) draws each tomogram's spacing and shape from BYU's range.
    SimConfig c = sim_preset("czii-real");
    c.preset = name;
    c.specimen = "bacteria";
    c.counts.clear();
    c.shape = {400, 928, 928};
    c.spacing = 15.6;
    c.slab_thickness = 0.85 * 400 * 15.6;
    // Whole cells are thick: more underfocus and dose than CZII's thin lysates; ±60° in 3° steps.
    c.defocus_min_um = 4, c.defocus_max_um = 8;
    c.dose_min = 80, c.dose_max = 150;
    c.tilt_min = -60, c.tilt_max = 60, c.tilt_step = 3;
    // Outside the cells: debris, a few gold beads and ice at the surfaces.
    c.other_protein_min = 100, c.other_protein_max = 300;
    c.vesicles_min = c.vesicles_max = 0;
    c.sheets_min = c.sheets_max = 0;
    c.gold_min = 0, c.gold_max = 4;
    c.ice_min = 0, c.ice_max = 2;
    c.output_mean = 0, c.output_std = 0;  // the writer quantises to 8 bits itself
    c.reference_volume_A3 = slab_volume_A3(c);
    return c;
  }
  SimConfig c;
  c.preset = name;
  if (name == "czii" || name == "czii-real") {
    // The CZII runs: 630 x 630 x 184 voxels at 10.012444 Å. The ground truth of all 7 training runs
    // (../shared/data/czii-fragments/picks, read with read_picks_csv) holds per run:
    //   run       apo-ferritin  beta-galactosidase  ribosome  thyroglobulin  virus-like-particle
    //   TS_5_4              46                  12        31             30                   11
    //   TS_69_2             35                  16        37             34                    9
    //   TS_6_4              58                  12        74             30                   10
    //   TS_6_6              41                  11        23             35                   19
    //   TS_73_6             95                  14        46             28                   22
    //   TS_86_3             64                  23        55             45                   29
    //   TS_99_9             36                  24        65             49                   13
    // and their z range is 39..1549 Å (of 1842), hence a 1600 Å slab. Beta-amylase is in the data but
    // not in those files (it is unscored); we assume a similar, modest count.
    c.counts = {{"apo-ferritin", 35, 95},       {"beta-amylase", 8, 16}, {"beta-galactosidase", 11, 24},
                {"ribosome", 23, 74},           {"thyroglobulin", 28, 49}, {"virus-like-particle", 9, 29}};
    c.other_protein_min = 900, c.other_protein_max = 1400;
    c.vesicles_min = 0, c.vesicles_max = 3;
    c.sheets_min = 0, c.sheets_max = 1;
    c.gold_min = 0, c.gold_max = 2;
    c.ice_min = 0, c.ice_max = 1;
    // Intensity calibration. The one surviving chunk of the real TS_6_4 `denoised` tomogram (level 1,
    // 20 Å, z[0:92] y[256:315] x[256:315]) has mean -1.81e-6, std 6.91e-6, 1st/50th/99th percentiles
    // -2.83e-5 / -4.1e-7 / +9.0e-6 (dark particles give the long negative tail). Our level 0 is
    // scaled so that level 1 (the 2x mean the pyramid writes) lands on that mean and std; level-0
    // std / level-1 std was measured on simulated runs of each preset (seed 1). (The EMPIAR-11658 tomo9,
    // 31.36 Å, 8-bit quantised: mean 13.1, std 3.90, ribosomes about 4.8 SD below random voxels -
    // another scale, used only for the look.)
    c.output_mean = -1.81e-6;
    if (name == "czii-real") {
      // czii-real: the imaging made to match the statistics of the real data (README "Realism").
      // Acquisition and reconstruction, measured on the real TS_6_4 chunk with scripts/sim_realism.py
      // (README "Realism"). Its x-z power spectrum holds nothing beyond 47° from k_x (0.02 of the power at
      // 0-30° in 50-55°, against 0.16 in 45-50°): the data cover about +-45°, not +-60°. Within that the
      // power falls with tilt (0.7 at 30-35°, 0.5 at 40-45°): high tilts see thicker ice and the denoiser
      // keeps less of them; a cos(t)^1.5 weight per tilt reproduces the fall (x-z wedge-edge measure 0.07
      // against 0.10 real; +-60° unweighted gave 1.07).
      c.tilt_min = -45, c.tilt_max = 45;
      c.tilt_weight_power = 1.5;
      // The uncorrected weak-phase CTF hardly transfers anything coarser than ~100 Å (|CTF| ~0.08 at
      // 1/600 Å against 1 at its 1/37 Å peak), so the low-frequency power share of the x-y spectrum was
      // 0.03 (1200-400 Å) against 0.22 real, every large particle had a bright halo and the hollow
      // apo-ferritin a bright centre (+2.1 SD; phase flipping leaves all of that unchanged, since it only
      // acts beyond the first zero at 26-31 Å). A Wiener deconvolution of each tilt restores the low
      // frequencies (ssnr 1000, falloff 100 Å: the ferritin centre is -0.4 SD; ssnr 300 leaves it at -0.1
      // and makes ribosomes -4.3 instead of -5.1). IsoNet's default falloff, 200 Å, removes the fine grain:
      // with the old sigma 1.2 it left 0.03 of the coarser bands' power at 62.7-40 Å (real 0.29).
      c.ctf_correction = CtfCorrection::wiener;
      c.wiener_ssnr = 1000;
      c.wiener_falloff_A = 100;
      // Noise and denoising: physical shot noise (snr 1) and a narrow Gaussian (0.7 voxels) keep the fine
      // grain of the real chunk (62.7-40 Å power 0.18 of the coarser bands, real 0.29; sigma 0.8 gives
      // 0.13) and its histogram (skewness -1.3, excess kurtosis 7.4; real -2.0 and 6.4).
      c.snr = 1.0;
      c.denoise_sigma = 0.7;
      c.output_std = 6.91e-6 * 1.17;  // level-0 / level-1 std measured on czii-real runs (seed 1)
      // Particle contrast (the mean of a radius-1 sphere of level-1 voxels at each pick, in SD of the
      // tomogram) for seed 1: apo-ferritin -0.4, beta-amylase -2.3, beta-galactosidase -3.5 (real -3.3),
      // ribosome -5.1 (real -3.1, tomo9 -2.7), thyroglobulin -3.4 (real -2.3), VLP -1.6 (real -2.3); the
      // real values are single picks except the ribosomes (8).
    } else {
      // czii: the look the built-in model was trained on (±60° unweighted, no CTF correction, lower
      // noise, wider smoothing). Its particle contrast, for seed 1: ribosome -2.96, thyroglobulin
      // -3.38, beta-galactosidase -3.32, VLP -1.02, beta-amylase -2.74 - and apo-ferritin bright at
      // its centre (+2.3), which real data never is: see czii-real.
      c.snr = 1.8;
      c.denoise_sigma = 1.2;
      c.output_std = 6.91e-6 * 1.13;
    }
  } else if (name == "easy") {
    // Small, bright and fast (< 5 s): a few of each particle in a thin slab, few distractors, a high
    // dose and a coarser tilt step.
    c.shape = {64, 192, 192};
    c.spacing = 10.0;
    c.slab_thickness = 500;
    c.counts = {{"apo-ferritin", 3, 4},  {"beta-amylase", 2, 3},  {"beta-galactosidase", 2, 3},
                {"ribosome", 2, 3},      {"thyroglobulin", 2, 3}, {"virus-like-particle", 1, 2}};
    c.other_protein_min = 15, c.other_protein_max = 25;
    c.defocus_min_um = 2.5, c.defocus_max_um = 3.5;
    c.bfactor = 200;
    c.tilt_step = 4;
    c.dose_min = 150, c.dose_max = 150;
    c.denoise_sigma = 1.0;
  } else {
    std::string list;
    for (const auto& n : sim_preset_names()) list += (list.empty() ? "" : ", ") + n;
    throw Error("unknown simulation preset '" + name + "' (known: " + list + ")");
  }
  // The counts are for the preset's own box; other boxes scale them by slab volume.
  c.reference_volume_A3 = slab_volume_A3(c);
  return c;
}

std::vector<double> tilt_angles(const SimConfig& c) {
  std::vector<double> a;
  if (!(c.tilt_step > 0)) return a;
  const int64_t n = int64_t(std::floor((c.tilt_max - c.tilt_min) / c.tilt_step + 1e-6)) + 1;
  for (int64_t i = 0; i < n; ++i) a.push_back(c.tilt_min + double(i) * c.tilt_step);
  return a;
}

double slab_volume_A3(const SimConfig& c) {
  const double t = std::min(c.slab_thickness, double(c.shape.z) * c.spacing);
  return double(c.shape.x) * c.spacing * double(c.shape.y) * c.spacing * t;
}

void validate(const SimConfig& c) {
  const auto finite = [](double v) { return std::isfinite(v); };
  require(c.shape.z >= 8 && c.shape.y >= 8 && c.shape.x >= 8,
          "shape must be at least 8 voxels on every axis (got " + c.shape.str() + ")");
  require(c.shape.count() <= int64_t(2000) * 2000 * 1000, "shape " + c.shape.str() + " is too large");
  require(finite(c.spacing) && c.spacing > 0, "spacing must be > 0 Å (got " + num(c.spacing) + ")");
  require(finite(c.slab_thickness) && c.slab_thickness > 0,
          "slab_thickness must be > 0 Å (got " + num(c.slab_thickness) + ")");
  require(c.reference_volume_A3 >= 0, "reference_volume_A3 must be >= 0");
  const double slab = std::min(c.slab_thickness, double(c.shape.z) * c.spacing);
  const double side = std::min(c.shape.x, c.shape.y) * c.spacing;
  for (const auto& cr : c.counts) {
    const auto& names = particle_names();
    if (std::find(names.begin(), names.end(), cr.name) == names.end())
      throw Error("simulation parameter counts: unknown particle type '" + cr.name + "'");
    check_range(cr.min, cr.max, cr.name);
    if (cr.max == 0) continue;
    const double r = particle_radius(cr.name);
    require(slab >= 2 * r && side >= 2 * r,
            "shape " + c.shape.str() + " at " + num(c.spacing) + " Å with a " + num(slab) +
                " Å slab is too small for " + cr.name + " (radius " + num(r) + " Å needs " + num(2 * r) + " Å)");
  }
  check_range(c.other_protein_min, c.other_protein_max, "other_protein");
  check_range(c.vesicles_min, c.vesicles_max, "vesicles");
  check_range(c.sheets_min, c.sheets_max, "sheets");
  check_range(c.gold_min, c.gold_max, "gold");
  check_range(c.ice_min, c.ice_max, "ice");
  require(c.specimen == "particles" || c.specimen == "bacteria",
          "specimen must be particles or bacteria (got '" + c.specimen + "')");
  check_range(c.cells_min, c.cells_max, "cells");
  require(c.no_motor_fraction >= 0 && c.no_motor_fraction <= 1,
          "no_motor_fraction must be in [0, 1] (got " + num(c.no_motor_fraction) + ")");
  require(c.motors_max >= 0 && c.motors_max <= 50, "motors_max must be in 0..50 (got " + std::to_string(c.motors_max) + ")");
  require(finite(c.voltage_kv) && c.voltage_kv >= 20 && c.voltage_kv <= 1000,
          "voltage_kv must be in 20..1000 kV (got " + num(c.voltage_kv) + ")");
  require(finite(c.cs_mm) && c.cs_mm >= 0, "cs_mm must be >= 0 (got " + num(c.cs_mm) + ")");
  require(finite(c.amplitude_contrast) && c.amplitude_contrast >= 0 && c.amplitude_contrast < 1,
          "amplitude_contrast must be in [0, 1) (got " + num(c.amplitude_contrast) + ")");
  require(finite(c.defocus_min_um) && c.defocus_min_um > 0 && finite(c.defocus_max_um) &&
              c.defocus_max_um >= c.defocus_min_um,
          "defocus must be an underfocus range 0 < min <= max µm (got " + num(c.defocus_min_um) + ".." +
              num(c.defocus_max_um) + ")");
  require(finite(c.bfactor) && c.bfactor >= 0, "bfactor must be >= 0 Å² (got " + num(c.bfactor) + ")");
  require(finite(c.inelastic_mfp_nm) && c.inelastic_mfp_nm > 0,
          "inelastic_mfp_nm must be > 0 (got " + num(c.inelastic_mfp_nm) + ")");
  require(finite(c.dqe) && c.dqe > 0 && c.dqe <= 1, "dqe must be in (0, 1] (got " + num(c.dqe) + ")");
  require(finite(c.tilt_step) && c.tilt_step > 0, "tilt_step must be > 0° (got " + num(c.tilt_step) + ")");
  require(finite(c.tilt_min) && finite(c.tilt_max) && c.tilt_min > -90 && c.tilt_max < 90 && c.tilt_min <= c.tilt_max,
          "tilt range must satisfy -90 < min <= max < 90° (got " + num(c.tilt_min) + ".." + num(c.tilt_max) + ")");
  require(tilt_angles(c).size() <= 1000, "tilt_step " + num(c.tilt_step) + "° gives more than 1000 tilts");
  require(finite(c.dose_min) && c.dose_min > 0 && finite(c.dose_max) && c.dose_max >= c.dose_min,
          "dose must be a range 0 < min <= max e/Å² (got " + num(c.dose_min) + ".." + num(c.dose_max) + ")");
  require(finite(c.snr) && c.snr > 0, "snr must be > 0 (got " + num(c.snr) + ")");
  require(finite(c.radial_cutoff) && c.radial_cutoff > 0 && c.radial_cutoff <= 0.5,
          "radial_cutoff must be in (0, 0.5] cycles/voxel (got " + num(c.radial_cutoff) + ")");
  require(finite(c.radial_falloff) && c.radial_falloff >= 0,
          "radial_falloff must be >= 0 (got " + num(c.radial_falloff) + ")");
  require(finite(c.wiener_ssnr) && c.wiener_ssnr > 0, "wiener_ssnr must be > 0 (got " + num(c.wiener_ssnr) + ")");
  require(finite(c.wiener_falloff_A) && c.wiener_falloff_A >= 0,
          "wiener_falloff_A must be >= 0 Å (got " + num(c.wiener_falloff_A) + ")");
  require(finite(c.tilt_weight_power) && c.tilt_weight_power >= 0 && c.tilt_weight_power <= 10,
          "tilt_weight_power must be in 0..10 (got " + num(c.tilt_weight_power) + ")");
  require(finite(c.denoise_sigma) && c.denoise_sigma >= 0 && c.denoise_sigma <= 20,
          "denoise_sigma must be in 0..20 voxels (got " + num(c.denoise_sigma) + ")");
  require(finite(c.output_mean) && finite(c.output_std) && c.output_std >= 0,
          "output_std must be >= 0 (got " + num(c.output_std) + ")");
}

}  // namespace tomopick::sim
