#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "test_support.h"
#include "toy_training.h"
#include "tomopick/nn/unet25d.h"

using namespace tomopick;

namespace {

nn::UNet25dOptions small(const std::string& block, const std::string& norm) {
  nn::UNet25dOptions o;
  o.channels = {4, 8, 16};  // total stride 2 * 2^2 = 8
  o.out_channels = 3;
  o.block = block;
  o.norm = norm;
  o.blocks_per_stage = 1;
  return o;
}

}  // namespace

TEST(UNet25dShape, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  for (const std::string block : {"resnet", "convnext"}) {
    for (const std::string norm : {"instance", "batch"}) {
      nn::UNet25d net(small(block, norm));
      EXPECT_EQ(net->total_stride(), 8);
      for (auto shape : std::vector<std::vector<int64_t>>{{1, 1, 7, 13, 10}, {2, 1, 5, 9, 3}, {1, 1, 16, 32, 32}}) {
        const auto y = net->forward(torch::randn(shape));
        EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]})) << block << " " << norm;
        EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << block << " " << norm;
      }
    }
  }
}

TEST(UNet25dShape, DefaultsAndNoHeadUpscale) {
  torch::manual_seed(0);
  nn::UNet25d net{nn::UNet25dOptions{}};
  EXPECT_EQ(net->total_stride(), 16);  // head 2 * three halvings
  auto y = net->forward(torch::randn({1, 1, 16, 32, 32}));
  EXPECT_EQ(y.sizes(), (torch::IntArrayRef{1, 6, 16, 32, 32}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());

  // head_upscale 1: stage 0 at full resolution, the head a plain 1x1x1 convolution
  auto o = small("resnet", "instance");
  o.head_upscale = 1;
  nn::UNet25d flat(o);
  EXPECT_EQ(flat->total_stride(), 4);
  y = flat->forward(torch::randn({1, 1, 6, 11, 5}));
  EXPECT_EQ(y.sizes(), (torch::IntArrayRef{1, 3, 6, 11, 5}));
  const auto f = flat->encode(torch::randn({1, 1, 8, 8, 8}));
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].sizes(), (torch::IntArrayRef{1, 4, 8, 8, 8}));
  EXPECT_EQ(f[2].sizes(), (torch::IntArrayRef{1, 16, 2, 2, 2}));
}

TEST(UNet25dPixelShuffle, PlacesEachChannelAtItsSubVoxel) {
  // [1, 8, 1, 1, 2] holding 0..15: channel ch = i*4 + j*2 + k at input voxel w has value ch*2 + w and
  // goes to output voxel (i, j, 2w + k).
  const auto x = torch::arange(16, torch::kFloat).reshape({1, 8, 1, 1, 2});
  const auto y = nn::pixel_shuffle3d(x, 2);
  const auto expected = torch::tensor({0.f, 2.f, 1.f, 3.f,  4.f, 6.f, 5.f, 7.f,  // d = 0: h = 0, h = 1
                                       8.f, 10.f, 9.f, 11.f, 12.f, 14.f, 13.f, 15.f})  // d = 1
                            .reshape({1, 1, 2, 2, 4});
  EXPECT_TRUE(torch::equal(y, expected)) << y;
  EXPECT_TRUE(torch::equal(nn::pixel_unshuffle3d(expected, 2), x));

  // Channel blocks stay apart: output channel 1 comes from input channels 8..15 only.
  const auto two = torch::arange(16, torch::kFloat).reshape({1, 16, 1, 1, 1});
  const auto z = nn::pixel_shuffle3d(two, 2);
  EXPECT_EQ(z.sizes(), (torch::IntArrayRef{1, 2, 2, 2, 2}));
  EXPECT_TRUE(torch::equal(z[0][1].flatten(), torch::arange(8, 16, torch::kFloat)));
}

TEST(UNet25dPixelShuffle, ShuffleAndUnshuffleAreInverses) {
  torch::manual_seed(2);
  const auto a = torch::randn({2, 2 * 27, 2, 3, 4});
  EXPECT_TRUE(torch::equal(nn::pixel_unshuffle3d(nn::pixel_shuffle3d(a, 3), 3), a));
  const auto b = torch::randn({2, 3, 6, 3, 9});
  EXPECT_TRUE(torch::equal(nn::pixel_shuffle3d(nn::pixel_unshuffle3d(b, 3), 3), b));
  EXPECT_TRUE(torch::equal(nn::pixel_shuffle3d(b, 1), b));
  EXPECT_NE(test::error_message([&] { nn::pixel_shuffle3d(torch::zeros({1, 7, 1, 1, 1}), 2); }).find("pixel_shuffle3d"),
            std::string::npos);
  EXPECT_NE(test::error_message([&] { nn::pixel_unshuffle3d(torch::zeros({1, 1, 3, 2, 2}), 2); }).find("pixel_unshuffle3d"),
            std::string::npos);
}

TEST(UNet25dEncoder, SeesOnlyItsSliceStackInDepth) {
  // With slices 5 (half-width h = 2), head_upscale 2 and two halvings, stage i's z index j summarises
  // the input slices [j*s - h, (j+1)*s - 1 + h], s = 2 * 2^i. Changing input slice 13 may change
  //   stage 0 (s 2): j with 2j-2 <= 13 <= 2j+3 -> {5, 6, 7}
  //   stage 1 (s 4): j with 4j-2 <= 13 <= 4j+5 -> {2, 3}
  //   stage 2 (s 8): j with 8j-2 <= 13 <= 8j+9 -> {1}
  // and nothing else. A 3x3x3 convolution anywhere after the stem would widen these sets. Batch norm
  // in eval mode is per-voxel (instance norm would couple all of z through its statistics).
  const std::vector<std::set<int64_t>> expected{{5, 6, 7}, {2, 3}, {1}};
  for (const std::string block : {"resnet", "convnext"}) {
    torch::manual_seed(3);
    auto o = small(block, "batch");
    o.channels = {4, 8, 8};
    nn::UNet25d net(o);
    net->eval();
    torch::NoGradGuard no_grad;
    const auto x = torch::randn({1, 1, 32, 16, 16});
    auto x2 = x.clone();
    x2.select(2, 13).add_(5.0);
    const auto f = net->encode(x), f2 = net->encode(x2);
    ASSERT_EQ(f.size(), 3u);
    for (size_t i = 0; i < f.size(); ++i) {
      EXPECT_EQ(f[i].size(2), 32 / (2 << i));
      std::set<int64_t> changed;
      for (int64_t j = 0; j < f[i].size(2); ++j) {
        const float d = (f[i].select(2, j) - f2[i].select(2, j)).abs().max().item<float>();
        if (d > 1e-5f) changed.insert(j);
        // either clearly changed or not at all (no leakage just under the threshold)
        EXPECT_TRUE(d > 1e-3f || d < 1e-6f) << block << " stage " << i << " z " << j << " diff " << d;
      }
      EXPECT_EQ(changed, expected[i]) << block << " stage " << i;
    }
    // and structurally: every encoder convolution after the stem has a z extent of 1
    for (const auto& p : net->named_parameters()) {
      if (p.key().rfind("stage", 0) == 0 && p.value().dim() == 5) EXPECT_EQ(p.value().size(2), 1) << p.key();
      if (p.key() == "stem.1.weight") EXPECT_EQ(p.value().size(2), 5);
    }
  }
}

TEST(UNet25dTraining, LearnsAToyTarget) {
  // A few Adam steps on a fixed input/target must lower the loss: gradients flow through the stem,
  // every stage, the decoder and the shuffled head.
  for (const std::string block : {"resnet", "convnext"}) {
    torch::manual_seed(1);
    auto o = small(block, "instance");
    o.channels = {8, 8};
    o.out_channels = 1;
    nn::UNet25d net(o);
    EXPECT_LT(test::toy_training_ratio(net, torch::randn({1, 1, 8, 16, 16}), 60), 0.5f) << block;
  }
}

TEST(UNet25dOptions, BadOptionsNameTheField) {
  nn::UNet25dOptions o;
  o.slices = 4;
  EXPECT_EQ(test::error_message([&] { nn::UNet25d n(o); }), "unet25d.slices: must be odd and >= 1, got 4");
  const auto bad = [](auto edit) {
    nn::UNet25dOptions b;
    edit(b);
    return test::error_message([&] { nn::validate(b); });
  };
  EXPECT_EQ(bad([](auto& b) { b.slices = 0; }).rfind("unet25d.slices:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.in_channels = 0; }).rfind("unet25d.in_channels:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.out_channels = -1; }).rfind("unet25d.out_channels:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.channels = {}; }).rfind("unet25d.channels:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.channels = {8, 0}; }).rfind("unet25d.channels:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.block = "vit"; }), "unet25d.block: must be resnet or convnext, got 'vit'");
  EXPECT_EQ(bad([](auto& b) { b.blocks_per_stage = 0; }).rfind("unet25d.blocks_per_stage:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.norm = "group"; }), "unet25d.norm: must be instance or batch, got 'group'");
  EXPECT_EQ(bad([](auto& b) { b.head_upscale = 0; }).rfind("unet25d.head_upscale:", 0), 0u);
  EXPECT_EQ(bad([](auto& b) { b.dropout = 1.0; }).rfind("unet25d.dropout:", 0), 0u);
  EXPECT_EQ(bad([](auto&) {}), "(no error)");

  nn::UNet25d net(small("resnet", "instance"));
  EXPECT_NE(test::error_message([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }).find("expected input [N, 1, Z, Y, X], got [1, 2, 8, 8, 8]"),
            std::string::npos);
  EXPECT_NE(test::error_message([&] { net->encode(torch::zeros({1, 1, 8, 12, 8})); }).find("multiples of 8"), std::string::npos);
}

TEST(UNet25dOptions, ParameterCountMatchesTheArchitecture) {
  // channels {2, 4}, slices 3, head_upscale 2, one resnet block per stage, batch norm, 1 class.
  // Convolutions followed by a norm have no bias; a norm has 2 parameters per channel.
  //   stem conv 1->2 (3,3,3): 54, norm 4                                   ->  58
  //   stage 0: down 2->2 (1,3,3): 36, norm 4; block: 2 x (2*2*9 + 4) = 80  -> 120
  //   stage 1: down 2->4: 72, norm 8; block: 2 x (4*4*9 + 8) = 304          -> 384
  //   decoder: conv (4+2)->2 (3^3): 324, norm 4; conv 2->2: 108, norm 4     -> 440
  //   head 1x1x1 2 -> 1*2^3: 16 + 8 bias                                    ->  24
  nn::UNet25dOptions o;
  o.out_channels = 1;
  o.slices = 3;
  o.channels = {2, 4};
  o.blocks_per_stage = 1;
  o.norm = "batch";
  EXPECT_EQ(nn::parameter_count(*nn::UNet25d(o)), 58 + 120 + 384 + 440 + 24);
  // convnext block c: depthwise 49c + c, norm 2c, expand 4c^2 + 4c, project 4c^2 + c:
  //   c = 2: 100 + 4 + 24 + 18 = 146 (resnet 80), c = 4: 200 + 8 + 80 + 68 = 356 (resnet 304)
  o.block = "convnext";
  EXPECT_EQ(nn::parameter_count(*nn::UNet25d(o)), 1026 - 80 - 304 + 146 + 356);
  // instance norm (affine) has as many parameters as batch norm
  o.norm = "instance";
  EXPECT_EQ(nn::parameter_count(*nn::UNet25d(o)), 1144);

  // more blocks, stages or slices only add parameters; the defaults stay modest
  const nn::UNet25dOptions d;
  auto more = d;
  more.blocks_per_stage = 3;
  auto deeper = d;
  deeper.channels.push_back(256);
  auto wider_stem = d;
  wider_stem.slices = 7;
  const int64_t n = nn::parameter_count(*nn::UNet25d(d));
  EXPECT_GT(nn::parameter_count(*nn::UNet25d(more)), n);
  EXPECT_GT(nn::parameter_count(*nn::UNet25d(deeper)), n);
  EXPECT_EQ(nn::parameter_count(*nn::UNet25d(wider_stem)), n + 16 * 2 * 9);  // two more stem slices
  EXPECT_GT(n, 500'000);
  EXPECT_LT(n, 3'000'000);
}
