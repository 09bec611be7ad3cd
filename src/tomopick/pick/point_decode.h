#pragma once
// Decoding the CZII 1st place's point head: per class a centre-ness map on a strided output grid,
// plus one offset field shared by the classes (dz, dy, dx: where the particle's centre lies, in output
// voxels, from each output voxel's centre). A particle is a centre-ness peak (max-pool suppression,
// peaks.h, without sub-voxel refinement: the offsets are the refinement), moved by the offsets at its
// voxel. Output voxel j's centre is input voxel (j + 0.5) * stride - 0.5 (peaks.h's convention), so
// a point at j + d (output voxels) lies at ((j + d + 0.5) * stride - 0.5) * input spacing Å.
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/pick/peaks.h"

namespace tomopick {

struct PointField {
  std::vector<Volume<float>> centreness;  // per class, all of one shape
  Volume<float> dz, dy, dx;               // that shape too; output voxels
};

// The points of each class (in `field.centreness` order), Å in the global frame, sorted by descending
// score. `per_class` gives each class's threshold and suppression radius (its subvoxel flag is
// ignored). Errors name the map: shapes that differ, a non-finite offset at a peak, a class count
// that differs from per_class.
std::vector<std::vector<Pick>> decode_points(const PointField& field, const HeatmapGrid& grid,
                                             const std::vector<PeakOptions>& per_class,
                                             const std::vector<std::string>& names = {});

// pick_classes (peaks.h) for a point head's maps on the pipeline's grid: `maps` holds the classes'
// centre-ness maps then dz, dy, dx (what infer's ensemble returns for members with offsets). Peaks
// are found as pick_classes finds them without sub-voxel refinement or centroids (the offsets are
// the refinement), then each moves by the offsets at its voxel. Errors: pick_classes's, a map
// count other than classes + 3, a non-finite offset at a peak.
std::vector<PickSet> pick_point_classes(const std::vector<Volume<float>>& maps, const std::vector<ClassPickSpec>& classes,
                                        const HeatmapGrid& grid, const PickClassesOptions& opts = {},
                                        const Box* core = nullptr);

// pick_point_classes when `maps` has classes + 3 volumes and `offsets` is true, else pick_classes.
std::vector<PickSet> pick_maps(const std::vector<Volume<float>>& maps, bool offsets,
                               const std::vector<ClassPickSpec>& classes, const HeatmapGrid& grid,
                               const PickClassesOptions& opts = {}, const Box* core = nullptr);

}  // namespace tomopick
