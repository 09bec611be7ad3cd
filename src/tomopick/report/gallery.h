#pragma once
// The report's slice galleries: for each run with a tomogram, a few z slices with the truth and the
// predictions drawn (render.h), as PNG bytes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tomopick/io/picks.h"
#include "tomopick/report/overlay.h"

namespace tomopick {

struct GalleryOptions {
  std::string tomo_type = "denoised";
  size_t max_runs = 6;       // runs shown (the first, by name, that have a tomogram)
  int slices_per_run = 3;
  int64_t size_px = 400;     // each picture's longer side
  int64_t slab = 3;          // slices averaged per picture
};

struct GalleryImage {
  std::string png;  // the encoded picture
  int64_t width = 0, height = 0;
  int64_t z_index = 0;   // the slice the slab is centred on (voxels of the tomogram)
  double z_A = 0;        // its position
  int64_t truth_drawn = 0, predictions_drawn = 0;
};

struct GalleryRun {
  std::string run;
  std::filesystem::path tomogram;
  double spacing_A = 0;
  Shape3 shape;
  std::vector<GalleryImage> images;
};

struct Gallery {
  std::vector<GalleryRun> runs;
  std::vector<std::string> notes;  // why runs are missing
};

// The z slices to show for `count` pictures of a tomogram `depth` slices deep with spacing_z Å:
// evenly spaced quantiles of the picks' z (the particles lie in a slab of ice); when those coincide,
// evenly spaced over the picks' z range, or else over the depth. Sorted, distinct (fewer than
// `count` only when the depth is).
std::vector<int64_t> gallery_slices(const std::vector<PickSet>& sets, double spacing_z_A, int64_t depth, int count);

// `projects` are copick projects searched in order for each run's tomogram of opts.tomo_type. Runs:
// those of `truth` and `predictions`, by name. Pictures are drawn without a legend (the report shows
// one).
Gallery make_gallery(const std::vector<std::filesystem::path>& projects, const std::vector<PickSet>& truth,
                     const std::vector<PickSet>& predictions, const ClassStyles& styles, const GalleryOptions& opts);

}  // namespace tomopick
