#include "tomopick/eval/match.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

namespace {

bool finite(const Vec3d& p) { return std::isfinite(p.x) && std::isfinite(p.y) && std::isfinite(p.z); }

void check_inputs(std::span<const Vec3d> queries, std::span<const Vec3d> refs, double radius) {
  if (!(radius >= 0) || !std::isfinite(radius))
    throw Error("match radius must be a finite number >= 0, not " + std::to_string(radius));
  for (const auto& p : queries)
    if (!finite(p)) throw Error("a pick has a non-finite coordinate");
  for (const auto& p : refs)
    if (!finite(p)) throw Error("a truth point has a non-finite coordinate");
  if (refs.size() > size_t(INT32_MAX)) throw Error("more than 2^31 truth points in one run and type");
}

// References sorted into cells of a box grid. Cells are slightly wider than the radius so that
// rounding in the cell computation can never hide a neighbour exactly on the sphere.
class Grid {
public:
  Grid(std::span<const Vec3d> refs, double radius) {
    lo_ = hi_ = refs[0];
    for (const auto& p : refs) {
      lo_ = {std::min(lo_.x, p.x), std::min(lo_.y, p.y), std::min(lo_.z, p.z)};
      hi_ = {std::max(hi_.x, p.x), std::max(hi_.y, p.y), std::max(hi_.z, p.z)};
    }
    const double extent = std::max({hi_.x - lo_.x, hi_.y - lo_.y, hi_.z - lo_.z});
    cell_ = std::max(radius * (1 + 1e-6), extent > 0 ? extent * 1e-7 : 1.0);
    // Few, sparse references over a large box would make a huge, empty grid; wider cells stay correct
    // (anything wider than the radius is), so widen them until there are at most ~2 cells a point.
    const double cap = std::max(1024.0, 2.0 * double(refs.size()));
    for (;;) {
      const double n = cells_along(hi_.x - lo_.x) * cells_along(hi_.y - lo_.y) * cells_along(hi_.z - lo_.z);
      if (n <= cap) break;
      cell_ *= std::cbrt(n / cap) * 1.01;
    }
    nx_ = int64_t(cells_along(hi_.x - lo_.x));
    ny_ = int64_t(cells_along(hi_.y - lo_.y));
    nz_ = int64_t(cells_along(hi_.z - lo_.z));
    // Counting sort of the references by cell; stable, so each cell lists them in ascending order.
    std::vector<int64_t> cell_of(refs.size());
    start_.assign(size_t(nx_ * ny_ * nz_ + 1), 0);
    for (size_t i = 0; i < refs.size(); ++i) {
      cell_of[i] = index(clamp_cell(refs[i].x, lo_.x, nx_), clamp_cell(refs[i].y, lo_.y, ny_), clamp_cell(refs[i].z, lo_.z, nz_));
      ++start_[size_t(cell_of[i]) + 1];
    }
    for (size_t c = 1; c < start_.size(); ++c) start_[c] += start_[c - 1];
    // The points themselves are copied in cell order, so a query reads them from contiguous memory.
    order_.resize(refs.size());
    points_.resize(refs.size());
    std::vector<int64_t> fill(start_.begin(), start_.end() - 1);
    for (size_t i = 0; i < refs.size(); ++i) {
      const size_t k = size_t(fill[size_t(cell_of[i])]++);
      order_[k] = int32_t(i);
      points_[k] = refs[i];
    }
  }

  // Calls f(ref_index, ref_point) for every reference in the 3 x 3 x 3 cells around q.
  template <class F>
  void for_each_candidate(const Vec3d& q, F&& f) const {
    int64_t x0, x1, y0, y1, z0, z1;
    if (!range(q.x, lo_.x, nx_, x0, x1) || !range(q.y, lo_.y, ny_, y0, y1) || !range(q.z, lo_.z, nz_, z0, z1)) return;
    for (int64_t z = z0; z <= z1; ++z)
      for (int64_t y = y0; y <= y1; ++y) {
        const int64_t row = (z * ny_ + y) * nx_;
        for (int64_t k = start_[size_t(row + x0)], e = start_[size_t(row + x1 + 1)]; k < e; ++k)
          f(order_[size_t(k)], points_[size_t(k)]);
      }
  }

private:
  double cells_along(double extent) const { return std::floor(extent / cell_) + 1; }
  int64_t index(int64_t x, int64_t y, int64_t z) const { return (z * ny_ + y) * nx_ + x; }
  int64_t clamp_cell(double v, double lo, int64_t n) const {
    return std::clamp(int64_t(std::floor((v - lo) / cell_)), int64_t(0), n - 1);
  }
  // The cells [c0, c1] that can hold a neighbour of coordinate v; false if none.
  bool range(double v, double lo, int64_t n, int64_t& c0, int64_t& c1) const {
    const double f = std::floor(std::clamp((v - lo) / cell_, -4.0, double(n) + 4.0));
    c0 = std::max(int64_t(f) - 1, int64_t(0));
    c1 = std::min(int64_t(f) + 1, n - 1);
    return c0 <= c1;
  }

  Vec3d lo_, hi_;
  double cell_ = 1;
  int64_t nx_ = 1, ny_ = 1, nz_ = 1;
  std::vector<int64_t> start_;
  std::vector<int32_t> order_;
  std::vector<Vec3d> points_;
};

}  // namespace

void Neighbours::append(const Neighbours& other, int32_t ref_offset) {
  const int64_t base = int64_t(refs.size());
  offsets.reserve(offsets.size() + other.queries());
  for (size_t q = 0; q < other.queries(); ++q) offsets.push_back(base + other.offsets[q + 1]);
  refs.reserve(refs.size() + other.refs.size());
  for (const int32_t r : other.refs) refs.push_back(r + ref_offset);
  d2.insert(d2.end(), other.d2.begin(), other.d2.end());
}

Neighbours find_neighbours(std::span<const Vec3d> queries, std::span<const Vec3d> refs, double radius) {
  check_inputs(queries, refs, radius);
  Neighbours out;
  out.offsets.assign(queries.size() + 1, 0);
  if (queries.empty() || refs.empty()) return out;
  const Grid grid(refs, radius);
  const double r2 = radius * radius;

  // Blocks of queries in parallel, each into its own rows; then stitched together in order.
  struct Block {
    std::vector<int64_t> counts;
    std::vector<int32_t> refs;
    std::vector<double> d2;
  };
  constexpr int64_t kBlock = 16384;
  const int64_t nq = int64_t(queries.size());
  std::vector<Block> blocks(size_t((nq + kBlock - 1) / kBlock));
  auto search = [&](int64_t b) {
    Block& blk = blocks[size_t(b)];
    const int64_t q0 = b * kBlock, q1 = std::min(nq, q0 + kBlock);
    blk.counts.reserve(size_t(q1 - q0));
    std::vector<std::pair<int32_t, double>> found;
    for (int64_t q = q0; q < q1; ++q) {
      const Vec3d& p = queries[size_t(q)];
      found.clear();
      grid.for_each_candidate(p, [&](int32_t r, const Vec3d& t) {
        const double d = squared_distance(p, t);
        if (d <= r2) found.emplace_back(r, d);
      });
      if (found.size() > 1) std::sort(found.begin(), found.end());
      blk.counts.push_back(int64_t(found.size()));
      for (const auto& [r, d] : found) {
        blk.refs.push_back(r);
        blk.d2.push_back(d);
      }
    }
  };
  // Small searches run here: waking the thread pool costs more than it saves (and, on a busy machine,
  // can cost a scheduler time slice per parallel region). Callers with many small searches run them
  // in parallel instead.
  if (blocks.size() < 4) {
    for (int64_t b = 0; b < int64_t(blocks.size()); ++b) search(b);
  } else {
    parallel_for(int64_t(blocks.size()), search);
  }
  size_t total = 0;
  for (const auto& blk : blocks) total += blk.refs.size();
  out.refs.reserve(total);
  out.d2.reserve(total);
  size_t q = 0;
  for (auto& blk : blocks) {
    for (const int64_t c : blk.counts) {
      out.offsets[q + 1] = out.offsets[q] + c;
      ++q;
    }
    out.refs.insert(out.refs.end(), blk.refs.begin(), blk.refs.end());
    out.d2.insert(out.d2.end(), blk.d2.begin(), blk.d2.end());
    blk = Block{};
  }
  return out;
}

Neighbours find_neighbours_brute_force(std::span<const Vec3d> queries, std::span<const Vec3d> refs, double radius) {
  check_inputs(queries, refs, radius);
  Neighbours out;
  const double r2 = radius * radius;
  for (const auto& p : queries) {
    for (size_t r = 0; r < refs.size(); ++r) {
      const double d = squared_distance(p, refs[r]);
      if (d <= r2) {
        out.refs.push_back(int32_t(r));
        out.d2.push_back(d);
      }
    }
    out.offsets.push_back(int64_t(out.refs.size()));
  }
  return out;
}

}  // namespace tomopick
