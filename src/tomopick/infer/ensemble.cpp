#include "tomopick/infer/ensemble.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tomopick/core/error.h"

namespace tomopick::infer {

namespace {

std::string sizes_str(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) {
    if (i) s += ", ";
    s += std::to_string(t.size(i));
  }
  return s + "]";
}

// The predictor's output on CPU float32, after checking it is [N, C, Z/s, Y/s, X/s] for input x.
at::Tensor checked_output(const at::Tensor& out, const at::Tensor& x, int s) {
  std::string expected = "[";  // built with += : GCC 12 warns falsely (-Wrestrict) on "[" + std::string
  expected += std::to_string(x.size(0));
  expected += ", C, " + std::to_string(x.size(2) / s) + ", " + std::to_string(x.size(3) / s) + ", " +
              std::to_string(x.size(4) / s) + "]";
  if (!out.defined()) throw Error("predictor", "returned no tensor; expected " + expected);
  const bool ok = out.dim() == 5 && out.size(0) == x.size(0) && out.size(1) >= 1 && out.size(2) == x.size(2) / s &&
                  out.size(3) == x.size(3) / s && out.size(4) == x.size(4) / s;
  if (!ok)
    throw Error("predictor", "returned " + sizes_str(out) + " for windows " + sizes_str(x) + "; expected " + expected +
                                 " (output stride " + std::to_string(s) + ")");
  return out.to(at::kCPU, at::kFloat);
}

}  // namespace

void validate(const std::vector<Member>& members) {
  if (members.empty()) throw Error("ensemble", "no models given");
  for (size_t i = 0; i < members.size(); ++i) {
    if (!members[i].predict) throw Error("ensemble", "member " + std::to_string(i + 1) + " has no predictor");
    const double w = members[i].weight;
    if (!(w > 0 && std::isfinite(w)))
      throw Error("ensemble", "member " + std::to_string(i + 1) + " has weight " + std::to_string(w) +
                                  "; weights must be positive");
    for (double c : members[i].class_weights)
      if (!(c >= 0 && std::isfinite(c)))
        throw Error("ensemble", "member " + std::to_string(i + 1) + " has a class weight " + std::to_string(c) +
                                    "; class weights must be >= 0");
  }
  size_t n = 0;
  for (const Member& m : members) n = std::max(n, m.class_weights.size());
  for (size_t c = 0; c < n; ++c) {
    double sum = 0;
    for (const Member& m : members) {
      if (!m.class_weights.empty() && m.class_weights.size() != n)
        throw Error("ensemble", "members give class weights for different numbers of classes");
      sum += m.class_weights.empty() ? 1.0 : m.class_weights[c];
    }
    if (!(sum > 0)) throw Error("ensemble", "class " + std::to_string(c + 1) + " has weight 0 in every member");
  }
}

at::Tensor predict_batch(const at::Tensor& batch, const std::vector<Member>& members, const std::vector<Tta>& tta,
                         int out_stride, const std::function<void(int64_t)>& after_call) {
  double weight_sum = 0, offset_weight_sum = 0;
  size_t weighted_classes = 0;  // > 0 when some member weighs classes apart
  for (const Member& m : members) {
    weight_sum += m.weight, offset_weight_sum += m.offsets ? m.weight : 0;
    weighted_classes = std::max(weighted_classes, m.class_weights.size());
  }
  // Σ_m weight_m · class weight_m,c: what each class's maps are divided by.
  std::vector<double> class_sum(weighted_classes, 0.0);
  for (const Member& m : members)
    for (size_t k = 0; k < weighted_classes; ++k)
      class_sum[k] += m.weight * (m.class_weights.empty() ? 1.0 : m.class_weights.at(k));
  const double n = double(tta.size());
  at::Tensor total, offsets;
  int64_t classes = -1;
  for (size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    at::Tensor sum;
    for (Tta t : tta) {
      const at::Tensor x = apply(t, batch);
      at::Tensor y = invert(t, checked_output(m.predict(x), x, out_stride));
      if (m.offsets) {
        if (y.size(1) < 4)
          throw Error("predictor", "ensemble member " + std::to_string(i + 1) + " has offsets but only " +
                                       std::to_string(y.size(1)) + " channels");
        const int64_t c = y.size(1) - 3;
        y = at::cat({y.narrow(1, 0, c), invert_vectors(t, y.narrow(1, c, 3))}, 1);
      }
      sum = sum.defined() ? sum.add_(y) : y.clone();  // clone: never write into the predictor's tensor
      if (after_call) after_call(batch.size(0));
    }
    const int64_t c = sum.size(1) - (m.offsets ? 3 : 0);
    if (classes >= 0 && c != classes)
      throw Error("predictor", "ensemble member " + std::to_string(i + 1) + " gives " + std::to_string(c) +
                                   " classes, member 1 gives " + std::to_string(classes));
    if (weighted_classes > 0 && int64_t(weighted_classes) != c)
      throw Error("predictor", "ensemble members give class weights for " + std::to_string(weighted_classes) +
                                   " classes; member " + std::to_string(i + 1) + " predicts " + std::to_string(c));
    classes = c;
    at::Tensor cls = sum.narrow(1, 0, c);
    if (weighted_classes == 0) {
      const double scale = m.weight / (weight_sum * n);
      if (scale != 1.0) cls = cls.mul(scale);
    } else {
      std::vector<float> w(weighted_classes);
      for (size_t k = 0; k < weighted_classes; ++k)
        w[k] = float(m.weight * (m.class_weights.empty() ? 1.0 : m.class_weights[k]) / (class_sum[k] * n));
      cls = cls * at::tensor(w).view({1, c, 1, 1, 1});
    }
    total = total.defined() ? total.add_(cls) : cls.clone();
    if (m.offsets) {
      at::Tensor off = sum.narrow(1, c, 3).mul(m.weight / (offset_weight_sum * n));
      offsets = offsets.defined() ? offsets.add_(off) : off;
    }
  }
  if (offsets.defined()) total = at::cat({total, offsets}, 1);
  return total.contiguous();
}

}  // namespace tomopick::infer
