#pragma once
// Where the sliding windows go and how their predictions are weighted. Plain C++: option and
// planning code may include this without LibTorch's headers.
//
// Per axis the windows start at 0, step, 2·step, … and the last one is moved back to end at the
// border, so no window hangs over an edge; step = window × (1 − overlap), rounded down to a multiple
// of the output stride s (at least s). Starts are multiples of s so every window's output lands on
// whole voxels of the global output grid (output voxel j covers input voxels [j·s, (j+1)·s), the
// convention of targets/targets.h). The output has ceil(n / s) voxels per axis; when n is not a
// multiple of s the "border" is ceil(n / s)·s and the last window overhangs by less than s voxels,
// which are filled by replicating the edge. Along an axis where the volume is smaller than the window,
// the window shrinks to the volume (rounded up to a multiple of s; y and x stay equal when a TTA
// transform exchanges them): padding a 59-voxel CZII fragment out to 128 voxels by repeating its edge
// shows the network something no training crop held, and cost 75 simulated 92 x 59 x 59 corners
// their CZII score (0.38 against 0.82 with fitted windows, the built-in model of 2026-12-05).
//
// Blending: a window's output voxel gets weight profile_z[k]·profile_y[j]·profile_x[i] (separable,
// maximum 1, floored at kBlendFloor per axis so no voxel is ever weighted zero). The final value is
// Σ weight·prediction / Σ weight; since the windows form a full z × y × x grid, the denominator is
// the product of three 1D sums (AxisGrid::total), which needs no weight volume.
#include <cstdint>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/infer/tta.h"

namespace tomopick::infer {

struct WindowOptions {
  Shape3 window{64, 128, 128};  // input voxels, z y x; multiples of out_stride
  double overlap = 0.25;        // fraction of the window per axis, in [0, 1)
  std::string blend = "gaussian";  // gaussian | pyramid | constant
  double sigma_fraction = 0.125;   // gaussian σ = fraction × window
  int batch = 1;                   // windows per predictor call
  int out_stride = 1;              // the network's output stride s
  std::vector<Tta> tta{Tta::identity};
};

// Error("--window" / "--overlap" / "--blend" / "--sigma-fraction" / "--batch" / "--out-stride" /
// "--tta", problem) for the first bad option.
void validate(const WindowOptions& o);

// The smallest weight a blend profile gives, relative to its maximum of 1.
inline constexpr float kBlendFloor = 1e-3f;

// Window starts (input voxels) along one axis of size_vox voxels.
std::vector<int64_t> window_starts(int64_t size_vox, int64_t window_vox, double overlap, int stride);

// The 1D weights of a window of n output voxels (centre (n−1)/2; gaussian σ = sigma_fraction·n).
std::vector<float> blend_profile(const std::string& blend, int64_t n, double sigma_fraction);

struct AxisGrid {
  int64_t size_vox = 0;     // input voxels
  int64_t out_size = 0;     // output voxels, ceil(size_vox / s)
  int64_t window_out = 0;   // window size in output voxels
  std::vector<int64_t> starts_vox;  // input voxels, multiples of s
  std::vector<float> profile;       // window_out weights
  std::vector<float> total;         // out_size: sum of the profiles of the windows over each voxel
};

struct WindowGrid {
  Shape3 input_shape;
  Shape3 output_shape;
  Shape3 window;  // input voxels: the options' window fitted to the volume (fitted_window)
  int stride = 1;
  AxisGrid z, y, x;
  int64_t count() const { return int64_t(z.starts_vox.size() * y.starts_vox.size() * x.starts_vox.size()); }
};

// The window actually used on a volume of input_shape: o.window, shrunk along the axes where the
// volume is smaller (see the top of this file).
Shape3 fitted_window(const Shape3& input_shape, const WindowOptions& o);

// The grid for a whole volume (its window fitted); options validated first.
WindowGrid make_window_grid(const Shape3& input_shape, const WindowOptions& o);

// The output shape for an input shape: ceil(n / s) per axis.
Shape3 output_shape(const Shape3& input_shape, int out_stride);

}  // namespace tomopick::infer
