#pragma once
// Every parameter of a simulated run (sample, optics, acquisition, reconstruction), the presets
// `czii` (like the CZII challenge runs), `czii-real` (its imaging matched to the real data), `easy`
// (small and clean, for quick tests) and `byu` (bacteria with flagellar motors), and their validation. Lengths are Å unless the name says otherwise; angles are degrees.
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/sim/ctf.h"

namespace tomopick::sim {

// How many of one particle type a run holds: drawn uniformly from [min, max] per run, for a box of
// `reference_volume_A3` of slab (scaled by the actual slab volume for other box sizes).
struct CountRange {
  std::string name;  // a CZII object name (see particle_models.h)
  int min = 0, max = 0;
};

struct SimConfig {
  std::string preset = "czii";
  // ---- sample ----
  Shape3 shape{184, 630, 630};  // voxels (z, y, x)
  double spacing = 10.012444;    // Å per voxel
  double slab_thickness = 1600;  // Å: particles and cytoplasm live in |z - centre| <= thickness / 2
  std::vector<CountRange> counts;
  double reference_volume_A3 = 0;  // slab volume the counts are for (0 = this config's own)
  // Distractors (counts per run, for the reference volume too).
  int other_protein_min = 0, other_protein_max = 0;  // unlabelled protein blobs, radius 20-110 Å
  int vesicles_min = 0, vesicles_max = 0;            // spherical lipid bilayers, radius 250-900 Å
  int sheets_min = 0, sheets_max = 0;                // flat bilayer patches, radius 600-2000 Å
  int gold_min = 0, gold_max = 0;                    // 10 nm gold fiducials near the slab surfaces
  int ice_min = 0, ice_max = 0;                      // surface ice contamination, radius 200-450 Å
  // What the sample is: "particles" (the CZII sample above) or "bacteria" (the BYU flagellar-motor
  // task: rod-shaped cells with a double envelope lying in the slab, their cytoplasm crowded with
  // ribosomes and proteins, flagellar motors in the envelope; sim/bacteria.h). Bacteria use no `counts`.
  std::string specimen = "particles";
  int cells_min = 1, cells_max = 3;       // bacteria: cells per tomogram (those that fit)
  double no_motor_fraction = 0.5;         // bacteria: the share of tomograms without a motor
  int motors_max = 4;                     // bacteria: the others hold 1..motors_max, one most often
  // ---- optics (Rullgard / Vulovic style weak-phase image formation) ----
  double voltage_kv = 300;
  double cs_mm = 2.7;
  double amplitude_contrast = 0.07;
  double defocus_min_um = 3.0, defocus_max_um = 5.0;  // underfocus, drawn per run
  double bfactor = 500;                              // Å², envelope exp(-B k^2 / 4) (drift, alignment)
  double inelastic_mfp_nm = 350;                     // zero-loss mean free path (energy filter)
  double dqe = 0.6;                                  // detector DQE (scales the counted dose)
  // ---- acquisition ----
  double tilt_min = -60, tilt_max = 60, tilt_step = 3;  // single axis (y), dose-symmetric order
  double dose_min = 60, dose_max = 120;                 // e/Å², whole series, drawn per run
  double snr = 1.0;                                     // noise std is divided by this (1 = physical)
  // ---- reconstruction and products ----
  double radial_cutoff = 0.35;   // WBP ramp: Gaussian fall-off beyond this (cycles/voxel), as IMOD's RADIAL
  double radial_falloff = 0.05;  // its sigma (cycles/voxel); 0 = a plain ramp to Nyquist
  CtfCorrection ctf_correction = CtfCorrection::none;  // applied to each recorded tilt before the WBP
  double wiener_ssnr = 1000;                           // wiener: spectral SNR assumed at k = 0
  double wiener_falloff_A = 200;                       // wiener: SSNR(k) = wiener_ssnr exp(-k wiener_falloff_A)
  double tilt_weight_power = 0;  // each tilt is back-projected with weight cos(t)^this (0 = all alike)
  double denoise_sigma = 1.2;    // voxels: the `denoised` product is the WBP after a 3D Gaussian of this sigma
  // Output intensity scale: both tomograms are shifted and scaled to this mean and standard deviation
  // (calibrated on the real CZII data, see sim_config.cpp). std 0 = leave the physical units.
  double output_mean = 0, output_std = 0;
};

// "czii", "czii-real", "easy" or "byu"; anything else is an Error listing them.
SimConfig sim_preset(const std::string& name);
const std::vector<std::string>& sim_preset_names();

// Throws Error naming the first bad parameter (e.g. "tilt_step must be > 0 (got 0)").
void validate(const SimConfig& c);

// The tilt angles (degrees), tilt_min..tilt_max in steps of tilt_step (the end included when it
// falls on the grid within 1e-6°).
std::vector<double> tilt_angles(const SimConfig& c);

// Slab volume of this config in Å^3 (box area times the slab thickness clipped to the box).
double slab_volume_A3(const SimConfig& c);

}  // namespace tomopick::sim
