#pragma once
// How streamed inference cuts the output into z-slabs and how much memory that takes.
//
// The windows are run row by row (a row = all windows with the same z start, in the global grid
// of window_grid.h), each exactly once. Output planes below the next row's start can receive no
// more windows, so they are final; a slab [z0, z1) with its halo [e0, e1) is emitted as soon as
// every plane of [e0, e1) is final, and planes below the next slab's e0 are dropped. The
// accumulation buffer therefore holds about slab + 2·halo + one window of planes.
#include <cstdint>
#include <vector>

#include "tomopick/infer/window_grid.h"

namespace tomopick::infer {

struct StreamOptions {
  int64_t slab_depth_vox = 0;    // output z-planes per slab (its core); 0 = from max_memory_bytes, else all
  int64_t max_memory_bytes = 0;  // 0 = no limit; else the deepest slab whose estimate fits
  int64_t halo_vox = 0;          // output z-planes of context emitted on each side of the core
  // What the reader needs while it produces one band of a row (the windows' z and y range, every x),
  // beyond the band itself (a resampled read holds the finer source box and its intermediate
  // passes); counted against max_memory_bytes.
  int64_t read_bytes = 0;
};

// Error("--slab-depth" / "--max-memory" / "--halo", problem).
void validate(const StreamOptions& so);

struct Slab {
  int64_t z0 = 0, z1 = 0;  // the core, output z-planes
  int64_t e0 = 0, e1 = 0;  // the core with its halo, clipped to the volume
};
std::vector<Slab> make_slabs(int64_t out_z, int64_t depth, int64_t halo);

// The output z-planes the accumulation buffer must hold for slabs of `depth` planes.
int64_t buffer_depth(const WindowGrid& g, int64_t depth, int64_t halo);

// Estimated peak bytes of streaming with slabs of `depth` planes: accumulators, the emitted slab,
// one band of input (plus `read_bytes` to produce it), one batch of windows with its predictions and
// their transformed copies.
int64_t streaming_memory_bytes(const WindowGrid& g, const WindowOptions& o, int64_t classes, int64_t depth,
                               int64_t halo, int64_t read_bytes = 0);

// slab_depth_vox when given (clipped to the volume); else the deepest slab that fits
// max_memory_bytes; else the whole volume. Error("--max-memory", ...) when not even a 1-plane slab
// fits.
int64_t choose_slab_depth(const WindowGrid& g, const WindowOptions& o, const StreamOptions& so, int64_t classes);

}  // namespace tomopick::infer
