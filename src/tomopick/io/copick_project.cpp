#include "tomopick/io/copick_project.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"

namespace tomopick {

using json = nlohmann::json;

namespace {

const char* kConfigNames[] = {"copick_config.json", "copick.config", "copick.json"};

fs::path find_config(const fs::path& dir) {
  std::error_code ec;
  for (const char* n : kConfigNames)
    if (fs::is_regular_file(dir / n, ec)) return dir / n;
  return {};
}

// "local:///abs/path" or a plain path, relative ones against the config's folder.
fs::path resolve_root(const std::string& spec, const fs::path& base) {
  std::string s = spec;
  if (s.rfind("local://", 0) == 0) s = s.substr(8);
  else if (s.find("://") != std::string::npos)
    throw Error(base, "root '" + spec + "' is not on the local file system (only local:// roots are supported)");
  fs::path p(s);
  return p.is_absolute() ? p : base / p;
}

std::optional<double> parse_spacing_folder(const std::string& name) {
  const std::string prefix = "VoxelSpacing";
  if (name.rfind(prefix, 0) != 0) return std::nullopt;
  try {
    size_t pos = 0;
    const double v = std::stod(name.substr(prefix.size()), &pos);
    if (pos != name.size() - prefix.size() || !(v > 0)) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

std::vector<fs::path> subdirs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory(ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

const PickableObject* CopickConfig::find(const std::string& object) const {
  for (const auto& o : objects)
    if (o.name == object) return &o;
  return nullptr;
}

CopickConfig czii_config() {
  CopickConfig c;
  c.name = "czii_cryoet_mlchallenge_2024";
  c.description = "The CZII CryoET Object Identification particle types";
  c.objects = {
      {"apo-ferritin", 1, 60, {0, 117, 220, 128}, true, "4V1W", "EMD-41923"},
      {"beta-amylase", 2, 65, {153, 63, 0, 128}, true, "1FA2", "EMD-30405"},
      {"beta-galactosidase", 3, 90, {76, 0, 92, 128}, true, "6X1Q", "EMD-0153"},
      {"ribosome", 4, 150, {0, 92, 49, 128}, true, "6EK0", "EMD-3883"},
      {"thyroglobulin", 5, 130, {43, 206, 72, 128}, true, "6SCJ", "EMD-24181"},
      {"virus-like-particle", 6, 135, {255, 204, 153, 128}, true, "6N4V", "EMD-41917"},
  };
  return c;
}

CopickConfig read_copick_config(const fs::path& file) {
  json j;
  try {
    j = json::parse(read_file(file));
  } catch (const json::exception& e) {
    throw Error(file, std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(file, "expected a JSON object");
  CopickConfig c;
  auto str = [&](const json& o, const char* k, const std::string& where) -> std::string {
    if (!o.contains(k) || o[k].is_null()) return "";
    if (!o[k].is_string()) throw Error(file, where + k + " must be a string");
    return o[k].get<std::string>();
  };
  c.name = str(j, "name", "");
  c.description = str(j, "description", "");
  c.version = str(j, "version", "");
  c.static_root = str(j, "static_root", "");
  c.overlay_root = str(j, "overlay_root", "");
  if (!j.contains("pickable_objects") || !j["pickable_objects"].is_array())
    throw Error(file, "missing 'pickable_objects' list");
  std::set<std::string> seen;
  for (size_t i = 0; i < j["pickable_objects"].size(); ++i) {
    const json& o = j["pickable_objects"][i];
    const std::string where = "pickable_objects[" + std::to_string(i) + "].";
    if (!o.is_object()) throw Error(file, where.substr(0, where.size() - 1) + " must be an object");
    PickableObject p;
    p.name = str(o, "name", where);
    if (p.name.empty()) throw Error(file, where + "name is missing");
    if (!seen.insert(p.name).second) throw Error(file, "object '" + p.name + "' is listed twice");
    if (o.contains("label") && !o["label"].is_null()) {
      if (!o["label"].is_number_integer() || o["label"].get<int64_t>() < 0 || o["label"].get<int64_t>() > 1000000)
        throw Error(file, where + "label must be an integer in 0..1000000");
      p.label = o["label"].get<int>();
    }
    if (o.contains("radius") && !o["radius"].is_null()) {
      if (!o["radius"].is_number()) throw Error(file, where + "radius must be a number (Å)");
      p.radius = o["radius"].get<double>();
      if (!(p.radius >= 0)) throw Error(file, where + "radius must not be negative");
    }
    if (o.contains("is_particle") && !o["is_particle"].is_null()) {
      if (!o["is_particle"].is_boolean()) throw Error(file, where + "is_particle must be true or false");
      p.is_particle = o["is_particle"].get<bool>();
    }
    if (o.contains("color") && o["color"].is_array()) {
      const json& col = o["color"];
      for (size_t k = 0; k < std::min<size_t>(4, col.size()); ++k) {
        const double v = col[k].is_number() ? col[k].get<double>() : -1;
        if (!(v >= 0 && v <= 255)) throw Error(file, where + "color must be numbers in 0..255");
        p.color[k] = int(v);
      }
    }
    p.pdb_id = str(o, "pdb_id", where);
    p.emdb_id = str(o, "emdb_id", where);
    c.objects.push_back(p);
  }
  return c;
}

void write_copick_config(const fs::path& file, const CopickConfig& c) {
  json objs = json::array();
  for (const auto& o : c.objects) {
    json jo = {{"name", o.name}, {"is_particle", o.is_particle}, {"label", o.label}, {"radius", o.radius},
               {"color", {o.color[0], o.color[1], o.color[2], o.color[3]}}};
    if (!o.pdb_id.empty()) jo["pdb_id"] = o.pdb_id;
    if (!o.emdb_id.empty()) jo["emdb_id"] = o.emdb_id;
    objs.push_back(jo);
  }
  json j = {{"config_type", "filesystem"}, {"name", c.name},           {"description", c.description},
            {"version", c.version},        {"pickable_objects", objs}};
  if (!c.static_root.empty()) j["static_root"] = c.static_root;
  if (!c.overlay_root.empty()) j["overlay_root"] = c.overlay_root;
  write_file_atomic(file, j.dump(4) + "\n");
}

std::string voxel_spacing_folder(double spacing_A) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "VoxelSpacing%.3f", spacing_A);
  return buf;
}

bool CopickProject::is_project(const fs::path& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    const auto n = path.filename().string();
    return std::find(std::begin(kConfigNames), std::end(kConfigNames), n) != std::end(kConfigNames);
  }
  return fs::is_directory(path, ec) && !find_config(path).empty();
}

CopickProject CopickProject::open(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such project folder or config file");
  CopickProject p;
  if (fs::is_directory(path, ec)) {
    p.config_file_ = find_config(path);
    if (p.config_file_.empty())
      throw Error(path, "not a copick project: no copick_config.json (or copick.config) in this folder");
  } else {
    p.config_file_ = path;
  }
  p.root_ = p.config_file_.parent_path();
  if (p.root_.empty()) p.root_ = ".";
  p.cfg_ = read_copick_config(p.config_file_);

  // A configured root that does not exist here (a config made on another machine, like the CZII
  // one pointing at /kaggle/...) falls back to static/ or overlay/ beside the config, then the root.
  auto pick_root = [&](const std::string& spec, const char* sibling) {
    if (!spec.empty()) {
      const fs::path r = resolve_root(spec, p.root_);
      if (fs::is_directory(r, ec)) return r;
      spdlog::warn("{}: root '{}' does not exist here; looking beside the config", p.config_file_.string(), spec);
    }
    if (fs::is_directory(p.root_ / sibling / "ExperimentRuns", ec)) return p.root_ / sibling;
    return p.root_;
  };
  p.static_root_ = pick_root(p.cfg_.static_root, "static");
  p.overlay_root_ = pick_root(p.cfg_.overlay_root, "overlay");
  return p;
}

CopickProject CopickProject::create(const fs::path& root, const CopickConfig& cfg) {
  std::error_code ec;
  fs::create_directories(root / "ExperimentRuns", ec);
  if (ec) throw Error(root, "cannot create project folder: " + ec.message());
  CopickConfig c = cfg;
  c.static_root.clear();
  c.overlay_root.clear();
  write_copick_config(root / "copick_config.json", c);
  return open(root);
}

std::vector<std::string> CopickProject::runs() const {
  std::set<std::string> names;
  for (const fs::path& r : {static_root_, overlay_root_})
    for (const auto& d : subdirs(r / "ExperimentRuns")) names.insert(d.filename().string());
  return {names.begin(), names.end()};
}

std::vector<TomogramEntry> CopickProject::tomograms(const std::string& run) const {
  std::vector<TomogramEntry> out;
  std::set<fs::path> seen;
  const std::vector<std::string> rs = run.empty() ? runs() : std::vector<std::string>{run};
  for (const auto& r : rs)
    for (const fs::path& root : {static_root_, overlay_root_})
      for (const auto& vs : subdirs(root / "ExperimentRuns" / r)) {
        const auto sp = parse_spacing_folder(vs.filename().string());
        if (!sp) continue;
        for (const auto& t : subdirs(vs)) {
          if (t.extension() != ".zarr" || !seen.insert(fs::weakly_canonical(t)).second) continue;
          out.push_back({r, *sp, t.stem().string(), t});
        }
      }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.run, a.spacing, a.type) < std::tie(b.run, b.spacing, b.type);
  });
  return out;
}

TomogramEntry CopickProject::find_tomogram(const std::string& run, const std::string& type,
                                           std::optional<double> spacing) const {
  const auto all = tomograms(run);
  for (const auto& t : all)
    if (t.type == type && (!spacing || std::abs(t.spacing - *spacing) < 0.01)) return t;
  std::string have;
  for (const auto& t : all) have += (have.empty() ? "" : ", ") + t.type + " at " + std::to_string(t.spacing) + " Å";
  throw Error(root_, "run '" + run + "' has no tomogram '" + type + "'" +
                         (spacing ? " at " + std::to_string(*spacing) + " Å" : std::string()) +
                         (have.empty() ? " (it has none)" : " (it has: " + have + ")"));
}

fs::path CopickProject::tomogram_path(const std::string& run, double spacing, const std::string& type) const {
  return static_root_ / "ExperimentRuns" / run / voxel_spacing_folder(spacing) / (type + ".zarr");
}

std::vector<PickFileEntry> CopickProject::pick_files(const std::string& run) const {
  std::vector<PickFileEntry> out;
  std::set<fs::path> seen;
  const std::vector<std::string> rs = run.empty() ? runs() : std::vector<std::string>{run};
  std::error_code ec;
  for (const auto& r : rs)
    for (const fs::path& root : {overlay_root_, static_root_}) {
      const fs::path dir = root / "ExperimentRuns" / r / "Picks";
      if (!fs::is_directory(dir, ec)) continue;
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file(ec) && e.path().extension() == ".json") files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files)
        if (seen.insert(fs::weakly_canonical(f)).second) out.push_back({r, f});
    }
  return out;
}

std::vector<PickSet> CopickProject::read_picks(const std::string& run, const std::string& object,
                                               const std::string& user_id, const std::string& session_id) const {
  std::vector<PickSet> out;
  for (const auto& f : pick_files(run)) {
    PickSet s = read_copick_json(f.path);
    // The folder is the authority on the run: files copied between runs keep a stale run_name.
    if (s.run.empty() || s.run != f.run) s.run = f.run;
    if (s.object.empty()) s.object = f.path.stem().string();
    if (!object.empty() && s.object != object) continue;
    if (!user_id.empty() && s.user_id != user_id) continue;
    if (!session_id.empty() && s.session_id != session_id) continue;
    out.push_back(std::move(s));
  }
  return group_pick_sets(std::move(out));
}

fs::path CopickProject::write_picks(const PickSet& set) const {
  if (set.run.empty()) throw Error(root_, "cannot write picks without a run name");
  if (set.object.empty()) throw Error(root_, "cannot write picks without an object name");
  const fs::path f = overlay_root_ / "ExperimentRuns" / set.run / "Picks" /
                     (set.user_id + "_" + set.session_id + "_" + set.object + ".json");
  write_copick_json(f, set);
  return f;
}

}  // namespace tomopick
