#pragma once
// AdamW or Lion behind one interface, the per-step learning rate (linear warmup, then cosine decay),
// and an exponential moving average of the weights. Everything here saves into and restores from a
// checkpoint archive, so a resumed run continues exactly.
#include <torch/nn/module.h>
#include <torch/serialize/archive.h>

#include <memory>
#include <vector>

#include "tomopick/train/train_config.h"

namespace tomopick::train {

// The learning rate of step `step` (0-based) of `total`: lr × (step + 1) / warmup during the warmup,
// then cosine from lr down to lr × min_lr_fraction at the last step (or constant).
double lr_at(const OptimConfig& o, int64_t step, int64_t total);

class Optimizer {
public:
  Optimizer(std::vector<at::Tensor> params, const OptimConfig& o);
  ~Optimizer();
  void set_lr(double lr);
  void zero_grad();
  void step();
  void save(torch::serialize::OutputArchive& a) const;
  void load(torch::serialize::InputArchive& a);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ema ← d·ema + (1 − d)·weights, with d = min(decay, (1 + n) / (10 + n)) after n updates so the
// average is not stuck near the random initial weights early on. Buffers (batch-norm statistics) are
// copied.
class Ema {
public:
  Ema(torch::nn::Module& model, std::shared_ptr<torch::nn::Module> shadow, double decay);
  void update();
  torch::nn::Module& shadow() { return *shadow_; }
  int64_t updates() const { return updates_; }
  void set_updates(int64_t n) { updates_ = n; }

private:
  torch::nn::Module& model_;
  std::shared_ptr<torch::nn::Module> shadow_;
  double decay_;
  int64_t updates_ = 0;
};

// Global gradient-norm clipping; returns the norm before clipping.
double clip_gradients(const std::vector<at::Tensor>& params, double max_norm);

// Copies parameters and buffers of `from` into `to` (same architecture).
void copy_weights(const torch::nn::Module& from, torch::nn::Module& to);

}  // namespace tomopick::train
