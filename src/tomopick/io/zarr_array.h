#pragma once
// One zarr v2 array (a folder with .zarray and chunk files) holding a 3D volume (z, y, x).
// Reads decode only the chunks a box touches, in parallel; missing chunks read as fill_value.
#include <filesystem>
#include <string>

#include "tomopick/core/volume.h"
#include "tomopick/io/chunk_cache.h"
#include "tomopick/io/zarr_codecs.h"

namespace tomopick {

namespace fs = std::filesystem;

struct ZarrMeta {
  Shape3 shape;
  Shape3 chunks{64, 64, 64};
  DType dtype = DType::f32;
  bool big_endian = false;
  Codec codec;
  double fill_value = 0.0;
  char separator = '.';  // dimension_separator: '.' or '/'

  int64_t chunk_bytes() const { return chunks.count() * int64_t(dtype_size(dtype)); }
  Index3 chunk_grid() const {
    return {(shape.z + chunks.z - 1) / chunks.z, (shape.y + chunks.y - 1) / chunks.y, (shape.x + chunks.x - 1) / chunks.x};
  }
  // "1.0.2" or "1/0/2", relative to the array folder.
  std::string chunk_key(const Index3& c) const;
  // The text of .zarray.
  std::string to_json() const;
};

// Parses .zarray text; every problem is an Error naming `file` and the field.
ZarrMeta parse_zarray(const std::string& text, const fs::path& file);

class ZarrArray {
public:
  // Opens `dir` (must hold .zarray). Throws Error naming the file on any problem.
  static ZarrArray open(const fs::path& dir);

  const ZarrMeta& meta() const { return meta_; }
  const fs::path& path() const { return dir_; }
  Shape3 shape() const { return meta_.shape; }

  // Reads a box (must lie inside the array), decoding the touched chunks in parallel; with a cache,
  // chunks decoded before are taken from it and new ones kept in it (their part inside the array).
  AnyVolume read(const Box& box, ChunkCache* cache = nullptr) const;
  AnyVolume read_all() const { return read({{}, meta_.shape}); }
  // Chunks present on disk (the rest are fill_value).
  int64_t stored_chunk_count() const;
  // The smallest box (voxels, clipped to the array) holding every chunk present on disk; outside it
  // every voxel reads as fill_value. Empty (shape 0) when no chunk is stored.
  Box stored_box() const;

private:
  fs::path dir_;
  ZarrMeta meta_;
};

struct ZarrWriteOptions {
  Shape3 chunks{64, 64, 64};
  Codec codec;
  char separator = '/';
  // Skip chunks whose every voxel equals fill_value (zarr's write_empty_chunks=False).
  bool skip_empty_chunks = false;
};

// Writes `v` as a zarr v2 array into `dir` (created; must not be a file). Chunks are encoded in
// parallel. The caller makes the whole store atomic (AtomicDir), so this writes in place.
void write_zarr_array(const fs::path& dir, const AnyVolume& v, const ZarrWriteOptions& opts);

// The .zgroup file of a zarr v2 group.
void write_zgroup(const fs::path& dir);

}  // namespace tomopick
