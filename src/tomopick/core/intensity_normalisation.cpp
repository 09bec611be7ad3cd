#include "tomopick/core/intensity_normalisation.h"

#include <algorithm>
#include <cmath>

#include "tomopick/core/error.h"

namespace tomopick {

void check_normalisation_method(const std::string& method, const std::string& where) {
  if (method != "zscore" && method != "robust" && method != "fixed")
    throw Error(where, "normalize must be zscore, robust or fixed (got '" + method + "')");
}

NormalisationStats::NormalisationStats(std::string method, int64_t total_voxels, double fixed_mean, double fixed_std)
    : method_(std::move(method)), fixed_mean_(fixed_mean), fixed_std_(fixed_std) {
  check_normalisation_method(method_, "normalisation");
  if (method_ == "robust") {
    stride_ = std::max<int64_t>(1, (std::max<int64_t>(total_voxels, 0) + kRobustSamples - 1) / kRobustSamples);
    samples_.reserve(size_t(std::min(std::max<int64_t>(total_voxels, 0), kRobustSamples)) + 1);
  }
}

void NormalisationStats::add(const float* values, int64_t n) {
  if (method_ == "fixed") return;
  for (int64_t i = 0; i < n; ++i) {
    const double v = values[i];
    sum_ += v, sum2_ += v * v;
    if (method_ == "robust" && (count_ + i) % stride_ == 0) samples_.push_back(values[i]);
  }
  count_ += n;
}

namespace {

// The k-th smallest (nearest rank, lower median for even counts) of v, which it reorders.
float kth(std::vector<float>& v, size_t k) {
  std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
  return v[k];
}

}  // namespace

Normalisation NormalisationStats::result() const {
  if (method_ == "fixed") {
    const double sd = fixed_std_ > 0 && std::isfinite(fixed_std_) ? fixed_std_ : 1;
    return {float(fixed_mean_), float(1 / sd)};
  }
  const double n = double(count_);
  const double mean = count_ ? sum_ / n : 0;
  double sd = count_ ? std::sqrt(std::max(0.0, sum2_ / n - mean * mean)) : 0;
  if (!(sd > 0)) sd = 1;  // a constant volume stays finite
  if (method_ == "zscore" || samples_.empty()) return {float(mean), float(1 / sd)};
  std::vector<float> s = samples_;
  const size_t mid = (s.size() - 1) / 2;
  const float median = kth(s, mid);
  for (auto& v : s) v = std::abs(v - median);
  const double mad = 1.4826 * double(kth(s, mid));
  return {median, float(1 / (mad > 0 ? mad : sd))};
}

}  // namespace tomopick
