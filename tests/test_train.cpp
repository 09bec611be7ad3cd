// Training: configs, losses, crops and augmentation, the schedule, model files, and the loop itself
// (a tiny network overfits a tiny project; a resumed run continues exactly).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/sim/random.h"
#include "tomopick/train/dataset.h"
#include "tomopick/train/losses.h"
#include "tomopick/train/optimizer.h"
#include "tomopick/train/train_config.h"
#include "tomopick/train/trainer.h"

using namespace tomopick;
using namespace tomopick::train;
using test::make_project;
using test::TempDir;

namespace {

TrainConfig tiny_config() {
  auto c = parse_train_config(R"(
model: {channels: [4, 8, 16], strides: [2, 2], num_res_units: 1}
data: {spacing_A: 10, crop: [16, 32, 32], workers: 2}
optim: {lr: 0.01, warmup_steps: 5, ema: 0.9}
train: {steps: 12, batch: 2, log_every: 2, checkpoint_every: 4, val_every: 0}
validation: {window: [16, 32, 32]}
)",
                              "tiny");
  return c;
}

// A tiny project of `runs` runs and a request to train on it into dir/out.
TrainRequest tiny_request(const TempDir& dir, int runs, uint64_t seed) {
  make_project(dir / "p", runs, seed);
  TrainRequest r;
  r.config = tiny_config();
  r.data = {dir / "p"};
  r.out = dir / "out";
  return r;
}

}  // namespace

TEST(TrainConfig, DefaultsRoundTripAndOverrides) {
  const auto c = parse_train_config("", "empty");
  EXPECT_EQ(c.model.arch, "unet3d");
  EXPECT_EQ(c.loss.kind, "weighted_mse");
  // Everything written comes back identically.
  auto d = tiny_config();
  d.data.classes = {{"a", 50, 2, false}};
  const auto back = parse_train_config(to_yaml(d), "roundtrip");
  EXPECT_EQ(to_yaml(back), to_yaml(d));
  EXPECT_EQ(back.data.crop, (Shape3{16, 32, 32}));
  ASSERT_EQ(back.data.classes.size(), 1u);
  EXPECT_FALSE(back.data.classes[0].scored);
  EXPECT_DOUBLE_EQ(back.data.classes[0].weight, 2);
  apply_overrides(d, {"optim.lr=0.5", "data.crop=24"}, "--set");
  EXPECT_DOUBLE_EQ(d.optim.lr, 0.5);
  EXPECT_EQ(d.data.crop, (Shape3{24, 24, 24}));
}

TEST(TrainConfig, ErrorsNameTheKey) {
  test::expect_error([] { parse_train_config("optim: {lrr: 1}", "c.yaml"); }, "c.yaml", "optim.lrr: unknown option (did you mean 'optim.lr'");
  test::expect_error([] { parse_train_config("optim: {lr: fast}", "c.yaml"); }, "c.yaml", "optim.lr: expected a number, got 'fast'");
  test::expect_error([] { parse_train_config("optim: {lr: -1}", "c.yaml"); }, "c.yaml", "optim.lr: must be in (0, 10)");
  test::expect_error([] { parse_train_config("modle: {arch: unet3d}", "c.yaml"); }, "c.yaml", "unknown option");
  test::expect_error([] { parse_train_config("model: {arch: resnet}", "c.yaml"); }, "c.yaml", "model.arch: must be one of unet3d, unet25d");
  test::expect_error([] { parse_train_config("data: {crop: [16, 32, 48]}", "c.yaml"); }, "c.yaml", "augment.rot90: needs a square crop");
  test::expect_error([] { parse_train_config("model: {head: segmentation}", "c.yaml"); }, "c.yaml", "targets.kind");
  test::expect_error([] { parse_train_config("[1, 2", "c.yaml"); }, "c.yaml", "not valid YAML");
  test::expect_error([] { parse_train_config("data: {normalize: mad}", "c.yaml"); }, "c.yaml", "data.normalize");
  EXPECT_EQ(parse_train_config("data: {normalize: robust}", "c.yaml").data.normalize, "robust");
  TrainConfig c;
  test::expect_error([&] { apply_overrides(c, {"train.steps"}, "--set"); }, "--set", "expected section.key=value");
  EXPECT_NO_THROW(read_train_config(fs::path(TOMOPICK_TEST_PY_DIR) / "../../configs/default.yaml"));
}

// Each shipped recipe (configs/*.yaml) parses, and its network takes a training step on a crop of the
// config's own size: what `train --config` builds first.
TEST(TrainConfig, EveryShippedConfigBuildsItsNetworkAndTakesAStep) {
  int configs = 0;
  for (const auto& e : fs::directory_iterator(fs::path(TOMOPICK_SOURCE_DIR) / "configs")) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().filename().string());
    ++configs;
    TrainConfig c;
    ASSERT_NO_THROW(c = read_train_config(e.path()));
    const int64_t classes = c.data.classes.empty() ? 6 : int64_t(c.data.classes.size());
    torch::manual_seed(1);
    nn::HeatmapNet net(c.model, classes);
    const auto crop = c.data.crop;
    const auto y = net->forward(torch::randn({2, 1, crop.z, crop.y, crop.x}));
    const int64_t s = c.model.head == "point" ? nn::kPointStride : 1;  // a point head's grid is strided
    EXPECT_EQ(y.sizes(), (torch::IntArrayRef{2, nn::output_channels(c.model, classes), (crop.z + s - 1) / s,
                                             (crop.y + s - 1) / s, (crop.x + s - 1) / s}));
    y.mean().backward();
    int64_t with_grad = 0, params = 0;
    for (const auto& p : net->parameters()) params += 1, with_grad += p.grad().defined() ? 1 : 0;
    EXPECT_EQ(with_grad, params) << "every parameter is reached by the gradient";
  }
  EXPECT_GE(configs, 13);
}

TEST(TrainLosses, HandComputedValues) {
  // logits 0 -> p = 0.5 everywhere; targets 1 and 0.
  const auto logits = torch::zeros({1, 1, 1, 1, 2});
  const auto target = torch::tensor({1.0f, 0.0f}).view({1, 1, 1, 1, 2});
  // weighted MSE: weights 1.1 and 0.1, errors 0.25 each: mean = (1.1 + 0.1) * 0.25 / 2
  EXPECT_NEAR(weighted_mse(logits, target, {}).item<double>(), 0.15, 1e-6);
  EXPECT_NEAR(weighted_mse(logits, target, {2.0}).item<double>(), 0.30, 1e-6);
  // balanced MSE: foreground error 0.25, background error 0.25 -> 0.25
  EXPECT_NEAR(balanced_mse(logits, target, {}).item<double>(), 0.25, 1e-6);
  // BCE at p = 0.5 is ln 2 whatever the target
  EXPECT_NEAR(bce(logits, target, {}).item<double>(), std::log(2.0), 1e-6);
  // CE over 2 classes with equal logits is ln 2; the ignored voxel does not count. Tversky with soft
  // counts: class 1 has p = 0.5 at one labelled voxel: TP 0.5, FP 0.5 (at the background voxel), FN
  // 0.5 -> 1 - 1.5 / (0.5 + 0.3*0.5 + 0.7*0.5 + 1) = 0.25
  const auto seg_logits = torch::zeros({1, 2, 1, 1, 3});
  const auto labels = torch::tensor({1, 0, 255}, torch::kUInt8).view({1, 1, 1, 3});
  EXPECT_NEAR(ce_tversky(seg_logits, labels, {}, 0.3, 0.7, 0).item<double>(), std::log(2.0), 1e-6);
  EXPECT_NEAR(ce_tversky(seg_logits, labels, {}, 0.3, 0.7, 1).item<double>(), std::log(2.0) + 0.25, 1e-6);
  // a perfect prediction costs (almost) nothing
  EXPECT_LT(weighted_mse(torch::full({1, 1, 1, 1, 2}, 20.0) * (target * 2 - 1), target, {}).item<double>(), 1e-12);
  test::expect_error([&] { weighted_mse(logits, torch::zeros({1, 2, 1, 1, 2}), {}); }, "loss", "differ in shape");
  test::expect_error([&] { weighted_mse(logits, target, {1, 2}); }, "loss", "2 class weights for 1 classes");
}

TEST(TrainSchedule, WarmupThenCosine) {
  OptimConfig o;
  o.lr = 1.0, o.warmup_steps = 10, o.min_lr_fraction = 0.1;
  EXPECT_DOUBLE_EQ(lr_at(o, 0, 110), 0.1);
  EXPECT_DOUBLE_EQ(lr_at(o, 9, 110), 1.0);
  EXPECT_DOUBLE_EQ(lr_at(o, 10, 110), 1.0);
  EXPECT_NEAR(lr_at(o, 10 + 99 / 2.0, 110), 0.55, 0.01);  // half way: (1 + 0.1) / 2
  EXPECT_NEAR(lr_at(o, 109, 110), 0.1, 1e-12);
  o.schedule = "constant";
  EXPECT_DOUBLE_EQ(lr_at(o, 100, 110), 1.0);
}

TEST(TrainCrops, TransformsAreConsistentPermutations) {
  const Shape3 s{3, 4, 4};
  std::vector<float> a(size_t(s.count()));
  for (size_t i = 0; i < a.size(); ++i) a[i] = float(i);
  // four quarter turns and double flips are the identity
  auto b = a;
  for (int i = 0; i < 4; ++i) transform_crop(b.data(), 1, s, 1, false, false, false);
  EXPECT_EQ(b, a);
  b = a;
  transform_crop(b.data(), 1, s, 0, true, true, true);
  EXPECT_NE(b, a);
  transform_crop(b.data(), 1, s, 0, true, true, true);
  EXPECT_EQ(b, a);
  // a quarter turn moves voxel (z, y, x) to a rotated place and keeps z
  b = a;
  transform_crop(b.data(), 1, s, 1, false, false, false);
  auto sorted = b;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, a);  // a permutation
  for (int64_t z = 0; z < 3; ++z)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 4; ++x) EXPECT_EQ(int64_t(b[size_t((z * 4 + y) * 4 + x)]) / 16, z);
  // uint8 labels follow the same map as floats
  std::vector<uint8_t> l(a.begin(), a.end());
  transform_crop(l.data(), 1, s, 3, true, false, true);
  transform_crop(a.data(), 1, s, 3, true, false, true);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(l[i], uint8_t(a[i]));
  test::expect_error([&] { transform_crop(a.data(), 1, {2, 3, 4}, 1, false, false, false); }, "transform_crop", "square");
}

TEST(TrainCrops, TransformPointFollowsTheCropsVoxels) {
  // A voxel's value moves where transform_point sends its coordinates, for every turn and flip.
  const Shape3 s{3, 5, 5};
  for (int k = 0; k < 4; ++k)
    for (int f = 0; f < 8; ++f) {
      const bool fz = f & 1, fy = f & 2, fx = f & 4;
      for (const Index3 v : {Index3{0, 1, 3}, Index3{2, 4, 0}, Index3{1, 2, 2}}) {
        std::vector<float> a(size_t(s.count()), 0.0f);
        a[size_t((v.z * s.y + v.y) * s.x + v.x)] = 1;
        transform_crop(a.data(), 1, s, k, fz, fy, fx);
        const Vec3 w = transform_point({double(v.z), double(v.y), double(v.x)}, s, k, fz, fy, fx);
        SCOPED_TRACE("k " + std::to_string(k) + " flips " + std::to_string(f));
        ASSERT_EQ(a[size_t((std::lround(w.z) * s.y + std::lround(w.y)) * s.x + std::lround(w.x))], 1.0f);
      }
      // Between voxels it is the same affine map.
      const Vec3 a = transform_point({0.25, 1.5, 3.75}, s, k, fz, fy, fx);
      const Vec3 b = transform_point({0, 1, 3}, s, k, fz, fy, fx), c = transform_point({1, 2, 4}, s, k, fz, fy, fx);
      EXPECT_NEAR(a.z, b.z + 0.25 * (c.z - b.z), 1e-12);
      EXPECT_NEAR(std::abs(a.y - b.y) + std::abs(a.x - b.x), 0.5 + 0.75, 1e-12);
    }
}

TEST(TrainCrops, ParticleCropsHoldTheirTargetsAndAreDeterministic) {
  TempDir dir;
  make_project(dir / "p", 1, 3);
  auto c = tiny_config();
  c.data.particle_fraction = 1;
  c.augment.noise = 0;
  const auto classes = resolve_classes(c, dir / "p");
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_DOUBLE_EQ(classes[1].radius_A, 70);
  const auto runs = load_runs({dir / "p"}, {}, {}, c, classes);
  ASSERT_EQ(runs.size(), 1u);
  // z-scored
  double m = 0;
  for (size_t i = 0; i < runs[0].image.size(); ++i) m += runs[0].image.data()[i];
  EXPECT_NEAR(m / double(runs[0].image.size()), 0, 1e-4);
  {  // robust: median 0, median absolute deviation 1 / 1.4826
    auto cr = c;
    cr.data.normalize = "robust";
    const auto img = load_runs({dir / "p"}, {}, {}, cr, classes)[0].image;
    std::vector<float> v(img.data(), img.data() + img.size());
    const auto mid = v.begin() + std::ptrdiff_t((v.size() - 1) / 2);
    std::nth_element(v.begin(), mid, v.end());
    EXPECT_NEAR(*mid, 0, 1e-4);
    for (auto& x : v) x = std::abs(x);
    std::nth_element(v.begin(), mid, v.end());
    EXPECT_NEAR(*mid, 1 / 1.4826, 1e-4);
  }
  CropSampler sampler(runs, c, classes);
  const auto b1 = sampler.make_batch(5), b2 = sampler.make_batch(5), b3 = sampler.make_batch(6);
  EXPECT_EQ(b1.images, b2.images);
  EXPECT_EQ(b1.targets, b2.targets);
  EXPECT_NE(b1.images, b3.images);
  // every crop is centred near a particle: its target has a clear peak, and the image is bright there
  const int64_t n = c.data.crop.count();
  for (int i = 0; i < b1.batch; ++i) {
    float peak = 0;
    int64_t at = 0;
    for (int k = 0; k < b1.classes; ++k)
      for (int64_t j = 0; j < n; ++j)
        if (b1.targets[size_t((i * b1.classes + k) * n + j)] > peak) peak = b1.targets[size_t((i * b1.classes + k) * n + j)], at = j;
    EXPECT_GT(peak, 0.6f);
    EXPECT_GT(b1.images[size_t(i * n + at)], 0.5f);
  }
  // the queue hands out the sampler's batches in step order, from several workers
  BatchQueue q(sampler, 4, 8, 3, 2);
  for (int64_t s = 4; s < 8; ++s) {
    const auto b = q.next();
    EXPECT_EQ(b.step, s);
    EXPECT_EQ(b.images, sampler.make_batch(s).images);
  }
  test::expect_error([&] { q.next(); }, "BatchQueue", "no batches left");
}

TEST(TrainCrops, DomainRandomisationBlursRescalesAndColoursTheNoise) {
  TempDir dir;
  make_project(dir / "p", 1, 3);
  auto c = tiny_config();
  c.augment.noise = 0, c.augment.intensity_scale = 0, c.augment.intensity_shift = 0;
  c.train.batch = 16;
  const auto classes = resolve_classes(c, dir / "p");
  const auto runs = load_runs({dir / "p"}, {}, {}, c, classes);
  // The mean of |difference between x-neighbours| over a batch: what blur and coloured noise lower.
  auto roughness = [&](const TrainConfig& cfg) {
    const auto b = CropSampler(runs, cfg, classes).make_batch(3);
    double sum = 0;
    for (size_t i = 1; i < b.images.size(); ++i) sum += std::abs(b.images[i] - b.images[i - 1]);
    return std::make_pair(sum / double(b.images.size()), b);
  };
  const auto [plain, plain_batch] = roughness(c);
  auto blurred = c;
  blurred.augment.blur = 3;
  const auto [blur, blur_batch] = roughness(blurred);
  EXPECT_LT(blur, 0.8 * plain);
  EXPECT_EQ(blur_batch.targets, plain_batch.targets);  // the labels stay where they were
  EXPECT_EQ(CropSampler(runs, blurred, classes).make_batch(3).images, blur_batch.images);  // repeatable
  auto noisy = c, coloured = c;
  noisy.augment.noise = coloured.augment.noise = 1;
  coloured.augment.noise_colour = 3;
  EXPECT_LT(roughness(coloured).first, 0.8 * roughness(noisy).first);
  auto contrast = c;
  contrast.augment.contrast = 0.5;
  const auto b = CropSampler(runs, contrast, classes).make_batch(3);
  EXPECT_NE(b.images, plain_batch.images);
  test::expect_error([] { parse_train_config("augment: {blur: 9}", "c.yaml"); }, "c.yaml", "augment.blur: must be in [0, 5]");
}

TEST(TrainCrops, PicksShareSetsHowOftenTomogramsWithPickFilesAreCropped) {
  auto c = tiny_config();
  c.augment.noise = 0, c.augment.intensity_scale = 0, c.augment.intensity_shift = 0;
  c.train.batch = 400;
  const std::vector<ClassConfig> classes{{"a", 50}};
  // Three project runs and one tomogram with a pick file; each image is its run's index, everywhere.
  std::vector<TrainingRun> runs(4);
  for (size_t i = 0; i < runs.size(); ++i) runs[i].image = Volume<float>({40, 40, 40}, {10, 10, 10}, {}, float(i));
  runs[3].from_pick_file = true;
  auto from_pick_file = [&](double share) {
    c.data.picks_share = share;
    const auto b = CropSampler(runs, c, classes).make_batch(1);
    const int64_t n = c.data.crop.count();
    int count = 0;
    for (int i = 0; i < b.batch; ++i) count += b.images[size_t(i * n + n / 2)] == 3.0f ? 1 : 0;
    return count;
  };
  EXPECT_NEAR(from_pick_file(-1), 100, 30);  // every run alike: a quarter
  EXPECT_NEAR(from_pick_file(0.6), 240, 35);
  EXPECT_EQ(from_pick_file(1), 400);
  EXPECT_EQ(from_pick_file(0), 0);
  runs[3].from_pick_file = false;  // one kind of data only: every run alike, whatever the share
  EXPECT_NEAR(from_pick_file(0.6), 100, 30);
  test::expect_error([] { parse_train_config("data: {picks_share: 1.5}", "c.yaml"); }, "c.yaml", "data.picks_share");
}

TEST(TrainModelFile, SavesAndLoadsTheSameNetwork) {
  TempDir dir;
  nn::ModelConfig m;
  m.channels = {4, 8};
  m.strides = {2};
  torch::manual_seed(0);
  nn::HeatmapNet net(m, 3);
  nn::ModelInfo info;
  info.model = m;
  info.classes = {{"a", 50, true, 0.4}, {"b", 60, false, std::nullopt}, {"c", 70, true, std::nullopt}};
  info.spacing_A = 12.5;
  nn::save_model(dir / "m.pt", info, *net);
  auto loaded = nn::load_model(dir / "m.pt");
  EXPECT_EQ(nn::model_info_to_json(loaded.info), nn::model_info_to_json(info));
  EXPECT_EQ(*loaded.info.classes[0].threshold, 0.4);
  net->eval();
  const auto x = torch::randn({1, 1, 8, 10, 12});
  EXPECT_TRUE(torch::equal(loaded.net->forward(x), net->forward(x)));
  EXPECT_EQ(nn::read_model_info(dir / "m.pt").spacing_A, 12.5);
  write_file(dir / "bad.pt", "not a model");
  test::expect_error([&] { nn::load_model(dir / "bad.pt"); }, "bad.pt", "not a LibTorch archive");
  test::expect_error([&] { nn::load_model(dir / "none.pt"); }, "none.pt", "no such file");
}

TEST(TrainLoop, TinyNetworkOverfitsATinyProject) {
  TempDir dir;
  auto r = tiny_request(dir, 1, 5);
  r.config.train.steps = 60;
  r.config.augment = AugmentConfig{false, false, 0, 0, 0, 0};
  r.config.optim.warmup_steps = 5;
  const auto s = tomopick::train::train(r);
  ASSERT_EQ(s.step_losses.size(), 60u);
  double first = 0, last = 0;
  for (int i = 0; i < 5; ++i) first += s.step_losses[size_t(i)] / 5, last += s.step_losses[size_t(55 + i)] / 5;
  EXPECT_LT(last, first / 10) << "first " << first << " last " << last;
  EXPECT_TRUE(fs::exists(dir / "out" / "model.pt"));
  EXPECT_TRUE(fs::exists(dir / "out" / "last.pt"));
  const auto log = read_file(dir / "out" / "train_log.csv");
  EXPECT_EQ(log.rfind("step,time_s,lr,loss,val_score\n", 0), 0u);
  EXPECT_NE(log.find("\n60,"), std::string::npos);
  // bf16 autocast trains too (and really changes the arithmetic)
  r.config.optim.amp = "bf16";
  r.config.train.steps = 10;
  r.out = dir / "bf16";
  const auto b = tomopick::train::train(r);
  ASSERT_EQ(b.step_losses.size(), 10u);
  for (double l : b.step_losses) EXPECT_TRUE(std::isfinite(l));
  EXPECT_NE(b.step_losses[5], s.step_losses[5]);
  r.out = dir / "out";
  r.config.train.steps = 60;
  // A second run into the same folder needs --resume or --overwrite.
  test::expect_error([&] { tomopick::train::train(r); }, "out", "already holds a training run");
}

TEST(TrainLoop, ResumeContinuesExactly) {
  TempDir dir;
  auto r = tiny_request(dir, 2, 9);
  r.config.augment.mixup = 0.5;
  r.val_runs = {"run1"};
  r.config.train.val_every = 6;
  r.out = dir / "whole";
  const auto whole = tomopick::train::train(r);
  ASSERT_EQ(whole.step_losses.size(), 12u);
  EXPECT_GE(whole.best_score, 0);
  EXPECT_TRUE(fs::exists(dir / "whole" / "thresholds.json"));

  r.out = dir / "split";
  r.stop_after = 5;  // not a checkpoint step: the stop itself checkpoints
  const auto first = tomopick::train::train(r);
  ASSERT_EQ(first.step_losses.size(), 5u);
  EXPECT_TRUE(first.model.empty());
  TrainRequest again;
  again.out = dir / "split";
  again.resume = true;
  const auto rest = tomopick::train::train(again);
  ASSERT_EQ(rest.step_losses.size(), 7u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(first.step_losses[i], whole.step_losses[i]) << i;
  for (size_t i = 0; i < 7; ++i) EXPECT_NEAR(rest.step_losses[i], whole.step_losses[5 + i], 1e-6) << i;
  EXPECT_NEAR(rest.best_score, whole.best_score, 1e-9);
  // the log of the resumed run is the uninterrupted one's
  EXPECT_EQ(read_file(dir / "split" / "train_log.csv").size() > 0, true);
  test::expect_error([&] { TrainRequest q; q.out = dir / "none"; q.resume = true; tomopick::train::train(q); }, "none", "nothing to resume");
}
