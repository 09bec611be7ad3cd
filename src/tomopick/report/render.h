#pragma once
// One picture of a tomogram with picks: the slice or slab (slice_image.h) with the truth and the
// predictions drawn over it (overlay.h), optionally with a legend. Reads only the slab from files.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/report/image.h"
#include "tomopick/report/overlay.h"
#include "tomopick/report/slice_image.h"

namespace tomopick {

struct RenderOptions {
  SliceAxis axis = SliceAxis::z;
  std::optional<int64_t> index;  // slice along `axis` (voxels of the level read); default: the middle one
  int64_t slab = 1;              // slices averaged, centred on `index`
  int64_t size_px = 0;           // the picture's longer side; 0: one pixel per voxel
  double low_percentile = 0.5, high_percentile = 99.5;  // mapped to black and white
  bool legend = true;
  MarkStyle marks;
};

struct RenderLayers {
  std::vector<PickSet> predictions, truth;  // of the tomogram's run, Å
  ClassStyles styles;                       // every class of both
};

struct RenderedSlice {
  RgbImage image;
  SliceFrame frame;
  int64_t index = 0;                                // the slice the slab is centred on
  int64_t predictions_drawn = 0, truth_drawn = 0;  // picks that cut the plane
};

// From a volume in memory. `what` names it in errors (slice out of range).
RenderedSlice render_volume(const AnyVolume& v, const RenderOptions& opts, const RenderLayers& layers,
                            const std::string& what = "volume");

// From a tomogram file (MRC, OME-Zarr, slice folder), reading only the slab. `read` picks the level
// and may override the spacing; its box is ignored.
RenderedSlice render_tomogram(const std::filesystem::path& tomogram, const RenderOptions& opts, const RenderLayers& layers,
                              const TomoReadOptions& read = {});

// The sets of `run`.
std::vector<PickSet> sets_of_run(const std::vector<PickSet>& sets, const std::string& run);

}  // namespace tomopick
