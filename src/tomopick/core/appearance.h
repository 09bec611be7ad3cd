#pragma once
// What a tomogram looks like to a network, in a few numbers that can be compared between the data a
// model was trained on and the data it is asked to pick: the source voxel spacing, the intensity
// distribution of the normalised volume (percentiles, skewness) and how its power spreads over
// spatial frequency (x-y slices' radially averaged spectrum, in bands). All are measured on one
// central box of the normalised volume at the model's spacing, the same box whether the volume is in
// memory or streamed, at training and at picking time.
#include <array>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"

namespace tomopick {

struct Appearance {
  double source_spacing_A = 0;     // the file's spacing before resampling to the model's grid
  double p01 = 0, p50 = 0, p99 = 0;  // percentiles of the normalised intensities
  double skewness = 0;
  // Share of the (mean-removed) power in x-y spatial-frequency bands, cycles per voxel of the model's
  // grid: [0, 0.05), [0.05, 0.15), [0.15, 0.3), [0.3, 0.5]. Sums to 1.
  std::array<double, 4> band_power{};
};

// The box appearance() measures: the centre of `shape`, at most 64 x 128 x 128 voxels.
Box appearance_box(const Shape3& shape);

// Measures `box` (what appearance_box gave, already normalised).
Appearance appearance(const Volume<float>& box, double source_spacing_A);

// The range of each number over a model's training tomograms.
struct AppearanceRange {
  Appearance lo, hi;
  int count = 0;  // tomograms measured; 0 = unknown (older models)
};
void include(AppearanceRange& r, const Appearance& a);

// What is off about `a` for a model trained on `r`, one phrase per number far outside its range
// (ordinary variation between tomograms says nothing): a source spacing more than 1.5x from the
// trained ones, percentiles and skewness beyond the range widened by half its width and 0.75, a
// power share off by more than a factor of 2 (and 0.02). Empty when nothing is.
std::vector<std::string> appearance_mismatches(const Appearance& a, const AppearanceRange& r);

// JSON text of a range, and back (Error naming `source` on bad input).
std::string appearance_range_to_json(const AppearanceRange& r);
AppearanceRange appearance_range_from_json(const std::string& json, const std::string& source);

}  // namespace tomopick
