#include "tomopick/targets/targets.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace tomopick {

namespace {

double sigma_of(const TargetClass& c) { return c.sigma_A > 0 ? c.sigma_A : c.radius_A / 3.0; }

struct OutputGrid {
  Index3 origin;  // global output index of the box's first output voxel
  Shape3 shape;
  Vec3 spacing;   // input spacing (Å)
  int stride;
  Vec3 center(int64_t z, int64_t y, int64_t x) const {
    return target_voxel_center_A({origin.z + z, origin.y + y, origin.x + x}, spacing, stride);
  }
  // Range of local output indices along one axis whose centres lie within `reach` Å of `pos`.
  std::pair<int64_t, int64_t> range(double pos, double reach, double sp, int64_t org, int64_t n) const {
    // centre(j) = ((j + 0.5) * s - 0.5) * sp  ->  j = (pos / sp + 0.5) / s - 0.5
    const double lo = ((pos - reach) / sp + 0.5) / stride - 0.5 - org;
    const double hi = ((pos + reach) / sp + 0.5) / stride - 0.5 - org;
    return {std::max<int64_t>(0, int64_t(std::ceil(lo))), std::min<int64_t>(n - 1, int64_t(std::floor(hi)))};
  }
};

OutputGrid make_grid(const Box& box, const Vec3& spacing, int stride) {
  OutputGrid g;
  g.shape = target_shape(box, stride);
  g.origin = {box.begin.z / stride, box.begin.y / stride, box.begin.x / stride};
  g.spacing = spacing;
  g.stride = stride;
  return g;
}

std::map<std::string, size_t> class_index(const TargetSpec& spec) {
  std::map<std::string, size_t> m;
  for (size_t i = 0; i < spec.classes.size(); ++i) m[spec.classes[i].name] = i;
  return m;
}

// Calls f(class index, pick) for every pick whose object is one of the spec's classes.
template <class F>
void for_class_picks(const std::vector<PickSet>& picks, const TargetSpec& spec, F&& f) {
  const auto index = class_index(spec);
  for (const auto& set : picks) {
    const auto it = index.find(set.object);
    if (it == index.end()) continue;
    for (const Pick& p : set.points) f(it->second, p);
  }
}

// Calls f(z, y, x, d2) for every output voxel within `reach` Å of the pick, d2 in Å².
template <class F>
void for_voxels_near(const OutputGrid& g, const Pick& p, double reach, F&& f) {
  const auto [z0, z1] = g.range(p.z, reach, g.spacing.z, g.origin.z, g.shape.z);
  const auto [y0, y1] = g.range(p.y, reach, g.spacing.y, g.origin.y, g.shape.y);
  const auto [x0, x1] = g.range(p.x, reach, g.spacing.x, g.origin.x, g.shape.x);
  for (int64_t z = z0; z <= z1; ++z)
    for (int64_t y = y0; y <= y1; ++y)
      for (int64_t x = x0; x <= x1; ++x) {
        const Vec3 c = g.center(z, y, x);
        const double d2 = (c.x - p.x) * (c.x - p.x) + (c.y - p.y) * (c.y - p.y) + (c.z - p.z) * (c.z - p.z);
        f(z, y, x, d2);
      }
}

std::vector<Volume<float>> empty_channels(const OutputGrid& g, size_t n) {
  const Vec3 out_spacing{g.spacing.z * g.stride, g.spacing.y * g.stride, g.spacing.x * g.stride};
  const Vec3 origin = target_voxel_center_A(g.origin, g.spacing, g.stride);
  std::vector<Volume<float>> out;
  for (size_t i = 0; i < n; ++i) out.emplace_back(g.shape, out_spacing, origin);
  return out;
}

}  // namespace

PointTargets point_targets(const Box& box, const Vec3& spacing, const std::vector<PickSet>& picks,
                           const TargetSpec& spec) {
  validate_target_spec(spec);
  const OutputGrid g = make_grid(box, spacing, spec.stride);
  PointTargets t;
  t.quality = empty_channels(g, spec.classes.size());
  auto fields = empty_channels(g, 3);
  t.dz = std::move(fields[0]), t.dy = std::move(fields[1]), t.dx = std::move(fields[2]);
  Volume<float> best = empty_channels(g, 1)[0];  // the quality the offsets at each voxel point with
  const double s = spec.stride;
  const double nearest = 0.5 * std::sqrt(3.0) * s * std::max({spacing.z, spacing.y, spacing.x}) * (1 + 1e-9);
  for_class_picks(picks, spec, [&](size_t k, const Pick& p) {
    const auto& c = spec.classes[k];
    const double sigma = sigma_of(c);
    const double reach = std::max(spec.sphere_fraction * c.radius_A, nearest);
    // The pick in output voxels: the inverse of centre(j) = ((j + 0.5) s - 0.5) spacing.
    const Vec3 u{(p.z / spacing.z + 0.5) / s - 0.5, (p.y / spacing.y + 0.5) / s - 0.5, (p.x / spacing.x + 0.5) / s - 0.5};
    for_voxels_near(g, p, reach, [&](int64_t z, int64_t y, int64_t x, double d2) {
      if (d2 > reach * reach) return;
      const float q = float(std::exp(-d2 / (2 * sigma * sigma)));
      auto& qk = t.quality[k](z, y, x);
      qk = std::max(qk, q);
      if (q <= best(z, y, x)) return;
      best(z, y, x) = q;
      t.dz(z, y, x) = float(u.z - double(g.origin.z + z));
      t.dy(z, y, x) = float(u.y - double(g.origin.y + y));
      t.dx(z, y, x) = float(u.x - double(g.origin.x + x));
    });
  });
  return t;
}

void validate_target_spec(const TargetSpec& spec) {
  if (spec.stride < 1) throw Error("targets: stride must be at least 1, got " + std::to_string(spec.stride));
  if (spec.classes.empty()) throw Error("targets: no classes");
  if (!(spec.sphere_fraction > 0)) throw Error("targets: sphere_fraction must be positive");
  if (spec.ignore_fraction != 0 && !(spec.ignore_fraction > spec.sphere_fraction))
    throw Error("targets: ignore_fraction must be 0 or larger than sphere_fraction");
  std::set<std::string> names;
  for (const auto& c : spec.classes) {
    if (c.name.empty()) throw Error("targets: a class has no name");
    if (!names.insert(c.name).second) throw Error("targets: class '" + c.name + "' is listed twice");
    if (!(c.radius_A > 0)) throw Error("targets: class '" + c.name + "' needs a positive radius (Å)");
    if (c.sigma_A < 0) throw Error("targets: class '" + c.name + "' has a negative sigma");
  }
  if (spec.classes.size() >= kIgnoreLabel) throw Error("targets: too many classes for a uint8 label volume");
}

Shape3 target_shape(const Box& b, int stride) {
  if (stride < 1) throw Error("targets: stride must be at least 1");
  if (b.begin.z % stride || b.begin.y % stride || b.begin.x % stride)
    throw Error("targets: box start " + b.begin.str() + " is not a multiple of the stride " + std::to_string(stride));
  return {(b.shape.z + stride - 1) / stride, (b.shape.y + stride - 1) / stride, (b.shape.x + stride - 1) / stride};
}

Vec3 target_voxel_center_A(const Index3& j, const Vec3& sp, int s) {
  return {((double(j.z) + 0.5) * s - 0.5) * sp.z, ((double(j.y) + 0.5) * s - 0.5) * sp.y,
          ((double(j.x) + 0.5) * s - 0.5) * sp.x};
}

std::vector<Volume<float>> gaussian_heatmaps(const Box& box, const Vec3& spacing, const std::vector<PickSet>& picks,
                                             const TargetSpec& spec) {
  validate_target_spec(spec);
  const OutputGrid g = make_grid(box, spacing, spec.stride);
  auto out = empty_channels(g, spec.classes.size());
  for_class_picks(picks, spec, [&](size_t c, const Pick& p) {
    const double sigma = sigma_of(spec.classes[c]);
    const double inv = 1.0 / (2 * sigma * sigma);
    Volume<float>& v = out[c];
    for_voxels_near(g, p, 3 * sigma, [&](int64_t z, int64_t y, int64_t x, double d2) {
      v(z, y, x) = std::max(v(z, y, x), float(std::exp(-d2 * inv)));
    });
  });
  return out;
}

std::vector<Volume<float>> sphere_masks(const Box& box, const Vec3& spacing, const std::vector<PickSet>& picks,
                                        const TargetSpec& spec) {
  validate_target_spec(spec);
  const OutputGrid g = make_grid(box, spacing, spec.stride);
  auto out = empty_channels(g, spec.classes.size());
  for_class_picks(picks, spec, [&](size_t c, const Pick& p) {
    const double r = spec.sphere_fraction * spec.classes[c].radius_A;
    Volume<float>& v = out[c];
    for_voxels_near(g, p, r, [&](int64_t z, int64_t y, int64_t x, double d2) {
      if (d2 <= r * r) v(z, y, x) = 1.f;
    });
  });
  return out;
}

Volume<uint8_t> label_volume(const Box& box, const Vec3& spacing, const std::vector<PickSet>& picks,
                             const TargetSpec& spec) {
  validate_target_spec(spec);
  const OutputGrid g = make_grid(box, spacing, spec.stride);
  const Vec3 out_spacing{spacing.z * spec.stride, spacing.y * spec.stride, spacing.x * spec.stride};
  Volume<uint8_t> labels(g.shape, out_spacing, target_voxel_center_A(g.origin, spacing, spec.stride));
  // Distance (in units of each pick's own sphere radius) of the nearest sphere claiming a voxel:
  // where spheres overlap the nearer particle wins, independent of pick order.
  Volume<float> claim(g.shape, out_spacing, {}, std::numeric_limits<float>::infinity());
  for_class_picks(picks, spec, [&](size_t ci, const Pick& p) {
    const TargetClass& c = spec.classes[ci];
    const double r = spec.sphere_fraction * c.radius_A;
    const double reach = std::max(r, spec.ignore_fraction * c.radius_A);
    const uint8_t inside = (!c.scored && spec.ignore_unscored) ? kIgnoreLabel : uint8_t(ci + 1);
    for_voxels_near(g, p, reach, [&](int64_t z, int64_t y, int64_t x, double d2) {
      const float rel = float(std::sqrt(d2) / r);
      if (d2 <= r * r) {
        if (rel < claim(z, y, x)) {
          claim(z, y, x) = rel;
          labels(z, y, x) = inside;
        }
      } else if (d2 <= reach * reach && labels(z, y, x) == 0) {
        labels(z, y, x) = kIgnoreLabel;  // rim: neither background nor particle
      }
    });
  });
  return labels;
}

}  // namespace tomopick
