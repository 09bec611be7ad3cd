#pragma once
// Tilt-series geometry and projection. Single-axis tilt about y (the CZII / IMOD convention), so
// the missing wedge lies in the x-z plane and every y row of the volume projects independently:
// the work runs in parallel over y.
//
// Geometry, in voxels from the centres (xc = x - (X-1)/2, zc = z - (Z-1)/2): at tilt angle t the
// specimen point (xc, zc) lands on detector coordinate
//     u = xc cos t + zc sin t + (Nu - 1) / 2,
// and the detector is wide enough (detector_width) that nothing is cut off at any tilt (the volume's
// whole x-z rectangle stays in view), so the projections are complete and the reconstruction's
// only loss is the missing wedge.
#include <vector>

#include "tomopick/core/volume.h"

namespace tomopick::sim {

// Detector pixels needed so that a Z x X slice is seen whole at every angle (plus a 2-pixel margin).
int64_t detector_width(const Shape3& shape, const std::vector<double>& angles_deg);

// Where voxel (x, z) of a volume of `shape` lands on a detector of `nu` pixels at `angle_deg`.
double detector_u(double x, double z, const Shape3& shape, int64_t nu, double angle_deg);

// Line integrals of `v` (voxel-driven, each voxel split linearly between its two nearest detector
// pixels) times the voxel size: a (tilts, Y, nu) volume in (v's unit) x Å.
Volume<float> project_tilt_series(const Volume<float>& v, const std::vector<double>& angles_deg, int64_t nu);

}  // namespace tomopick::sim
