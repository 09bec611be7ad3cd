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
#include <memory>

#include "tomopick/core/volume.h"

namespace tomopick {

// The output shape (see above). Error on a non-positive or non-finite spacing.
Shape3 resampled_shape(const Shape3& shape, const Vec3& old_spacing_A, const Vec3& new_spacing_A);

// The volume at new_spacing_A (same origin). A copy when the spacing is unchanged. Error on an empty
// volume or a non-positive or non-finite spacing (either).
Volume<float> resample(const Volume<float>& v, const Vec3& new_spacing_A);

struct ResampleOps;

// Resampling a box of the output at a time, for volumes too large to hold (streamed inference): the
// values are exactly those of resample() on the whole volume (the same weights applied in the same
// order), computed from only the input voxels they depend on.
class BoxResampler {
public:
  // Error on an empty input or a bad spacing.
  BoxResampler(const Shape3& in_shape, const Vec3& old_spacing_A, const Vec3& new_spacing_A);
  const Shape3& output_shape() const { return out_; }
  // The input voxels that output box `out_box` depends on. Error if the box is not inside the output.
  Box source_box(const Box& out_box) const;
  // Output box `out_box` from `source`, the input's source_box(out_box) (its origin that box's).
  Volume<float> resample(const Volume<float>& source, const Box& out_box) const;

private:
  Shape3 in_;
  Vec3 old_, new_;
  Shape3 out_;
  std::shared_ptr<const ResampleOps> ops_;
};

}  // namespace tomopick
