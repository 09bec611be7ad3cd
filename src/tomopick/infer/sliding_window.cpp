#include "tomopick/infer/sliding_window.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>

#include "tomopick/core/parallel.h"
#include "tomopick/core/torch_bridge.h"

namespace tomopick::infer {

namespace {

// Returns input rows: a [box.z, box.y, box.x] float32 tensor of exactly `box` (inside the volume).
using StripReader = std::function<at::Tensor(const Box& box)>;
// Takes a finished slab: one volume per class over planes [slab.e0, slab.e1).
using SlabEmitter = std::function<void(std::vector<Volume<float>>&& slab, const Slab& s)>;

// Weighted sums of predictions for output planes [base, base + depth), per class, layout
// [class][plane][y][x] so each class's planes are contiguous (cheap to slide, and for a whole
// volume the buffer becomes the output in place).
class Accumulator {
public:
  Accumulator(int64_t classes, int64_t depth, const Shape3& out)
      : classes_(classes), depth_(depth), plane_(out.y * out.x) {
    // Anonymous pages arrive zeroed and only when first touched, so a large buffer costs no pass
    // over memory up front (calloc under tcmalloc would memset it).
    const size_t bytes = std::max<size_t>(1, size_t(classes * depth * plane_) * sizeof(float));
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // Huge pages where the system allows them: 512 times fewer page faults on gigabyte buffers.
    madvise(p, bytes, MADV_HUGEPAGE);
    data_ = std::shared_ptr<float>(static_cast<float*>(p), [bytes](float* q) { munmap(q, bytes); });
  }
  int64_t base() const { return base_; }
  int64_t depth() const { return depth_; }
  float* plane(int64_t c, int64_t z) {
    if (z < base_ || z >= base_ + depth_) throw std::logic_error("sliding window: plane outside the buffer");
    return data_.get() + (c * depth_ + (z - base_)) * plane_;
  }
  const std::shared_ptr<float>& storage() const { return data_; }

  // Drops planes below new_base; planes up to `filled_end` keep their sums, the rest become zero.
  void slide(int64_t new_base, int64_t filled_end) {
    if (new_base <= base_) return;
    const int64_t keep = std::max<int64_t>(0, filled_end - new_base);
    for (int64_t c = 0; c < classes_; ++c) {
      float* front = data_.get() + c * depth_ * plane_;
      if (keep > 0) std::memmove(front, front + (new_base - base_) * plane_, size_t(keep * plane_) * sizeof(float));
      std::memset(front + keep * plane_, 0, size_t((depth_ - keep) * plane_) * sizeof(float));
    }
    base_ = new_base;
  }

private:
  int64_t classes_, depth_, plane_;
  int64_t base_ = 0;
  std::shared_ptr<float> data_;
};

// The window's input with edges replicated where it overhangs the volume: dimension `dim` of t
// from `start`, `len` long, of which the first `size - start` exist.
at::Tensor take(const at::Tensor& t, int64_t dim, int64_t start, int64_t len, int64_t size) {
  if (start + len <= size) return t.narrow(dim, start, len);
  const at::Tensor idx = at::arange(start, start + len, at::kLong).clamp_max(size - 1);
  return t.index_select(dim, idx);
}

class Engine {
public:
  Engine(const WindowGrid& g, const std::vector<Member>& members, const WindowOptions& o, const StreamOptions& so,
         const ProgressFn& progress, Vec3 spacing_in, Vec3 origin_in)
      : g_(g), members_(members), o_(o), so_(so), progress_(progress), spacing_in_(spacing_in), origin_in_(origin_in) {
    for (int64_t y = 0; y < g.output_shape.y; ++y)
      for (int64_t x = 0; x < g.output_shape.x; ++x) total_yx_.push_back(g.y.total[size_t(y)] * g.x.total[size_t(x)]);
    total_ = g.count() * int64_t(members.size()) * int64_t(o.tta.size());
  }

  void run(const StripReader& read, const SlabEmitter& emit) {
    const auto& rows = g_.z.starts_vox;
    run_row(read, 0);  // learns the class count, which sizes the slabs
    size_t next_row = 1;
    for (size_t i = 0; i < slabs_.size(); ++i) {
      const Slab& s = slabs_[i];
      acc_->slide(s.e0, filled_end_);
      // Planes below the next row's start receive no more windows: run rows until [e0, e1) is final.
      while (next_row < rows.size() && rows[next_row] / g_.stride < s.e1) run_row(read, next_row++);
      emit(finish(s), s);
    }
  }

private:
  void run_row(const StripReader& read, size_t k) {
    const Shape3& in = g_.input_shape;
    const Shape3& w = g_.window;
    const int s = g_.stride;
    const int64_t z0 = g_.z.starts_vox[k];
    // The row is read one band (the windows' z and y range, every x) at a time, so memory follows
    // the window, not the tomogram's plane. Windows run y-major, so each band is read once.
    int64_t band_y0 = -1;
    at::Tensor band;
    auto window_input = [&](int64_t y0, int64_t x0) {
      if (y0 != band_y0) {
        band = at::Tensor();  // frees the last band before reading the next
        const Box box{{z0, y0, 0}, {std::min(w.z, in.z - z0), std::min(w.y, in.y - y0), in.x}};
        band = take(take(read(box), 0, 0, w.z, box.shape.z), 1, 0, w.y, box.shape.y);
        band_y0 = y0;
      }
      return take(band, 2, x0, w.x, in.x);
    };

    const auto& ys = g_.y.starts_vox;
    const auto& xs = g_.x.starts_vox;
    const int64_t n = int64_t(ys.size() * xs.size());
    for (int64_t first = 0; first < n; first += o_.batch) {
      const int64_t nb = std::min<int64_t>(o_.batch, n - first);
      at::Tensor batch = at::empty({nb, 1, w.z, w.y, w.x}, at::kFloat);
      for (int64_t b = 0; b < nb; ++b) {
        const int64_t y0 = ys[size_t((first + b) / int64_t(xs.size()))];
        const int64_t x0 = xs[size_t((first + b) % int64_t(xs.size()))];
        batch[b][0].copy_(window_input(y0, x0));
      }
      const at::Tensor pred = predict_batch(batch, members_, o_.tta, s, [&](int64_t windows) {
        done_ += windows;
        if (progress_) progress_(done_, total_);
      });
      if (!acc_) start(pred.size(1));
      if (pred.size(1) != classes_)
        throw Error("predictor", "gave " + std::to_string(pred.size(1)) + " classes after " +
                                     std::to_string(classes_) + " for earlier windows");
      const float* p = pred.data_ptr<float>();
      const int64_t per_window = classes_ * g_.z.window_out * g_.y.window_out * g_.x.window_out;
      // In window order, so every voxel sums its windows in the same order however the output is
      // cut into slabs.
      for (int64_t b = 0; b < nb; ++b) {
        const int64_t y0 = ys[size_t((first + b) / int64_t(xs.size()))];
        const int64_t x0 = xs[size_t((first + b) % int64_t(xs.size()))];
        accumulate(p + b * per_window, {z0 / s, y0 / s, x0 / s});
      }
    }
    filled_end_ = std::max(filled_end_, std::min(g_.output_shape.z, z0 / s + g_.z.window_out));
  }

  void start(int64_t classes) {
    classes_ = classes;
    const int64_t depth = choose_slab_depth(g_, o_, so_, classes);
    slabs_ = make_slabs(g_.output_shape.z, depth, so_.halo_vox);
    acc_.emplace(classes, buffer_depth(g_, depth, so_.halo_vox), g_.output_shape);
  }

  // Adds one window's prediction [C, wz, wy, wx] × its blend weights at output voxel `to`.
  void accumulate(const float* pred, const Index3& to) {
    const Shape3& out = g_.output_shape;
    const int64_t wz = g_.z.window_out, wy = g_.y.window_out, wx = g_.x.window_out;
    const int64_t dz = std::min(wz, out.z - to.z), dy = std::min(wy, out.y - to.y), dx = std::min(wx, out.x - to.x);
    const float* pz = g_.z.profile.data();
    const float* py = g_.y.profile.data();
    const float* px = g_.x.profile.data();
    parallel_for(dz, [&](int64_t z) {
      std::vector<float> w(static_cast<size_t>(dx));
      for (int64_t y = 0; y < dy; ++y) {
        // one row of weights, reused by every class while it sits in L1
        const float wzy = pz[z] * py[y];
        for (int64_t x = 0; x < dx; ++x) w[size_t(x)] = wzy * px[x];
        for (int64_t c = 0; c < classes_; ++c) {
          const float* p = pred + ((c * wz + z) * wy + y) * wx;
          float* a = acc_->plane(c, to.z + z) + (to.y + y) * out.x + to.x;
          for (int64_t x = 0; x < dx; ++x) a[x] += p[x] * w[size_t(x)];
        }
      }
    });
  }

  // The slab's heatmaps: sums divided by the total weight over each voxel (the same float
  // operations whatever the slab, so slabs agree bit for bit with a whole-volume run).
  std::vector<Volume<float>> finish(const Slab& s) {
    const Shape3& out = g_.output_shape;
    const int64_t plane = out.y * out.x, depth = s.e1 - s.e0;
    const int st = g_.stride;
    const Vec3 spacing{spacing_in_.z * st, spacing_in_.y * st, spacing_in_.x * st};
    const double half = 0.5 * (st - 1);  // output voxel 0's centre, in input voxels
    const Vec3 origin{origin_in_.z + (double(s.e0 * st) + half) * spacing_in_.z, origin_in_.y + half * spacing_in_.y,
                      origin_in_.x + half * spacing_in_.x};
    // The last slab covering the whole volume (no later slab reads the buffer): divide in place
    // and hand the buffer over as the output.
    const bool in_place =
        s.z1 == out.z && s.e0 == 0 && s.e1 == out.z && acc_->base() == 0 && acc_->depth() == out.z;
    std::vector<Volume<float>> vols;
    std::vector<float*> dst;
    for (int64_t c = 0; c < classes_; ++c) {
      if (in_place) {
        vols.push_back(Volume<float>::wrap({depth, out.y, out.x}, acc_->plane(c, 0), acc_->storage(), spacing, origin));
      } else {
        vols.emplace_back(Shape3{depth, out.y, out.x}, Volume<float>::Uninitialized{}, spacing, origin);
      }
      dst.push_back(vols.back().data());
    }
    parallel_for(depth, [&](int64_t z) {
      const float tz = g_.z.total[size_t(s.e0 + z)];
      for (int64_t c = 0; c < classes_; ++c) {
        const float* a = acc_->plane(c, s.e0 + z);
        float* d = dst[size_t(c)] + z * plane;
        for (int64_t i = 0; i < plane; ++i) d[i] = a[i] / (tz * total_yx_[size_t(i)]);
      }
    });
    return vols;
  }

  const WindowGrid& g_;
  const std::vector<Member>& members_;
  const WindowOptions& o_;
  const StreamOptions& so_;
  const ProgressFn& progress_;
  Vec3 spacing_in_, origin_in_;
  std::vector<float> total_yx_;  // Σ of y weights × Σ of x weights per output (y, x)
  int64_t total_ = 0, done_ = 0;
  int64_t classes_ = 0;
  std::vector<Slab> slabs_;
  std::optional<Accumulator> acc_;
  int64_t filled_end_ = 0;  // planes below this have received windows
};

void run_windows(const WindowGrid& g, const std::vector<Member>& members, const WindowOptions& o,
                 const StreamOptions& so, const ProgressFn& progress, Vec3 spacing_in, Vec3 origin_in,
                 const StripReader& read, const SlabEmitter& emit) {
  validate(members);
  validate(so);
  // Fail before reading anything when even one class cannot fit; the real class count is known
  // after the first batch.
  if (so.max_memory_bytes > 0) choose_slab_depth(g, o, so, 1);
  at::NoGradGuard no_grad;
  Engine(g, members, o, so, progress, spacing_in, origin_in).run(read, emit);
}

}  // namespace

std::vector<Volume<float>> predict_volume(const Volume<float>& input, const std::vector<Member>& members,
                                          const WindowOptions& o, ProgressFn progress) {
  const WindowGrid g = make_window_grid(input.shape(), o);
  const at::Tensor whole = to_tensor(input);
  std::vector<Volume<float>> result;
  run_windows(
      g, members, o, StreamOptions{}, progress, input.spacing(), input.origin(),
      [&](const Box& b) { return whole.narrow(0, b.begin.z, b.shape.z).narrow(1, b.begin.y, b.shape.y); },
      [&](std::vector<Volume<float>>&& slab, const Slab&) { result = std::move(slab); });
  return result;
}

void predict_streaming(const Shape3& shape, const Vec3& spacing_A, const ReadBox& read_box,
                       const std::vector<Member>& members, const WindowOptions& o, const StreamOptions& so,
                       const SlabConsumer& consume, ProgressFn progress) {
  validate(so);
  const WindowGrid g = make_window_grid(shape, o);
  const Shape3& out = g.output_shape;
  run_windows(
      g, members, o, so, progress, spacing_A, Vec3{},
      [&](const Box& b) {
        const Volume<float> v = read_box(b);
        if (v.shape() != b.shape)
          throw Error("read_box", "returned " + v.shape().str() + " voxels for the box at " + b.begin.str() +
                                      " of " + b.shape.str());
        return to_tensor(v);
      },
      [&](std::vector<Volume<float>>&& slab, const Slab& s) {
        consume(slab, Index3{s.e0, 0, 0}, Box{{s.z0 - s.e0, 0, 0}, {s.z1 - s.z0, out.y, out.x}});
      });
}

}  // namespace tomopick::infer
