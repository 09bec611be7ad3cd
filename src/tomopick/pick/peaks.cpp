#include "tomopick/pick/peaks.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "tomopick/core/parallel.h"
#include "tomopick/targets/targets.h"

namespace tomopick {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// parallel_for for volumes worth it; small blocks (and tests) run serially, since waking threads
// costs more than the work there.
template <class F>
void for_each_index(int64_t n, int64_t voxels, F&& f) {
  if (voxels >= (int64_t(1) << 16)) {
    parallel_for(n, f);
  } else {
    for (int64_t i = 0; i < n; ++i) f(i);
  }
}

std::string heatmap_label(const std::string& name) { return name.empty() ? "heatmap" : "heatmap " + name; }

void validate(const Volume<float>& h, const HeatmapGrid& g, const PeakOptions& o, const Box* core,
              const std::string& label) {
  if (h.empty()) throw Error(label, "is empty (shape " + h.shape().str() + ")");
  if (g.stride < 1) throw Error(label, "stride must be at least 1, got " + std::to_string(g.stride));
  for (double s : {g.input_spacing_A.z, g.input_spacing_A.y, g.input_spacing_A.x})
    if (!(s > 0) || !std::isfinite(s))
      throw Error(label, "input spacing must be positive, got " + std::to_string(s) + " Å");
  if (!o.centroid && (!(o.nms_radius_A > 0) || !std::isfinite(o.nms_radius_A)))
    throw Error(label, "NMS radius must be positive, got " + std::to_string(o.nms_radius_A) + " Å");
  if (!std::isfinite(o.threshold)) throw Error(label, "threshold must be a finite number");
  if (o.max_peaks < 0) throw Error(label, "max_peaks must be >= 0, got " + std::to_string(o.max_peaks));
  if (o.min_component_vox < 1)
    throw Error(label, "min_component_vox must be >= 1, got " + std::to_string(o.min_component_vox));
  if (core && !core->inside(h.shape()))
    throw Error(label, "core box " + core->begin.str() + "+" + core->shape.str() + " lies outside the block " +
                           h.shape().str());
}

// The first NaN or infinity in z, y, x order (scanned in parallel, one plane per task).
void reject_non_finite(const Volume<float>& h, const HeatmapGrid& g, const std::string& label) {
  const Shape3 s = h.shape();
  const int64_t plane = s.y * s.x;
  std::vector<int64_t> first(size_t(s.z), -1);
  for_each_index(s.z, s.count(), [&](int64_t z) {
    const float* p = h.data() + z * plane;
    for (int64_t i = 0; i < plane; ++i)
      if (!std::isfinite(p[i])) {
        first[size_t(z)] = i;
        return;
      }
  });
  for (int64_t z = 0; z < s.z; ++z)
    if (first[size_t(z)] >= 0) {
      const int64_t i = first[size_t(z)];
      const Index3 v{g.offset_vox.z + z, g.offset_vox.y + i / s.x, g.offset_vox.x + i % s.x};
      const float bad = h.data()[z * plane + i];
      throw Error(label, std::string("contains ") + (std::isnan(bad) ? "NaN" : bad > 0 ? "inf" : "-inf") +
                             " at voxel " + v.str());
    }
}

// Sliding-window maximum (half-width r) along n elements of `lanes` parallel lines: element i of lane
// l is at p[i * stride + l]. van Herk / Gil-Werman: blockwise prefix and suffix maxima make the cost
// independent of r. Outside the line counts as -inf. In-place (in == out) is fine: everything is read
// before anything is written.
void window_max(const float* in, float* out, int64_t n, int64_t lanes, int64_t stride, int64_t r,
                std::vector<float>& g, std::vector<float>& h) {
  const int64_t w = 2 * r + 1;
  const int64_t padded = (n + 2 * r + w - 1) / w * w;
  g.resize(size_t(padded * lanes));
  h.resize(size_t(padded * lanes));
  auto src = [&](int64_t k) -> const float* {  // padded element k, or nullptr for -inf
    return k >= r && k < r + n ? in + (k - r) * stride : nullptr;
  };
  for (int64_t k = 0; k < padded; ++k) {
    const float* p = src(k);
    float* gk = g.data() + k * lanes;
    const bool start = k % w == 0;
    const float* gprev = start ? nullptr : gk - lanes;
    for (int64_t l = 0; l < lanes; ++l) {
      const float v = p ? p[l] : kNegInf;
      gk[l] = gprev ? std::max(gprev[l], v) : v;
    }
  }
  for (int64_t k = padded - 1; k >= 0; --k) {
    const float* p = src(k);
    float* hk = h.data() + k * lanes;
    const bool end = (k + 1) % w == 0;
    const float* hnext = end ? nullptr : hk + lanes;
    for (int64_t l = 0; l < lanes; ++l) {
      const float v = p ? p[l] : kNegInf;
      hk[l] = hnext ? std::max(hnext[l], v) : v;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    const float* hi = h.data() + i * lanes;
    const float* gi = g.data() + (i + 2 * r) * lanes;
    float* o = out + i * stride;
    for (int64_t l = 0; l < lanes; ++l) o[l] = std::max(hi[l], gi[l]);
  }
}

// 3D max filter over the cube of half-widths r, separably: x, then y, then z passes.
Volume<float> max_filter(const Volume<float>& in, const Index3& r) {
  const Shape3 s = in.shape();
  Volume<float> out(s, Volume<float>::Uninitialized{});
  const int64_t plane = s.y * s.x;
  for_each_index(s.z, s.count(), [&](int64_t z) {
    std::vector<float> g, h;
    for (int64_t y = 0; y < s.y; ++y) {
      const float* src = in.data() + z * plane + y * s.x;
      float* dst = out.data() + z * plane + y * s.x;
      if (r.x == 0) std::copy_n(src, s.x, dst);
      else window_max(src, dst, s.x, 1, 1, r.x, g, h);
    }
    if (r.y > 0) window_max(out.data() + z * plane, out.data() + z * plane, s.y, s.x, s.x, r.y, g, h);
  });
  if (r.z > 0)
    for_each_index(s.y, s.count(), [&](int64_t y) {
      std::vector<float> g, h;
      float* p = out.data() + y * s.x;
      window_max(p, p, s.z, s.x, plane, r.z, g, h);
    });
  return out;
}

struct Peak {
  Index3 vox;         // block voxel
  Vec3 delta_vox;     // refined position - vox (kept apart so that blocks and the whole volume round
                      // identically: global position = (offset + vox) + delta)
  double score = 0;
  int64_t order = 0;  // linear index of vox in the block, for deterministic ties
};

bool in_box(const Index3& v, const Box& b) {
  const Index3 e = b.end();
  return v.z >= b.begin.z && v.y >= b.begin.y && v.x >= b.begin.x && v.z < e.z && v.y < e.y && v.x < e.x;
}

Index3 unravel(int64_t i, const Shape3& s) { return {i / (s.y * s.x), (i / s.x) % s.y, i % s.x}; }

// Union-find whose roots are the smallest member (so a plateau's root is its first voxel).
struct MinUnionFind {
  std::vector<int64_t> parent;
  explicit MinUnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int64_t find(int64_t a) {
    while (parent[size_t(a)] != a) a = parent[size_t(a)] = parent[size_t(parent[size_t(a)])];
    return a;
  }
  void unite(int64_t a, int64_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[size_t(std::max(a, b))] = std::min(a, b);
  }
};

// Kept voxels bucketed by cube cells of the suppression half-width, to test "within the cube of a
// kept peak" without comparing all pairs.
class CubeIndex {
public:
  explicit CubeIndex(const Index3& r) : r_(r), cell_{std::max<int64_t>(r.z, 1), std::max<int64_t>(r.y, 1),
                                                      std::max<int64_t>(r.x, 1)} {}
  void add(const Index3& v) { cells_[key(cell_of(v))].push_back(v); }
  bool near(const Index3& v) const {
    const Index3 c = cell_of(v);
    for (int64_t dz = -1; dz <= 1; ++dz)
      for (int64_t dy = -1; dy <= 1; ++dy)
        for (int64_t dx = -1; dx <= 1; ++dx) {
          const auto it = cells_.find(key({c.z + dz, c.y + dy, c.x + dx}));
          if (it == cells_.end()) continue;
          for (const Index3& k : it->second)
            if (std::abs(k.z - v.z) <= r_.z && std::abs(k.y - v.y) <= r_.y && std::abs(k.x - v.x) <= r_.x) return true;
        }
    return false;
  }

private:
  Index3 cell_of(const Index3& v) const { return {v.z / cell_.z, v.y / cell_.y, v.x / cell_.x}; }
  static uint64_t key(const Index3& c) {  // cells of a block: small non-negative-ish integers
    return (uint64_t(c.z + 1) << 42) ^ (uint64_t(c.y + 1) << 21) ^ uint64_t(c.x + 1);
  }
  Index3 r_, cell_;
  std::unordered_map<uint64_t, std::vector<Index3>> cells_;
};

// Per-axis parabola through (-1, f0), (0, f1), (+1, f2): offset of its vertex (clamped to ±0.5) and the
// height gained there. Log values when all are positive (exact for Gaussians).
struct AxisFit {
  double offset = 0, gain = 0;
  bool log = false;
};
AxisFit fit_axis(double fm, double f0, double fp) {
  AxisFit r;
  r.log = fm > 0 && f0 > 0 && fp > 0;
  if (r.log) {
    fm = std::log(fm);
    f0 = std::log(f0);
    fp = std::log(fp);
  }
  const double a = 0.5 * (fm + fp) - f0, b = 0.5 * (fp - fm);
  if (!(a < 0)) return r;  // flat or not a maximum along this axis
  r.offset = std::clamp(-b / (2 * a), -0.5, 0.5);
  r.gain = b * r.offset + a * r.offset * r.offset;
  // A Gaussian of σ >= 1 voxel gains at most 1/(8σ²) <= 1/8 in log per axis between voxels. A larger
  // log gain means a neighbour near zero (a sigmoid's tail), where the log fit is meaningless and
  // would inflate the score far above the network's output (seen: 5 from probabilities <= 1).
  if (r.log) r.gain = std::min(r.gain, 0.125);
  return r;
}

std::vector<Peak> maxpool_peaks(const Volume<float>& h, const HeatmapGrid& g, const PeakOptions& o, const Box& core) {
  const Shape3 s = h.shape();
  const Vec3 sp{g.input_spacing_A.z * g.stride, g.input_spacing_A.y * g.stride, g.input_spacing_A.x * g.stride};
  // Half-widths in heatmap voxels; at least 1 so that a peak is always a local maximum.
  auto half = [&](double spacing) {
    return std::max<int64_t>(1, int64_t(std::floor(o.nms_radius_A / spacing + 1e-9)));
  };
  const Index3 r{half(sp.z), half(sp.y), half(sp.x)};
  const Volume<float> m = max_filter(h, r);
  const float* hv = h.data();
  const float* mv = m.data();
  auto is_candidate = [&](int64_t i) { return hv[i] >= o.threshold && hv[i] == mv[i]; };

  // Candidates in z, y, x order.
  const int64_t plane = s.y * s.x;
  std::vector<std::vector<int64_t>> per_z(size_t(s.z));
  for_each_index(s.z, s.count(), [&](int64_t z) {
    for (int64_t i = z * plane; i < (z + 1) * plane; ++i)
      if (is_candidate(i)) per_z[size_t(z)].push_back(i);
  });
  std::vector<int64_t> cand;
  for (auto& v : per_z) cand.insert(cand.end(), v.begin(), v.end());
  if (cand.empty()) return {};

  // Plateaus: 26-connected candidates of equal value. Each is represented by its first voxel. (Ids
  // are looked up by binary search in the sorted candidates, so memory stays linear in them.)
  auto id_of = [&](int64_t i) { return int64_t(std::lower_bound(cand.begin(), cand.end(), i) - cand.begin()); };
  MinUnionFind uf(cand.size());
  bool any_plateau = false;
  for (size_t k = 0; k < cand.size(); ++k) {
    const Index3 v = unravel(cand[k], s);
    for (int64_t dz = 0; dz <= 1; ++dz)  // forward half of the 26-neighbourhood suffices
      for (int64_t dy = dz ? -1 : 0; dy <= 1; ++dy)
        for (int64_t dx = (dz || dy) ? -1 : 1; dx <= 1; ++dx) {
          const Index3 n{v.z + dz, v.y + dy, v.x + dx};
          if (!h.contains(n.z, n.y, n.x)) continue;
          const int64_t ni = h.offset(n.z, n.y, n.x);
          if (hv[ni] != hv[cand[k]] || !is_candidate(ni)) continue;
          uf.unite(int64_t(k), id_of(ni));
          any_plateau = true;
        }
  }
  // Voxels of the plateaus with more than one (by root id); single voxels are not stored.
  std::unordered_map<int64_t, std::vector<Index3>> plateau;
  if (any_plateau)
    for (size_t k = 0; k < cand.size(); ++k) {
      const int64_t root = uf.find(int64_t(k));
      if (root != int64_t(k)) {
        auto& m = plateau[root];
        if (m.empty()) m.push_back(unravel(cand[size_t(root)], s));
        m.push_back(unravel(cand[k], s));
      }
    }

  // Greedy in z, y, x order: a plateau is dropped when a voxel of an earlier kept plateau lies in the
  // cube of one of its voxels (both are then maxima of each other's cube, so they are equal).
  CubeIndex kept(r);
  std::vector<Peak> out;
  std::vector<Index3> single(1);
  for (size_t k = 0; k < cand.size(); ++k) {
    if (uf.parent[k] != int64_t(k)) continue;  // not the first voxel of its plateau
    const auto it = plateau.find(int64_t(k));
    if (it == plateau.end()) single[0] = unravel(cand[k], s);
    const std::vector<Index3>& mem = it == plateau.end() ? single : it->second;
    const Index3 v = mem.front();
    if (std::any_of(mem.begin(), mem.end(), [&](const Index3& q) { return kept.near(q); })) continue;
    for (const Index3& q : mem) kept.add(q);
    if (!in_box(v, core)) continue;

    Peak p;
    p.vox = v;
    p.order = cand[k];
    p.score = hv[cand[k]];
    if (o.subvoxel) {
      double lin_gain = 0, log_gain = 0;
      const int64_t vi[3] = {v.z, v.y, v.x};
      const int64_t n_ax[3] = {s.z, s.y, s.x};
      const int64_t step[3] = {plane, s.x, 1};
      double* delta[3] = {&p.delta_vox.z, &p.delta_vox.y, &p.delta_vox.x};
      for (int a = 0; a < 3; ++a) {
        auto coord = [&](const Index3& q) { return a == 0 ? q.z : a == 1 ? q.y : q.x; };
        int64_t lo = vi[a], hi = vi[a];
        double sum = 0;
        for (const Index3& q : mem) {
          lo = std::min(lo, coord(q));
          hi = std::max(hi, coord(q));
          sum += double(coord(q) - vi[a]);
        }
        if (hi > lo) {  // the plateau is extended along this axis: take its centre
          *delta[a] = sum / double(mem.size());
          continue;
        }
        if (vi[a] == 0 || vi[a] == n_ax[a] - 1) continue;  // no neighbour on one side
        const AxisFit f = fit_axis(hv[cand[k] - step[a]], hv[cand[k]], hv[cand[k] + step[a]]);
        *delta[a] = f.offset;
        (f.log ? log_gain : lin_gain) += f.gain;
      }
      p.score = (p.score + lin_gain) * std::exp(log_gain);
    }
    out.push_back(p);
  }
  return out;
}

std::vector<Peak> component_peaks(const Volume<float>& h, const PeakOptions& o, const Box& core) {
  const Shape3 s = h.shape();
  const float* hv = h.data();
  std::vector<uint8_t> seen(h.size(), 0);
  std::vector<int64_t> stack;
  std::vector<Peak> out;
  for (int64_t start = 0; start < int64_t(h.size()); ++start) {
    if (seen[size_t(start)] || !(hv[start] >= o.threshold)) continue;
    seen[size_t(start)] = 1;
    stack.assign(1, start);
    double wsum = 0, wz = 0, wy = 0, wx = 0, pz = 0, py = 0, px = 0;
    int64_t count = 0, best = start;
    const Index3 s0 = unravel(start, s);
    while (!stack.empty()) {
      const int64_t i = stack.back();
      stack.pop_back();
      const Index3 v = unravel(i, s);
      // Sums relative to the first voxel, so that they round the same in any block holding it.
      const double w = hv[i];
      const double rz = double(v.z - s0.z), ry = double(v.y - s0.y), rx = double(v.x - s0.x);
      wsum += w;
      wz += w * rz;
      wy += w * ry;
      wx += w * rx;
      pz += rz;
      py += ry;
      px += rx;
      ++count;
      if (hv[i] > hv[best] || (hv[i] == hv[best] && i < best)) best = i;
      for (int64_t dz = -1; dz <= 1; ++dz)
        for (int64_t dy = -1; dy <= 1; ++dy)
          for (int64_t dx = -1; dx <= 1; ++dx) {
            const Index3 n{v.z + dz, v.y + dy, v.x + dx};
            if (!h.contains(n.z, n.y, n.x)) continue;
            const int64_t ni = h.offset(n.z, n.y, n.x);
            if (seen[size_t(ni)] || !(hv[ni] >= o.threshold)) continue;
            seen[size_t(ni)] = 1;
            stack.push_back(ni);
          }
    }
    if (count < o.min_component_vox) continue;
    const Index3 bv = unravel(best, s);
    if (!in_box(bv, core)) continue;
    Peak p;
    p.vox = bv;
    p.order = best;
    p.score = hv[best];
    // Score-weighted centroid; the plain one when the weights vanish (a threshold <= 0 on zeros).
    const Vec3 c = wsum > 0 ? Vec3{wz / wsum, wy / wsum, wx / wsum}
                            : Vec3{pz / double(count), py / double(count), px / double(count)};
    p.delta_vox = {c.z + double(s0.z - bv.z), c.y + double(s0.y - bv.y), c.x + double(s0.x - bv.x)};
    out.push_back(p);
  }
  return out;
}

}  // namespace

Vec3 heatmap_voxel_to_A(const Vec3& j, const HeatmapGrid& g) {
  const Vec3& sp = g.input_spacing_A;
  const Vec3 c0 = target_voxel_center_A({0, 0, 0}, sp, g.stride);  // ((0 + 0.5) s - 0.5) * spacing
  return {c0.z + j.z * g.stride * sp.z, c0.y + j.y * g.stride * sp.y, c0.x + j.x * g.stride * sp.x};
}

std::vector<Pick> find_peaks(const Volume<float>& heatmap, const HeatmapGrid& grid, const PeakOptions& opts,
                             const Box* core, const std::string& name) {
  const std::string label = heatmap_label(name);
  validate(heatmap, grid, opts, core, label);
  reject_non_finite(heatmap, grid, label);
  const Box core_box = core ? *core : Box{{}, heatmap.shape()};
  std::vector<Peak> peaks =
      opts.centroid ? component_peaks(heatmap, opts, core_box) : maxpool_peaks(heatmap, grid, opts, core_box);
  std::sort(peaks.begin(), peaks.end(), [](const Peak& a, const Peak& b) {
    return a.score != b.score ? a.score > b.score : a.order < b.order;
  });
  if (opts.max_peaks > 0 && int64_t(peaks.size()) > opts.max_peaks) peaks.resize(size_t(opts.max_peaks));
  std::vector<Pick> out;
  out.reserve(peaks.size());
  for (const Peak& p : peaks) {
    const Vec3 j{double(grid.offset_vox.z + p.vox.z) + p.delta_vox.z, double(grid.offset_vox.y + p.vox.y) + p.delta_vox.y,
                 double(grid.offset_vox.x + p.vox.x) + p.delta_vox.x};
    const Vec3 a = heatmap_voxel_to_A(j, grid);
    Pick pick;
    pick.x = a.x;
    pick.y = a.y;
    pick.z = a.z;
    pick.score = p.score;
    out.push_back(pick);
  }
  return out;
}

std::vector<PickSet> pick_classes(const std::vector<Volume<float>>& heatmaps, const std::vector<ClassPickSpec>& classes,
                                  const HeatmapGrid& grid, const PickClassesOptions& opts, const Box* core) {
  if (heatmaps.size() != classes.size())
    throw Error("pick classes", std::to_string(heatmaps.size()) + " heatmaps for " + std::to_string(classes.size()) +
                                    " classes");
  for (size_t i = 0; i < classes.size(); ++i) {
    const auto& c = classes[i];
    if (c.name.empty()) throw Error("pick classes", "class " + std::to_string(i) + " has no name");
    const std::string label = "class " + c.name;
    if (!(c.radius_A > 0) || !std::isfinite(c.radius_A))
      throw Error(label, "radius must be positive, got " + std::to_string(c.radius_A) + " Å");
    if (!(c.nms_fraction > 0) || !std::isfinite(c.nms_fraction))
      throw Error(label, "nms_fraction must be positive, got " + std::to_string(c.nms_fraction));
    if (heatmaps[i].shape() != heatmaps[0].shape())
      throw Error(heatmap_label(c.name), "shape " + heatmaps[i].shape().str() + " differs from the first heatmap's " +
                                             heatmaps[0].shape().str());
  }
  std::vector<PickSet> out;
  for (size_t i = 0; i < classes.size(); ++i) {
    PeakOptions po;
    po.nms_radius_A = classes[i].nms_fraction * classes[i].radius_A;
    po.threshold = classes[i].threshold;
    po.max_peaks = opts.max_peaks;
    po.subvoxel = opts.subvoxel;
    po.centroid = opts.centroid;
    po.min_component_vox = opts.min_component_vox;
    PickSet set;
    set.object = classes[i].name;
    set.run = opts.run;
    set.user_id = opts.user_id;
    set.session_id = opts.session_id;
    set.voxel_spacing = grid.input_spacing_A.x;
    // +infinity is a tuned "keep none" (thresholds.json's null).
    if (po.threshold != std::numeric_limits<float>::infinity())
      set.points = find_peaks(heatmaps[i], grid, po, core, classes[i].name);
    out.push_back(std::move(set));
  }
  return out;
}

}  // namespace tomopick
