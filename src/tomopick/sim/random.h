#pragma once
// Deterministic random numbers for the simulator. The generator and the distributions are our own
// (SplitMix64, 53-bit uniforms, Box-Muller normals) rather than <random>'s distributions, whose
// algorithms differ between standard libraries: the same seed must give the same bytes everywhere.
// Parallel work never shares a generator: each task derives its own seed (derive_seed), so results
// do not depend on thread scheduling.
#include <cmath>
#include <cstdint>
#include <numbers>

namespace tomopick::sim {

// SplitMix64's output function: a good 64-bit mixer, used both as the generator step and to derive
// independent seeds.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// An independent seed for sub-stream (a, b) of `seed` (e.g. run index, tilt index).
inline uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  return mix64(mix64(seed ^ 0x9e3779b97f4a7c15ULL) + mix64(a * 0xd1b54a32d192ed03ULL + 1) + (b + 1) * 0x8cb92ba72f3d8dd7ULL);
}

class Rng {
public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() { return mix64(s_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Uniform integer in [lo, hi] (inclusive).
  int64_t uniform_int(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + int64_t(uniform() * double(hi - lo + 1));
  }
  // Standard normal (Box-Muller; the second value is kept for the next call).
  double normal() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * std::numbers::pi * u2);
    have_spare_ = true;
    return r * std::cos(2 * std::numbers::pi * u2);
  }

private:
  uint64_t s_;
  double spare_ = 0;
  bool have_spare_ = false;
};

}  // namespace tomopick::sim
