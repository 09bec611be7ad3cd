#include "tomopick/pick/fusion.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "tomopick/core/error.h"
#include "tomopick/core/volume.h"

namespace tomopick {

namespace {

// Ids of points (cluster centres, kept picks) in a dense grid of cubic cells over the picks'
// bounding box, as intrusive doubly linked lists (no allocation per cell; ids can move between
// cells). Cells are at least the search radius wide; they grow when the box is huge compared with the
// number of picks, so memory stays linear in the picks.
class CellGrid {
public:
  CellGrid(const std::vector<const Pick*>& pts, double radius_A) : r_(radius_A) {
    lo_ = {pts.empty() ? 0 : pts[0]->z, pts.empty() ? 0 : pts[0]->y, pts.empty() ? 0 : pts[0]->x};
    Vec3 hi = lo_;
    for (const Pick* p : pts) {
      lo_ = {std::min(lo_.z, p->z), std::min(lo_.y, p->y), std::min(lo_.x, p->x)};
      hi = {std::max(hi.z, p->z), std::max(hi.y, p->y), std::max(hi.x, p->x)};
    }
    const double cap = std::max(65536.0, 4.0 * double(pts.size()));
    cell_ = radius_A;
    for (;;) {  // in doubles until the count is known to fit
      const double nz = std::floor((hi.z - lo_.z) / cell_) + 1, ny = std::floor((hi.y - lo_.y) / cell_) + 1,
                   nx = std::floor((hi.x - lo_.x) / cell_) + 1;
      if (nz * ny * nx <= cap) {
        n_ = {int64_t(nz), int64_t(ny), int64_t(nx)};
        break;
      }
      cell_ *= std::cbrt(nz * ny * nx / cap) * 1.01;
    }
    head_.assign(size_t(n_.count()), -1);
  }
  void add(int64_t id, double x, double y, double z) {
    if (size_t(id) >= next_.size()) {
      next_.resize(size_t(id) + 1, -1);
      prev_.resize(size_t(id) + 1, -1);
      cell_of_.resize(size_t(id) + 1, -1);
    }
    link(id, cell(z, y, x));
  }
  void move(int64_t id, double x, double y, double z) {
    const int64_t c = cell(z, y, x);
    if (c == cell_of_[size_t(id)]) return;
    unlink(id);
    link(id, c);
  }
  // Calls f(id) for every id in the cells that the ball of the radius around (x, y, z) touches.
  template <class F>
  void near(double x, double y, double z, F&& f) const {
    const auto range = [&](double v, double lo, int64_t n) {
      return std::pair<int64_t, int64_t>{std::clamp<int64_t>(int64_t(std::floor((v - r_ - lo) / cell_)), 0, n - 1),
                                         std::clamp<int64_t>(int64_t(std::floor((v + r_ - lo) / cell_)), 0, n - 1)};
    };
    const auto [z0, z1] = range(z, lo_.z, n_.z);
    const auto [y0, y1] = range(y, lo_.y, n_.y);
    const auto [x0, x1] = range(x, lo_.x, n_.x);
    for (int64_t cz = z0; cz <= z1; ++cz)
      for (int64_t cy = y0; cy <= y1; ++cy)
        for (int64_t cx = x0; cx <= x1; ++cx)
          for (int64_t id = head_[size_t((cz * n_.y + cy) * n_.x + cx)]; id >= 0; id = next_[size_t(id)]) f(size_t(id));
  }

private:
  int64_t cell(double z, double y, double x) const {
    auto axis = [&](double v, double lo, int64_t n) { return std::clamp<int64_t>(int64_t((v - lo) / cell_), 0, n - 1); };
    return (axis(z, lo_.z, n_.z) * n_.y + axis(y, lo_.y, n_.y)) * n_.x + axis(x, lo_.x, n_.x);
  }
  void link(int64_t id, int64_t c) {
    cell_of_[size_t(id)] = c;
    prev_[size_t(id)] = -1;
    next_[size_t(id)] = head_[size_t(c)];
    if (head_[size_t(c)] >= 0) prev_[size_t(head_[size_t(c)])] = id;
    head_[size_t(c)] = id;
  }
  void unlink(int64_t id) {
    const int64_t c = cell_of_[size_t(id)], p = prev_[size_t(id)], n = next_[size_t(id)];
    if (p >= 0) next_[size_t(p)] = n;
    else head_[size_t(c)] = n;
    if (n >= 0) prev_[size_t(n)] = p;
  }
  double r_, cell_ = 1;
  Vec3 lo_;
  Index3 n_;
  std::vector<int64_t> head_, next_, prev_, cell_of_;
};

void check_radius(double r, const std::string& what) {
  if (!(r > 0) || !std::isfinite(r)) throw Error(what, "radius must be positive, got " + std::to_string(r) + " Å");
}

void check_pick(const Pick& p, const std::string& what) {
  if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z) || !std::isfinite(p.score))
    throw Error(what, "a pick has a non-finite coordinate or score");
}

// Descending score, then z, y, x: the visiting order, independent of the input order.
bool before(const Pick& a, const Pick& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.z != b.z) return a.z < b.z;
  if (a.y != b.y) return a.y < b.y;
  return a.x < b.x;
}

double dist2(double ax, double ay, double az, const Pick& p) {
  return (ax - p.x) * (ax - p.x) + (ay - p.y) * (ay - p.y) + (az - p.z) * (az - p.z);
}

// A cluster's running sums; its members' models are kept in a flat table beside it.
struct Cluster {
  double wsum = 0, wx = 0, wy = 0, wz = 0;  // Σ score × weight and the weighted coordinate sums
  double px = 0, py = 0, pz = 0;            // plain coordinate sums (for all-zero weights)
  double member_weights = 0;                // Σ model weights of the members
  size_t count = 0;
  double cx = 0, cy = 0, cz = 0;            // current fused centre
  const Pick* top = nullptr;                // highest-scoring member (the first to join)

  void join(const Pick& p, double weight) {
    if (!top) top = &p;
    const double w = p.score * weight;
    wsum += w;
    wx += w * p.x;
    wy += w * p.y;
    wz += w * p.z;
    px += p.x;
    py += p.y;
    pz += p.z;
    member_weights += weight;
    ++count;
    if (wsum > 0) {
      cx = wx / wsum;
      cy = wy / wsum;
      cz = wz / wsum;
    } else {
      cx = px / double(count);
      cy = py / double(count);
      cz = pz / double(count);
    }
  }
};

}  // namespace

std::vector<Pick> fuse_picks(const std::vector<std::vector<Pick>>& per_model, const std::vector<double>& weights_in,
                             const FusionOptions& opts) {
  const std::string what = "fusion";
  check_radius(opts.match_radius_A, what);
  std::vector<double> weights = weights_in.empty() ? std::vector<double>(per_model.size(), 1.0) : weights_in;
  if (weights.size() != per_model.size())
    throw Error(what, std::to_string(weights.size()) + " weights for " + std::to_string(per_model.size()) + " models");
  double total_weight = 0;
  for (size_t m = 0; m < weights.size(); ++m) {
    if (!(weights[m] >= 0) || !std::isfinite(weights[m]))
      throw Error(what, "model " + std::to_string(m) + "'s weight must be >= 0, got " + std::to_string(weights[m]));
    total_weight += weights[m];
  }
  if (!per_model.empty() && !(total_weight > 0)) throw Error(what, "all model weights are 0");

  struct Entry {
    const Pick* pick;
    size_t model, index;
  };
  std::vector<Entry> order;
  std::vector<const Pick*> all;
  for (size_t m = 0; m < per_model.size(); ++m)
    for (size_t i = 0; i < per_model[m].size(); ++i) {
      check_pick(per_model[m][i], what);
      order.push_back({&per_model[m][i], m, i});
      all.push_back(&per_model[m][i]);
    }
  std::sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) {
    if (before(*a.pick, *b.pick)) return true;
    if (before(*b.pick, *a.pick)) return false;
    return a.model != b.model ? a.model < b.model : a.index < b.index;
  });

  const size_t n_models = per_model.size();
  const double r2 = opts.match_radius_A * opts.match_radius_A;
  CellGrid grid(all, opts.match_radius_A);
  std::vector<Cluster> clusters;
  std::vector<uint8_t> has_model;  // [cluster * n_models + model]
  for (const Entry& e : order) {
    const Pick& p = *e.pick;
    size_t best = clusters.size();
    double best_d2 = 0;
    grid.near(p.x, p.y, p.z, [&](size_t id) {
      const Cluster& c = clusters[id];
      const double d2 = dist2(c.cx, c.cy, c.cz, p);
      if (d2 > r2 || has_model[id * n_models + e.model]) return;
      if (best == clusters.size() || d2 < best_d2 || (d2 == best_d2 && id < best)) {
        best = id;
        best_d2 = d2;
      }
    });
    if (best == clusters.size()) {
      clusters.emplace_back().join(p, weights[e.model]);
      has_model.resize(clusters.size() * n_models, 0);
      grid.add(int64_t(best), p.x, p.y, p.z);
    } else {
      Cluster& c = clusters[best];
      c.join(p, weights[e.model]);
      grid.move(int64_t(best), c.cx, c.cy, c.cz);  // the centre moved
    }
    has_model[best * n_models + e.model] = 1;
  }

  std::vector<Pick> out;
  out.reserve(clusters.size());
  for (const Cluster& c : clusters) {
    Pick p = *c.top;
    p.x = c.cx;
    p.y = c.cy;
    p.z = c.cz;
    p.instance_id = 0;
    const double denom = opts.score == FusionOptions::Score::wbf ? total_weight : c.member_weights;
    p.score = denom > 0 ? c.wsum / denom : 0.0;
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), before);
  return out;
}

PickSet fuse_pick_sets(const std::vector<PickSet>& per_model, const std::vector<double>& weights,
                       const FusionOptions& opts) {
  if (per_model.empty()) throw Error("fusion", "no pick sets to fuse");
  std::vector<std::vector<Pick>> lists;
  for (const PickSet& s : per_model) {
    if (s.object != per_model[0].object || s.run != per_model[0].run)
      throw Error("fusion", "cannot fuse picks of " + s.run + "/" + s.object + " with " + per_model[0].run + "/" +
                                per_model[0].object);
    lists.push_back(s.points);
  }
  PickSet out = per_model[0];
  out.points = fuse_picks(lists, weights, opts);
  return out;
}

std::vector<Pick> dedupe_picks(const std::vector<Pick>& picks, double radius_A) {
  check_radius(radius_A, "dedupe");
  std::vector<const Pick*> all;
  for (const Pick& p : picks) {
    check_pick(p, "dedupe");
    all.push_back(&p);
  }
  std::stable_sort(all.begin(), all.end(), [](const Pick* a, const Pick* b) { return before(*a, *b); });
  const double r2 = radius_A * radius_A;
  CellGrid grid(all, radius_A);
  std::vector<Pick> kept;
  for (const Pick* p : all) {
    bool close = false;
    grid.near(p->x, p->y, p->z, [&](size_t id) { close = close || dist2(kept[id].x, kept[id].y, kept[id].z, *p) < r2; });
    if (close) continue;
    grid.add(int64_t(kept.size()), p->x, p->y, p->z);
    kept.push_back(*p);
  }
  return kept;
}

}  // namespace tomopick
