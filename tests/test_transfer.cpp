// Fine-tuning's weight transfer: classes matched by name keep exactly their head channels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/transfer.h"

using namespace tomopick;

namespace {

nn::ModelConfig small_unet(const std::string& head = "heatmap") {
  nn::ModelConfig m;
  m.channels = {4, 8, 8};
  m.strides = {2, 2};
  m.head = head;
  return m;
}

}  // namespace

TEST(WeightTransfer, MappedClassesGiveTheSourceChannelsExactly) {
  for (const std::string head : {"heatmap", "segmentation"}) {
    torch::manual_seed(1);
    nn::HeatmapNet src(small_unet(head), 3);
    torch::manual_seed(2);
    // dst class 0 = src class 2, dst class 1 is new.
    const std::vector<int64_t> map{2, -1};
    const auto cfg = nn::fine_tuned_config(small_unet(head), 3, map);
    EXPECT_EQ(cfg.backbone_classes, 4);  // the initial width plus the new class
    nn::HeatmapNet dst(cfg, 2);
    src->eval(), dst->eval();
    nn::transfer_weights(*dst, *src, map);
    const auto x = torch::randn({1, 1, 12, 16, 16});
    torch::NoGradGuard g;
    const auto ys = src->forward(x), yd = dst->forward(x);
    const int64_t off = head == "segmentation" ? 1 : 0;
    EXPECT_TRUE(torch::allclose(yd.select(1, off), ys.select(1, 2 + off), 1e-5, 1e-6)) << head;
    if (off) EXPECT_TRUE(torch::allclose(yd.select(1, 0), ys.select(1, 0), 1e-5, 1e-6)) << "background";
    // The new class is not a copy of any source class.
    for (int64_t k = 0; k < 3; ++k) EXPECT_FALSE(torch::allclose(yd.select(1, 1 + off), ys.select(1, k + off), 1e-3, 1e-3));
    // Fine-tuning that model again (dropping the new class) keeps class 0 exactly, through both adapters.
    const auto cfg2 = nn::fine_tuned_config(cfg, 2, {0});
    EXPECT_EQ(cfg2.backbone_classes, 4);
    nn::HeatmapNet again(cfg2, 1);
    again->eval();
    nn::transfer_weights(*again, *dst, {0});
    EXPECT_TRUE(torch::allclose(again->forward(x).select(1, off), ys.select(1, 2 + off), 1e-5, 1e-6)) << head;
  }
}

TEST(WeightTransfer, TheSameClassesInAnyOrderNeedNoAdapter) {
  EXPECT_EQ(nn::fine_tuned_config(small_unet(), 3, {2, 0, 1}).backbone_classes, 0);
  EXPECT_EQ(nn::fine_tuned_config(small_unet(), 3, {2, 0}).backbone_classes, 3);
}

TEST(WeightTransfer, IdentityMapCopiesTheWholeNetwork) {
  torch::manual_seed(3);
  nn::HeatmapNet src(small_unet(), 2);
  torch::manual_seed(4);
  nn::HeatmapNet dst(nn::fine_tuned_config(small_unet(), 2, {1, 0}), 2);
  nn::transfer_weights(*dst, *src, {1, 0});
  src->eval(), dst->eval();
  const auto x = torch::randn({1, 1, 8, 8, 8});
  torch::NoGradGuard g;
  const auto ys = src->forward(x), yd = dst->forward(x);
  EXPECT_TRUE(torch::allclose(yd.select(1, 0), ys.select(1, 1), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(yd.select(1, 1), ys.select(1, 0), 1e-5, 1e-6));
}

TEST(WeightTransfer, AnotherArchitectureIsAnError) {
  nn::HeatmapNet src(small_unet(), 2);
  auto other = small_unet();
  other.channels = {4, 8, 16};
  nn::HeatmapNet dst(other, 2);
  test::expect_error([&] { nn::transfer_weights(*dst, *src, {0, 1}); }, "", "different architecture");
}
