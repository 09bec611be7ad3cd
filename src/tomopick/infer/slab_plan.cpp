#include "tomopick/infer/slab_plan.h"

#include <algorithm>
#include <cstdio>

#include "tomopick/core/error.h"

namespace tomopick::infer {

namespace {

std::string mib(int64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

void validate(const StreamOptions& so) {
  if (so.slab_depth_vox < 0)
    throw Error("--slab-depth", "must be positive (output voxels), got " + std::to_string(so.slab_depth_vox));
  if (so.max_memory_bytes < 0)
    throw Error("--max-memory", "must be positive, got " + std::to_string(so.max_memory_bytes) + " bytes");
  if (so.slab_depth_vox > 0 && so.max_memory_bytes > 0)
    throw Error("--slab-depth", "give either --slab-depth or --max-memory, not both");
  if (so.halo_vox < 0) throw Error("--halo", "must be 0 or more (output voxels), got " + std::to_string(so.halo_vox));
  if (so.read_bytes < 0) throw Error("read_bytes", "must be 0 or more, got " + std::to_string(so.read_bytes));
}

std::vector<Slab> make_slabs(int64_t out_z, int64_t depth, int64_t halo) {
  std::vector<Slab> slabs;
  for (int64_t z0 = 0; z0 < out_z; z0 += depth) {
    Slab s;
    s.z0 = z0;
    s.z1 = std::min(out_z, z0 + depth);
    s.e0 = std::max<int64_t>(0, z0 - halo);
    s.e1 = std::min(out_z, s.z1 + halo);
    slabs.push_back(s);
  }
  return slabs;
}

// Mirrors the schedule of sliding_window.cpp: before slab i, every row starting below its e1 is
// run; the buffer starts at the slab's e0 and must reach the end of every row run so far.
int64_t buffer_depth(const WindowGrid& g, int64_t depth, int64_t halo) {
  const auto& starts = g.z.starts_vox;
  const int64_t out_z = g.output_shape.z;
  size_t k = 0;
  int64_t row_end = 0, need = 0;
  for (const Slab& s : make_slabs(out_z, depth, halo)) {
    while (k < starts.size() && starts[k] / g.stride < s.e1) {
      row_end = std::max(row_end, std::min(out_z, starts[k] / g.stride + g.z.window_out));
      need = std::max(need, row_end - s.e0);
      ++k;
    }
    need = std::max(need, s.e1 - s.e0);
  }
  return need;
}

int64_t streaming_memory_bytes(const WindowGrid& g, const WindowOptions& o, int64_t classes, int64_t depth,
                               int64_t halo, int64_t read_bytes) {
  const Shape3& out = g.output_shape;
  const int64_t plane = out.y * out.x;
  const int64_t widest_slab = std::min(out.z, depth + 2 * halo);
  const int64_t window_in = g.window.count();
  const int64_t window_out = g.z.window_out * g.y.window_out * g.x.window_out;
  const int64_t floats = classes * buffer_depth(g, depth, halo) * plane  // accumulators
                         + classes * widest_slab * plane                  // the emitted slab
                         + std::min(g.window.z, g.input_shape.z) * std::min(g.window.y, g.input_shape.y) *
                               g.input_shape.x  // a band of a row
                         + int64_t(o.batch) * (3 * window_in + 4 * classes * window_out);  // a batch
  return floats * int64_t(sizeof(float)) + read_bytes;
}

int64_t choose_slab_depth(const WindowGrid& g, const WindowOptions& o, const StreamOptions& so, int64_t classes) {
  validate(so);
  const int64_t out_z = g.output_shape.z;
  if (so.slab_depth_vox > 0) return std::min(so.slab_depth_vox, out_z);
  if (so.max_memory_bytes == 0) return out_z;
  for (int64_t depth = out_z; depth >= 1; --depth)
    if (streaming_memory_bytes(g, o, classes, depth, so.halo_vox, so.read_bytes) <= so.max_memory_bytes) return depth;
  const Shape3& w = g.window;
  throw Error("--max-memory", mib(so.max_memory_bytes) + " is too little: streaming needs at least " +
                                  mib(streaming_memory_bytes(g, o, classes, 1, so.halo_vox, so.read_bytes)) +
                                  " for one window batch and a 1-plane slab (" + std::to_string(classes) +
                                  " classes, window " + std::to_string(w.z) + "x" + std::to_string(w.y) + "x" +
                                  std::to_string(w.x) + ", batch " + std::to_string(o.batch) + ", halo " +
                                  std::to_string(so.halo_vox) + ", output planes of " +
                                  std::to_string(g.output_shape.y) + " x " + std::to_string(g.output_shape.x) +
                                  "); raise it or use a smaller window or batch");
}

}  // namespace tomopick::infer
