// The parts of a training step, timed apart (bench/train_speed.py runs this next to `tomopick train`
// and the same work in python3-torch):
//   bench_train parts CONFIG PROJECT STEPS WARMUP THREADS RUNS [section.key=value ...]
//     loads the project's runs (RUNS: "all" or a comma-separated list) as training does, then prints "key value" lines: parameters, runs,
//     load_s (reading + resampling + normalising every run), data_s_per_batch (CropSampler::make_batch
//     on one thread, the mean over STEPS batches: crops, targets, augmentation), net_s_per_step (the
//     trainer's step on one fixed batch: forward, loss, backward, gradient clipping, AdamW, EMA; the
//     mean over STEPS steps after WARMUP).
//   bench_train forward MODEL [THREADS]
//     the model's probabilities for a fixed input [1, 1, 48, 64, 64] (x_i = sin(0.001 i)): prints
//     "sum", "max" and "first" lines, which bench/train_speed.py compares with its Python reference.
// The network parts need LibTorch's C++ headers, which tomopick_lib keeps private (CMakeLists.txt):
// bench/CMakeLists.txt must add ${TORCH_LIBRARIES} to the bench programs, as tests/CMakeLists.txt
// does. Without them this builds the data part only and says so ("net unavailable").
#if __has_include(<torch/torch.h>)
#define BENCH_TRAIN_TORCH 1
#include <torch/torch.h>
#else
#define BENCH_TRAIN_TORCH 0
#endif

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"
#include "tomopick/core/runtime.h"
#include "tomopick/sim/random.h"
#include "tomopick/train/dataset.h"
#include "tomopick/train/train_config.h"
#if BENCH_TRAIN_TORCH
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/nn/unet3d.h"
#include "tomopick/train/losses.h"
#include "tomopick/train/optimizer.h"
#endif

using namespace tomopick;

namespace {

constexpr const char* kUsage =
    "usage: bench_train parts CONFIG PROJECT STEPS WARMUP THREADS RUNS [section.key=value ...]\n"
    "       bench_train forward MODEL [THREADS]";

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void set_threads(int n) {
  const int t = configure_threads(n > 0 ? std::optional<int>(n) : std::nullopt);
  set_torch_threads(t);
}

int parts(int argc, char** argv) {
  if (argc < 8) throw Error(kUsage);
  const std::string config = argv[2], project = argv[3];
  const int64_t steps = std::atoll(argv[4]), warmup = std::atoll(argv[5]);
  if (steps < 1 || warmup < 0) throw Error(kUsage);
  set_threads(std::atoi(argv[6]));
  std::vector<std::string> only;
  if (std::string(argv[7]) != "all") {
    std::stringstream ss(argv[7]);
    for (std::string r; std::getline(ss, r, ',');) only.push_back(r);
  }
  std::vector<std::string> overrides;
  for (int i = 8; i < argc; ++i) overrides.emplace_back(argv[i]);
  auto c = train::read_train_config(config);
  if (!overrides.empty()) train::apply_overrides(c, overrides, "command line");

  const auto classes = train::resolve_classes(c, project);
  const auto t_load = Clock::now();
  const auto runs = train::load_runs({project}, only, {}, c, classes);
  std::printf("runs %zu\nload_s %.4f\n", runs.size(), since(t_load));

  // Data: batches made one after another on this thread (what one data worker does per batch).
  train::CropSampler sampler(runs, c, classes);
  {
    const auto t0 = Clock::now();
    double check = 0;
    for (int64_t s = 0; s < steps; ++s) check += sampler.make_batch(s).images[0];
    std::printf("data_s_per_batch %.6f\n", since(t0) / double(steps));
    if (!std::isfinite(check)) return 1;
  }

#if !BENCH_TRAIN_TORCH
  (void)warmup;
  std::printf("net unavailable (built without LibTorch's headers: see bench/bench_train.cpp)\n");
  return 0;
#else
  // Network: the trainer's step (train/trainer.cpp) on one fixed batch.
  torch::manual_seed(sim::derive_seed(c.train.seed, 0xfeed));
  nn::HeatmapNet net(c.model, int64_t(classes.size()));
  nn::HeatmapNet shadow(c.model, int64_t(classes.size()));
  train::Ema ema(*net, shadow.ptr(), c.optim.ema);
  train::Optimizer opt(net->parameters(), c.optim);
  std::printf("parameters %lld\n", static_cast<long long>(nn::parameter_count(*net)));
  train::LossSpec loss_spec;
  loss_spec.kind = c.loss.kind;
  for (const auto& k : classes) loss_spec.class_weights.push_back(k.weight);
  loss_spec.offset = c.loss.weighted_mse_offset;
  loss_spec.alpha = c.loss.tversky_alpha, loss_spec.beta = c.loss.tversky_beta;
  loss_spec.tversky_weight = c.loss.tversky_weight;
  auto b = sampler.make_batch(0);
  const auto& s = b.crop;
  const bool seg = c.model.head == "segmentation";
  const auto x = torch::from_blob(b.images.data(), {b.batch, 1, s.z, s.y, s.x}, torch::kFloat).clone();
  const auto y = seg ? torch::from_blob(b.labels.data(), {b.batch, s.z, s.y, s.x}, torch::kUInt8).clone()
                     : torch::from_blob(b.targets.data(), {b.batch, b.target_channels, b.target_shape.z, b.target_shape.y, b.target_shape.x}, torch::kFloat).clone();
  double timed = 0, loss_sum = 0;
  for (int64_t step = 0; step < warmup + steps; ++step) {
    const auto t0 = Clock::now();
    torch::manual_seed(sim::derive_seed(c.train.seed, uint64_t(step), 0xd0));
    opt.set_lr(train::lr_at(c.optim, step, c.train.steps));
    net->train();
    const auto loss = train::compute_loss(loss_spec, net->forward(x), y);
    loss_sum += loss.item<double>();
    opt.zero_grad();
    loss.backward();
    train::clip_gradients(net->parameters(), c.optim.grad_clip);
    opt.step();
    ema.update();
    const double dt = since(t0);
    std::cerr << "net step " << step << ": " << dt << " s\n";
    if (step >= warmup) timed += dt;
  }
  std::printf("net_s_per_step %.6f\n", timed / double(steps));
  return std::isfinite(loss_sum) ? 0 : 1;
#endif
}

int forward(int argc, char** argv) {
  if (argc < 3) throw Error(kUsage);
#if !BENCH_TRAIN_TORCH
  std::printf("net unavailable (built without LibTorch's headers: see bench/bench_train.cpp)\n");
  return 3;
#else
  set_threads(argc > 3 ? std::atoi(argv[3]) : 0);
  auto m = nn::load_model(argv[2], "cpu");
  const auto x = torch::sin(torch::arange(48 * 64 * 64, torch::kFloat) * 0.001).view({1, 1, 48, 64, 64});
  torch::NoGradGuard g;
  const auto p = m.net->probabilities(m.net->forward(x), x.sizes().vec());
  std::printf("parameters %lld\nsum %.9g\nmax %.9g\nfirst", static_cast<long long>(nn::parameter_count(*m.net)),
              p.sum().item<double>(), p.max().item<double>());
  const auto flat = p.flatten();
  for (int64_t i = 0; i < 8; ++i) std::printf(" %.9g", flat[i * 12345].item<double>());
  std::printf("\n");
  return 0;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "parts") return parts(argc, argv);
    if (mode == "forward") return forward(argc, argv);
    std::cerr << kUsage << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
