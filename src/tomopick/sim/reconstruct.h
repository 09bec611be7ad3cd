#pragma once
// Weighted back-projection (R-weighting), the reconstruction CZII's `wbp` tomograms come from.
// Per y row (in parallel) each tilt's detector row is convolved with the band-limited ramp
// (the Ramachandran-Lakshminarayanan kernel h[0] = 1/4, h[odd n] = -1/(pi n)^2, h[even n] = 0,
// applied by FFT on a 2x zero-padded row), optionally rolled off above `radial_cutoff` with a
// Gaussian of sigma `radial_falloff` (cycles/voxel; IMOD's RADIAL option), then smeared back along
// its rays with linear interpolation:
//     f(x, z) = dtheta * sum_t q_t(u(x, z, t)) / voxel,
// which reconstructs a fully sampled object exactly (dtheta = tilt step in radians). Nothing is
// painted on: with tilts only up to +-60 the Fourier components within 30 degrees of k_z are never
// measured, and the missing wedge, the z elongation and the CTF's ringing follow from that.
#include <vector>

#include "tomopick/core/volume.h"

namespace tomopick::sim {

struct WbpOptions {
  double radial_cutoff = 0.5;   // cycles/voxel
  double radial_falloff = 0.0;  // cycles/voxel; 0 = a hard cut at radial_cutoff
};

// `tilts` is (tilts, Y, nu) from project_tilt_series (or recorded images); the result has `shape`
// (its Y must match) and the tilts' voxel spacing.
Volume<float> weighted_back_projection(const Volume<float>& tilts, const std::vector<double>& angles_deg,
                                       const Shape3& shape, const WbpOptions& opts = {});

// The WBP filter's gain at frequency f (cycles/voxel): |f| times the roll-off. For tests.
double wbp_filter_gain(double f, const WbpOptions& opts);

}  // namespace tomopick::sim
