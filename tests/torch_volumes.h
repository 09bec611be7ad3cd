#pragma once
// Random volumes and how far two volumes are apart: the inference tests compare paths that must agree.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tomopick/core/torch_bridge.h"
#include "tomopick/core/volume.h"

namespace tomopick::test {

// Standard normal voxels from LibTorch's generator seeded with `seed`.
inline Volume<float> random_volume(Shape3 s, uint64_t seed) {
  torch::manual_seed(seed);
  return volume_from_tensor(torch::randn({s.z, s.y, s.x}));
}

// The largest voxel difference; the shapes must match.
inline float max_abs_diff(const Volume<float>& a, const Volume<float>& b) {
  EXPECT_EQ(a.shape(), b.shape());
  float m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a.data()[i] - b.data()[i]));
  return m;
}

}  // namespace tomopick::test
