#include "tomopick/report/slice_image.h"

#include <algorithm>
#include <cmath>

namespace tomopick {

SliceAxis parse_slice_axis(const std::string& s, const std::string& option) {
  if (s == "z") return SliceAxis::z;
  if (s == "y") return SliceAxis::y;
  if (s == "x") return SliceAxis::x;
  throw Error(option + ": '" + s + "' is not an axis (z, y or x)");
}

const char* axis_name(SliceAxis a) { return a == SliceAxis::z ? "z" : a == SliceAxis::y ? "y" : "x"; }

int64_t extent(const Shape3& s, SliceAxis a) { return a == SliceAxis::z ? s.z : a == SliceAxis::y ? s.y : s.x; }

namespace {

int64_t& along(Index3& i, SliceAxis a) { return a == SliceAxis::z ? i.z : a == SliceAxis::y ? i.y : i.x; }
double along(const Vec3& v, SliceAxis a) { return a == SliceAxis::z ? v.z : a == SliceAxis::y ? v.y : v.x; }

// For each output index along one image axis: (source index, weight) pairs summing to 1.
std::vector<std::vector<std::pair<int64_t, double>>> resample_weights(int64_t n_in, int64_t n_out) {
  std::vector<std::vector<std::pair<int64_t, double>>> w(static_cast<size_t>(n_out));
  const double scale = double(n_out) / double(n_in);
  for (int64_t u = 0; u < n_out; ++u) {
    auto& wu = w[size_t(u)];
    if (scale >= 1) {  // bilinear between the two nearest source pixel centres
      const double s = std::clamp((u + 0.5) / scale - 0.5, 0.0, double(n_in - 1));
      const int64_t i0 = int64_t(std::floor(s));
      const double f = s - double(i0);
      wu.emplace_back(i0, 1 - f);
      if (f > 0 && i0 + 1 < n_in) wu.emplace_back(i0 + 1, f);
    } else {  // the mean over the output pixel's footprint [a, b) in source pixels
      const double a = u / scale, b = (u + 1) / scale;
      for (int64_t i = int64_t(std::floor(a)); i < std::min<int64_t>(n_in, int64_t(std::ceil(b))); ++i) {
        const double overlap = std::min(b, double(i + 1)) - std::max(a, double(i));
        if (overlap > 0) wu.emplace_back(i, overlap / (b - a));
      }
    }
  }
  return w;
}

}  // namespace

SliceFrame::Point SliceFrame::project(double x_A, double y_A, double z_A) const {
  double row_A = y_A, col_A = x_A, off_A = z_A;
  if (axis == SliceAxis::y) row_A = z_A, col_A = x_A, off_A = y_A;
  if (axis == SliceAxis::x) row_A = z_A, col_A = y_A, off_A = x_A;
  return {(col_A / col_spacing_A + 0.5) * col_scale - 0.5, (row_A / row_spacing_A + 0.5) * row_scale - 0.5,
          off_A - plane_A};
}

Box slab_box(const Shape3& shape, SliceAxis axis, int64_t index, int64_t slab, const std::string& what) {
  const int64_t n = extent(shape, axis);
  if (index < 0 || index >= n)
    throw Error(what + ": slice " + std::to_string(index) + " is outside the volume (" + axis_name(axis) + " has slices 0.." +
                std::to_string(n - 1) + ")");
  if (slab < 1) throw Error(what + ": the slab must hold at least one slice, not " + std::to_string(slab));
  Box b{{0, 0, 0}, shape};
  const int64_t first = std::max<int64_t>(0, index - (slab - 1) / 2);
  const int64_t last = std::min<int64_t>(n, index - (slab - 1) / 2 + slab);  // exclusive
  along(b.begin, axis) = first;
  along(b.shape, axis) = last - first;
  return b;
}

GreySlice average_slab(const AnyVolume& v, SliceAxis axis, const Box& box, int64_t first_index) {
  if (!box.inside(v.shape())) throw Error("slab " + box.begin.str() + "+" + box.shape.str() + " lies outside " + v.shape().str());
  GreySlice g;
  const Vec3 sp = v.spacing();
  g.rows = axis == SliceAxis::z ? box.shape.y : box.shape.z;
  g.cols = axis == SliceAxis::x ? box.shape.y : box.shape.x;
  g.frame.axis = axis;
  g.frame.row_spacing_A = axis == SliceAxis::z ? sp.y : sp.z;
  g.frame.col_spacing_A = axis == SliceAxis::x ? sp.y : sp.x;
  Index3 begin = box.begin;
  Shape3 shape = box.shape;
  g.frame.plane_A = (double(first_index + along(begin, axis)) + double(along(shape, axis) - 1) / 2) * along(sp, axis);

  std::vector<double> sum(size_t(g.rows * g.cols), 0.0);
  std::vector<int32_t> count(sum.size(), 0);
  v.visit([&](const auto& vol) {
    for (int64_t z = 0; z < box.shape.z; ++z)
      for (int64_t y = 0; y < box.shape.y; ++y) {
        const auto* row = &vol(box.begin.z + z, box.begin.y + y, box.begin.x);
        for (int64_t x = 0; x < box.shape.x; ++x) {
          const double val = to_float(row[x]);
          if (!std::isfinite(val)) continue;
          const int64_t r = axis == SliceAxis::z ? y : z;
          const int64_t c = axis == SliceAxis::x ? y : x;
          sum[size_t(r * g.cols + c)] += val;
          ++count[size_t(r * g.cols + c)];
        }
      }
  });
  g.values.resize(sum.size());
  for (size_t i = 0; i < sum.size(); ++i) g.values[i] = count[i] ? float(sum[i] / count[i]) : NAN;
  return g;
}

std::pair<double, double> percentile_range(const std::vector<float>& values, double low, double high) {
  std::vector<float> v;
  v.reserve(values.size());
  for (float x : values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return {0, 0};
  auto at = [&](double pct) {
    const auto k = size_t(std::llround(std::clamp(pct, 0.0, 100.0) / 100.0 * double(v.size() - 1)));
    std::nth_element(v.begin(), v.begin() + int64_t(k), v.end());
    return double(v[k]);
  };
  const double lo = at(low);
  return {lo, at(high)};
}

RgbImage grey_image(const GreySlice& slice, double low_pct, double high_pct, int64_t size_px, SliceFrame& frame) {
  frame = slice.frame;
  if (slice.rows <= 0 || slice.cols <= 0) return {};
  int64_t out_w = slice.cols, out_h = slice.rows;
  if (size_px > 0) {
    const double s = double(size_px) / double(std::max(slice.rows, slice.cols));
    out_w = std::max<int64_t>(1, std::llround(slice.cols * s));
    out_h = std::max<int64_t>(1, std::llround(slice.rows * s));
  }
  frame.col_scale = double(out_w) / double(slice.cols);
  frame.row_scale = double(out_h) / double(slice.rows);

  const auto range = percentile_range(slice.values, low_pct, high_pct);
  const double lo = range.first, hi = range.second;  // not a structured binding: lambdas capture it (clang 14)
  const double gain = hi > lo ? 255.0 / (hi - lo) : 0.0;
  auto grey = [&](double v) -> uint8_t {
    if (!std::isfinite(v)) return 0;
    if (gain == 0) return 128;
    return uint8_t(std::lround(std::clamp((v - lo) * gain, 0.0, 255.0)));
  };

  RgbImage img(out_w, out_h);
  if (out_w == slice.cols && out_h == slice.rows) {
    for (int64_t r = 0; r < out_h; ++r)
      for (int64_t c = 0; c < out_w; ++c) {
        const uint8_t g = grey(slice.values[size_t(r * slice.cols + c)]);
        img.set(c, r, {g, g, g});
      }
    return img;
  }
  // Separable: columns first into a temporary of out_w x rows, then rows. NaN pixels stay NaN.
  const auto wc = resample_weights(slice.cols, out_w), wr = resample_weights(slice.rows, out_h);
  std::vector<double> tmp(size_t(out_w * slice.rows));
  for (int64_t r = 0; r < slice.rows; ++r)
    for (int64_t u = 0; u < out_w; ++u) {
      double s = 0;
      for (const auto& [i, w] : wc[size_t(u)]) s += w * slice.values[size_t(r * slice.cols + i)];
      tmp[size_t(r * out_w + u)] = s;
    }
  for (int64_t v = 0; v < out_h; ++v)
    for (int64_t u = 0; u < out_w; ++u) {
      double s = 0;
      for (const auto& [i, w] : wr[size_t(v)]) s += w * tmp[size_t(i * out_w + u)];
      const uint8_t g = grey(s);
      img.set(u, v, {g, g, g});
    }
  return img;
}

}  // namespace tomopick
