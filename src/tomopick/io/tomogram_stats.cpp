#include "tomopick/io/tomogram_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

namespace {

struct PlaneSums {
  std::vector<double> sum, sq, lo, hi;
  std::vector<int64_t> bad;
  explicit PlaneSums(int64_t n)
      : sum(size_t(n), 0), sq(size_t(n), 0), lo(size_t(n), INFINITY), hi(size_t(n), -INFINITY), bad(size_t(n), 0) {}
};

// Adds the planes of `v` (a slab starting at plane z0 of the level) to `s`.
void add_planes(const AnyVolume& v, int64_t z0, PlaneSums& s) {
  v.visit([&](const auto& vol) {
    const Shape3 sh = vol.shape();
    const int64_t plane = sh.y * sh.x;
    parallel_for(sh.z, [&](int64_t z) {
      const auto* p = vol.data() + z * plane;
      double a = 0, b = 0, lo = INFINITY, hi = -INFINITY;
      int64_t nb = 0;
      for (int64_t i = 0; i < plane; ++i) {
        const double x = to_float(p[i]);
        if (!std::isfinite(x)) { ++nb; continue; }
        a += x;
        b += x * x;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      const auto k = size_t(z0 + z);
      s.sum[k] = a, s.sq[k] = b, s.lo[k] = lo, s.hi[k] = hi, s.bad[k] = nb;
    });
  });
}

VolumeStats finish(const PlaneSums& s, int64_t voxels) {
  VolumeStats st;
  double a = 0, b = 0;
  st.min = INFINITY;
  st.max = -INFINITY;
  for (size_t z = 0; z < s.sum.size(); ++z) {
    a += s.sum[z], b += s.sq[z];
    st.min = std::min(st.min, s.lo[z]);
    st.max = std::max(st.max, s.hi[z]);
    st.non_finite += s.bad[z];
  }
  const double n = double(voxels - st.non_finite);
  st.mean = n > 0 ? a / n : NAN;
  st.std = n > 0 ? std::sqrt(std::max(0.0, b / n - st.mean * st.mean)) : NAN;
  return st;
}

}  // namespace

VolumeStats volume_stats(const AnyVolume& v) {
  PlaneSums s(v.shape().z);
  add_planes(v, 0, s);
  return finish(s, v.shape().count());
}

VolumeStats tomogram_stats(const std::filesystem::path& path, const TomoReadOptions& opts) {
  const TomogramInfo info = probe_tomogram(path, opts);
  if (detect_tomogram_format(path) == TomoFormat::slices) return volume_stats(read_tomogram(path, opts));
  if (opts.level >= info.levels.size())
    throw Error(path, "has " + std::to_string(info.levels.size()) + " level(s); level " + std::to_string(opts.level) +
                          " does not exist");
  const TomoLevel& L = info.levels[opts.level];
  // A zarr slab is one layer of chunks (each decoded once); an MRC slab a few planes, enough for the
  // threads to share and small enough to stay in cache-friendly, reused allocations.
  const int64_t plane_bytes = L.shape.y * L.shape.x * int64_t(dtype_size(info.dtype));
  const int64_t depth = !L.chunks.empty() ? L.chunks.z : std::max<int64_t>(1, (64 << 20) / std::max<int64_t>(1, plane_bytes));
  PlaneSums s(L.shape.z);
  TomoReadOptions ro = opts;
  for (int64_t z = 0; z < L.shape.z; z += depth) {
    ro.box = Box{{z, 0, 0}, {std::min(depth, L.shape.z - z), L.shape.y, L.shape.x}};
    add_planes(read_tomogram(path, ro), z, s);
  }
  return finish(s, L.shape.count());
}

}  // namespace tomopick
