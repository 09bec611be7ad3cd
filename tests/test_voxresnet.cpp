// VoxResNet (nn/voxresnet.h), Chen et al.'s voxelwise residual network with summed multi-level
// classifiers: shapes on odd sizes for every norm, the exact parameter count, coarse logits placed on
// the voxels the strided convolutions centre them on, a toy target learned, clear errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "model_round_trip.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/train/train_config.h"
#include "toy_training.h"
#include "tomopick/nn/voxresnet.h"

using namespace tomopick;

namespace {

nn::VoxResNetOptions voxres_small_options(const std::string& norm) {
  nn::VoxResNetOptions o;
  o.channels = {8, 16, 32};
  o.blocks = {0, 1, 1};
  o.norm = norm;
  o.out_channels = 3;
  return o;
}

}  // namespace

TEST(VoxResNet, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  for (const std::string norm : {"batch", "instance", "group"}) {
    SCOPED_TRACE(norm);
    nn::VoxResNet net(voxres_small_options(norm));
    EXPECT_EQ(net->total_stride(), 4);
    for (auto shape : std::vector<std::vector<int64_t>>{{1, 1, 16, 16, 16}, {2, 1, 7, 13, 10}, {1, 1, 5, 9, 3}}) {
      const auto y = net->forward(torch::randn(shape));
      EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]}));
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
  }
  // The defaults (total stride 8) in eval mode, on sizes no power of two divides; the output is the
  // sum of the per-level logits, each at the input's size.
  torch::NoGradGuard no_grad;
  nn::VoxResNet net{nn::VoxResNetOptions{}};
  net->eval();
  EXPECT_EQ(net->total_stride(), 8);
  const auto x = torch::randn({2, 1, 7, 13, 10});
  const auto y = net->forward(x);
  EXPECT_EQ(y.sizes(), (torch::IntArrayRef{2, 6, 7, 13, 10}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  const auto levels = net->level_logits(x);
  ASSERT_EQ(levels.size(), 4u);
  auto sum = torch::zeros_like(y);
  for (const auto& l : levels) {
    EXPECT_EQ(l.sizes(), y.sizes());
    sum += l;
  }
  EXPECT_TRUE(torch::allclose(sum, y, 1e-5, 1e-5));
}

TEST(VoxResNet, ParameterCountIsExact) {
  // Counted by hand: channels {8, 16}, blocks {1, 1}, group norm (2 per channel), 2 in, 3 out.
  //   stem: 3x3x3 2->8 = 432, norm 16, 3x3x3 8->8 = 1,728                                  = 2,176
  //   level 0: 1 VoxRes(8) = 2 * (norm 16 + 1,728) = 3,488; norm 16; classifier 8*3 + 3 = 27 = 3,531
  //   level 1: stride-2 3x3x3 8->16 = 3,456; 1 VoxRes(16) = 2 * (32 + 6,912) = 13,888;
  //            norm 32; classifier 16*3 + 3 = 51                                             = 17,427
  nn::VoxResNetOptions o;
  o.channels = {8, 16};
  o.blocks = {1, 1};
  o.norm = "group";
  o.in_channels = 2;
  o.out_channels = 3;
  const int64_t hand = 2176 + 3531 + 17427;
  EXPECT_EQ(hand, 23134);
  EXPECT_EQ(nn::voxresnet_parameter_count(o), hand);
  EXPECT_EQ(nn::parameter_count(*nn::VoxResNet(o)), hand);

  // The defaults: channels {16, 32, 64, 64}, blocks {0, 2, 2, 2}, batch norm, 1 in, 6 out.
  //   stem: 432 + 32 + 6,912                                                                 = 7,376
  //   level 0: no VoxRes; norm 32; classifier 16*6 + 6 = 102                                 = 134
  //   level 1: 16->32 13,824; 2 VoxRes(32) 2 * 2 * (64 + 27,648) = 110,848; 64; 32*6 + 6 = 198 = 124,934
  //   level 2: 32->64 55,296; 2 VoxRes(64) 2 * 2 * (128 + 110,592) = 442,880; 128; 390        = 498,694
  //   level 3: 64->64 110,592; 442,880; 128; 390                                             = 553,990
  const nn::VoxResNetOptions defaults;
  const int64_t hand_defaults = 7376 + 134 + 124934 + 498694 + 553990;
  EXPECT_EQ(hand_defaults, 1185128);
  EXPECT_EQ(nn::voxresnet_parameter_count(defaults), hand_defaults);
  EXPECT_EQ(nn::parameter_count(*nn::VoxResNet(defaults)), hand_defaults);

  // Other option sets agree with the built net too.
  std::vector<nn::VoxResNetOptions> sets(4, defaults);
  sets[0].channels = {32, 64, 64, 64};  // the paper's widths
  sets[0].out_channels = 4;
  sets[1].norm = "instance", sets[1].blocks = {1, 0, 3, 1}, sets[1].dropout = 0.2;
  sets[2].channels = {8}, sets[2].blocks = {2}, sets[2].in_channels = 3;
  sets[3].channels = {8, 16, 24}, sets[3].blocks = {0, 0, 0}, sets[3].norm = "group";
  for (const auto& s : sets) EXPECT_EQ(nn::voxresnet_parameter_count(s), nn::parameter_count(*nn::VoxResNet(s)));
}

TEST(VoxResNet, CoarseLogitsSitOnTheVoxelsTheStridedConvolutionsCentreThemOn) {
  // With constant positive kernels every layer is symmetric, and so is the response to an impulse on
  // a voxel that every level has (a multiple of the total stride): each level's logits must be mirror
  // symmetric about it. Upsampling with align_corners=false would centre level i on 2^i j + (2^i - 1) / 2.
  torch::NoGradGuard no_grad;
  nn::VoxResNetOptions o;
  o.channels = {4, 4, 4};
  o.blocks = {0, 1, 1};
  o.out_channels = 1;
  nn::VoxResNet net(o);
  net->eval();
  for (auto& m : net->modules(/*include_self=*/false))
    if (auto* c = m->as<torch::nn::Conv3d>()) {
      c->weight.fill_(0.02);
      if (c->bias.defined()) c->bias.zero_();
    }
  const int64_t n = 56, p = 28;
  auto x = torch::zeros({1, 1, n, n, n});
  x[0][0][p][p][p] = 1;
  const auto levels = net->level_logits(x);
  ASSERT_EQ(levels.size(), 3u);
  for (size_t i = 0; i < levels.size(); ++i) {
    SCOPED_TRACE("level " + std::to_string(i));
    const auto y = levels[i][0][0];
    const float centre = y[p][p][p].item<float>();
    EXPECT_GT(centre, 0);
    for (int64_t d = 1; d <= 12; ++d) {
      const float tol = 1e-5f * centre;
      EXPECT_NEAR(y[p + d][p][p].item<float>(), y[p - d][p][p].item<float>(), tol) << d;
      EXPECT_NEAR(y[p][p + d][p].item<float>(), y[p][p - d][p].item<float>(), tol) << d;
      EXPECT_NEAR(y[p][p][p + d].item<float>(), y[p][p][p - d].item<float>(), tol) << d;
      EXPECT_LE(y[p + d][p][p].item<float>(), centre) << d;
    }
  }
}

TEST(VoxResNet, LearnsAToyTarget) {
  torch::manual_seed(1);
  nn::VoxResNetOptions o;
  o.channels = {8, 16};
  o.blocks = {1, 1};
  o.out_channels = 1;
  nn::VoxResNet net(o);
  EXPECT_LT(test::toy_training_ratio(net, torch::randn({1, 1, 8, 8, 8}), 30), 0.5f);
}

TEST(VoxResNet, BadOptionsAndInputsAreClearErrors) {
  const std::string name = "voxresnet";
  nn::VoxResNetOptions o;
  o.channels = {};
  o.blocks = {};
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "channels needs at least 1 level");
  test::expect_error([&] { nn::voxresnet_parameter_count(o); }, name, "channels needs at least 1 level");
  o = {};
  o.blocks = {0, 2, 2};
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "blocks needs one entry per level (4 channels, 3 blocks)");
  o = {};
  o.blocks = {0, 2, -1, 2};
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "blocks must be in 0..16");
  o = {};
  o.channels = {16, 0, 64, 64};
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "channels must be positive");
  o = {};
  o.channels = std::vector<int64_t>(9, 8);
  o.blocks = std::vector<int64_t>(9, 1);
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "at most 8 levels");
  o = {};
  o.norm = "layer";
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "norm must be batch, instance or group, got 'layer'");
  o = {};
  o.norm = "group";
  o.channels = {12, 24, 48, 48};
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "group norm needs channels divisible by 8, got 12");
  o.norm = "instance";  // any widths without group norm
  EXPECT_NO_THROW(nn::VoxResNet n(o));
  o = {};
  o.dropout = 1;
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "dropout must be in [0, 1)");
  o = {};
  o.out_channels = 0;
  test::expect_error([&] { nn::VoxResNet n(o); }, name, "in_channels and out_channels must be positive");
  o = {};
  nn::VoxResNet net(o);
  test::expect_error([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }, name, "expected input [N, 1, Z, Y, X]");
  test::expect_error([&] { net->forward(torch::zeros({8, 8, 8})); }, name, "got 3 dimensions");
}

TEST(VoxResNet, IsAModelArchThatSurvivesAModelFile) {
  nn::ModelConfig m;
  m.arch = "voxresnet";
  m.channels = {8, 16, 16};
  m.blocks_down = {0, 1, 2};
  m.norm = "instance";
  nn::HeatmapNet net(m, 3);
  nn::VoxResNetOptions o;
  o.channels = m.channels, o.blocks = m.blocks_down, o.norm = "instance", o.out_channels = 3;
  EXPECT_EQ(nn::parameter_count(*net), nn::voxresnet_parameter_count(o));
  test::expect_model_file_round_trip(m, 3, torch::randn({1, 1, 9, 14, 11}));
}

TEST(VoxResNet, ConfigsNameTheBadField) {
  const std::string base = "model:\n  arch: voxresnet\n  channels: [16, 32, 64]\n";
  EXPECT_NO_THROW(train::parse_train_config(base + "  blocks_down: [0, 2, 2]\n  norm: group\n", "ok.yaml"));
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [0, 2]\n", "c.yaml"); }, "c.yaml",
                     "model.blocks_down: needs one entry per model.channels entry");
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [0, 2, 17]\n", "c.yaml"); }, "c.yaml",
                     "model.blocks_down: each must be in 0..16");
  test::expect_error([&] {
    train::parse_train_config("model:\n  arch: voxresnet\n  channels: [12, 32]\n  blocks_down: [1, 1]\n  norm: group\n", "c.yaml");
  }, "c.yaml", "model.channels: must be multiples of 8");
}
