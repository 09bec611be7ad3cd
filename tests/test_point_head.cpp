// The CZII 1st place's point detector: the head (nn/heatmap_net.h, model.head point), its offsets on
// the input grid, test-time augmentation of offsets, its loss, weight transfer, and a tiny project
// trained and picked end to end.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/infer/ensemble.h"
#include "tomopick/infer/picker.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/nn/segresnet.h"
#include "tomopick/nn/transfer.h"
#include "tomopick/nn/unet3d.h"
#include "tomopick/pick/point_decode.h"
#include "tomopick/targets/targets.h"
#include "tomopick/train/losses.h"
#include "tomopick/train/train_config.h"
#include "tomopick/train/trainer.h"

using namespace tomopick;

namespace {

nn::ModelConfig point_unet() {
  nn::ModelConfig m;
  m.channels = {4, 8, 8};
  m.strides = {2, 2};
  m.head = "point";
  return m;
}

// [1, C, Z, Y, X] float maps -> one Volume per channel (10 Å voxels).
std::vector<Volume<float>> volumes_of(const torch::Tensor& t) {
  const auto c = t.contiguous();
  std::vector<Volume<float>> out;
  const Shape3 s{c.size(2), c.size(3), c.size(4)};
  for (int64_t k = 0; k < c.size(1); ++k) {
    Volume<float> v(s, {10, 10, 10});
    std::copy_n(c[0][k].data_ptr<float>(), s.count(), v.data());
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

TEST(PointHead, OutputIsOnTheStrideTwoGridForOddSizesWithExactParameterCounts) {
  for (const auto& arch : {"unet3d", "segresnet"}) {
    SCOPED_TRACE(arch);
    nn::ModelConfig m = point_unet();
    m.arch = arch;
    if (m.arch == "segresnet") m.channels = {8, 16, 16}, m.blocks_down = {1, 1, 1}, m.blocks_up = {1, 1}, m.norm = "group";
    torch::manual_seed(3);
    nn::HeatmapNet net(m, 2);
    for (const auto& [z, y, x] : {std::tuple{9, 16, 13}, std::tuple{16, 16, 16}}) {
      const auto out = net->forward(torch::randn({2, 1, z, y, x}));
      EXPECT_EQ(out.sizes(), (torch::IntArrayRef{2, 5, (z + 1) / 2, (y + 1) / 2, (x + 1) / 2}));
      const std::vector<int64_t> sizes{2, 1, z, y, x};
      EXPECT_EQ(net->probabilities(out, sizes).sizes(), (torch::IntArrayRef{2, 5, z, y, x}));
    }
    // The backbone with 16 feature outputs, then a 2x2x2 stride-2 convolution to 2 classes + 3 offsets.
    int64_t backbone = 0;
    if (m.arch == "unet3d") {
      nn::UNet3dOptions o;
      o.out_channels = nn::kPointFeatures, o.channels = m.channels, o.strides = m.strides, o.num_res_units = m.num_res_units;
      backbone = nn::parameter_count(*nn::UNet3d(o));
    } else {
      nn::SegResNetOptions o;
      o.out_channels = nn::kPointFeatures, o.channels = m.channels, o.blocks_down = m.blocks_down;
      o.blocks_up = m.blocks_up, o.norm = m.norm;
      backbone = nn::segresnet_parameter_count(o);
    }
    EXPECT_EQ(nn::parameter_count(*net), backbone + nn::kPointFeatures * 5 * 8 + 5);
  }
  nn::ModelConfig bad = point_unet();
  bad.backbone_classes = 3;
  test::expect_error([&] { nn::HeatmapNet(bad, 2); }, "backbone_classes", "no adapter");
  bad = point_unet();
  bad.head = "boxes";
  test::expect_error([&] { nn::HeatmapNet(bad, 2); }, "model.head", "unknown head 'boxes'");
}

TEST(PointHead, OffsetsOnTheInputGridPointWhereTheCoarseOnesDo) {
  torch::manual_seed(4);
  const auto d = torch::randn({1, 3, 3, 4, 5});
  const std::vector<int64_t> sizes{1, 1, 5, 8, 9};  // odd sizes: the last block is cut
  const auto fine = nn::point_offsets_to_input_grid(d, 2, sizes);
  ASSERT_EQ(fine.sizes(), (torch::IntArrayRef{1, 3, 5, 8, 9}));
  for (int64_t z = 0; z < 5; ++z)
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t x = 0; x < 9; ++x) {
        const int64_t v[3] = {z, y, x}, j[3] = {z / 2, y / 2, x / 2};
        for (int c = 0; c < 3; ++c) {
          // Output voxel j's point, in input voxels: ((j + d + 0.5) 2 - 0.5); the fine voxel's the same.
          const double coarse = (double(j[c]) + d[0][c][j[0]][j[1]][j[2]].item<double>() + 0.5) * 2 - 0.5;
          EXPECT_NEAR(double(v[c]) + fine[0][c][z][y][x].item<double>(), coarse, 1e-5);
        }
      }
  test::expect_error([&] { nn::point_offsets_to_input_grid(d, 2, {1, 1, 7, 8, 9}); }, "point head", "larger");
}

TEST(PointHead, ProbabilitiesOfHandMadeLogitsDecodeToTheExactPoint) {
  // One class; the particle at input voxel (5.3, 6.9, 2.25) (10 Å voxels) is output voxel
  // j = (v + 0.5) / 2 - 0.5 = (2.4, 3.2, 0.875): its nearest output voxel (2, 3, 1) scores highest.
  const double v[3] = {5.3, 6.9, 2.25};
  auto logits = torch::full({1, 4, 5, 6, 4}, -4.0);
  logits[0][0][2][3][1] = 3.0;
  logits[0][0][2][3][2] = 1.0;
  const int64_t j[3] = {2, 3, 1};
  for (int c = 0; c < 3; ++c) logits[0][1 + c] = (v[c] + 0.5) / 2 - 0.5 - double(j[c]);
  nn::ModelConfig m = point_unet();
  nn::HeatmapNet net(m, 1);
  const auto maps = volumes_of(net->probabilities(logits, {1, 1, 10, 12, 7}));
  ASSERT_EQ(maps.size(), 4u);
  HeatmapGrid g;
  g.input_spacing_A = {10, 10, 10};
  const auto sets = pick_point_classes(maps, {{"a", 60.0, 0.5f, 0.5}}, g);
  ASSERT_EQ(sets[0].points.size(), 1u);
  EXPECT_NEAR(sets[0].points[0].z, 10 * v[0], 1e-4);
  EXPECT_NEAR(sets[0].points[0].y, 10 * v[1], 1e-4);
  EXPECT_NEAR(sets[0].points[0].x, 10 * v[2], 1e-4);
  EXPECT_NEAR(sets[0].points[0].score, 1 / (1 + std::exp(-3.0)), 1e-6);
}

TEST(PointHead, TestTimeAugmentationTurnsOffsetsBack) {
  // A perfect point "network": centre-ness = its input, offsets from every voxel to its input's
  // brightest voxel. Whatever the transform, the averaged offsets must point to the original's.
  const infer::Predictor perfect = [](const at::Tensor& x) {
    const int64_t Z = x.size(2), Y = x.size(3), X = x.size(4);
    const int64_t k = x[0][0].argmax().item<int64_t>();
    const double pz = double(k / (Y * X)), py = double((k / X) % Y), px = double(k % X);
    auto off = torch::zeros({1, 3, Z, Y, X});
    off[0][0] = pz - torch::arange(Z, torch::kFloat).view({Z, 1, 1}).expand({Z, Y, X});
    off[0][1] = py - torch::arange(Y, torch::kFloat).view({1, Y, 1}).expand({Z, Y, X});
    off[0][2] = px - torch::arange(X, torch::kFloat).view({1, 1, X}).expand({Z, Y, X});
    return torch::cat({x, off}, 1);
  };
  auto x = torch::zeros({1, 1, 5, 6, 6});
  x[0][0][1][4][2] = 1;
  const auto tta = infer::parse_tta("all9");
  const auto out = infer::predict_batch(x, {{perfect, 1.0, true}}, tta, 1);
  ASSERT_EQ(out.sizes(), (torch::IntArrayRef{1, 4, 5, 6, 6}));
  const auto plain = infer::predict_batch(x, {{perfect, 1.0, true}}, infer::parse_tta("none"), 1);
  EXPECT_TRUE(torch::allclose(out, plain, 1e-5, 1e-5)) << "max difference " << (out - plain).abs().max().item<double>();
  // With a heatmap member beside it, the classes average over both, the offsets over the point member.
  const infer::Predictor heat = [](const at::Tensor& b) { return b * 0 + 0.5; };
  const auto mixed = infer::predict_batch(x, {{perfect, 1.0, true}, {heat, 3.0, false}}, tta, 1);
  ASSERT_EQ(mixed.size(1), 4);
  EXPECT_TRUE(torch::allclose(mixed.narrow(1, 1, 3), plain.narrow(1, 1, 3), 1e-5, 1e-5));
  EXPECT_NEAR(mixed[0][0][1][4][2].item<double>(), (1.0 + 3 * 0.5) / 4, 1e-6);
  EXPECT_NEAR(mixed[0][0][0][0][0].item<double>(), (0.0 + 3 * 0.5) / 4, 1e-6);
  // Members must agree on the classes.
  const infer::Predictor two = [](const at::Tensor& b) { return torch::cat({b, b}, 1); };
  test::expect_error([&] { infer::predict_batch(x, {{perfect, 1.0, true}, {two, 1.0, false}}, tta, 1); }, "predictor",
                     "gives 2 classes, member 1 gives 1");
}

TEST(PointLoss, OffsetErrorsCountByQualityAndBetterCentreNessLowersTheLoss) {
  // One class on a 1x2x2 grid: voxel 0 assigned with quality 0.5, the rest unassigned.
  auto target = torch::zeros({1, 4, 1, 2, 2});
  target[0][0][0][0][0] = 0.5;
  target[0][1][0][0][0] = 0.25, target[0][2][0][0][0] = -0.5, target[0][3][0][0][0] = 0.1;
  auto logits = torch::full({1, 4, 1, 2, 2}, -6.0);
  logits[0][0][0][0][0] = 0;  // p = 0.5 = q at the assigned voxel
  logits.narrow(1, 1, 3).copy_(target.narrow(1, 1, 3));
  const double base = train::point_loss(logits, target, {}).item<double>();
  auto shifted = logits.clone();
  shifted.narrow(1, 1, 3).add_(1.0);  // every offset 1 voxel off: L1 3 at the assigned voxel
  // Sum of q = 0.5 -> normalised by 1; the offset term is q x 3 = 1.5, weighted by offset_weight.
  EXPECT_NEAR(train::point_loss(shifted, target, {}).item<double>() - base, 1.5, 1e-5);
  EXPECT_NEAR(train::point_loss(shifted, target, {}, 0.75, 2, 2.0).item<double>() - base, 3.0, 1e-5);
  // Calling an unassigned voxel a particle costs (alpha p^gamma BCE); so does a wrong quality.
  auto loud = logits.clone();
  loud[0][0][0][1][1] = 3.0;
  EXPECT_GT(train::point_loss(loud, target, {}).item<double>(), base + 0.1);
  auto low = logits.clone();
  low[0][0][0][0][0] = -3.0;
  EXPECT_GT(train::point_loss(low, target, {}).item<double>(), base + 0.1);
  // Class weights scale the centre-ness term only; a class weighted 0 learns nothing.
  EXPECT_NEAR(train::point_loss(low, target, {0.0}).item<double>(), 0.0, 1e-6);
  test::expect_error([&] { train::point_loss(logits, target.narrow(1, 0, 3), {}); }, "loss point", "classes + 3");
}

TEST(PointHead, FineTuningKeepsKeptClassesAndTheOffsetsExactly) {
  torch::manual_seed(5);
  nn::HeatmapNet src(point_unet(), 3);
  const std::vector<int64_t> map{2, -1};  // dst class 0 = src class 2, class 1 is new
  const auto cfg = nn::fine_tuned_config(point_unet(), 3, map);
  EXPECT_EQ(cfg.backbone_classes, 0);  // the backbone is class-free: no adapter
  torch::manual_seed(6);
  nn::HeatmapNet dst(cfg, 2);
  ASSERT_NO_THROW(nn::transfer_weights(*dst, *src, map));
  src->eval(), dst->eval();
  const auto x = torch::randn({1, 1, 8, 12, 12});
  const auto a = dst->forward(x), b = src->forward(x);
  EXPECT_TRUE(torch::allclose(a.select(1, 0), b.select(1, 2), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(a.narrow(1, 2, 3), b.narrow(1, 3, 3), 1e-5, 1e-6)) << "offsets carried over";
}

TEST(PointHead, ConfigsPairTheHeadWithItsLossAndNoMixup) {
  const std::string head = "model: {head: point}\n";
  test::expect_error([&] { train::parse_train_config(head, "p.yaml"); }, "p.yaml", "loss.kind");
  test::expect_error([&] { train::parse_train_config("loss: {kind: point}\n", "p.yaml"); }, "p.yaml", "loss.kind");
  test::expect_error([&] { train::parse_train_config(head + "loss: {kind: point}\naugment: {mixup: 0.5}\n", "p.yaml"); },
                     "p.yaml", "augment.mixup");
  EXPECT_NO_THROW(train::parse_train_config(head + "loss: {kind: point, point_offset_weight: 2}\n", "p.yaml"));
}

TEST(PointHead, ATinyProjectTrainsValidatesAndPicksWithOffsets) {
  test::TempDir dir;
  test::make_project(dir / "p", 2, 21);
  train::TrainRequest r;
  r.config = train::parse_train_config(R"(
model: {head: point, channels: [8, 16, 16], strides: [2, 2], num_res_units: 1}
data: {spacing_A: 10, crop: [16, 32, 32], workers: 1}
targets: {sphere_fraction: 0.5}
augment: {flips: true, rot90: true, intensity_scale: 0, intensity_shift: 0, noise: 0}
loss: {kind: point}
optim: {lr: 0.01, warmup_steps: 5, ema: 0}
train: {steps: 150, batch: 2, log_every: 50, checkpoint_every: 150, val_every: 150}
validation: {window: [32, 48, 48]}
)",
                                       "tiny-point");
  r.data = {dir / "p"};
  r.val_runs = {"run1"};
  r.out = dir / "out";
  const auto s = train::train(r);
  ASSERT_EQ(s.step_losses.size(), 150u);
  double first = 0, last = 0;
  for (int i = 0; i < 10; ++i) first += s.step_losses[size_t(i)] / 10, last += s.step_losses[size_t(140 + i)] / 10;
  EXPECT_LT(last, first / 3) << "first " << first << " last " << last;
  // The model picks the run it trained on with the offsets: its "big" balls are found within a
  // quarter of their radius (a peak alone could be a whole 20 Å output voxel off).
  infer::PickerOptions po;
  po.models = {dir / "out" / "model.pt"};
  po.device = "cpu";
  po.thresholds = {{"big", 0.3}, {"small", 0.3}};
  infer::Picker picker(po);
  const auto proj = CopickProject::open(dir / "p");
  const auto sets = picker.pick(proj.find_tomogram("run0", "denoised").path, "run0");
  const auto truth = proj.read_picks("run0", "big", "truth");
  ASSERT_FALSE(truth.empty());
  int found = 0, total = 0;
  for (const auto& set : sets) {
    if (set.object != "big") continue;
    for (const auto& t : truth[0].points) {
      ++total;
      double best = 1e9;
      for (const auto& p : set.points) best = std::min(best, std::hypot(p.x - t.x, p.y - t.y, p.z - t.z));
      found += best <= 70.0 / 4 ? 1 : 0;
    }
  }
  EXPECT_EQ(total, 3);
  EXPECT_GE(found, 2) << "big balls found within 17.5 Å";

  // Fine-tuning it with the default recipe (configs/finetune.yaml: a heatmap loss) trains the point
  // head with its own loss, and validates on held-back picks through the offsets.
  train::TrainRequest ft;
  ft.config = train::read_train_config(fs::path(TOMOPICK_SOURCE_DIR) / "configs" / "finetune.yaml");
  train::apply_overrides(ft.config, {"train.steps=3", "train.val_every=0", "data.crop=[16,32,32]"}, "test");
  ft.init = dir / "out" / "model.pt";
  ft.data = {dir / "p"};
  ft.out = dir / "ft";
  const auto f = train::train(ft);
  ASSERT_EQ(f.step_losses.size(), 3u);
  EXPECT_EQ(nn::read_model_info(dir / "ft" / "model.pt").model.head, "point");
}
