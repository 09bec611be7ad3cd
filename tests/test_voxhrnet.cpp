// VoxHRNet (nn/voxhrnet.h), the 3D HRNet of Li et al.: shapes on odd sizes for every norm and both
// stem strides, the exact parameter count, upsampled branches and logits placed on the voxels the
// strided convolutions centre them on, a toy target learned, clear errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "model_round_trip.h"
#include "test_support.h"
#include "toy_training.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/voxhrnet.h"
#include "tomopick/train/train_config.h"

using namespace tomopick;

namespace {

// Two branches after a stride-2 stem: total stride 4, cheap enough for every norm.
nn::VoxHRNetOptions voxhrnet_small_options(const std::string& norm) {
  nn::VoxHRNetOptions o;
  o.stem_channels = 8;
  o.channels = {8, 16};
  o.blocks = {1, 1};
  o.norm = norm;
  o.out_channels = 3;
  return o;
}

}  // namespace

TEST(VoxHRNet, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  const std::vector<std::vector<int64_t>> shapes{{1, 1, 16, 16, 16}, {2, 1, 7, 13, 10}, {1, 1, 5, 9, 3}};
  for (const std::string norm : {"batch", "instance", "group"}) {
    SCOPED_TRACE(norm);
    auto o = voxhrnet_small_options(norm);
    if (norm == "instance") o.dropout = 0.2, o.modules = 2;
    nn::VoxHRNet net(o);
    EXPECT_EQ(net->total_stride(), 4);
    for (const auto& shape : shapes) {
      const auto y = net->forward(torch::randn(shape));
      EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]}));
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
  }
  {  // Full-size stem, three branches, a stem as wide as branch 0 (no width change), no blocks at all.
    nn::VoxHRNetOptions o;
    o.stem_stride = 1, o.stem_channels = 8, o.channels = {8, 8, 16}, o.blocks = {0, 0, 1}, o.out_channels = 2;
    nn::VoxHRNet net(o);
    EXPECT_EQ(net->total_stride(), 4);
    for (const auto& shape : shapes) {
      const auto y = net->forward(torch::randn(shape));
      EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 2, shape[2], shape[3], shape[4]}));
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
  }
  {  // One branch: a plain residual network with the head.
    nn::VoxHRNetOptions o;
    o.channels = {8}, o.blocks = {1};
    nn::VoxHRNet net(o);
    EXPECT_EQ(net->total_stride(), 2);
    const auto y = net->forward(torch::randn({1, 1, 5, 9, 3}));
    EXPECT_EQ(y.sizes(), (torch::IntArrayRef{1, 6, 5, 9, 3}));
  }
  // The defaults (four branches after a stride-2 stem: total stride 16), in training and evaluation
  // mode, on sizes far from a multiple of 16.
  nn::VoxHRNet net{nn::VoxHRNetOptions{}};
  EXPECT_EQ(net->total_stride(), 16);
  for (bool train : {true, false}) {
    net->train(train);
    torch::NoGradGuard no_grad;
    for (const auto& shape : {shapes[1], shapes[2]}) {
      const auto y = net->forward(torch::randn(shape));
      EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 6, shape[2], shape[3], shape[4]}));
      EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
    }
  }
}

TEST(VoxHRNet, ParameterCountIsExact) {
  // conv3(a, b) = 27 a b weights + 2 b for its norm; a basic block of width c is 2 conv3(c, c) = 54 c^2 + 4 c:
  // block(8) = 3,488, block(16) = 13,888, block(32) = 55,424, block(64) = 221,440.
  // The defaults: 1 in, 6 out, stem 16 (stride 2), branches {8, 16, 32, 64}, blocks {2, 2, 2, 2}, 1 module.
  //   stem: conv3(1, 16) = 464; 2 block(16) = 27,776                                           = 28,240
  //   to branch 0: conv3(16, 8)                                                                = 3,472
  //   stage 1: new branch conv3(16, 16) = 6,944; blocks 2 (3,488 + 13,888) = 34,752;
  //            fuse 0<-1: 1x1x1 16*8 + norm 16 = 144; 1<-0: conv3(8, 16) = 3,488                = 45,328
  //   stage 2: new branch conv3(16, 32) = 13,888; blocks 2 (3,488 + 13,888 + 55,424) = 145,600;
  //            up 0<-1 144, 0<-2 32*8 + 16 = 272, 1<-2 32*16 + 32 = 544;
  //            down 1<-0 3,488, 2<-0 conv3(8, 8) + conv3(8, 32) = 1,744 + 6,976 = 8,720,
  //                 2<-1 conv3(16, 32) = 13,888                                                 = 186,544
  //   stage 3: new branch conv3(32, 64) = 55,424; blocks 2 (72,800 + 221,440) = 588,480;
  //            up 144 + 272 + 544 + 0<-3 528 + 1<-3 1,056 + 2<-3 2,112 = 4,656;
  //            down 3,488 + 8,720 + 13,888 + 3<-0 (2 conv3(8, 8) + conv3(8, 64) = 3,488 + 13,952)
  //                 + 3<-1 (conv3(16, 16) + conv3(16, 64) = 6,944 + 27,776) + 3<-2 conv3(32, 64) 55,424
  //                 = 133,680                                                                   = 782,240
  //   head: width 8 + 16 + 32 + 64 = 120: 1x1x1 120*120 = 14,400, norm 240, 1x1x1 120*6 + 6 = 726 = 15,366
  const nn::VoxHRNetOptions defaults;
  const int64_t hand_defaults = 28240 + 3472 + 45328 + 186544 + 782240 + 15366;
  EXPECT_EQ(hand_defaults, 1061190);
  EXPECT_EQ(nn::voxhrnet_parameter_count(defaults), hand_defaults);
  EXPECT_EQ(nn::parameter_count(*nn::VoxHRNet(defaults)), hand_defaults);

  // 2 in, 3 out, stem 8 (stride 1), branches {8, 16}, blocks {1, 1}, 2 modules, group norm.
  //   stem: conv3(2, 8) = 448; block(8) = 3,488; no width change to branch 0                   = 3,936
  //   stage 1: new branch conv3(8, 16) = 3,488;
  //            per module: blocks 3,488 + 13,888; up 0<-1 16*8 + 16 = 144; down 1<-0 3,488 = 21,008;
  //            2 modules                                                                        = 45,504
  //   head: width 24: 576 + norm 48 + 24*3 + 3 = 75                                             = 699
  nn::VoxHRNetOptions o;
  o.in_channels = 2, o.out_channels = 3, o.stem_channels = 8, o.stem_stride = 1;
  o.channels = {8, 16}, o.blocks = {1, 1}, o.modules = 2, o.norm = "group";
  const int64_t hand = 3936 + 45504 + 699;
  EXPECT_EQ(hand, 50139);
  EXPECT_EQ(nn::voxhrnet_parameter_count(o), hand);
  EXPECT_EQ(nn::parameter_count(*nn::VoxHRNet(o)), hand);

  // Other option sets agree with the built net too.
  std::vector<nn::VoxHRNetOptions> sets(5, defaults);
  sets[0].stem_channels = 32, sets[0].channels = {16, 32, 64, 128};  // the paper's Hammers layout
  sets[0].blocks = {2, 4, 4, 4}, sets[0].modules = 2;
  sets[1].norm = "batch", sets[1].blocks = {0, 1, 0, 3}, sets[1].dropout = 0.2, sets[1].modules = 3;
  sets[2].channels = {8}, sets[2].blocks = {2}, sets[2].in_channels = 3;
  sets[3].channels = {8, 16, 24, 32, 40}, sets[3].blocks = {0, 1, 1, 1, 1}, sets[3].norm = "group";
  sets[4].stem_channels = 8, sets[4].channels = {12, 20, 28}, sets[4].blocks = {1, 2, 3}, sets[4].stem_stride = 1;
  for (const auto& s : sets) EXPECT_EQ(nn::voxhrnet_parameter_count(s), nn::parameter_count(*nn::VoxHRNet(s)));
  EXPECT_EQ(nn::voxhrnet_parameter_count(sets[0]), 14126086);  // ~14 M, as the header says
}

TEST(VoxHRNet, UpsampledBranchesAndLogitsSitOnTheVoxelsTheStridedConvolutionsCentreThemOn) {
  // With constant positive kernels and batch norm in evaluation mode (fresh running statistics: a
  // scale by 1 / sqrt(1 + eps)), every layer is mirror symmetric, and so is the response to an impulse
  // on a voxel every branch has (a multiple of the total stride), as long as every upsampling puts
  // coarse voxel k on fine voxel s k. align_corners=false would put it on s k + (s - 1) / 2.
  torch::NoGradGuard no_grad;
  nn::VoxHRNetOptions o;
  o.stem_channels = 4, o.channels = {4, 4, 4}, o.blocks = {0, 1, 1}, o.norm = "batch", o.out_channels = 1;
  nn::VoxHRNet net(o);
  net->eval();
  EXPECT_EQ(net->total_stride(), 8);
  for (auto& m : net->modules(/*include_self=*/false))
    if (auto* c = m->as<torch::nn::Conv3d>()) {
      c->weight.fill_(0.02);
      if (c->bias.defined()) c->bias.zero_();
    }
  const int64_t n = 64, p = 32;
  auto x = torch::zeros({1, 1, n, n, n});
  x[0][0][p][p][p] = 1;
  const auto y = net->forward(x)[0][0];
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

TEST(VoxHRNet, LearnsAToyTarget) {
  torch::manual_seed(1);
  {  // Full-size stem: a voxelwise threshold of white noise.
    nn::VoxHRNetOptions o;
    o.stem_stride = 1, o.stem_channels = 8, o.channels = {8, 16}, o.blocks = {1, 1}, o.out_channels = 1;
    nn::VoxHRNet net(o);
    EXPECT_LT(test::toy_training_ratio(net, torch::randn({1, 1, 8, 8, 8}), 30), 0.5f);
  }
  {  // Half-size stem: its logits are interpolated between even voxels, so the target is smooth blobs
     // (noise upsampled x4), not white noise.
    nn::VoxHRNetOptions o;
    o.stem_channels = 8, o.channels = {8, 16}, o.blocks = {1, 1}, o.out_channels = 1;
    nn::VoxHRNet net(o);
    namespace F = torch::nn::functional;
    const auto x = F::interpolate(torch::randn({1, 1, 4, 4, 4}), F::InterpolateFuncOptions()
                                                                     .size(std::vector<int64_t>{16, 16, 16})
                                                                     .mode(torch::kTrilinear)
                                                                     .align_corners(false));
    EXPECT_LT(test::toy_training_ratio(net, x, 30), 0.5f);
  }
}

TEST(VoxHRNet, BadOptionsAndInputsAreClearErrors) {
  const std::string name = "voxhrnet";
  nn::VoxHRNetOptions o;
  o.channels = {};
  o.blocks = {};
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "channels needs at least 1 branch");
  test::expect_error([&] { nn::voxhrnet_parameter_count(o); }, name, "channels needs at least 1 branch");
  o = {};
  o.blocks = {2, 2, 2};
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "blocks needs one entry per branch (4 channels, 3 blocks)");
  o = {};
  o.blocks = {2, 2, -1, 2};
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "blocks must be in 0..16, got -1");
  o = {};
  o.channels = {8, 0, 32, 64};
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "channels must be positive, got 0");
  o = {};
  o.channels = std::vector<int64_t>(7, 8);
  o.blocks = std::vector<int64_t>(7, 1);
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "channels allows at most 6 branches, got 7");
  o = {};
  o.stem_channels = 0;
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "stem_channels must be positive");
  o = {};
  o.modules = 0;
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "modules must be in 1..8, got 0");
  o = {};
  o.stem_stride = 4;
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "stem_stride must be 1 or 2, got 4");
  o = {};
  o.norm = "layer";
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "norm must be batch, instance or group, got 'layer'");
  o = {};
  o.norm = "group";
  o.channels = {12, 16, 32, 64};
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "group norm needs channels divisible by 8, got 12");
  o.channels = {8, 16, 32, 64};
  o.stem_channels = 20;
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "group norm needs stem_channels divisible by 8, got 20");
  o.norm = "instance";  // any widths without group norm
  o.channels = {12, 16, 32, 64};
  EXPECT_NO_THROW(nn::VoxHRNet n(o));
  o = {};
  o.dropout = 1;
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "dropout must be in [0, 1)");
  o = {};
  o.in_channels = 0;
  test::expect_error([&] { nn::VoxHRNet n(o); }, name, "in_channels and out_channels must be positive");
  o = {};
  nn::VoxHRNet net(o);
  test::expect_error([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }, name, "expected input [N, 1, Z, Y, X]");
  test::expect_error([&] { net->forward(torch::zeros({8, 8, 8})); }, name, "got 3 dimensions");
}

TEST(VoxHRNet, IsAModelArchThatSurvivesAModelFile) {
  nn::ModelConfig m;
  m.arch = "voxhrnet";
  m.channels = {8, 16};
  m.blocks_down = {1, 1};
  m.num_res_units = 2;
  m.stem_channels = 8;
  m.out_stride = 2;
  m.norm = "instance";
  nn::HeatmapNet net(m, 3);
  nn::VoxHRNetOptions o;
  o.channels = m.channels, o.blocks = m.blocks_down, o.modules = 2, o.stem_channels = 8, o.stem_stride = 2;
  o.norm = "instance", o.out_channels = 3;
  EXPECT_EQ(nn::parameter_count(*net), nn::voxhrnet_parameter_count(o));
  test::expect_model_file_round_trip(m, 3, torch::randn({1, 1, 9, 14, 11}));
}

TEST(VoxHRNet, ConfigsNameTheBadField) {
  const std::string base = "model:\n  arch: voxhrnet\n  channels: [8, 16, 32]\n  stem_channels: 16\n";
  EXPECT_NO_THROW(train::parse_train_config(base + "  blocks_down: [2, 2, 2]\n  norm: group\n", "ok.yaml"));
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [2, 2]\n", "c.yaml"); }, "c.yaml",
                     "model.blocks_down: needs one entry per model.channels entry");
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [2, 2, 2]\n  out_stride: 4\n", "c.yaml"); },
                     "c.yaml", "model.out_stride: (the stem's stride) must be 1 or 2");
  test::expect_error([&] { train::parse_train_config(base + "  blocks_down: [2, 2, 2]\n  num_res_units: 0\n", "c.yaml"); },
                     "c.yaml", "model.num_res_units");
}
