#pragma once
// OME-NGFF 0.4 multiscale images in zarr v2 (the CZII / CryoET Data Portal tomogram format): a
// group whose .zattrs "multiscales" lists one array per resolution level with its scale (Å per
// voxel, z y x) and optional translation.
#include <filesystem>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/zarr_array.h"

namespace tomopick {

struct OmeLevel {
  std::string path;  // array folder relative to the group, e.g. "0"
  Vec3 spacing;      // Å per voxel
  Vec3 translation;  // Å
  ZarrMeta meta;
};

class OmeZarr {
public:
  // Opens an OME-Zarr group, or a bare zarr array (one level, spacing `fallback_spacing`).
  static OmeZarr open(const fs::path& path, Vec3 fallback_spacing = {1, 1, 1});

  const fs::path& path() const { return path_; }
  const std::vector<OmeLevel>& levels() const { return levels_; }
  const std::string& name() const { return name_; }
  bool is_multiscale() const { return multiscale_; }
  ZarrArray array(size_t level) const;
  // Reads a box of one level; the volume carries that level's spacing and origin.
  AnyVolume read(size_t level, const Box& box, ChunkCache* cache = nullptr) const;
  AnyVolume read(size_t level = 0) const;

private:
  const OmeLevel& level_at(size_t i) const;
  fs::path path_;
  std::string name_;
  bool multiscale_ = false;
  std::vector<OmeLevel> levels_;
};

struct OmeWriteOptions {
  int levels = 3;                // the full volume plus levels-1 2x-downsampled ones
  ZarrWriteOptions array;        // chunks, codec, separator of every level
  std::string name = "/";
};

// Mean of each 2x2x2 block (a partial block at an odd edge averages the voxels it has); shape is
// ceil(n/2); spacing doubles. Integer types are rounded.
AnyVolume downsample2(const AnyVolume& v);

// Writes `v` as an OME-Zarr multiscale group at `path`, atomically (built beside it, then renamed).
void write_ome_zarr(const fs::path& path, const AnyVolume& v, const OmeWriteOptions& opts = {});

}  // namespace tomopick
