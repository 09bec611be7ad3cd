#pragma once
// MRC2014 tomograms (.mrc, .rec, .st, .ali, .map): a 1024-byte header, an optional extended header of
// nsymbt bytes, then the voxels, columns (x) fastest, then rows (y), then sections (z).
//
// Modes read and written (as the reference, Python's mrcfile, maps them):
//   0 int8, 1 int16, 2 float32, 6 uint16, 12 float16.
// Mode 0 is signed, as MRC2014 says and mrcfile reads it, except in files IMOD stamped (word 39,
// "IMOD") whose flags (word 40) lack bit 0: IMOD wrote those as unsigned bytes and they read as uint8
// (mrcfile would wrap every value above 127 to the dark end).
// Any other mode (3, 4, 101, ...) is an Error naming the file and the mode. Big-endian files (machine
// stamp 0x11 0x11) are byte-swapped on read; files are always written little-endian.
// Only the standard axis order (mapc, mapr, maps = 1, 2, 3) is supported.
//
// Every problem is a tomopick::Error whose message starts with the file's path.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"

namespace tomopick {

namespace fs = std::filesystem;

struct MrcInfo {
  Shape3 shape;                 // (nz, ny, nx)
  DType dtype = DType::f32;     // element type in memory (after byte swapping)
  int mode = 2;                 // MRC mode word
  Vec3 spacing{1, 1, 1};        // Å per voxel, cella / (mz, my, mx); 1 Å where the header has none
  bool spacing_known = false;   // false when cella or mx/my/mz is zero (or not finite) on some axis
  // cella equals the size in voxels on every axis: exactly 1 Å per voxel, which is what IMOD, mrcfile
  // and others write when nobody told them the pixel size. Real tomograms are binned to 5-30 Å.
  bool spacing_one = false;
  Vec3 origin{};                // Å, header words 50-52 (origin x, y, z)
  int64_t ext_header_bytes = 0; // nsymbt
  std::string exttyp;           // extended header type ("FEI1", "CCP4", ...), trailing NULs/spaces cut
  bool big_endian = false;
  int nversion = 0;
  std::vector<std::string> labels;  // the nlabl labels, trailing spaces cut
  float dmin = 0, dmax = 0, dmean = 0, rms = 0;
  int64_t data_offset = 1024;   // 1024 + nsymbt
};

struct MrcWriteOptions {
  // Up to 10 labels of at most 80 printable ASCII characters. Empty: one "Created by tomopick" label.
  std::vector<std::string> labels;
  // Raw extended-header bytes written after the header (nsymbt = its size), and its type code
  // (at most 4 characters, e.g. "CCP4", "FEI1", "SERI"; MRC2014 wants one whenever bytes are given).
  std::string extended_header;
  std::string exttyp;
};

// Reads and checks the header (and that the file size matches it); no voxels are read.
MrcInfo read_mrc_info(const fs::path& path);

// Reads the whole volume, with spacing and origin from the header.
AnyVolume read_mrc(const fs::path& path);

// Reads only the voxels of `box` (which must lie inside the volume). The result's origin is the
// file's origin moved to the box corner (as Volume::crop does).
AnyVolume read_mrc_box(const fs::path& path, const Box& box);

// The box inside a constant border: whole planes at the faces whose every voxel holds one value, the
// padding of a reconstruction written larger than its data or of a zarr fragment converted with its
// fill value around it. Normalising or windowing that padding with the data would shift the
// intensities and show the network edges it never saw. nullopt when no face is constant or every
// voxel holds the value. A few small reads when no face is constant; one pass over the file when one is.
struct MrcPadding {
  Box data;      // voxels outside it all equal `value`
  double value;
};
std::optional<MrcPadding> find_mrc_padding(const fs::path& path);

// Writes atomically (temp file + rename), little-endian, MRC2014 (nversion 20141, like mrcfile),
// with dmin/dmax/dmean/rms filled in, cella = shape * spacing and the volume's origin.
// uint8 volumes are widened to mode 6 (uint16), exactly as mrcfile does with uint8 arrays (MRC2014
// mode 0 is signed int8, so uint8 cannot be stored as mode 0 without changing values > 127).
void write_mrc(const fs::path& path, const AnyVolume& volume, const MrcWriteOptions& options = {});

// The dtype a mode reads as, or throws Error(path, ...) for an unsupported mode.
DType mrc_mode_dtype(int mode, const fs::path& path);
// The mode a volume of `t` is written in (uint8 -> 6).
int mrc_mode_for(DType t);

}  // namespace tomopick
