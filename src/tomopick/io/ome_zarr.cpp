#include "tomopick/io/ome_zarr.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

using json = nlohmann::json;

namespace {

Vec3 parse_vec(const json& j, const fs::path& file, const std::string& what, size_t naxes) {
  if (!j.is_array() || j.size() != naxes) throw Error(file, what + " must be a list of " + std::to_string(naxes) + " numbers");
  for (const auto& e : j)
    if (!e.is_number()) throw Error(file, what + " must be a list of numbers");
  // Only the last three axes are spatial (z, y, x): a leading c or t axis has size 1 here.
  return {j[naxes - 3].get<double>(), j[naxes - 2].get<double>(), j[naxes - 1].get<double>()};
}

}  // namespace

OmeZarr OmeZarr::open(const fs::path& path, Vec3 fallback_spacing) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file or folder");
  if (!fs::is_directory(path, ec)) throw Error(path, "not a zarr store (expected a folder)");
  OmeZarr z;
  z.path_ = path;
  if (fs::exists(path / ".zarray", ec)) {  // a bare array: one level
    OmeLevel l;
    l.path = "";
    l.spacing = fallback_spacing;
    l.meta = ZarrArray::open(path).meta();
    z.levels_.push_back(l);
    return z;
  }
  const fs::path attrs = path / ".zattrs";
  if (!fs::exists(attrs, ec)) {
    if (fs::exists(path / ".zgroup", ec)) throw Error(path, "zarr group has no .zattrs with OME-NGFF 'multiscales'");
    if (fs::exists(path / "zarr.json", ec)) throw Error(path, "this is a zarr v3 store; tomopick reads zarr v2");
    throw Error(path, "not a zarr store (no .zarray or .zgroup/.zattrs)");
  }
  json j;
  try {
    j = json::parse(read_file(attrs));
  } catch (const json::exception& e) {
    throw Error(attrs, std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("multiscales") || !j["multiscales"].is_array() || j["multiscales"].empty())
    throw Error(attrs, "no OME-NGFF 'multiscales' list");
  // Type mismatches anywhere below (a number where an object belongs) are the file's fault too.
  try {
    const json& ms = j["multiscales"][0];
    if (!ms.is_object()) throw Error(attrs, "'multiscales' must hold objects");
    z.multiscale_ = true;
    z.name_ = ms.value("name", std::string());
    size_t naxes = 3;
    if (ms.contains("axes")) {
      const json& axes = ms["axes"];
      if (!axes.is_array() || axes.size() < 3)
        throw Error(attrs, "'axes' must list at least the 3 spatial axes z, y, x");
      naxes = axes.size();
      const char* want[3] = {"z", "y", "x"};
      for (size_t i = 0; i < 3; ++i) {
        const json& a = axes[naxes - 3 + i];
        const std::string name = a.is_object() ? a.value("name", std::string()) : (a.is_string() ? a.get<std::string>() : "");
        if (name != want[i]) throw Error(attrs, "the last three axes must be z, y, x; got '" + name + "' at position " + std::to_string(naxes - 3 + i));
        if (a.is_object() && a.contains("unit") && a["unit"].is_string()) {
          const auto unit = a["unit"].get<std::string>();
          if (unit != "angstrom")
            throw Error(attrs, "axis " + name + " has unit '" + unit + "'; tomopick expects 'angstrom'");
        }
      }
    }
    if (!ms.contains("datasets") || !ms["datasets"].is_array() || ms["datasets"].empty())
      throw Error(attrs, "multiscales has no 'datasets'");
    for (const json& d : ms["datasets"]) {
      if (!d.contains("path") || !d["path"].is_string()) throw Error(attrs, "a dataset has no 'path'");
      OmeLevel l;
      l.path = d["path"].get<std::string>();
      // A level lives inside the group: "/" or "../x" would read arrays elsewhere on the disk.
      const fs::path rel(l.path);
      bool inside = !l.path.empty() && rel.is_relative() && !rel.has_root_directory() && l.path.find('\0') == std::string::npos;
      for (const auto& part : rel) inside = inside && part != "..";
      if (!inside) throw Error(attrs, "dataset path '" + l.path + "' must be a relative path inside the group");
      l.spacing = {1, 1, 1};
      if (d.contains("coordinateTransformations")) {
        for (const json& t : d["coordinateTransformations"]) {
          const std::string type = t.value("type", std::string());
          if (type == "scale") l.spacing = parse_vec(t.value("scale", json()), attrs, "scale of level '" + l.path + "'", naxes);
          if (type == "translation")
            l.translation = parse_vec(t.value("translation", json()), attrs, "translation of level '" + l.path + "'", naxes);
        }
      }
      if (!(l.spacing.z > 0 && l.spacing.y > 0 && l.spacing.x > 0))
        throw Error(attrs, "scale of level '" + l.path + "' must be positive");
      const fs::path arr = path / l.path;
      if (naxes != 3) throw Error(attrs, "only 3D (z, y, x) images are supported, this one has " + std::to_string(naxes) + " axes");
      l.meta = ZarrArray::open(arr).meta();
      z.levels_.push_back(l);
    }
  } catch (const json::exception& e) {
    throw Error(attrs, std::string("malformed OME-NGFF metadata: ") + e.what());
  }
  return z;
}

const OmeLevel& OmeZarr::level_at(size_t i) const {
  if (i >= levels_.size())
    throw Error(path_, "level " + std::to_string(i) + " does not exist (the store has " + std::to_string(levels_.size()) + ")");
  return levels_[i];
}

ZarrArray OmeZarr::array(size_t level) const { return ZarrArray::open(path_ / level_at(level).path); }

AnyVolume OmeZarr::read(size_t level, const Box& box, ChunkCache* cache) const {
  const OmeLevel& l = level_at(level);
  AnyVolume v = array(level).read(box, cache);
  v.set_spacing(l.spacing);
  v.set_origin({l.translation.z + box.begin.z * l.spacing.z, l.translation.y + box.begin.y * l.spacing.y,
                l.translation.x + box.begin.x * l.spacing.x});
  return v;
}

AnyVolume OmeZarr::read(size_t level) const { return read(level, {{}, level_at(level).meta.shape}); }

AnyVolume downsample2(const AnyVolume& in) {
  return in.visit([](const auto& v) -> AnyVolume {
    using T = typename std::decay_t<decltype(v)>::value_type;
    const Shape3 s = v.shape();
    const Shape3 o{(s.z + 1) / 2, (s.y + 1) / 2, (s.x + 1) / 2};
    Volume<T> out(o, {v.spacing().z * 2, v.spacing().y * 2, v.spacing().x * 2}, v.origin());
    parallel_for(o.z, [&](int64_t z) {
      for (int64_t y = 0; y < o.y; ++y)
        for (int64_t x = 0; x < o.x; ++x) {
          double sum = 0;
          int n = 0;
          for (int64_t dz = 0; dz < 2; ++dz)
            for (int64_t dy = 0; dy < 2; ++dy)
              for (int64_t dx = 0; dx < 2; ++dx) {
                const int64_t zz = 2 * z + dz, yy = 2 * y + dy, xx = 2 * x + dx;
                if (zz < s.z && yy < s.y && xx < s.x) {
                  sum += to_float(v(zz, yy, xx));
                  ++n;
                }
              }
          out(z, y, x) = from_float<T>(float(sum / n));
        }
    });
    return out;
  });
}

void write_ome_zarr(const fs::path& path, const AnyVolume& v, const OmeWriteOptions& opts) {
  if (opts.levels < 1) throw Error(path, "a multiscale store needs at least 1 level");
  if (v.shape().empty()) throw Error(path, "cannot write an empty volume " + v.shape().str());
  AtomicDir out(path);
  write_zgroup(out.path());
  json datasets = json::array();
  const AnyVolume* cur = &v;
  AnyVolume next;
  for (int level = 0; level < opts.levels; ++level) {
    if (level > 0) {
      next = downsample2(*cur);
      cur = &next;
    }
    write_zarr_array(out.path() / std::to_string(level), *cur, opts.array);
    const Vec3 sp = cur->spacing();
    json transforms = json::array({{{"type", "scale"}, {"scale", {sp.z, sp.y, sp.x}}}});
    const Vec3 org = v.origin();
    if (org.z != 0 || org.y != 0 || org.x != 0)
      transforms.push_back({{"type", "translation"}, {"translation", {org.z, org.y, org.x}}});
    datasets.push_back({{"path", std::to_string(level)}, {"coordinateTransformations", transforms}});
    if (cur->shape().z == 1 && cur->shape().y == 1 && cur->shape().x == 1) break;
  }
  json axes = json::array();
  for (const char* a : {"z", "y", "x"}) axes.push_back({{"name", a}, {"type", "space"}, {"unit", "angstrom"}});
  json attrs = {{"multiscales", json::array({{{"version", "0.4"},
                                               {"name", opts.name},
                                               {"axes", axes},
                                               {"datasets", datasets},
                                               {"metadata", json::object()}}})}};
  write_file(out.path() / ".zattrs", attrs.dump(4));
  out.commit();
}

}  // namespace tomopick
