#pragma once
// A network family as a model.arch: built through HeatmapNet, saved as a model file and loaded back,
// its description and its outputs must survive (each family's own fields included).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "test_support.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/nn/model_io.h"

namespace tomopick::test {

inline void expect_model_file_round_trip(const nn::ModelConfig& m, int64_t classes, const torch::Tensor& x) {
  torch::manual_seed(7);
  nn::HeatmapNet net(m, classes);
  net->eval();
  nn::ModelInfo info;
  info.model = m;
  for (int64_t c = 0; c < classes; ++c) info.classes.push_back({"class" + std::to_string(c), 60, true, 0.5});
  TempDir dir;
  nn::save_model(dir.path() / "m.pt", info, *net);
  auto loaded = nn::load_model(dir.path() / "m.pt");
  EXPECT_EQ(nn::model_info_to_json(loaded.info), nn::model_info_to_json(info));
  torch::NoGradGuard no_grad;
  const auto want = net->forward(x), got = loaded.net->forward(x);
  EXPECT_EQ(got.sizes(), want.sizes());
  EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-6));
}

}  // namespace tomopick::test
