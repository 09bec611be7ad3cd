#pragma once
// Simulated BYU flagellar-motor data, written in the Kaggle competition's layout:
//   OUT/train/<tomo_id>/slice_0000.jpg, slice_0001.jpg, ...   8-bit grey JPEG, one per z section
//   OUT/train_labels.csv                                         BYU's columns (io/picks.h): a row per
//                                                                motor, or one of -1s for a tomogram without
// Each tomogram draws its voxel spacing from the values BYU's tomograms have (6.5-19.7 Å) and its
// shape from their range (300-500 sections of 560-960 x 560-960 pixels), unless the options fix them;
// its intensities are stretched from the 0.5th-99.5th percentile to 0-255, as the competition's
// slices were. Labels are the motors' centres (sim/bacteria.h) in voxels of the slices: axis 0 = the
// slice index (z), 1 = row (y), 2 = column (x).
#include <filesystem>
#include <optional>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/sim/sim_config.h"

namespace tomopick::sim {

namespace fs = std::filesystem;

struct ByuSimOptions {
  fs::path out;
  int tomograms = 1;
  uint64_t seed = 0;
  std::optional<Shape3> shape;    // every tomogram's (default: drawn per tomogram)
  std::optional<double> spacing;  // Å (default: drawn per tomogram)
  bool overwrite = false;         // replace an existing folder at `out`
};

// The spacing and shape tomogram `index` gets (the options' when fixed), and its slab: the cells
// need 85 % of its depth at most.
SimConfig byu_tomogram_config(const SimConfig& base, const ByuSimOptions& o, int index);

// "tomo_" and six hex digits drawn from (seed, index), distinct within one data set.
std::string byu_tomo_id(uint64_t seed, int index);

// The tomogram as the competition stored it: values from the `low`-th to the `high`-th percentile
// mapped linearly onto 0-255 (clipped).
Volume<uint8_t> quantise_8bit(const Volume<float>& v, double low = 0.5, double high = 99.5);

// Writes the data set (built beside `out`, renamed into place at the end) and returns its labels, in
// the order of train_labels.csv.
std::vector<MotorLabel> simulate_byu_dataset(const SimConfig& base, const ByuSimOptions& o);

}  // namespace tomopick::sim
