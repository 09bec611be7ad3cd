#include "tomopick/pick/point_decode.h"

#include <cmath>

#include "tomopick/core/error.h"

namespace tomopick {

namespace {

// Moves each peak (at its voxel's centre, as find_peaks without refinement puts it) by the offsets
// (heatmap voxels) at that voxel.
void move_by_offsets(std::vector<Pick>& peaks, const Volume<float>& dzv, const Volume<float>& dyv,
                     const Volume<float>& dxv, const HeatmapGrid& grid, const std::string& name) {
  const Vec3 origin = heatmap_voxel_to_A({0, 0, 0}, grid);
  const Vec3 step = {grid.stride * grid.input_spacing_A.z, grid.stride * grid.input_spacing_A.y,
                     grid.stride * grid.input_spacing_A.x};
  for (auto& p : peaks) {
    const int64_t z = std::llround((p.z - origin.z) / step.z) - grid.offset_vox.z;
    const int64_t y = std::llround((p.y - origin.y) / step.y) - grid.offset_vox.y;
    const int64_t x = std::llround((p.x - origin.x) / step.x) - grid.offset_vox.x;
    const double dz = dzv(z, y, x), dy = dyv(z, y, x), dx = dxv(z, y, x);
    if (!std::isfinite(dz) || !std::isfinite(dy) || !std::isfinite(dx))
      throw Error("point head: the offset at " + name + "'s peak (" + std::to_string(z) + ", " + std::to_string(y) +
                  ", " + std::to_string(x) + ") is not finite");
    const Vec3 at = heatmap_voxel_to_A(
        {double(z + grid.offset_vox.z) + dz, double(y + grid.offset_vox.y) + dy, double(x + grid.offset_vox.x) + dx}, grid);
    p.z = at.z, p.y = at.y, p.x = at.x;
  }
}

}  // namespace

std::vector<std::vector<Pick>> decode_points(const PointField& f, const HeatmapGrid& grid,
                                             const std::vector<PeakOptions>& per_class,
                                             const std::vector<std::string>& names) {
  if (f.centreness.size() != per_class.size())
    throw Error("point head: " + std::to_string(f.centreness.size()) + " centre-ness maps but " +
                std::to_string(per_class.size()) + " classes' options");
  auto name_of = [&](size_t c) { return c < names.size() ? names[c] : "class " + std::to_string(c); };
  for (const auto* d : {&f.dz, &f.dy, &f.dx})
    for (size_t c = 0; c < f.centreness.size(); ++c)
      if (!(d->shape() == f.centreness[c].shape()))
        throw Error("point head: the offset field and the centre-ness map of " + name_of(c) + " differ in shape (" +
                    d->shape().str() + " vs " + f.centreness[c].shape().str() + ")");
  std::vector<std::vector<Pick>> out;
  for (size_t c = 0; c < f.centreness.size(); ++c) {
    PeakOptions o = per_class[c];
    o.subvoxel = false;
    o.centroid = false;
    std::vector<Pick> peaks = find_peaks(f.centreness[c], grid, o, nullptr, name_of(c));
    move_by_offsets(peaks, f.dz, f.dy, f.dx, grid, name_of(c));
    out.push_back(std::move(peaks));
  }
  return out;
}

std::vector<PickSet> pick_point_classes(const std::vector<Volume<float>>& maps, const std::vector<ClassPickSpec>& classes,
                                        const HeatmapGrid& grid, const PickClassesOptions& opts, const Box* core) {
  if (maps.size() != classes.size() + 3)
    throw Error("point head", std::to_string(maps.size()) + " maps for " + std::to_string(classes.size()) +
                                  " classes (expected the classes' centre-ness maps and 3 offset fields)");
  const std::vector<Volume<float>> centre(maps.begin(), maps.begin() + std::ptrdiff_t(classes.size()));
  const auto& dz = maps[classes.size()];
  const auto& dy = maps[classes.size() + 1];
  const auto& dx = maps[classes.size() + 2];
  for (const auto* d : {&dz, &dy, &dx})
    if (!centre.empty() && !(d->shape() == centre[0].shape()))
      throw Error("point head", "the offset fields' shape " + d->shape().str() + " differs from the centre-ness maps' " +
                                    centre[0].shape().str());
  PickClassesOptions o = opts;
  o.subvoxel = false;
  o.centroid = false;
  auto sets = pick_classes(centre, classes, grid, o, core);
  for (auto& s : sets) move_by_offsets(s.points, dz, dy, dx, grid, s.object);
  return sets;
}

std::vector<PickSet> pick_maps(const std::vector<Volume<float>>& maps, bool offsets,
                               const std::vector<ClassPickSpec>& classes, const HeatmapGrid& grid,
                               const PickClassesOptions& opts, const Box* core) {
  return offsets ? pick_point_classes(maps, classes, grid, opts, core) : pick_classes(maps, classes, grid, opts, core);
}

}  // namespace tomopick
