#pragma once
// The `denoised` product and the output intensity scale.
//
// The CZII test tomograms were denoised; they look smooth, with strong low-frequency contrast and
// the grain of the noise still visible at 2-3 voxels. Our documented stand-in is a low-pass: a 3D
// Gaussian of sigma `denoise_sigma` voxels (czii: 1.2, amplitude 1/2 at 0.16 cycles/voxel, i.e.
// about 64 Å at 10 Å voxels; chosen with the snr knob so that particle contrast in SD units and the
// grain match the real TS_6_4 chunk, see sim_config.cpp), applied separably with clamped edges. It removes the pixel-level shot noise
// (which WBP's ramp amplifies) while keeping particle-sized contrast, like the real product.
#include "tomopick/core/volume.h"

namespace tomopick::sim {

// 3D Gaussian blur (sigma in voxels, truncated at 4 sigma, edges clamped), in parallel; sigma 0 copies.
Volume<float> gaussian_filter(const Volume<float>& v, double sigma);

// Mean and standard deviation (double accumulation in a fixed order: independent of threads).
void volume_stats(const Volume<float>& v, double& mean, double& std);

// Shifts and scales `v` in place to the given mean and standard deviation (std 0 leaves it as is).
void normalize_intensity(Volume<float>& v, double mean, double std);

}  // namespace tomopick::sim
