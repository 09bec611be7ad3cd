// Inputs the fuzzers found that need more than a replay (fuzz/regressions/ are replayed by the
// fuzz_replay_* tests): here, what the error says.
#include <gtest/gtest.h>

#include "test_support.h"
#include "tomopick/core/error.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/nn/model_io.h"

using namespace tomopick;
namespace fs = std::filesystem;

TEST(FuzzRegressions, CorruptModelArchiveIsAnError) {
  // LibTorch's reader throws a std::runtime_error from its TorchScript lexer for this file.
  const fs::path file = fs::path(TOMOPICK_SOURCE_DIR) / "fuzz/known-libtorch/runtime-error-in-torchscript-lexer.pt";
  ASSERT_TRUE(fs::exists(file));
  try {
    nn::load_model(file);
    FAIL() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("runtime-error-in-torchscript-lexer.pt: not a LibTorch archive"), std::string::npos)
        << e.what();
  }
}

TEST(FuzzRegressions, ModelDescriptionsWithAbsurdNumbers) {
  const std::string base = R"({"format": "tomopick-model", "model": {"arch": "unet3d", "head": "heatmap",
    "channels": CH, "strides": [2], "num_res_units": 1, "norm": "instance", "dropout": 0, "slices": 5,
    "block": "resnet", "head_upscale": 2}, "classes": [{"name": "r", "radius_A": 100, "scored": true}],
    "spacing_A": 10, "normalize": "zscore", "mean": 0, "std": 1, "window": [32, 32, 32], "overlap": 0.25,
    "nms_fraction": 0.5})";
  auto with = [&](const std::string& ch) { return std::string(base).replace(base.find("CH"), 2, ch); };
  EXPECT_NO_THROW(nn::model_info_from_json(with("[4, 8]"), "m.pt"));
  for (const auto& [ch, why] : std::vector<std::pair<std::string, std::string>>{
           {"[6e24, 8]", "must be a list of integers"},  // nlohmann would convert it (undefined behaviour)
           {"[4, 1000000]", "must be in 1..4096"},
           {"[4096, 4096, 4096, 4096]", "M parameters (limit 200 M)"}}) {
    try {
      nn::model_info_from_json(with(ch), "m.pt");
      ADD_FAILURE() << ch;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("m.pt: ", 0), 0u) << e.what();
    }
  }
  // a normalisation the picker does not know is the file's error, not the picker's
  std::string robust = with("[4, 8]");
  robust.replace(robust.find("zscore"), 6, "robust");
  EXPECT_EQ(nn::model_info_from_json(robust, "m.pt").normalize, "robust");
  std::string bad = with("[4, 8]");
  bad.replace(bad.find("zscore"), 6, "median");
  test::expect_error([&] { nn::model_info_from_json(bad, "m.pt"); }, "m.pt", "normalize must be zscore, robust or fixed (got 'median')");
}
