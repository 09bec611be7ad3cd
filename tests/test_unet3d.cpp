#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "toy_training.h"
#include "tomopick/nn/unet3d.h"

using namespace tomopick;

namespace {

nn::UNet3dOptions small_unet(std::vector<int64_t> channels, std::vector<int64_t> strides, int64_t out) {
  nn::UNet3dOptions o;
  o.channels = std::move(channels);
  o.strides = std::move(strides);
  o.out_channels = out;
  return o;
}

}  // namespace

TEST(UNet3d, OutputHasTheInputShapeForOddSizes) {
  torch::manual_seed(0);
  nn::UNet3d net(small_unet({4, 8, 16}, {2, 2}, 3));
  for (auto shape : std::vector<std::vector<int64_t>>{{1, 1, 16, 16, 16}, {2, 1, 7, 13, 10}, {1, 1, 5, 9, 3}}) {
    const auto y = net->forward(torch::randn(shape));
    EXPECT_EQ(y.sizes(), (torch::IntArrayRef{shape[0], 3, shape[2], shape[3], shape[4]}));
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  }
}

TEST(UNet3d, ParameterCountMatchesTheArchitecture) {
  // channels {4, 8}, stride 2, no residual units, batch norm: hand count
  //   down conv 1->4 (3^3): 4*27 + 4 = 112, BN(4) 8, PReLU 1
  //   bottom conv 4->8 (stride 1): 8*4*27 + 8 = 872, BN(8) 16, PReLU 1
  //   up transposed conv (4+8)->2: 12*2*27 + 2 = 650 (top, no residual units: no norm/act)
  auto o = small_unet({4, 8}, {2}, 2);
  o.num_res_units = 0;
  o.norm = "batch";
  nn::UNet3d net(o);
  EXPECT_EQ(nn::parameter_count(*net), 112 + 8 + 1 + 872 + 16 + 1 + 650);
  // residual units add parameters (residual convolutions, the extra unit on the way up)
  o.num_res_units = 2;
  EXPECT_GT(nn::parameter_count(*nn::UNet3d(o)), nn::parameter_count(*net));
}

TEST(UNet3d, LearnsAToyTargetAndTrainsBothWays) {
  // A few Adam steps on a fixed input/target must lower the loss: gradients flow through every
  // level (down, skip, bottom, up).
  torch::manual_seed(1);
  nn::UNet3d net(small_unet({4, 8, 8}, {2, 2}, 1));
  EXPECT_LT(test::toy_training_ratio(net, torch::randn({1, 1, 8, 8, 8}), 30), 0.5f);
}

TEST(UNet3d, BadOptionsAndInputsAreClearErrors) {
  nn::UNet3dOptions o;
  o.strides = {2, 2};  // 4 channels need 3 strides
  EXPECT_NE(test::error_message([&] { nn::UNet3d n(o); }).find("strides must have one entry fewer"), std::string::npos);
  o = {};
  o.norm = "group";
  EXPECT_NE(test::error_message([&] { nn::UNet3d n(o); }).find("norm must be"), std::string::npos);
  o = {};
  nn::UNet3d net(o);
  EXPECT_NE(test::error_message([&] { net->forward(torch::zeros({1, 2, 8, 8, 8})); }).find("expected input"), std::string::npos);
}
