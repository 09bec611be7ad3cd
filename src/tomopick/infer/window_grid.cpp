#include "tomopick/infer/window_grid.h"

#include <cmath>

#include "tomopick/core/error.h"

namespace tomopick::infer {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

AxisGrid make_axis(int64_t size_vox, int64_t window_vox, const WindowOptions& o) {
  AxisGrid a;
  const int s = o.out_stride;
  a.size_vox = size_vox;
  a.out_size = ceil_div(size_vox, s);
  a.window_out = window_vox / s;
  a.starts_vox = window_starts(size_vox, window_vox, o.overlap, s);
  a.profile = blend_profile(o.blend, a.window_out, o.sigma_fraction);
  // Summed in double and in window order, then rounded once: the denominators do not depend on
  // how the volume is later cut into slabs.
  std::vector<double> total(size_t(a.out_size), 0.0);
  for (int64_t start : a.starts_vox) {
    const int64_t o0 = start / s;
    for (int64_t j = 0; j < a.window_out && o0 + j < a.out_size; ++j) total[size_t(o0 + j)] += a.profile[size_t(j)];
  }
  a.total.assign(total.begin(), total.end());
  return a;
}

std::string shape_str(const Shape3& s) {
  return std::to_string(s.z) + " x " + std::to_string(s.y) + " x " + std::to_string(s.x) + " (z, y, x)";
}

}  // namespace

void validate(const WindowOptions& o) {
  if (o.out_stride < 1) throw Error("--out-stride", "must be at least 1, got " + std::to_string(o.out_stride));
  if (o.window.z < 1 || o.window.y < 1 || o.window.x < 1)
    throw Error("--window", "every size must be positive, got " + shape_str(o.window));
  if (o.window.z % o.out_stride || o.window.y % o.out_stride || o.window.x % o.out_stride)
    throw Error("--window", shape_str(o.window) + " is not a multiple of the output stride " +
                                std::to_string(o.out_stride) + " in every axis");
  if (!(o.overlap >= 0 && o.overlap < 1))
    throw Error("--overlap", "must be in [0, 1) (a fraction of the window), got " + std::to_string(o.overlap));
  if (o.blend != "gaussian" && o.blend != "pyramid" && o.blend != "constant")
    throw Error("--blend", "unknown blend '" + o.blend + "' (use gaussian, pyramid or constant)");
  if (o.blend == "gaussian" && !(o.sigma_fraction > 0 && std::isfinite(o.sigma_fraction)))
    throw Error("--sigma-fraction", "must be positive, got " + std::to_string(o.sigma_fraction));
  if (o.batch < 1) throw Error("--batch", "must be at least 1, got " + std::to_string(o.batch));
  if (o.tta.empty()) throw Error("--tta", "no transforms given (use 'none' for the plain prediction)");
  for (size_t i = 0; i < o.tta.size(); ++i) {
    for (size_t j = 0; j < i; ++j)
      if (o.tta[i] == o.tta[j]) throw Error("--tta", tta_name(o.tta[i]) + " is listed twice");
    if (swaps_yx(o.tta[i]) && o.window.y != o.window.x)
      throw Error("--tta", tta_name(o.tta[i]) + " exchanges y and x, so it needs a window with equal y and x sizes; "
                           "the window is " + shape_str(o.window));
  }
}

std::vector<int64_t> window_starts(int64_t size_vox, int64_t window_vox, double overlap, int stride) {
  // The border the windows must reach: the output grid's extent in input voxels.
  const int64_t border = ceil_div(size_vox, stride) * stride;
  if (border <= window_vox) return {0};
  // (+1e-9: 10 × (1 − 0.3) must give 7, not 6.999…)
  const int64_t raw_step = int64_t(std::floor(double(window_vox) * (1.0 - overlap) + 1e-9));
  const int64_t step = std::max<int64_t>(stride, raw_step / stride * stride);
  std::vector<int64_t> starts;
  for (int64_t p = 0; p + window_vox < border; p += step) starts.push_back(p);
  starts.push_back(border - window_vox);  // a multiple of the stride: border and window are
  return starts;
}

std::vector<float> blend_profile(const std::string& blend, int64_t n, double sigma_fraction) {
  std::vector<float> p(size_t(n), 1.0f);
  if (blend == "constant") return p;
  const double centre = 0.5 * double(n - 1);
  std::vector<double> v(static_cast<size_t>(n));
  if (blend == "gaussian") {
    const double sigma = sigma_fraction * double(n);
    for (int64_t j = 0; j < n; ++j) {
      const double d = (double(j) - centre) / sigma;
      v[size_t(j)] = std::exp(-0.5 * d * d);
    }
  } else if (blend == "pyramid") {
    for (int64_t j = 0; j < n; ++j) v[size_t(j)] = double(std::min(j + 1, n - j));
  } else {
    throw Error("--blend", "unknown blend '" + blend + "' (use gaussian, pyramid or constant)");
  }
  double top = 0;
  for (double x : v) top = std::max(top, x);
  for (int64_t j = 0; j < n; ++j) p[size_t(j)] = std::max(kBlendFloor, float(v[size_t(j)] / top));
  return p;
}

Shape3 fitted_window(const Shape3& input_shape, const WindowOptions& o) {
  const int64_t s = o.out_stride;
  const auto fit = [s](int64_t n, int64_t w) { return std::min(w, ceil_div(n, s) * s); };
  Shape3 w{fit(input_shape.z, o.window.z), fit(input_shape.y, o.window.y), fit(input_shape.x, o.window.x)};
  // A transform that exchanges y and x needs a square window; the larger side still fits the volume
  // along the axis it came from and is padded along the other, as before.
  for (Tta t : o.tta)
    if (swaps_yx(t)) w.y = w.x = std::max(w.y, w.x);
  return w;
}

Shape3 output_shape(const Shape3& in, int s) { return {ceil_div(in.z, s), ceil_div(in.y, s), ceil_div(in.x, s)}; }

WindowGrid make_window_grid(const Shape3& input_shape, const WindowOptions& o) {
  validate(o);
  if (input_shape.empty()) throw Error("input", "the volume is empty: " + shape_str(input_shape));
  WindowGrid g;
  g.input_shape = input_shape;
  g.output_shape = output_shape(input_shape, o.out_stride);
  g.window = fitted_window(input_shape, o);
  g.stride = o.out_stride;
  g.z = make_axis(input_shape.z, g.window.z, o);
  g.y = make_axis(input_shape.y, g.window.y, o);
  g.x = make_axis(input_shape.x, g.window.x, o);
  return g;
}

}  // namespace tomopick::infer
