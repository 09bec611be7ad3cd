// ResNet3dFpn (nn/resnet3d_fpn.h), the BYU motor 3rd place's ResNet/ResNeXt + FPN: shapes on odd sizes
// for both block kinds and every output level, the exact parameter count, a toy target learned, clear
// errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model_round_trip.h"
#include "test_support.h"
#include "toy_training.h"
#include "tomopick/nn/resnet3d_fpn.h"
#include "tomopick/train/train_config.h"

using namespace tomopick;

namespace {

nn::ResNet3dFpnOptions small_options(const std::string& block) {
  nn::ResNet3dFpnOptions o;
  o.channels = {8, 16, 32};
  o.depths = {1, 1, 2};
  o.block = block;
  o.groups = 4;
  o.fpn_channels = 8;
  o.out_channels = 3;
  return o;
}

}  // namespace

TEST(ResNet3dFpn, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  for (const std::string block : {"bottleneck", "basic"})
    for (int64_t out_stride : {1, 2, 4}) {
      SCOPED_TRACE(block + " out_stride " + std::to_string(out_stride));
      auto o = small_options(block);
      o.out_stride = out_stride;
      nn::ResNet3dFpn net(o);
      EXPECT_EQ(net->total_stride(), 4);
      for (auto shape : std::vector<std::vector<int64_t>>{{1, 1, 16, 16, 16}, {2, 1, 7, 13, 10}, {1, 1, 5, 9, 3}}) {
        const auto y = net->forward(torch::randn(shape));
        EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]}));
        EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
      }
    }
  // The defaults (total stride 16) in eval mode, on a size no power of two divides.
  nn::ResNet3dFpn net{nn::ResNet3dFpnOptions{}};
  net->eval();
  EXPECT_EQ(net->total_stride(), 16);
  EXPECT_EQ(net->forward(torch::randn({2, 1, 7, 13, 10})).sizes(), (torch::IntArrayRef{2, 1, 7, 13, 10}));
}

TEST(ResNet3dFpn, ParameterCountMatchesTheBuiltNet) {
  // Counted by hand: channels {8, 16}, depths {1, 1}, bottleneck, groups 4, fpn 8, out_stride 2, batch
  // norm (2 per channel), 1 in, 2 out.
  //   stem: 3x3x3 1->8 = 216, norm 16                                                    = 232
  //   stage 0, 8->8 (width 4): 1x1 32, norm 8, grouped 3x3x3 27*4*4/4 = 108, norm 8,
  //     1x1 32, norm 16, identity shortcut                                               = 204
  //   stage 1, 8->16 stride 2 (width 8): 1x1 64, norm 16, grouped 27*8*8/4 = 432, norm 16,
  //     1x1 128, norm 32, shortcut 1x1 128 + norm 32                                     = 848
  //   laterals: stage 1 only (stage 0 is finer than the output): 16*8 + 8                = 136
  //   smoothing 3x3x3 8->8 with bias: 1,728 + 8                                          = 1,736
  //   head: 3x3x3 1,728, norm 16, 1x1 8*2 + 2                                            = 1,762
  nn::ResNet3dFpnOptions o;
  o.channels = {8, 16};
  o.depths = {1, 1};
  o.groups = 4;
  o.fpn_channels = 8;
  o.out_channels = 2;
  const int64_t hand = 232 + 204 + 848 + 136 + 1736 + 1762;
  EXPECT_EQ(hand, 4918);
  EXPECT_EQ(nn::resnet3d_fpn_parameter_count(o), hand);
  EXPECT_EQ(nn::parameter_count(*nn::ResNet3dFpn(o)), hand);

  // The defaults are a small net, and other option sets agree with the built net too.
  const nn::ResNet3dFpnOptions defaults;
  const int64_t n = nn::resnet3d_fpn_parameter_count(defaults);
  EXPECT_GT(n, 500000);
  EXPECT_LT(n, 2000000);
  std::vector<nn::ResNet3dFpnOptions> sets(6, defaults);
  sets[1].block = "basic";
  sets[2].norm = "group";
  sets[2].out_stride = 16;
  sets[3].norm = "instance";
  sets[3].out_stride = 1;
  sets[3].in_channels = 2;
  sets[3].out_channels = 6;
  sets[4].channels = {24};
  sets[4].depths = {2};
  sets[4].groups = 3;
  sets[4].out_stride = 1;
  sets[5] = small_options("basic");
  sets[5].dropout = 0.2;
  for (size_t i = 0; i < sets.size(); ++i) {
    SCOPED_TRACE("set " + std::to_string(i));
    EXPECT_EQ(nn::resnet3d_fpn_parameter_count(sets[i]), nn::parameter_count(*nn::ResNet3dFpn(sets[i])));
  }
}

TEST(ResNet3dFpn, LearnsAToyTarget) {
  // The toy target is x > 0.5 voxel by voxel. At out_stride 1 every layer (stage 0's lateral too) shapes
  // the output, and voxel-sharp targets are learnable; at out_stride 2 the logits come from a half-size
  // map, so the input is made of 2x2x2 blocks to keep the target representable.
  for (const std::string block : {"bottleneck", "basic"})
    for (int64_t out_stride : {1, 2}) {
      SCOPED_TRACE(block + " out_stride " + std::to_string(out_stride));
      torch::manual_seed(1);
      nn::ResNet3dFpnOptions o;
      o.channels = {8, 16};
      o.depths = {1, 1};
      o.block = block;
      o.groups = 4;
      o.fpn_channels = 8;
      o.out_stride = out_stride;
      nn::ResNet3dFpn net(o);
      auto x = torch::randn({1, 1, 8 / out_stride, 8 / out_stride, 8 / out_stride});
      if (out_stride > 1) x = x.repeat_interleave(out_stride, 2).repeat_interleave(out_stride, 3).repeat_interleave(out_stride, 4);
      EXPECT_LT(test::toy_training_ratio(net, x, 30), 0.5f);
    }
}

TEST(ResNet3dFpn, BadOptionsAndInputsAreClearErrors) {
  auto message = [](const nn::ResNet3dFpnOptions& o) {
    return test::error_message([&] { nn::ResNet3dFpn n(o); });
  };
  auto expect = [&](const nn::ResNet3dFpnOptions& o, const std::string& part) {
    const auto m = message(o);
    EXPECT_NE(m.find(part), std::string::npos) << m;
    EXPECT_NE(test::error_message([&] { nn::resnet3d_fpn_parameter_count(o); }).find(part), std::string::npos);
  };
  nn::ResNet3dFpnOptions o;
  o.channels = {};
  o.depths = {};
  expect(o, "channels needs at least 1 stage");
  o = {};
  o.depths = {1, 1, 2};
  expect(o, "depths needs one entry per stage");
  o = {};
  o.depths = {1, 0, 2, 2, 2};
  expect(o, "depths must be in 1..32");
  o = {};
  o.out_stride = 3;
  expect(o, "out_stride must be a power of two");
  o.out_stride = 32;  // the defaults' total stride is 16
  expect(o, "out_stride must be a power of two no larger than the total stride 16");
  o.out_stride = 0;
  expect(o, "out_stride");
  o = {};
  o.groups = 16;  // stage 0's width is 16 / 2 = 8
  expect(o, "groups (16) must divide every bottleneck width");
  o.block = "basic";  // basic blocks ignore the cardinality
  EXPECT_NO_THROW(nn::ResNet3dFpn n(o));
  o = {};
  o.block = "resnext";
  expect(o, "block must be bottleneck or basic");
  o = {};
  o.norm = "layer";
  expect(o, "norm must be batch, instance or group");
  o = {};
  o.norm = "group";
  o.fpn_channels = 12;
  expect(o, "group norm needs fpn_channels divisible by 8");
  o = {};
  o.dropout = 1;
  expect(o, "dropout must be in [0, 1)");
  o = {};
  o.out_channels = 0;
  expect(o, "out_channels must be positive");
  nn::ResNet3dFpn net(small_options("basic"));
  EXPECT_NE(test::error_message([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }).find("expected input"),
            std::string::npos);
}

TEST(ResNet3dFpn, IsAModelArchThatSurvivesAModelFile) {
  nn::ModelConfig m;
  m.arch = "resnet3d_fpn";
  m.channels = {8, 16, 32};
  m.blocks_down = {1, 2, 1};
  m.block = "resnext";
  m.groups = 2;
  m.fpn_channels = 8;
  m.out_stride = 2;
  m.norm = "instance";
  nn::HeatmapNet net(m, 3);
  nn::ResNet3dFpnOptions o;
  o.channels = m.channels, o.depths = m.blocks_down, o.block = "bottleneck", o.groups = 2;
  o.fpn_channels = 8, o.out_stride = 2, o.norm = "instance", o.out_channels = 3;
  EXPECT_EQ(nn::parameter_count(*net), nn::resnet3d_fpn_parameter_count(o));
  test::expect_model_file_round_trip(m, 3, torch::randn({1, 1, 9, 14, 11}));
  m.block = "resnet";  // basic blocks
  o.block = "basic";
  EXPECT_EQ(nn::parameter_count(*nn::HeatmapNet(m, 3)), nn::resnet3d_fpn_parameter_count(o));
}

TEST(ResNet3dFpn, ConfigsNameTheBadField) {
  const std::string base = "model:\n  arch: resnet3d_fpn\n  channels: [16, 32, 64]\n";
  const std::string depths = "  blocks_down: [1, 1, 2]\n";
  EXPECT_NO_THROW(train::parse_train_config(base + depths + "  block: resnext\n  groups: 8\n  out_stride: 4\n", "ok.yaml"));
  EXPECT_NO_THROW(train::parse_train_config(base + depths + "  norm: group\n", "ok.yaml"));
  auto error = [&](const std::string& extra) {
    return test::error_message([&] { train::parse_train_config(base + extra, "bad.yaml"); });
  };
  EXPECT_NE(error(depths + "  block: resnext\n  groups: 3\n").find("model.groups"), std::string::npos);
  EXPECT_NE(error(depths + "  out_stride: 8\n").find("model.out_stride"), std::string::npos);
  EXPECT_NE(error(depths + "  out_stride: 3\n").find("model.out_stride"), std::string::npos);
  EXPECT_NE(error(depths + "  block: convnext\n").find("model.block"), std::string::npos);
  EXPECT_NE(error("  blocks_down: [1, 1]\n").find("model.blocks_down"), std::string::npos);
  EXPECT_NE(error(depths + "  norm: group\n  fpn_channels: 12\n").find("model.fpn_channels"), std::string::npos);
}
