#pragma once
// Neighbour search for scoring: which reference points (truth) lie within a radius of each query
// point (pick). A uniform grid with cells at least one radius wide, so each query looks at 27 cells;
// 10^6 queries against 10^5 references take a fraction of a second.
//
// "Within" is the test of scipy.spatial.KDTree.query_ball_tree, which the CZII metric uses
// (scipy/spatial/ckdtree/src/query_ball_tree.cxx, traverse_checking: `if (d <= tub)` with d the
// squared distance and tub = r * r): dx*dx + dy*dy + dz*dz <= r*r, summed in x, y, z order, so a
// point exactly on the sphere is a neighbour.
#include <cstdint>
#include <span>
#include <vector>

namespace tomopick {

struct Vec3d {
  double x = 0, y = 0, z = 0;
};

// Squared distance summed in x, y, z order (the order scipy uses for columns x, y, z).
inline double squared_distance(const Vec3d& a, const Vec3d& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  return dx * dx + dy * dy + dz * dz;
}

// For each query, its neighbours in compressed rows: refs[offsets[q] .. offsets[q+1]) in ascending
// reference order, with their squared distances in d2.
struct Neighbours {
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> refs;
  std::vector<double> d2;

  size_t queries() const { return offsets.size() - 1; }
  size_t pairs() const { return refs.size(); }
  std::span<const int32_t> refs_of(size_t q) const {
    return {refs.data() + offsets[q], size_t(offsets[q + 1] - offsets[q])};
  }
  std::span<const double> d2_of(size_t q) const { return {d2.data() + offsets[q], size_t(offsets[q + 1] - offsets[q])}; }
  // Appends another table's rows, adding `ref_offset` to its reference indices.
  void append(const Neighbours& other, int32_t ref_offset);
};

// Neighbours of every query among `refs` within `radius` (>= 0). Coordinates must be finite (Error
// otherwise). Runs on thread_count() threads when there are more than ~50000 queries.
Neighbours find_neighbours(std::span<const Vec3d> queries, std::span<const Vec3d> refs, double radius);

// The same by comparing every pair: O(n * m), for tests and tiny inputs.
Neighbours find_neighbours_brute_force(std::span<const Vec3d> queries, std::span<const Vec3d> refs, double radius);

}  // namespace tomopick
