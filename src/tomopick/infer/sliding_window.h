#pragma once
// Sliding-window inference of any network over a whole tomogram: windows on a fixed grid
// (window_grid.h), batched, each prediction averaged over test-time augmentations (tta.h) and
// ensemble members, blended into per-class heatmaps. predict_streaming does the same in z-slabs
// for volumes larger than memory (slab_plan.h) and gives bit-identical values.
//
// Output grid: with output stride s the heatmaps have ceil(n / s) voxels per axis and spacing
// s × the input's; output voxel j's centre is at input voxel (j + 0.5)·s − 0.5 (targets.h), so the
// heatmaps' origin is the input's plus (s − 1)/2 input voxels. Positions in Å for picks come from
// target_voxel_center_A.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/infer/ensemble.h"
#include "tomopick/infer/slab_plan.h"
#include "tomopick/infer/tta.h"
#include "tomopick/infer/window_grid.h"

namespace tomopick::infer {

// Called after every predictor call: window predictions done and total, counting each window once
// per member and per transform.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// One heatmap per class (the predictor's C channels) over the whole volume.
std::vector<Volume<float>> predict_volume(const Volume<float>& input, const std::vector<Member>& members,
                                          const WindowOptions& o, ProgressFn progress = {});

// Reads input voxels [box) of the tomogram; asked only for boxes inside it (a band of windows: the
// windows' z and y range, every x).
using ReadBox = std::function<Volume<float>(const Box& box)>;

// Receives each slab in z order: one volume per class covering output planes
// [offset_out_vox.z, + slab depth) with every y and x; `core` is the part of the slab (in its own
// voxels) that belongs to it alone, the rest is halo that the neighbouring slabs own. The cores
// tile the output exactly once.
using SlabConsumer =
    std::function<void(const std::vector<Volume<float>>& slab, const Index3& offset_out_vox, const Box& core)>;

// predict_volume in z-slabs of bounded memory; the slabs' values equal predict_volume's exactly
// (same windows, each run once, same order of summation). Slab volumes carry spacing_A × s and an
// origin in Å relative to input voxel [0, 0, 0].
void predict_streaming(const Shape3& shape, const Vec3& spacing_A, const ReadBox& read_box,
                       const std::vector<Member>& members, const WindowOptions& o, const StreamOptions& so,
                       const SlabConsumer& consume, ProgressFn progress = {});

}  // namespace tomopick::infer
