// SegResNet (nn/segresnet.h), MONAI's layout: shapes on odd sizes, the exact parameter count, a toy
// target learned, clear errors; and as a model.arch through HeatmapNet and a model file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "toy_training.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/segresnet.h"

using namespace tomopick;

TEST(SegResNet, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  nn::SegResNetOptions o;
  o.channels = {8, 16, 32};
  o.blocks_down = {1, 1, 2};
  o.blocks_up = {1, 1};
  o.out_channels = 3;
  nn::SegResNet net(o);
  EXPECT_EQ(net->total_stride(), 4);
  for (auto shape : std::vector<std::vector<int64_t>>{{1, 1, 16, 16, 16}, {2, 1, 7, 13, 10}, {1, 1, 5, 9, 3}}) {
    const auto y = net->forward(torch::randn(shape));
    EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]}));
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  }
}

TEST(SegResNet, ParameterCountIsMonaisForItsDefaults) {
  // MONAI's SegResNet() defaults: init_filters 8, blocks_down (1, 2, 2, 4), blocks_up (1, 1, 1), in 1,
  // out 2, group norm. Counted by hand from its layers:
  //   conv_init 1*8*27 = 216
  //   level 0 (8): 1 ResBlock = 2*27*64 + 4*8 = 3,488
  //   level 1 (16): down 8*16*27 = 3,456, 2 ResBlocks 2*(2*27*256 + 64) = 27,776
  //   level 2 (32): down 13,824, 2 ResBlocks 2*(55,296 + 128) = 110,848
  //   level 3 (64): down 55,296, 4 ResBlocks 4*(221,184 + 256) = 885,760
  //   up 64->32: 1x1 2,048 + ResBlock 55,424; 32->16: 512 + 13,888; 16->8: 128 + 3,488
  //   final: group norm 16, 1x1 conv 8*2 + 2 = 18
  nn::SegResNetOptions o;
  o.out_channels = 2;
  const int64_t hand = 216 + 3488 + 3456 + 27776 + 13824 + 110848 + 55296 + 885760 + 2048 + 55424 + 512 + 13888 + 128 +
                       3488 + 16 + 18;
  EXPECT_EQ(hand, 1176186);
  EXPECT_EQ(nn::segresnet_parameter_count(o), hand);
  EXPECT_EQ(nn::parameter_count(*nn::SegResNet(o)), hand);
  // The BraTS configuration (init_filters 16, 4 inputs, 3 outputs): MONAI's 4.70 M.
  o.channels = {16, 32, 64, 128};
  o.in_channels = 4;
  o.out_channels = 3;
  EXPECT_EQ(nn::segresnet_parameter_count(o), 4702227);
  EXPECT_EQ(nn::parameter_count(*nn::SegResNet(o)), 4702227);
}

TEST(SegResNet, LearnsAToyTarget) {
  torch::manual_seed(1);
  nn::SegResNetOptions o;
  o.channels = {8, 16};
  o.blocks_down = {1, 1};
  o.blocks_up = {1};
  o.out_channels = 1;
  nn::SegResNet net(o);
  EXPECT_LT(test::toy_training_ratio(net, torch::randn({1, 1, 8, 8, 8}), 30), 0.5f);
}

TEST(SegResNet, BadOptionsAndInputsAreClearErrors) {
  nn::SegResNetOptions o;
  o.blocks_up = {1, 1};
  EXPECT_NE(test::error_message([&] { nn::SegResNet n(o); }).find("blocks_up needs one entry fewer"), std::string::npos);
  o = {};
  o.blocks_down = {1, 2};
  EXPECT_NE(test::error_message([&] { nn::SegResNet n(o); }).find("blocks_down needs one entry per level"), std::string::npos);
  o = {};
  o.channels = {6, 12, 24, 48};
  EXPECT_NE(test::error_message([&] { nn::SegResNet n(o); }).find("divisible by 8"), std::string::npos);
  o.norm = "instance";  // any widths without group norm
  EXPECT_NO_THROW(nn::SegResNet n(o));
  o.norm = "layer";
  EXPECT_NE(test::error_message([&] { nn::SegResNet n(o); }).find("norm must be batch, instance or group"), std::string::npos);
  o = {};
  nn::SegResNet net(o);
  EXPECT_NE(test::error_message([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }).find("expected input"), std::string::npos);
}

TEST(SegResNet, IsAModelArchOfHeatmapNet) {
  nn::ModelConfig m;
  m.arch = "segresnet";
  m.channels = {8, 16, 32};
  m.blocks_down = {1, 1, 1};
  m.blocks_up = {1, 1};
  m.norm = "group";
  nn::HeatmapNet net(m, 6);
  nn::SegResNetOptions o;
  o.channels = m.channels, o.blocks_down = m.blocks_down, o.blocks_up = m.blocks_up, o.out_channels = 6;
  EXPECT_EQ(nn::parameter_count(*net), nn::segresnet_parameter_count(o));
  const auto y = net->forward(torch::randn({1, 1, 12, 20, 20}));
  EXPECT_EQ(y.sizes(), (torch::IntArrayRef{1, 6, 12, 20, 20}));
}
