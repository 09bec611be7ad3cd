// UNet2e3d (nn/unet2e3d.h), a 2D encoder over slices with a 3D decoder: shapes on odd sizes, the exact
// parameter count, slices seen by a decoder-less net, a toy target learned, clear errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model_round_trip.h"
#include "test_support.h"
#include "toy_training.h"
#include "tomopick/nn/unet2e3d.h"
#include "tomopick/train/train_config.h"

using namespace tomopick;

namespace {

nn::UNet2e3dOptions small() {
  nn::UNet2e3dOptions o;
  o.channels = {4, 8, 16};  // total stride 4
  o.out_channels = 3;
  return o;
}

}  // namespace

TEST(UNet2e3d, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  for (const std::string norm : {"batch", "instance"}) {
    for (int64_t slices : {1, 3}) {
      auto o = small();
      o.norm = norm;
      o.slices = slices;
      nn::UNet2e3d net(o);
      EXPECT_EQ(net->total_stride(), 4);
      for (auto shape : std::vector<std::vector<int64_t>>{{1, 1, 7, 13, 10}, {2, 1, 5, 9, 3}, {1, 1, 1, 13, 10}, {1, 1, 8, 16, 16}}) {
        const auto y = net->forward(torch::randn(shape));
        EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]})) << norm << " " << slices;
        EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << norm << " " << slices;
      }
    }
  }
  // The defaults (four levels, stride 8), and two input channels with a 5-slice stem.
  nn::UNet2e3d def{nn::UNet2e3dOptions{}};
  EXPECT_EQ(def->total_stride(), 8);
  EXPECT_EQ(def->forward(torch::randn({1, 1, 7, 13, 10})).sizes(), (torch::IntArrayRef{1, 1, 7, 13, 10}));
  auto o = small();
  o.in_channels = 2, o.slices = 5, o.blocks = 2;
  nn::UNet2e3d two(o);
  EXPECT_EQ(two->forward(torch::randn({2, 2, 5, 9, 3})).sizes(), (torch::IntArrayRef{2, 3, 5, 9, 3}));
}

TEST(UNet2e3d, ParameterCountIsExact) {
  // The defaults (in 1, out 1, channels 16 32 64 128, slices 1, blocks 1, batch norm), by hand. Norms
  // are affine (2 per channel); convolutions before a norm have no bias.
  //   stem 3x3: 9*1*16 + 32 = 176
  //   level 0 basic block 16->16: 9*16*16*2 + 2*32 = 4,672
  //   level 1 basic block 16->32 stride 2: 9*16*32 + 9*32*32 + 2*64 + projection 16*32 + 64 = 14,528
  //   level 2 32->64: 18,432 + 36,864 + 256 + 2,048 + 128 = 57,728
  //   level 3 64->128: 73,728 + 147,456 + 512 + 8,192 + 256 = 230,144
  //   decoder 128+64->64: 27*192*64 + 27*64*64 + 2*128 = 442,624
  //   decoder 64+32->32: 82,944 + 27,648 + 128 = 110,720
  //   decoder 32+16->16: 20,736 + 6,912 + 64 = 27,712
  //   head 1x1x1: 16*1 + 1 = 17
  const int64_t hand = 176 + 4672 + 14528 + 57728 + 230144 + 442624 + 110720 + 27712 + 17;
  EXPECT_EQ(hand, 888321);
  EXPECT_EQ(nn::unet2e3d_parameter_count({}), hand);
  EXPECT_EQ(nn::parameter_count(*nn::UNet2e3d(nn::UNet2e3dOptions{})), hand);

  std::vector<nn::UNet2e3dOptions> variants;
  auto o = small();
  variants.push_back(o);
  o.slices = 5, o.in_channels = 2, o.blocks = 3, o.norm = "instance", o.dropout = 0.2;
  variants.push_back(o);
  o = {};
  o.channels = {8};  // one level: stem, blocks, head; no decoder
  variants.push_back(o);
  o.channels = {8, 12, 20, 24, 40}, o.out_channels = 6, o.blocks = 2, o.slices = 3;
  variants.push_back(o);
  for (const auto& v : variants) EXPECT_EQ(nn::unet2e3d_parameter_count(v), nn::parameter_count(*nn::UNet2e3d(v)));
}

TEST(UNet2e3d, WithoutDecoderLevelsEachSliceSeesOnlyItsStack) {
  // One level has no 3D convolution at all, so output slice z depends on input slices z +- slices/2
  // only: the encoder is truly per slice and the stem stacks exactly the neighbours asked for.
  torch::manual_seed(2);
  for (int64_t slices : {1, 3}) {
    nn::UNet2e3dOptions o;
    o.channels = {4};
    o.slices = slices;
    nn::UNet2e3d net(o);
    net->eval();  // batch norm's running statistics: no mixing of slices through the batch
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({1, 1, 7, 6, 6});
    auto x2 = x.clone();
    x2.select(2, 3).add_(1.0);
    const auto changed = (net->forward(x2) - net->forward(x)).abs().amax({0, 1, 3, 4}) > 0;
    for (int64_t z = 0; z < 7; ++z) EXPECT_EQ(changed[z].item<bool>(), std::abs(z - 3) <= slices / 2) << slices << " " << z;
  }
}

TEST(UNet2e3d, LearnsAToyTarget) {
  torch::manual_seed(1);
  nn::UNet2e3dOptions o;
  o.channels = {8, 16};
  o.slices = 3;
  nn::UNet2e3d net(o);
  EXPECT_LT(test::toy_training_ratio(net, torch::randn({1, 1, 8, 8, 8}), 30), 0.5f);
}

TEST(UNet2e3d, BadOptionsAndInputsAreClearErrors) {
  auto message = [](const nn::UNet2e3dOptions& o) { return test::error_message([&] { nn::UNet2e3d n(o); }); };
  nn::UNet2e3dOptions o;
  o.channels = {};
  EXPECT_NE(message(o).find("unet2e3d.channels: needs at least one level"), std::string::npos);
  o.channels = {8, 0};
  EXPECT_NE(message(o).find("unet2e3d.channels: must be positive, got 0 at level 1"), std::string::npos);
  o = {};
  o.slices = 4;
  EXPECT_NE(message(o).find("unet2e3d.slices: must be odd and >= 1, got 4"), std::string::npos);
  o.slices = 0;
  EXPECT_NE(message(o).find("unet2e3d.slices"), std::string::npos);
  o = {};
  o.norm = "group";
  EXPECT_NE(message(o).find("unet2e3d.norm: must be batch or instance, got 'group'"), std::string::npos);
  o = {};
  o.blocks = 0;
  EXPECT_NE(message(o).find("unet2e3d.blocks"), std::string::npos);
  o = {};
  o.in_channels = 0;
  EXPECT_NE(message(o).find("unet2e3d.in_channels"), std::string::npos);
  o = {};
  o.out_channels = 0;
  EXPECT_NE(message(o).find("unet2e3d.out_channels"), std::string::npos);
  o = {};
  o.dropout = 1.0;
  EXPECT_NE(message(o).find("unet2e3d.dropout"), std::string::npos);
  o.dropout = 0.0;
  EXPECT_NO_THROW(nn::unet2e3d_parameter_count(o));
  o.dropout = -0.1;
  EXPECT_NE(test::error_message([&] { nn::unet2e3d_parameter_count(o); }).find("unet2e3d.dropout"), std::string::npos);

  nn::UNet2e3d net{nn::UNet2e3dOptions{}};
  EXPECT_NE(test::error_message([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }).find("expected input [N, 1, Z, Y, X], got [1, 2, 8, 8, 8]"),
            std::string::npos);
  EXPECT_NE(test::error_message([&] { net->forward(torch::zeros({8, 8, 8})); }).find("expected input"), std::string::npos);
}

TEST(UNet2e3d, IsAModelArchThatSurvivesAModelFile) {
  nn::ModelConfig m;
  m.arch = "unet2e3d";
  m.channels = {4, 8, 16};
  m.slices = 3;
  m.num_res_units = 2;  // 2D blocks per encoder level
  m.norm = "instance";
  nn::HeatmapNet net(m, 2);
  nn::UNet2e3dOptions o;
  o.channels = m.channels, o.slices = 3, o.blocks = 2, o.norm = "instance", o.out_channels = 2;
  EXPECT_EQ(nn::parameter_count(*net), nn::unet2e3d_parameter_count(o));
  test::expect_model_file_round_trip(m, 2, torch::randn({1, 1, 5, 13, 10}));
}

TEST(UNet2e3d, ConfigsNameTheBadField) {
  const std::string base = "model:\n  arch: unet2e3d\n  channels: [16, 32, 64]\n  slices: 3\n  norm: batch\n";
  EXPECT_NO_THROW(train::parse_train_config(base, "ok.yaml"));
  auto error = [&](const std::string& extra) {
    return test::error_message([&] { train::parse_train_config(base + extra, "bad.yaml"); });
  };
  EXPECT_NE(error("  num_res_units: 0\n").find("model.num_res_units"), std::string::npos);
  EXPECT_NE(test::error_message([&] {
              train::parse_train_config("model:\n  arch: unet2e3d\n  norm: group\n  channels: [16, 32]\n", "bad.yaml");
            }).find("model.norm"),
            std::string::npos);
}
