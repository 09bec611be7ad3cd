#pragma once
// Image formation: from the projected potential of each tilt to the recorded, normalised image,
// i.e. what a tilt series holds after gain normalisation. Per tilt t (all in parallel, each with
// its own seeded generator):
//   phi      = sigma(V) * projected potential                       (phase, rad)
//   contrast = F^-1{ 2 CTF(k) * exposure_filter(k, N_t) * F{phi} }  (weak-phase image minus 1)
//   N_t      = dose per tilt x (rank + 1/2): the exposure already received, tilts recorded in
//              dose-symmetric order (|angle| increasing, negative first on ties)
//   electrons per pixel  n = dose/tilts x pixel^2 x exp(-slab / (cos t x mfp)) x DQE
//              (the zero-loss fraction through the tilted slab: an energy filter removes the rest)
//   recorded = contrast + sqrt((1 + contrast) / n) * gaussian / snr   (Poisson, normal approximation)
#include <cstdint>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/sim/ctf.h"
#include "tomopick/sim/sim_config.h"

namespace tomopick::sim {

struct Exposure {
  double defocus_A = 30000;  // this run's underfocus
  double dose = 100;         // e/Å^2, whole series
};

// The order in which the tilts are recorded (dose-symmetric): rank[t] = position of tilt t.
std::vector<int> dose_symmetric_rank(const std::vector<double>& angles_deg);

// Replaces the projections (tilts, Y, nu; V·Å) by recorded images, in place. `noise` false skips
// the shot noise (for tests and the noiseless reference).
void form_images(Volume<float>& tilts, const std::vector<double>& angles_deg, const SimConfig& c, const Exposure& e,
                 uint64_t seed, bool noise = true);

// The CTF of one tilt of this run (the optics of `c`, the defocus of `e`).
CtfParams run_ctf(const SimConfig& c, const Exposure& e);

// What the reconstruction pipeline does to each recorded image before back-projection, in place:
// the CTF correction of `c` (ctf.h, CtfCorrection) and the tilt weight cos(t)^tilt_weight_power.
void prepare_for_reconstruction(Volume<float>& tilts, const std::vector<double>& angles_deg, const SimConfig& c,
                                const Exposure& e);

}  // namespace tomopick::sim
