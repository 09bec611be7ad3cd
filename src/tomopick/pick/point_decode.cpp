#include "tomopick/pick/point_decode.h"

#include <cmath>

#include "tomopick/core/error.h"

namespace tomopick {

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
    for (auto& p : peaks) {
      // The peak's own voxel (in the block): find_peaks put it at that voxel's centre exactly.
      const Vec3 origin = heatmap_voxel_to_A({0, 0, 0}, grid);
      const Vec3 step = {grid.stride * grid.input_spacing_A.z, grid.stride * grid.input_spacing_A.y,
                         grid.stride * grid.input_spacing_A.x};
      const int64_t z = std::llround((p.z - origin.z) / step.z) - grid.offset_vox.z;
      const int64_t y = std::llround((p.y - origin.y) / step.y) - grid.offset_vox.y;
      const int64_t x = std::llround((p.x - origin.x) / step.x) - grid.offset_vox.x;
      const double dz = f.dz(z, y, x), dy = f.dy(z, y, x), dx = f.dx(z, y, x);
      if (!std::isfinite(dz) || !std::isfinite(dy) || !std::isfinite(dx))
        throw Error("point head: the offset at " + name_of(c) + "'s peak (" + std::to_string(z) + ", " +
                    std::to_string(y) + ", " + std::to_string(x) + ") is not finite");
      const Vec3 at = heatmap_voxel_to_A(
          {double(z + grid.offset_vox.z) + dz, double(y + grid.offset_vox.y) + dy, double(x + grid.offset_vox.x) + dx}, grid);
      p.z = at.z, p.y = at.y, p.x = at.x;
    }
    out.push_back(std::move(peaks));
  }
  return out;
}

}  // namespace tomopick
