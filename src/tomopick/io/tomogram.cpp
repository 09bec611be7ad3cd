#include "tomopick/io/tomogram.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "tomopick/io/mrc.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/io/slice_stack.h"

namespace tomopick {

namespace {

bool is_mrc_ext(std::string ext) {
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".mrc" || ext == ".rec" || ext == ".st" || ext == ".ali" || ext == ".map" || ext == ".mrcs";
}

std::string zarr_details(const ZarrMeta& m) {
  std::ostringstream s;
  s << "chunks " << m.chunks.str() << ", " << m.codec.describe() << ", separator '" << m.separator << "'";
  return s.str();
}

}  // namespace

const char* format_name(TomoFormat f) {
  switch (f) {
    case TomoFormat::mrc: return "MRC";
    case TomoFormat::zarr: return "OME-Zarr";
    case TomoFormat::slices: return "slice stack";
  }
  return "?";
}

TomoFormat detect_tomogram_format(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file or folder");
  if (fs::is_directory(path, ec)) {
    if (fs::exists(path / ".zarray", ec) || fs::exists(path / ".zgroup", ec) || fs::exists(path / ".zattrs", ec) ||
        path.extension() == ".zarr")
      return TomoFormat::zarr;
    return TomoFormat::slices;
  }
  if (is_mrc_ext(path.extension().string())) return TomoFormat::mrc;
  throw Error(path, "unknown tomogram format (expected .mrc/.rec/.st/.ali/.map, a .zarr folder, or a folder of slices)");
}

TomoFormat format_for_output(const fs::path& path) {
  if (path.extension() == ".zarr") return TomoFormat::zarr;
  if (is_mrc_ext(path.extension().string())) return TomoFormat::mrc;
  return TomoFormat::slices;
}

TomogramInfo probe_tomogram(const fs::path& path, const TomoReadOptions& opts) {
  TomogramInfo t;
  t.path = path;
  t.format = detect_tomogram_format(path);
  switch (t.format) {
    case TomoFormat::mrc: {
      const MrcInfo m = read_mrc_info(path);
      t.dtype = m.dtype;
      t.levels.push_back({m.shape, opts.spacing.value_or(m.spacing), {}, std::nullopt});
      if (const auto pad = find_mrc_padding(path)) {
        t.levels.back().stored = pad->data;
        t.levels.back().outside_stored = fmt::format("constant padding ({:g})", pad->value);
      }
      t.origin = m.origin;
      t.spacing_known = m.spacing_known || opts.spacing.has_value();
      t.spacing_one = m.spacing_one && !opts.spacing.has_value();
      std::ostringstream s;
      s << "mode " << m.mode << (m.mode == 0 && m.dtype == DType::u8 ? " (unsigned bytes, as IMOD's flags say)" : "")
        << (m.big_endian ? ", big-endian" : "") << ", extended header " << m.ext_header_bytes
        << " bytes";
      if (!m.labels.empty()) s << ", label '" << m.labels.front() << "'";
      t.details = s.str();
      break;
    }
    case TomoFormat::zarr: {
      const OmeZarr z = OmeZarr::open(path, opts.spacing.value_or(Vec3{1, 1, 1}));
      t.dtype = z.levels().front().meta.dtype;
      for (size_t i = 0; i < z.levels().size(); ++i) {
        const auto& l = z.levels()[i];
        t.levels.push_back({l.meta.shape, l.spacing, l.meta.chunks, z.array(i).stored_box()});
      }
      if (opts.spacing) {
        for (size_t i = 0; i < t.levels.size(); ++i) {
          const double f = double(1 << i);
          t.levels[i].spacing = {opts.spacing->z * f, opts.spacing->y * f, opts.spacing->x * f};
        }
      }
      t.origin = z.levels().front().translation;
      t.spacing_known = z.is_multiscale() || opts.spacing.has_value();
      t.details = zarr_details(z.levels().front().meta);
      break;
    }
    case TomoFormat::slices: {
      const AnyVolume v = read_slice_stack(path, opts.spacing.value_or(Vec3{1, 1, 1}));
      t.dtype = v.dtype();
      t.levels.push_back({v.shape(), v.spacing(), {}, std::nullopt});
      t.spacing_known = opts.spacing.has_value();
      t.details = "folder of 2D slices";
      break;
    }
  }
  return t;
}

void require_voxel_spacing(const TomogramInfo& t, const std::string& use) {
  if (!t.spacing_known) throw Error(t.path, "has no voxel spacing in its header; " + use + " needs it: give --spacing (Å)");
  if (t.spacing_one)
    throw Error(t.path, "says 1 Å per voxel (its cell size equals its size in voxels), which is what tools write "
                        "when they were never told the pixel size; " + use +
                        " needs the real one: give --spacing (Å; --spacing 1 if it really is 1 Å)");
}

size_t level_for_spacing(const TomogramInfo& t, double spacing_A) {
  std::optional<size_t> finest, chosen;
  for (size_t i = 0; i < t.levels.size(); ++i) {
    if (t.levels[i].data_box().shape.empty()) continue;
    if (!finest) finest = i;
    if (t.levels[i].spacing.x <= spacing_A * 1.001) chosen = i;
  }
  if (!finest) throw Error(t.path, "holds no data: no chunk of any level is stored (every voxel is the fill value)");
  return chosen.value_or(*finest);
}

AnyVolume read_tomogram(const fs::path& path, const TomoReadOptions& opts) {
  const TomoFormat f = detect_tomogram_format(path);
  if (opts.level != 0 && f != TomoFormat::zarr)
    throw Error(path, std::string(format_name(f)) + " files have one resolution level; level " + std::to_string(opts.level) +
                          " does not exist");
  AnyVolume v;
  switch (f) {
    case TomoFormat::mrc:
      v = opts.box ? read_mrc_box(path, *opts.box) : read_mrc(path);
      break;
    case TomoFormat::zarr: {
      const OmeZarr z = OmeZarr::open(path, opts.spacing.value_or(Vec3{1, 1, 1}));
      v = opts.box ? z.read(opts.level, *opts.box, opts.chunk_cache) : z.read(opts.level);
      if (opts.spacing) {
        const double k = double(int64_t(1) << opts.level);
        v.set_spacing({opts.spacing->z * k, opts.spacing->y * k, opts.spacing->x * k});
      }
      return v;
    }
    case TomoFormat::slices:
      v = read_slice_stack(path, opts.spacing.value_or(Vec3{1, 1, 1}));
      if (opts.box) {
        v = v.visit([&](const auto& x) -> AnyVolume {
          if (!opts.box->inside(x.shape())) throw Error(path, "box lies outside the volume " + x.shape().str());
          return x.crop(*opts.box);
        });
      }
      break;
  }
  if (opts.spacing) v.set_spacing(*opts.spacing);
  return v;
}

void write_tomogram(const fs::path& path, const AnyVolume& v, TomoFormat format, const TomoWriteOptions& opts) {
  switch (format) {
    case TomoFormat::mrc:
      write_mrc(path, v);
      return;
    case TomoFormat::zarr: {
      OmeWriteOptions o;
      o.levels = opts.levels;
      o.array = opts.zarr;
      write_ome_zarr(path, v, o);
      return;
    }
    case TomoFormat::slices:
      write_slice_stack(path, v, opts.slice_ext);
      return;
  }
}

std::string tomogram_name(const fs::path& path) {
  auto name = path.filename().string();
  if (name.empty()) name = path.parent_path().filename().string();
  for (const char* ext : {".zarr", ".mrc", ".rec", ".map", ".st", ".ali"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.ends_with(e)) return name.substr(0, name.size() - e.size());
  }
  return fs::path(name).stem().string();
}

}  // namespace tomopick
