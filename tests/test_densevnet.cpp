// DenseVNet (nn/densevnet.h), the paper's layout: shapes on odd sizes, the exact parameter count, a
// toy target learned, clear errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "model_round_trip.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/train/train_config.h"
#include "toy_training.h"
#include "tomopick/nn/densevnet.h"

using namespace tomopick;

namespace {

// Two small stacks: total stride 4, cheap enough for every norm.
nn::DenseVNetOptions small_densevnet(const std::string& norm) {
  nn::DenseVNetOptions o;
  o.layers = {2, 3};
  o.growth = {4, 8};
  o.skip_channels = {8, 8};
  o.stem_channels = 8;
  o.norm = norm;
  o.out_channels = 3;
  return o;
}

}  // namespace

TEST(DenseVNet, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  const std::vector<std::vector<int64_t>> shapes{{1, 1, 16, 16, 16}, {2, 1, 7, 13, 10}, {1, 1, 5, 9, 3}};
  for (const std::string norm : {"batch", "instance", "group"}) {
    auto o = small_densevnet(norm);
    if (norm == "group") o.dilation = {1, 2}, o.dropout = 0.2;
    nn::DenseVNet net(o);
    EXPECT_EQ(net->total_stride(), 4);
    for (const auto& shape : shapes) {
      const auto y = net->forward(torch::randn(shape));
      EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]})) << norm;
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << norm;
    }
  }
  // The defaults (three stacks, total stride 8), in training and in evaluation mode.
  nn::DenseVNet net{nn::DenseVNetOptions{}};
  EXPECT_EQ(net->total_stride(), 8);
  for (const auto& shape : {shapes[1], shapes[2]}) {
    const auto y = net->forward(torch::randn(shape));
    EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 6, shape[2], shape[3], shape[4]}));
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  }
  net->eval();
  torch::NoGradGuard no_grad;
  const auto y = net->forward(torch::randn(shapes[1]));
  EXPECT_EQ(y.sizes(), (torch::IntArrayRef{2, 6, 7, 13, 10}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

TEST(DenseVNet, ParameterCountOfThePapersNetwork) {
  // The defaults (the paper's network: stacks of 5, 10, 10 units, growth 4, 8, 16, skips 12, 24, 24,
  // 24 channels into each stack), one input, six outputs, batch norm. Norms are affine (2 x
  // channels), convolutions have no bias but the last. Counted by hand:
  //   stem 5x5x5, 1 -> 24: 125*24 = 3,000
  //   stack 0 reads 24 + 1 (the pooled input); unit j reads 25 + 4j, j < 5: sum 165, so norms 330
  //     and convolutions 27*4*165 = 17,820: 18,150; output 45: transition norm 90, skip 27*45*12 =
  //     14,580, down 27*45*24 = 29,160
  //   stack 1: unit j reads 24 + 8j, j < 10: sum 600, norms 1,200, convolutions 27*8*600 = 129,600:
  //     130,800; output 104: norm 208, skip 27*104*24 = 67,392, down 67,392
  //   stack 2: unit j reads 24 + 16j, j < 10: sum 960, norms 1,920, convolutions 27*16*960 = 414,720:
  //     416,640; output 184: norm 368, skip 27*184*24 = 119,232
  //   final: 1 + 12 + 24 + 24 = 61 channels: norm 122, 3x3x3 conv 27*61*6 = 9,882, bias 6
  const int64_t defaults = 3000 + 18150 + 90 + 14580 + 29160 + 130800 + 208 + 67392 + 67392 + 416640 + 368 + 119232 +
                           122 + 9882 + 6;
  EXPECT_EQ(defaults, 877022);
  nn::DenseVNetOptions o;
  EXPECT_EQ(nn::densevnet_parameter_count(o), defaults);
  EXPECT_EQ(nn::parameter_count(*nn::DenseVNet(o)), defaults);
  // Two inputs, three outputs, stacks of 2 and 3 units, growth 4 and 8, skips 8 and 16, stem 16, group
  // norm, the second stack dilated (neither changes the count):
  //   stem 125*2*16 = 4,000
  //   stack 0 reads 18: units read 18 and 22: norms 80, convolutions 27*4*40 = 4,320; output 26: norm
  //     52, skip 27*26*8 = 5,616, down 27*26*16 = 11,232
  //   stack 1 reads 16: units read 16, 24, 32: norms 144, convolutions 27*8*72 = 15,552; output 40:
  //     norm 80, skip 27*40*16 = 17,280
  //   final: 2 + 8 + 16 = 26 channels: norm 52, conv 27*26*3 = 2,106, bias 3
  o.in_channels = 2;
  o.out_channels = 3;
  o.layers = {2, 3};
  o.growth = {4, 8};
  o.skip_channels = {8, 16};
  o.stem_channels = 16;
  o.norm = "group";
  o.dilation = {1, 2};
  const int64_t other = 4000 + 80 + 4320 + 52 + 5616 + 11232 + 144 + 15552 + 80 + 17280 + 52 + 2106 + 3;
  EXPECT_EQ(other, 60517);
  EXPECT_EQ(nn::densevnet_parameter_count(o), other);
  EXPECT_EQ(nn::parameter_count(*nn::DenseVNet(o)), other);
}

TEST(DenseVNet, LearnsAToyTarget) {
  // The logits come at half resolution, trilinearly upsampled: a target in 2x2x2 blocks is one the
  // network can represent. A few Adam steps must lower the loss, and the last step's gradients reach
  // every parameter (stem, every unit, transitions, skips, downsampling, final).
  for (const std::string norm : {"batch", "instance", "group"}) {
    torch::manual_seed(1);
    auto o = small_densevnet(norm);
    o.out_channels = 1;
    nn::DenseVNet net(o);
    const auto x =
        torch::randn({1, 1, 4, 4, 4}).repeat_interleave(2, 2).repeat_interleave(2, 3).repeat_interleave(2, 4);
    EXPECT_LT(test::toy_training_ratio(net, x, 30), 0.5f) << norm;
    for (const auto& p : net->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << norm << " " << p.key();
      EXPECT_GT(p.value().grad().abs().sum().item<float>(), 0) << norm << " " << p.key();
    }
  }
}

TEST(DenseVNet, BadOptionsAndInputsAreClearErrors) {
  auto build = [](const nn::DenseVNetOptions& o) { return [o] { nn::DenseVNet n(o); }; };
  nn::DenseVNetOptions o;
  o.layers = {};
  test::expect_error(build(o), "densevnet", "layers needs at least 1 stack");
  o = {};
  o.layers = {5, 0, 10};
  test::expect_error(build(o), "densevnet", "layers must be in 1..64");
  o = {};
  o.growth = {4, 8};
  test::expect_error(build(o), "densevnet", "growth needs one entry per stack (3 layers, 2 growth)");
  o = {};
  o.skip_channels = {12, 24, 24, 24};
  test::expect_error(build(o), "densevnet", "skip_channels needs one entry per stack (3 layers, 4 skip_channels)");
  o = {};
  o.dilation = {1, 2};
  test::expect_error(build(o), "densevnet", "dilation needs one entry per stack");
  o.dilation = {1, 0, 1};
  test::expect_error(build(o), "densevnet", "dilation must be in 1..16");
  o = {};
  o.stem_channels = 0;
  test::expect_error(build(o), "densevnet", "stem_channels must be positive");
  o = {};
  o.norm = "layer";
  test::expect_error(build(o), "densevnet", "norm must be batch, instance or group, got 'layer'");
  test::expect_error([&] { nn::densevnet_parameter_count(o); }, "densevnet", "norm must be");
  o = {};
  o.dropout = 1;
  test::expect_error(build(o), "densevnet", "dropout must be in [0, 1)");
  o = {};
  o.out_channels = 0;
  test::expect_error(build(o), "densevnet", "in_channels and out_channels must be positive");
  o = {};
  nn::DenseVNet net(o);
  test::expect_error([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }, "densevnet",
                     "expected input [N, 1, Z, Y, X]");
  test::expect_error([&] { net->forward(torch::zeros({8, 8, 8})); }, "densevnet", "got 3 dimensions");
}

TEST(DenseVNet, IsAModelArchThatSurvivesAModelFile) {
  nn::ModelConfig m;
  m.arch = "densevnet";
  m.channels = {8, 12};  // the stacks' skip widths
  m.blocks_down = {2, 3};
  m.growth = {4, 6};
  m.stem_channels = 8;
  m.norm = "instance";
  nn::HeatmapNet net(m, 3);
  nn::DenseVNetOptions o;
  o.skip_channels = m.channels, o.layers = m.blocks_down, o.growth = m.growth, o.stem_channels = 8;
  o.norm = "instance", o.out_channels = 3;
  EXPECT_EQ(nn::parameter_count(*net), nn::densevnet_parameter_count(o));
  test::expect_model_file_round_trip(m, 3, torch::randn({1, 1, 9, 14, 11}));
}

TEST(DenseVNet, ConfigsNameTheBadField) {
  const std::string base = "model:\n  arch: densevnet\n  channels: [12, 24, 24]\n";
  EXPECT_NO_THROW(train::parse_train_config(base + "  blocks_down: [5, 10, 10]\n  growth: [4, 8, 16]\n", "ok.yaml"));
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [5, 10, 10]\n  growth: [4, 8]\n", "c.yaml"); },
                     "c.yaml", "model.growth: needs one entry per model.channels entry");
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [5, 0, 10]\n  growth: [4, 8, 16]\n", "c.yaml"); },
                     "c.yaml", "model.blocks_down: each must be in 1..16");
  test::expect_error([&] {
    train::parse_train_config(base + "  blocks_down: [5, 10, 10]\n  growth: [4, 8, 16]\n  stem_channels: 0\n", "c.yaml");
  }, "c.yaml", "model.stem_channels: must be in 1..4096");
}
