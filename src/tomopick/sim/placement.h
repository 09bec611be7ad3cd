#pragma once
// What placing objects in a sample needs (sample.cpp, bacteria.cpp): small vector helpers, random
// directions, counts scaled to a box, and the occupancy test that keeps objects from overlapping.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <unordered_map>
#include <vector>

#include "tomopick/sim/sample.h"

namespace tomopick::sim::placement {

inline constexpr double kMembraneHalf = 25.0;  // Å: half thickness of a bilayer for overlap tests

inline Vec3 add(Vec3 a, Vec3 b) { return {a.z + b.z, a.y + b.y, a.x + b.x}; }
inline Vec3 sub(Vec3 a, Vec3 b) { return {a.z - b.z, a.y - b.y, a.x - b.x}; }
inline double dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline double len(Vec3 a) { return std::sqrt(dot(a, a)); }

inline Vec3 random_unit(Rng& rng) {
  const double z = rng.uniform(-1, 1), t = rng.uniform(0, 2 * std::numbers::pi), r = std::sqrt(1 - z * z);
  return {z, r * std::sin(t), r * std::cos(t)};
}

// Objects already placed, for overlap tests: spheres in a hash of cubic cells, plus the few large
// spheres and the membranes in plain lists.
class Occupancy {
public:
  explicit Occupancy(double cell) : cell_(cell) {}

  bool free(const Vec3& c, double r) const {
    for (const auto& s : big_)
      if (len(sub(c, s.c)) < r + s.r) return false;
    for (const SampleObject* m : membranes_) {
      const Vec3 q = sub(c, m->centre);
      if (m->kind == ObjectKind::vesicle) {
        if (std::abs(len(q) - m->radius) < r + kMembraneHalf) return false;
      } else {
        const double d = dot(q, m->normal);
        const Vec3 inplane = sub(q, Vec3{d * m->normal.z, d * m->normal.y, d * m->normal.x});
        if (std::abs(d) < r + kMembraneHalf && len(inplane) < m->radius + r) return false;
      }
    }
    const int64_t reach = int64_t(std::ceil((r + max_small_) / cell_));
    const int64_t cx = key1(c.x), cy = key1(c.y), cz = key1(c.z);
    for (int64_t dz = -reach; dz <= reach; ++dz)
      for (int64_t dy = -reach; dy <= reach; ++dy)
        for (int64_t dx = -reach; dx <= reach; ++dx) {
          const auto it = cells_.find(key(cz + dz, cy + dy, cx + dx));
          if (it == cells_.end()) continue;
          for (int i : it->second)
            if (len(sub(c, small_[i].c)) < r + small_[i].r) return false;
        }
    return true;
  }

  void add_sphere(const Vec3& c, double r) {
    if (r > cell_ / 2) {
      big_.push_back({c, r});
      return;
    }
    max_small_ = std::max(max_small_, r);
    cells_[key(key1(c.z), key1(c.y), key1(c.x))].push_back(int(small_.size()));
    small_.push_back({c, r});
  }
  void add_membrane(const SampleObject* m) { membranes_.push_back(m); }

private:
  struct Sphere {
    Vec3 c;
    double r;
  };
  int64_t key1(double v) const { return int64_t(std::floor(v / cell_)); }
  static int64_t key(int64_t z, int64_t y, int64_t x) { return (z * 1000003 + y) * 1000003 + x; }
  double cell_, max_small_ = 0;
  std::vector<Sphere> small_, big_;
  std::unordered_map<int64_t, std::vector<int>> cells_;
  std::vector<const SampleObject*> membranes_;
};

// A count from [lo, hi] scaled by `f`, rounded stochastically (so the mean scales exactly).
inline int draw_count(Rng& rng, int lo, int hi, double f) {
  const double v = double(rng.uniform_int(lo, hi)) * f;
  const double fl = std::floor(v);
  return int(fl) + (rng.uniform() < v - fl ? 1 : 0);
}

}  // namespace tomopick::sim::placement
