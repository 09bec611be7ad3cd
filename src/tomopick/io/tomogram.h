#pragma once
// Format-independent tomogram access: MRC (.mrc .rec .st .ali .map), OME-Zarr / zarr (.zarr
// folders) and slice-stack folders (slice_0000.jpg ...), chosen from the path.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/chunk_cache.h"
#include "tomopick/io/zarr_array.h"

namespace tomopick {

namespace fs = std::filesystem;

enum class TomoFormat { mrc, zarr, slices };
const char* format_name(TomoFormat f);

// Decides the format from the path (extension, or folder contents). Throws Error if none fits.
TomoFormat detect_tomogram_format(const fs::path& path);

struct TomoLevel {
  Shape3 shape;
  Vec3 spacing;  // Å per voxel
  Shape3 chunks; // zarr: the chunk shape (the unit of decoding); other formats: empty
  // The box of the level that holds data. zarr: every stored chunk (outside it every voxel is
  // fill_value: a fragment of a larger store, or a store written without its empty chunks); MRC: the
  // inside of a constant border (find_mrc_padding); unset: the whole level holds data.
  std::optional<Box> stored;
  std::string outside_stored = "the fill value";  // what the voxels outside `stored` are, for messages
  Box data_box() const { return stored.value_or(Box{{}, shape}); }
};

struct TomogramInfo {
  fs::path path;
  TomoFormat format = TomoFormat::mrc;
  DType dtype = DType::f32;
  std::vector<TomoLevel> levels;  // level 0 = full resolution; MRC and slices have one
  Vec3 origin;                    // Å
  bool spacing_known = true;      // false for files without spacing (MRC cella 0, slice stacks)
  bool spacing_one = false;       // MRC header says exactly 1 Å per voxel (see MrcInfo), no --spacing given
  std::string details;            // format-specific: codec and chunks, MRC mode and labels
};

struct TomoReadOptions {
  size_t level = 0;               // multiscale level (zarr)
  std::optional<Vec3> spacing;    // overrides the file's spacing (required for slice stacks)
  std::optional<Box> box;         // read only this box of the level
  ChunkCache* chunk_cache = nullptr;  // zarr: decoded chunks kept across reads (not owned)
};

TomogramInfo probe_tomogram(const fs::path& path, const TomoReadOptions& opts = {});
AnyVolume read_tomogram(const fs::path& path, const TomoReadOptions& opts = {});

// Throws Error naming the file when its voxel spacing cannot be trusted for `use` ("picking", ...):
// the header gives none, or says exactly 1 Å per voxel, the value of tools that were never told the
// pixel size (a 1 Å tomogram would be shrunk 20x to a 20 Å model's grid and picked as noise). Giving
// --spacing (TomoReadOptions::spacing) settles both, so a tomogram that really is at 1 Å still works.
void require_voxel_spacing(const TomogramInfo& t, const std::string& use);

// The level to read for a grid of spacing_A Å: the finest level at or below it (resampling then only
// smooths), among the levels that store data (a fragment of a zarr store may keep only some); the
// finest level with data when every one is coarser. Error naming the file when no level stores any.
size_t level_for_spacing(const TomogramInfo& t, double spacing_A);

struct TomoWriteOptions {
  ZarrWriteOptions zarr{{64, 64, 64}, {}, '/'};  // chunks, codec (blosc-lz4 + shuffle), separator
  int levels = 3;                                 // OME-Zarr pyramid levels
  std::string slice_ext = "png";                  // slice stacks: png, tif or jpg
};

// Writes atomically in the format the path names (.zarr = OME-Zarr multiscale, .mrc/.rec = MRC,
// a folder ending in /slices or with slice_ext = slice stack).
void write_tomogram(const fs::path& path, const AnyVolume& v, TomoFormat format, const TomoWriteOptions& opts = {});

// The run name a tomogram file gives: its file name without the extension (".zarr", ".mrc", ...).
std::string tomogram_name(const fs::path& path);

// The format a path to be written names: .zarr -> zarr, .mrc .rec .st .ali .map -> mrc, else
// (a folder) slices.
TomoFormat format_for_output(const fs::path& path);

}  // namespace tomopick
