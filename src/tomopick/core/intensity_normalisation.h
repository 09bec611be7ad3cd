#pragma once
// How a tomogram's intensities are put on the scale a network was trained on: value -> (value -
// centre) × scale. The statistics are accumulated block by block, so a tomogram streamed from disk
// and the same tomogram in memory give bit-identical numbers when fed in the same order.
//
// Methods:
//  - "zscore": mean and standard deviation;
//  - "robust": median and 1.4826 × the median absolute deviation (equal to mean and SD for Gaussian
//    intensities). Real tomograms are heavy-tailed (crowded dark particles, gold, lamella edges):
//    measured, their SD is about 1.5 × the robust one (TS_6_4's CZII chunk 1.51, EMPIAR-11658 tomo9
//    1.51) against 1.0-1.1 for simulated ones, so a z-score shrinks real texture by a third relative
//    to what a network trained on simulations saw. Estimated from every k-th voxel (at most
//    kRobustSamples values; k from the voxel count given up front), so memory stays bounded. Falls
//    back to the SD when more than half the voxels share one value (MAD 0);
//  - "fixed": the given centre and spread.
#include <cstdint>
#include <string>
#include <vector>

namespace tomopick {

struct Normalisation {
  float centre = 0, scale = 1;  // normalised = (value - centre) * scale
  float apply(float v) const { return (v - centre) * scale; }
};

// The method names `normalize` may take; Error naming `where` otherwise.
void check_normalisation_method(const std::string& method, const std::string& where);

class NormalisationStats {
public:
  static constexpr int64_t kRobustSamples = int64_t(1) << 22;

  // `total_voxels`: how many values add() will see in all (only "robust" needs it: the sampling
  // stride). `fixed_mean`, `fixed_std`: what "fixed" returns.
  NormalisationStats(std::string method, int64_t total_voxels, double fixed_mean = 0, double fixed_std = 1);
  void add(const float* values, int64_t n);
  Normalisation result() const;

private:
  std::string method_;
  double fixed_mean_, fixed_std_;
  double sum_ = 0, sum2_ = 0;
  int64_t count_ = 0, stride_ = 1;
  std::vector<float> samples_;
};

}  // namespace tomopick
