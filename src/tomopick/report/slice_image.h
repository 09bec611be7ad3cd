#pragma once
// Grey pictures of a volume: an orthogonal slice, or the mean over a thin slab of slices, contrast-
// stretched by percentiles and resampled to a chosen size; and the frame that maps Å to its pixels.
//
// Planes (rows go down, columns right): axis z -> the y-x plane (rows y, columns x); axis y -> the
// z-x plane (rows z, columns x); axis x -> the z-y plane (rows z, columns y).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/report/image.h"

namespace tomopick {

enum class SliceAxis { z, y, x };
// "z", "y" or "x"; an Error naming `option` otherwise.
SliceAxis parse_slice_axis(const std::string& s, const std::string& option = "--axis");
const char* axis_name(SliceAxis a);

// Where a slice image lies in the volume and how Å map to its pixels. Pixel centres are at integer
// positions; with scale 1 the pixel of a point is its voxel index (Å / spacing).
struct SliceFrame {
  SliceAxis axis = SliceAxis::z;
  double plane_A = 0;                          // the plane's position along `axis`, Å
  double row_spacing_A = 1, col_spacing_A = 1;  // Å per voxel down the rows and along the columns
  double row_scale = 1, col_scale = 1;          // image pixels per voxel

  struct Point {
    double col = 0, row = 0;  // pixels
    double offset_A = 0;      // signed distance from the plane
  };
  Point project(double x_A, double y_A, double z_A) const;
};

// The voxel count along `a` of a shape.
int64_t extent(const Shape3& s, SliceAxis a);

// The box of the slab of `slab` slices centred on slice `index` along `axis` (for an even count the
// extra slice is after it), clipped to the volume. An Error naming `what` when the index lies outside
// the volume or slab < 1.
Box slab_box(const Shape3& shape, SliceAxis axis, int64_t index, int64_t slab, const std::string& what);

// A float image of one plane.
struct GreySlice {
  int64_t rows = 0, cols = 0;
  std::vector<float> values;  // rows * cols, row-major; NaN where the volume was not finite
  SliceFrame frame;           // scale 1
};

// The mean along `axis` of `box` of `v` (non-finite voxels are skipped). The plane lies at the centre
// of the slices averaged: (box.begin + (box.extent - 1) / 2) * spacing along `axis`, plus
// `first_index` slices when `v` holds only a box read from a bigger volume starting there.
GreySlice average_slab(const AnyVolume& v, SliceAxis axis, const Box& box, int64_t first_index = 0);

// The values at the `low` and `high` percentiles (0..100) of the finite values (nearest rank);
// {0, 0} when none is finite.
std::pair<double, double> percentile_range(const std::vector<float>& values, double low, double high);

// The slice as grey RGB: values mapped linearly so that the low percentile is black and the high one
// white (clipped), resampled so that the longer side has `size_px` pixels (0: one pixel per voxel;
// bilinear when enlarging, area mean when shrinking). `frame` is updated with the scales.
RgbImage grey_image(const GreySlice& slice, double low_pct, double high_pct, int64_t size_px, SliceFrame& frame);

}  // namespace tomopick
