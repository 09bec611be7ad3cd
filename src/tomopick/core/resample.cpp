#include "tomopick/core/resample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tomopick/core/parallel.h"

namespace tomopick {

// Named, not anonymous: ResampleOps (declared in the header) holds these, and a type with linkage
// may not hold one without (GCC warns when unity builds include this file into another).
namespace resample_detail {

// One axis's linear operator: output j = Σ_k weights[offset[j] + k] * input[first[j] + k].
struct AxisOp {
  std::vector<int64_t> first, count, offset;
  std::vector<float> weights;
  bool identity = false;
};

}  // namespace resample_detail

using resample_detail::AxisOp;

namespace {

void check_spacing(const Vec3& s, const std::string& which) {
  for (double v : {s.z, s.y, s.x})
    if (!(v > 0) || !std::isfinite(v))
      throw Error("resample", which + " spacing must be positive, got " + std::to_string(v) + " Å");
}

int64_t resampled_length(int64_t n, double old_A, double new_A) {
  if (n <= 0) return 0;
  const double last = double(n - 1) * old_A / new_A;  // the input's last voxel in output voxels
  // The small slack keeps an exact ratio (183 * 10 / 20) from losing its last voxel to rounding.
  return int64_t(std::floor(last + 1e-9 * std::max(1.0, last))) + 1;
}

AxisOp axis_op(int64_t n, int64_t m, double old_A, double new_A) {
  AxisOp op;
  if (old_A == new_A) {
    op.identity = true;
    return op;
  }
  const double f = new_A / old_A;
  const double sigma = f > 1 ? 0.5 * std::sqrt(f * f - 1) : 0;
  const int64_t radius = sigma > 0 ? int64_t(std::ceil(4 * sigma)) : 0;
  std::vector<double> g(size_t(2 * radius + 1), 1.0);
  if (radius > 0) {
    double sum = 0;
    for (int64_t k = -radius; k <= radius; ++k) sum += g[size_t(k + radius)] = std::exp(-0.5 * k * k / (sigma * sigma));
    for (double& w : g) w /= sum;
  }
  std::vector<double> dense;
  for (int64_t j = 0; j < m; ++j) {
    const double p = std::clamp(double(j) * f, 0.0, double(n - 1));
    int64_t i0 = int64_t(std::floor(p));
    double t = p - double(i0);
    if (i0 >= n - 1) {
      i0 = n - 1;
      t = 0;
    }
    // Input voxels reached: [i0 - radius, i0 + 1 + radius], clamped (the border repeats).
    const int64_t lo = std::max<int64_t>(0, i0 - radius), hi = std::min<int64_t>(n - 1, i0 + 1 + radius);
    dense.assign(size_t(hi - lo + 1), 0.0);
    for (int64_t tap = 0; tap < 2; ++tap) {
      const double wt = tap == 0 ? 1 - t : t;
      if (wt == 0) continue;
      for (int64_t k = -radius; k <= radius; ++k) {
        const int64_t src = std::clamp<int64_t>(i0 + tap + k, 0, n - 1);
        dense[size_t(src - lo)] += wt * g[size_t(k + radius)];
      }
    }
    // Trim zero weights at both ends (exact identity taps, no prefilter).
    int64_t a = 0, b = int64_t(dense.size()) - 1;
    while (a < b && dense[size_t(a)] == 0) ++a;
    while (b > a && dense[size_t(b)] == 0) --b;
    op.first.push_back(lo + a);
    op.count.push_back(b - a + 1);
    op.offset.push_back(int64_t(op.weights.size()));
    for (int64_t k = a; k <= b; ++k) op.weights.push_back(float(dense[size_t(k)]));
  }
  return op;
}

// Applies `op` along the middle axis of a (outer, n, lanes) array into `out`, (outer, m, lanes). Every
// output element is written once, by the worker threads (so they also take the first-touch page
// faults of fresh, uninitialised memory, which on some machines cost more than the arithmetic).
void apply(const float* in, float* out, int64_t outer, int64_t n, int64_t lanes, const AxisOp& op) {
  const int64_t m = int64_t(op.first.size());
  auto one = [&](int64_t o, int64_t j) {
    const float* w = op.weights.data() + op.offset[size_t(j)];
    const int64_t first = op.first[size_t(j)], count = op.count[size_t(j)];
    float* dst = out + (o * m + j) * lanes;
    if (lanes == 1) {
      const float* src = in + o * n + first;
      float acc = 0;
      for (int64_t k = 0; k < count; ++k) acc += w[k] * src[k];
      *dst = acc;
      return;
    }
    const float* src0 = in + (o * n + first) * lanes;
    for (int64_t l = 0; l < lanes; ++l) dst[l] = w[0] * src0[l];
    for (int64_t k = 1; k < count; ++k) {
      const float* src = in + (o * n + first + k) * lanes;
      const float wk = w[k];
      for (int64_t l = 0; l < lanes; ++l) dst[l] += wk * src[l];
    }
  };
  // Tasks of whole output lines, a few hundred in all (parallel_for takes a lock per task).
  const int64_t lines = outer * m;
  const int64_t per_task = std::max<int64_t>(1, lines / 256);
  auto task = [&](int64_t t) {
    for (int64_t i = t * per_task; i < std::min(lines, (t + 1) * per_task); ++i) one(i / m, i % m);
  };
  const int64_t tasks = (lines + per_task - 1) / per_task;
  if (outer * m * lanes >= (int64_t(1) << 16)) {
    parallel_for(tasks, task);
  } else {  // small volumes: waking threads costs more than the work
    for (int64_t t = 0; t < tasks; ++t) task(t);
  }
}

}  // namespace

Shape3 resampled_shape(const Shape3& s, const Vec3& old_A, const Vec3& new_A) {
  check_spacing(old_A, "input");
  check_spacing(new_A, "output");
  return {resampled_length(s.z, old_A.z, new_A.z), resampled_length(s.y, old_A.y, new_A.y),
          resampled_length(s.x, old_A.x, new_A.x)};
}

namespace {

// `op` restricted to outputs [j0, j0 + m), reading an input that starts at input voxel `in0`.
AxisOp slice(const AxisOp& op, int64_t j0, int64_t m, int64_t in0) {
  if (op.identity) return op;
  AxisOp s;
  for (int64_t j = j0; j < j0 + m; ++j) {
    s.first.push_back(op.first[size_t(j)] - in0);
    s.count.push_back(op.count[size_t(j)]);
    s.offset.push_back(op.offset[size_t(j)]);
  }
  s.weights = op.weights;
  return s;
}

// The input voxels [lo, hi) that outputs [j0, j0 + m) of `op` read.
std::pair<int64_t, int64_t> input_range(const AxisOp& op, int64_t j0, int64_t m) {
  if (op.identity) return {j0, j0 + m};
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = 0;
  for (int64_t j = j0; j < j0 + m; ++j) {
    lo = std::min(lo, op.first[size_t(j)]);
    hi = std::max(hi, op.first[size_t(j)] + op.count[size_t(j)]);
  }
  return {lo, hi};
}

// Runs the z, y, x passes over `in` (shape `in_shape`) into `result` (already shaped). Shared by the
// whole-volume and the boxed resample, so both compute every value with the same operations.
void run_passes(const float* in, const Shape3& in_shape, const AxisOp& oz, const AxisOp& oy, const AxisOp& ox,
                Volume<float>& result) {
  const Shape3 out = result.shape();
  // Passes z, y, x: the first two run over whole rows (vectorised) and, when downsampling, leave
  // the strided x pass the least data. The first reads the input in place, the last writes the
  // result; buffers in between are left uninitialised (apply writes every element).
  const int passes = int(!oz.identity) + int(!oy.identity) + int(!ox.identity);
  std::shared_ptr<void> buf;  // on allocate_voxels' memory: a fresh pass buffer faults in huge pages
  const float* cur = in;
  int done = 0;
  auto pass = [&](int64_t outer, int64_t n, int64_t lanes, const AxisOp& op) {
    const int64_t m = int64_t(op.first.size());
    if (++done == passes) {
      apply(cur, result.data(), outer, n, lanes, op);
      return;
    }
    auto dst = allocate_voxels(size_t(outer * m * lanes) * sizeof(float));
    apply(cur, static_cast<float*>(dst.get()), outer, n, lanes, op);
    buf = std::move(dst);
    cur = static_cast<const float*>(buf.get());
  };
  // (z, y, x) extents as the passes change them: z first, then y, then x.
  if (!oz.identity) pass(1, in_shape.z, in_shape.y * in_shape.x, oz);
  if (!oy.identity) pass(out.z, in_shape.y, in_shape.x, oy);
  if (!ox.identity) pass(out.z * out.y, in_shape.x, 1, ox);
  if (passes == 0) std::copy(in, in + out.count(), result.data());
}

}  // namespace

struct ResampleOps {
  AxisOp z, y, x;
};

namespace {

ResampleOps make_ops(const Shape3& in, const Shape3& out, const Vec3& old_A, const Vec3& new_A) {
  return {axis_op(in.z, out.z, old_A.z, new_A.z), axis_op(in.y, out.y, old_A.y, new_A.y),
          axis_op(in.x, out.x, old_A.x, new_A.x)};
}

}  // namespace

Volume<float> resample(const Volume<float>& v, const Vec3& new_A) {
  if (v.empty()) throw Error("resample", "the volume is empty (shape " + v.shape().str() + ")");
  const Vec3 old_A = v.spacing();
  const Shape3 in = v.shape();
  const Shape3 out = resampled_shape(in, old_A, new_A);
  if (old_A == new_A) return v;
  const ResampleOps ops = make_ops(in, out, old_A, new_A);
  Volume<float> result(out, Volume<float>::Uninitialized{}, new_A, v.origin());
  run_passes(v.data(), in, ops.z, ops.y, ops.x, result);
  return result;
}

BoxResampler::BoxResampler(const Shape3& in_shape, const Vec3& old_A, const Vec3& new_A)
    : in_(in_shape), old_(old_A), new_(new_A), out_(resampled_shape(in_shape, old_A, new_A)) {
  if (in_shape.empty()) throw Error("resample", "the volume is empty (shape " + in_shape.str() + ")");
  ops_ = std::make_shared<const ResampleOps>(make_ops(in_shape, out_, old_A, new_A));
}

Box BoxResampler::source_box(const Box& out_box) const {
  if (!out_box.inside(out_) || out_box.shape.empty())
    throw Error("resample", "box at " + out_box.begin.str() + " of " + out_box.shape.str() +
                                " is not inside the resampled volume " + out_.str());
  const ResampleOps& o = *ops_;
  const auto [z0, z1] = input_range(o.z, out_box.begin.z, out_box.shape.z);
  const auto [y0, y1] = input_range(o.y, out_box.begin.y, out_box.shape.y);
  const auto [x0, x1] = input_range(o.x, out_box.begin.x, out_box.shape.x);
  return {{z0, y0, x0}, {z1 - z0, y1 - y0, x1 - x0}};
}

Volume<float> BoxResampler::resample(const Volume<float>& source, const Box& out_box) const {
  const Box src = source_box(out_box);
  if (source.shape() != src.shape)
    throw Error("resample", "the source box is " + source.shape().str() + " voxels, expected " + src.shape.str());
  const ResampleOps& o = *ops_;
  const AxisOp z = slice(o.z, out_box.begin.z, out_box.shape.z, src.begin.z);
  const AxisOp y = slice(o.y, out_box.begin.y, out_box.shape.y, src.begin.y);
  const AxisOp x = slice(o.x, out_box.begin.x, out_box.shape.x, src.begin.x);
  const Vec3 origin{source.origin().z + double(out_box.begin.z) * new_.z - double(src.begin.z) * old_.z,
                    source.origin().y + double(out_box.begin.y) * new_.y - double(src.begin.y) * old_.y,
                    source.origin().x + double(out_box.begin.x) * new_.x - double(src.begin.x) * old_.x};
  Volume<float> result(out_box.shape, Volume<float>::Uninitialized{}, new_, origin);
  run_passes(source.data(), source.shape(), z, y, x, result);
  return result;
}

}  // namespace tomopick
