#pragma once
// Resampling a volume to another voxel spacing (e.g. a tomogram to the spacing a model was trained
// at, or a heatmap back to the tomogram's).
//
// Convention (core/volume.h): voxel 0 stays where it is, so output voxel j, at j * new_spacing Å,
// samples the input at voxel j * new / old; per axis the output has floor((n - 1) * old / new) + 1
// voxels, the last of which lies at or before the input's last voxel. Values are trilinearly
// interpolated. When an axis is downsampled by a factor f = new / old > 1 it is first smoothed with a
// Gaussian of σ = 0.5 * sqrt(f² - 1) input voxels (≈ 0.5 f; the sqrt form tends to 0 as f -> 1, so a
// tiny change of spacing does not suddenly blur), which removes what the coarser grid cannot hold
// instead of aliasing it; edges repeat the border voxel. Gaussian and interpolation are separable, so
// each axis is one small linear operator applied only at the output positions.
#include "tomopick/core/volume.h"

namespace tomopick {

// The output shape (see above). Error on a non-positive or non-finite spacing.
Shape3 resampled_shape(const Shape3& shape, const Vec3& old_spacing_A, const Vec3& new_spacing_A);

// The volume at new_spacing_A (same origin). A copy when the spacing is unchanged. Error on an empty
// volume or a non-positive or non-finite spacing (either).
Volume<float> resample(const Volume<float>& v, const Vec3& new_spacing_A);

}  // namespace tomopick
