#include "tomopick/train/losses.h"

#include <torch/torch.h>

#include "tomopick/core/error.h"

namespace tomopick::train {

namespace {

// [C] weights shaped to broadcast over [N, C, ...].
at::Tensor weights_for(const at::Tensor& like, const std::vector<double>& w) {
  const int64_t c = like.size(1);
  std::vector<float> v(size_t(c), 1.0f);
  if (!w.empty()) {
    if (int64_t(w.size()) != c)
      throw Error("loss: " + std::to_string(w.size()) + " class weights for " + std::to_string(c) + " classes");
    for (int64_t i = 0; i < c; ++i) v[size_t(i)] = float(w[size_t(i)]);
  }
  std::vector<int64_t> shape(size_t(like.dim()), 1);
  shape[1] = c;
  return torch::tensor(v, like.options().dtype(torch::kFloat)).view(shape);
}

void same_shape(const at::Tensor& a, const at::Tensor& b, const char* what) {
  if (a.sizes() != b.sizes()) throw Error(std::string("loss ") + what + ": logits and targets differ in shape");
}

}  // namespace

at::Tensor weighted_mse(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& cw, double offset) {
  same_shape(logits, target, "weighted_mse");
  const auto p = torch::sigmoid(logits.to(torch::kFloat));
  const auto w = (target + offset) * weights_for(logits, cw);
  return (w * (p - target).pow(2)).mean();
}

at::Tensor balanced_mse(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& cw) {
  same_shape(logits, target, "balanced_mse");
  const auto p = torch::sigmoid(logits.to(torch::kFloat));
  const auto err = (p - target).pow(2);
  const auto fg = (target > 0.1).to(torch::kFloat);
  const auto bg = 1 - fg;
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < logits.dim(); ++d)
    if (d != 1) dims.push_back(d);
  // A crop without any particle of a class has only its background term.
  const auto fg_n = fg.sum(dims), bg_n = bg.sum(dims);
  const auto fg_term = (err * fg).sum(dims) / fg_n.clamp_min(1);
  const auto bg_term = (err * bg).sum(dims) / bg_n.clamp_min(1);
  const auto has_fg = (fg_n > 0).to(torch::kFloat);
  const auto per_class = (fg_term * has_fg + bg_term) / (1 + has_fg);
  return (per_class * weights_for(logits, cw).flatten()).mean();
}

at::Tensor bce(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& cw) {
  same_shape(logits, target, "bce");
  const auto l = torch::binary_cross_entropy_with_logits(logits.to(torch::kFloat), target, {}, {}, at::Reduction::None);
  return (l * weights_for(logits, cw)).mean();
}

at::Tensor ce_tversky(const at::Tensor& logits, const at::Tensor& labels, const std::vector<double>& cw, double alpha,
                      double beta, double tversky_weight) {
  const int64_t c1 = logits.size(1);
  if (labels.dim() != logits.dim() - 1 || labels.size(0) != logits.size(0))
    throw Error("loss ce_tversky: labels must be [N, ...] for logits [N, C+1, ...]");
  std::vector<double> w{1.0};
  if (!cw.empty()) {
    if (int64_t(cw.size()) != c1 - 1) throw Error("loss ce_tversky: class weights do not match the classes");
    w.insert(w.end(), cw.begin(), cw.end());
  } else {
    w.resize(size_t(c1), 1.0);
  }
  std::vector<float> wf(w.begin(), w.end());
  const auto lf = logits.to(torch::kFloat);
  const auto target = labels.to(torch::kLong);
  const auto ce = torch::nn::functional::cross_entropy(
      lf, target,
      torch::nn::functional::CrossEntropyFuncOptions().weight(torch::tensor(wf, lf.options())).ignore_index(255));
  // Tversky on the voxels that count; ignored voxels contribute nothing.
  const auto valid = (target != 255).unsqueeze(1).to(torch::kFloat);
  const auto prob = torch::softmax(lf, 1) * valid;
  const auto onehot =
      torch::one_hot(target.masked_fill(target == 255, 0), c1).movedim(-1, 1).to(torch::kFloat) * valid;
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < lf.dim(); ++d)
    if (d != 1) dims.push_back(d);
  const auto tp = (prob * onehot).sum(dims);
  const auto fp = (prob * (1 - onehot)).sum(dims);
  const auto fn = ((1 - prob) * onehot).sum(dims);
  const auto tversky = 1 - (tp + 1) / (tp + alpha * fp + beta * fn + 1);
  return ce + tversky_weight * tversky.narrow(0, 1, c1 - 1).mean();
}

at::Tensor nnpu(const at::Tensor& logits, const at::Tensor& target, const std::vector<float>& marginal,
                const std::vector<double>& priors, const std::vector<double>& cw, double negative_weight, double gamma) {
  same_shape(logits, target, "nnpu");
  const int64_t n = logits.size(0), c = logits.size(1);
  if (int64_t(marginal.size()) != n) throw Error("loss nnpu: one marginal flag per crop is needed");
  if (int64_t(priors.size()) != c) throw Error("loss nnpu: one prior per class is needed");
  const auto z = logits.to(torch::kFloat);
  const auto lpos = torch::nn::functional::softplus(-z), lneg = torch::nn::functional::softplus(z);
  std::vector<int64_t> dims;  // every axis but the class axis
  for (int64_t d = 0; d < z.dim(); ++d)
    if (d != 1) dims.push_back(d);
  std::vector<int64_t> mshape(size_t(z.dim()), 1);
  mshape[0] = n;
  const auto m = torch::tensor(marginal, z.options()).view(mshape);
  const auto t_sum = target.sum(dims);                       // [C]
  const auto r_pos = (target * lpos).sum(dims) / t_sum.clamp_min(1e-12);
  const auto r_pneg = (target * lneg).sum(dims) / t_sum.clamp_min(1e-12);
  const double voxels_per_crop = double(z[0][0].numel());
  double marginal_crops = 0;
  for (float f : marginal) marginal_crops += f;
  const auto r_u = (lneg * m).sum(dims) / std::max(1.0, marginal_crops * voxels_per_crop);
  const auto w = weights_for(z, cw).flatten();
  const auto present = t_sum.detach().to(torch::kCPU);
  at::Tensor total = torch::zeros({}, z.options());
  double weight_sum = 0;
  for (int64_t k = 0; k < c; ++k) {
    if (!(present[k].item<double>() > 0) || marginal_crops == 0) continue;
    const double prior = std::max(priors[size_t(k)], 1e-9);
    const auto neg = (r_u[k] - prior * r_pneg[k]) / prior;
    const auto term = neg.item<double>() < 0 ? -gamma * neg : r_pos[k] + negative_weight * neg;
    total = total + w[k] * term;
    weight_sum += w[k].item<double>();
  }
  // A batch with nothing to learn from still returns a loss that backpropagates (to zero).
  if (weight_sum == 0) return (z * 0).sum();
  return total / weight_sum;
}

at::Tensor point_loss(const at::Tensor& logits, const at::Tensor& target, const std::vector<double>& cw, double alpha,
                      double gamma, double offset_weight) {
  if (logits.dim() != 5 || logits.size(1) < 4 || target.sizes() != logits.sizes())
    throw Error("loss point: logits and targets must both be [N, classes + 3, Z, Y, X]");
  const int64_t c = logits.size(1) - 3;
  const auto z = logits.narrow(1, 0, c).to(torch::kFloat), q = target.narrow(1, 0, c);
  const auto assigned = (q > 0).to(torch::kFloat);
  const auto p = torch::sigmoid(z).detach();
  const auto w = (q * assigned + alpha * p.pow(gamma) * (1 - assigned)) * weights_for(z, cw);
  const auto bce = torch::binary_cross_entropy_with_logits(z, q, {}, {}, at::Reduction::None);
  const auto qbest = std::get<0>(q.max(1, true));  // [N, 1, ...]
  const auto norm = torch::clamp_min(qbest.sum(), 1.0).detach();
  const auto err = (logits.narrow(1, c, 3).to(torch::kFloat) - target.narrow(1, c, 3)).abs().sum(1, true);
  return ((w * bce).sum() + offset_weight * (qbest * err).sum()) / norm;
}

at::Tensor compute_loss(const LossSpec& s, const at::Tensor& logits, const at::Tensor& t,
                        const std::vector<float>& marginal) {
  if (s.kind == "nnpu") return nnpu(logits, t, marginal, s.priors, s.class_weights, s.negative_weight, s.gamma);
  if (s.kind == "weighted_mse") return weighted_mse(logits, t, s.class_weights, s.offset);
  if (s.kind == "balanced_mse") return balanced_mse(logits, t, s.class_weights);
  if (s.kind == "bce") return bce(logits, t, s.class_weights);
  if (s.kind == "point") return point_loss(logits, t, s.class_weights, s.point_alpha, s.point_gamma, s.point_offset_weight);
  if (s.kind == "ce_tversky") return ce_tversky(logits, t, s.class_weights, s.alpha, s.beta, s.tversky_weight);
  throw Error("loss.kind: unknown loss '" + s.kind + "'");
}

}  // namespace tomopick::train
