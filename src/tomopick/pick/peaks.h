#pragma once
// Peak picking: per-class heatmaps (probabilities, one Volume<float> per class) -> picks in Å.
//
// Two ways to turn a heatmap into points:
//  - max-pool suppression (default): a voxel is a peak when it is >= threshold and equals the
//    maximum of the cube of half-width floor(nms_radius_A / heatmap spacing) voxels per axis (at least
//    1) around it, like max_pool3d-based NMS; refined to sub-voxel precision;
//  - connected components (centroid = true): the score-weighted centroid of each 26-connected
//    region >= threshold.
//
// Heatmaps may sit on a strided output grid (targets/targets.h): with stride s, heatmap voxel j's
// centre is at input voxel (j + 0.5) * s - 0.5, i.e. ((j + 0.5) * s - 0.5) * input_spacing Å; picks are
// returned in that (global, tomogram) Å frame. A large heatmap can be picked block by block (slabs
// with a halo from streaming inference): with `core`, only peaks whose voxel lies in the core are
// returned and the halo only gives context, so slabs whose halos are at least the NMS half-width
// give exactly the picks of the whole volume (as long as no flat plateau, or chain of equal maxima,
// and in centroid mode no component, reaches across a whole halo).
#include <cstdint>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"

namespace tomopick {

struct PeakOptions {
  double nms_radius_A = 0;  // suppression radius (Å), > 0; converted per axis to a cube half-width
  float threshold = 0.5f;   // a peak's voxel must be >= this
  int64_t max_peaks = 0;    // 0 = no cap, else keep the highest-scoring ones (per call, after `core`)
  // Sub-voxel refinement (max-pool mode): per axis a 3-point parabola through the peak and its two
  // neighbours, fitted to log values when all three are > 0 (exact for a Gaussian blob, which is
  // what the network is trained to produce) and to the values otherwise; the offset is clamped to
  // ±0.5 voxel and the score becomes the fitted peak height (in the log fit at most e^(1/8) times the
  // voxel's value per axis, what a Gaussian of σ >= 1 voxel can gain). Along an axis on which the peak's flat
  // plateau spans several voxels, the plateau's centre is used instead.
  bool subvoxel = true;
  bool centroid = false;           // connected-component centroids instead of max-pool peaks
  int64_t min_component_vox = 1;   // centroid mode: smaller components are dropped
};

// Where a (block of a) heatmap lies.
struct HeatmapGrid {
  int stride = 1;          // output stride relative to the network input grid
  Vec3 input_spacing_A;    // the input (tomogram) grid's spacing, Å per voxel (z, y, x); must be > 0
  Index3 offset_vox;       // this block's voxel 0 in the global heatmap grid (heatmap voxels)
};

// Å position (global frame) of a fractional heatmap voxel j of the block: the inverse of the
// targets' output-grid convention.
Vec3 heatmap_voxel_to_A(const Vec3& j_vox, const HeatmapGrid& grid);

// The peaks of one heatmap (block), as picks in Å (x, y, z) with their score, sorted by descending
// score, ties in z, y, x order of their voxel. `core` is a box in the block's voxels; it must lie
// inside the block. `name` names the heatmap in errors ("heatmap <name>: ..."). The heatmap's own
// spacing is not used: `grid` is the truth. Plateaus (equal neighbouring maxima) give exactly one
// peak: the first voxel in z, y, x order; equal maxima within the cube of an earlier kept peak are
// suppressed too. In centroid mode a component's voxel (for `core`) is its first maximal voxel.
// Errors: empty heatmap, NaN or ±inf ("contains NaN at voxel (z, y, x)", global heatmap voxel), a
// non-positive spacing, stride or radius, a non-finite threshold, negative max_peaks.
std::vector<Pick> find_peaks(const Volume<float>& heatmap, const HeatmapGrid& grid, const PeakOptions& opts,
                             const Box* core = nullptr, const std::string& name = "");

// One class's picking parameters.
struct ClassPickSpec {
  std::string name;           // the picks' object name
  double radius_A = 0;        // particle radius, > 0
  float threshold = 0.5f;     // +infinity: keep none (a tuned "null")
  double nms_fraction = 0.5;  // nms_radius_A = nms_fraction × radius_A
};

// What pick_classes stores in every set and applies to every class.
struct PickClassesOptions {
  std::string run;
  std::string user_id = "tomopick", session_id = "0";
  int64_t max_peaks = 0;  // per class
  bool subvoxel = true;
  bool centroid = false;
  int64_t min_component_vox = 1;
};

// One PickSet per class (classes order; heatmaps[i] belongs to classes[i]); voxel_spacing is the
// input spacing (x). Errors: count mismatch, heatmaps of different shapes, a class without a name
// or with a non-positive radius or nms_fraction (naming the class), and find_peaks's.
std::vector<PickSet> pick_classes(const std::vector<Volume<float>>& heatmaps, const std::vector<ClassPickSpec>& classes,
                                  const HeatmapGrid& grid, const PickClassesOptions& opts = {},
                                  const Box* core = nullptr);

}  // namespace tomopick
