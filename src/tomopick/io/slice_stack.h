#pragma once
// A tomogram stored as a folder of 2D slices, one file per z section: slice_0000.jpg,
// slice_0001.jpg, ... (the BYU flagellar-motor Kaggle layout). Formats:
//   JPEG  8-bit grey (read and write; lossy)
//   PNG   8- or 16-bit grey (read); 8-bit (write)
//   TIFF  8/16-bit signed or unsigned integers, 16/32-bit float (read and write), one page per file
// Colour images are accepted only when every pixel has equal channels (and any alpha is opaque);
// they then read as grey.
//
// Every problem is a tomopick::Error naming the folder or the offending file.
#include <filesystem>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"

namespace tomopick {

namespace fs = std::filesystem;

// The slice images of `folder` in z order: files ending .jpg/.jpeg/.png/.tif/.tiff (any case; hidden
// files and other files are ignored), in natural order (slice_10 after slice_9). All must share one
// format. When the names carry numbers, they must be consecutive (a gap or a repeated number is an
// Error, so a lost slice cannot silently shift z).
std::vector<fs::path> list_slice_files(const fs::path& folder);

// Reads the slices (decoded in parallel) into one volume of shape (slices, height, width) with the
// given voxel spacing (Å, z y x) and origin 0. All slices must have the same size and type; the
// first one that differs is named in the Error.
AnyVolume read_slice_stack(const fs::path& folder, Vec3 spacing_A = {1, 1, 1});

// Writes one file per z section, slice_0000.<ext> ... (more digits beyond 10000 slices), into
// `folder`, atomically: the folder appears complete or not at all. `ext` is "png" (uint8 volumes,
// 8-bit grey), "jpg" (uint8; single-component grey baseline JPEG, quality 95, lossy) or "tif" (any
// dtype, uncompressed, one page); a leading dot and the spellings "jpeg"/"tiff" are accepted. An
// existing folder is replaced only when it holds nothing but slice images.
void write_slice_stack(const fs::path& folder, const AnyVolume& volume, const std::string& ext);

// The name write_slice_stack gives slice z of `count`: "slice_0007.png"; 5 digits from 10001 slices on.
std::string slice_file_name(int64_t z, int64_t count, const std::string& ext);

}  // namespace tomopick
