#include "tomopick/train/optimizer.h"

#include <torch/torch.h>

#include <cmath>
#include <numbers>

#include "tomopick/core/error.h"

namespace tomopick::train {

double lr_at(const OptimConfig& o, int64_t step, int64_t total) {
  if (step < o.warmup_steps) return o.lr * double(step + 1) / double(o.warmup_steps);
  if (o.schedule == "constant") return o.lr;
  const int64_t span = std::max<int64_t>(1, total - 1 - o.warmup_steps);
  const double t = std::clamp(double(step - o.warmup_steps) / double(span), 0.0, 1.0);
  const double lo = o.lr * o.min_lr_fraction;
  return lo + (o.lr - lo) * 0.5 * (1 + std::cos(std::numbers::pi * t));
}

// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of an
// interpolation of momentum and gradient, decoupled weight decay; one state tensor per parameter.
struct Lion {
  std::vector<at::Tensor> params, momentum;
  double lr, beta1, beta2, wd;
  void step() {
    torch::NoGradGuard g;
    for (size_t i = 0; i < params.size(); ++i) {
      auto& p = params[i];
      if (!p.grad().defined()) continue;
      const auto grad = p.grad();
      auto& m = momentum[i];
      const auto update = (m * beta1 + grad * (1 - beta1)).sign_();
      p.mul_(1 - lr * wd).add_(update, -lr);
      m.mul_(beta2).add_(grad, 1 - beta2);
    }
  }
};

struct Optimizer::Impl {
  std::unique_ptr<torch::optim::AdamW> adamw;
  std::unique_ptr<Lion> lion;
};

Optimizer::Optimizer(std::vector<at::Tensor> params, const OptimConfig& o) : impl_(std::make_unique<Impl>()) {
  if (o.optimizer == "adamw") {
    impl_->adamw = std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weight_decay));
  } else if (o.optimizer == "lion") {
    impl_->lion = std::make_unique<Lion>();
    auto& l = *impl_->lion;
    l.params = params;
    for (const auto& p : params) l.momentum.push_back(torch::zeros_like(p));
    l.lr = o.lr, l.beta1 = o.beta1, l.beta2 = o.beta2, l.wd = o.weight_decay;
  } else {
    throw Error("optim.optimizer: unknown optimizer '" + o.optimizer + "'");
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::set_lr(double lr) {
  if (impl_->adamw) {
    for (auto& g : impl_->adamw->param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
  } else {
    impl_->lion->lr = lr;
  }
}

void Optimizer::zero_grad() {
  if (impl_->adamw) {
    impl_->adamw->zero_grad();
  } else {
    for (auto& p : impl_->lion->params)
      if (p.grad().defined()) p.grad().zero_();
  }
}

void Optimizer::step() {
  if (impl_->adamw) impl_->adamw->step();
  else impl_->lion->step();
}

void Optimizer::save(torch::serialize::OutputArchive& a) const {
  if (impl_->adamw) {
    impl_->adamw->save(a);
  } else {
    for (size_t i = 0; i < impl_->lion->momentum.size(); ++i) a.write("lion_m" + std::to_string(i), impl_->lion->momentum[i]);
  }
}

void Optimizer::load(torch::serialize::InputArchive& a) {
  if (impl_->adamw) {
    impl_->adamw->load(a);
  } else {
    torch::NoGradGuard g;
    for (size_t i = 0; i < impl_->lion->momentum.size(); ++i) {
      at::Tensor t;
      a.read("lion_m" + std::to_string(i), t);
      impl_->lion->momentum[i].copy_(t);
    }
  }
}

Ema::Ema(torch::nn::Module& model, std::shared_ptr<torch::nn::Module> shadow, double decay)
    : model_(model), shadow_(std::move(shadow)), decay_(decay) {
  copy_weights(model_, *shadow_);
  for (auto& p : shadow_->parameters()) p.set_requires_grad(false);
}

void Ema::update() {
  torch::NoGradGuard g;
  const double d = std::min(decay_, double(1 + updates_) / double(10 + updates_));
  auto src = model_.parameters();
  auto dst = shadow_->parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].mul_(d).add_(src[i].detach(), 1 - d);
  auto sb = model_.buffers();
  auto db = shadow_->buffers();
  for (size_t i = 0; i < sb.size(); ++i) db[i].copy_(sb[i]);
  ++updates_;
}

double clip_gradients(const std::vector<at::Tensor>& params, double max_norm) {
  double total = 0;
  for (const auto& p : params)
    if (p.grad().defined()) total += p.grad().pow(2).sum().item<double>();
  total = std::sqrt(total);
  if (max_norm > 0 && total > max_norm) {
    torch::NoGradGuard g;
    const double f = max_norm / (total + 1e-6);
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(f);
  }
  return total;
}

void copy_weights(const torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard g;
  auto src = from.parameters();
  auto dst = to.parameters();
  auto sb = from.buffers();
  auto db = to.buffers();
  if (src.size() != dst.size() || sb.size() != db.size()) throw Error("copy_weights: the two models differ");
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
  for (size_t i = 0; i < sb.size(); ++i) db[i].copy_(sb[i]);
}

}  // namespace tomopick::train
