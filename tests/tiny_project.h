#pragma once
// A tiny copick project for training and picking tests: runs of 32 x 48 x 48 voxels at 10 Å holding
// bright balls of two classes ("small", radius 40 Å; "big", radius 70 Å) on noise, with their picks
// (user "truth").
#include <cmath>
#include <filesystem>

#include "tomopick/io/copick_project.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/sim/random.h"

namespace tomopick::test {

inline void make_project(const fs::path& root, int runs, uint64_t seed) {
  CopickConfig cfg;
  cfg.objects = {{"small", 1, 40}, {"big", 2, 70}};
  auto proj = CopickProject::create(root, cfg);
  sim::Rng rng(seed);
  for (int r = 0; r < runs; ++r) {
    const std::string run = "run" + std::to_string(r);
    Volume<float> v({32, 48, 48}, {10, 10, 10});
    for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(0.3 * rng.normal());
    std::vector<PickSet> sets(2);
    sets[0].object = "small", sets[1].object = "big";
    for (int k = 0; k < 6; ++k) {
      const int cls = k % 2;
      const double radius_vox = cls ? 7 : 4;
      Pick p;
      p.z = 10 * rng.uniform(8, 24), p.y = 10 * rng.uniform(8, 40), p.x = 10 * rng.uniform(8, 40);
      for (int64_t z = 0; z < 32; ++z)
        for (int64_t y = 0; y < 48; ++y)
          for (int64_t x = 0; x < 48; ++x) {
            const double d2 = std::pow(z - p.z / 10, 2) + std::pow(y - p.y / 10, 2) + std::pow(x - p.x / 10, 2);
            if (d2 <= radius_vox * radius_vox) v(z, y, x) += 1.0f;
          }
      sets[size_t(cls)].points.push_back(p);
    }
    write_tomogram(proj.tomogram_path(run, 10, "denoised"), v, TomoFormat::zarr);
    for (auto& s : sets) {
      s.run = run, s.user_id = "truth";
      proj.write_picks(s);
    }
  }
}

}  // namespace tomopick::test
