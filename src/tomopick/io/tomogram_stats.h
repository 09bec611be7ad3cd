#pragma once
// Whole-level statistics of a tomogram file (`tomopick info --stats`), streamed: the level is read
// in slabs of whole chunk layers (zarr) or of a few planes (MRC), so no whole-volume buffer is
// allocated and first touched, and each chunk is decoded once.
#include <cstdint>
#include <filesystem>

#include "tomopick/io/tomogram.h"

namespace tomopick {

struct VolumeStats {
  double min = 0, max = 0, mean = 0, std = 0;  // over the finite voxels, in double precision
  int64_t non_finite = 0;
};

// Sums per z plane, then the planes in z order: the same numbers whatever the slab size.
VolumeStats volume_stats(const AnyVolume& v);
VolumeStats tomogram_stats(const std::filesystem::path& path, const TomoReadOptions& opts = {});

}  // namespace tomopick
