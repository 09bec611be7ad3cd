// tomopick info PATH: what a tomogram, a copick project or a picks file holds.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <set>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/common.h"
#include "tomopick/cli/torch_commands.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/ensemble_folder.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/io/tomogram_stats.h"

namespace tomopick::cli {

using json = nlohmann::json;

namespace {

std::string shape_zyx(const Shape3& s) { return fmt::format("{} x {} x {} (z, y, x)", s.z, s.y, s.x); }
std::string vec_zyx(const Vec3& v) {
  auto same = [](double a, double b) { return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b)); };
  if (same(v.z, v.y) && same(v.y, v.x)) return fmt::format("{:.6g}", v.x);
  return fmt::format("{:.6g}, {:.6g}, {:.6g} (z, y, x)", v.z, v.y, v.x);
}

void print_pick_table(const std::vector<PickSet>& sets) {
  std::map<std::string, std::map<std::string, size_t>> by_run;
  std::set<std::string> objects;
  for (const auto& s : sets) {
    by_run[s.run][s.object] += s.points.size();
    objects.insert(s.object);
  }
  size_t w = 8;
  for (const auto& [run, _] : by_run) w = std::max(w, run.size());
  std::cout << fmt::format("  {:<{}}", "run", w);
  for (const auto& o : objects) std::cout << fmt::format("  {:>{}}", o, std::max<size_t>(6, o.size()));
  std::cout << "\n";
  std::map<std::string, size_t> total;
  for (const auto& [run, counts] : by_run) {
    std::cout << fmt::format("  {:<{}}", run, w);
    for (const auto& o : objects) {
      const size_t n = counts.count(o) ? counts.at(o) : 0;
      total[o] += n;
      std::cout << fmt::format("  {:>{}}", n, std::max<size_t>(6, o.size()));
    }
    std::cout << "\n";
  }
  std::cout << fmt::format("  {:<{}}", "total", w);
  for (const auto& o : objects) std::cout << fmt::format("  {:>{}}", total[o], std::max<size_t>(6, o.size()));
  std::cout << "\n";
}

// A model folder (pick -m FOLDER): its members, weights, fusion and TTA, then each member as
// `info MODEL` describes it.
void info_model_folder(const fs::path& p, bool as_json) {
  const auto e = read_ensemble_folder(p);
  if (as_json) {
    json members = json::array();
    for (size_t i = 0; i < e.models.size(); ++i) {
      json m = {{"model", e.models[i].string()}, {"weight", e.weights[i]}};
      if (i < e.class_weights.size() && !e.class_weights[i].empty()) m["class_weights"] = e.class_weights[i];
      members.push_back(m);
    }
    std::cout << json{{"kind", "model folder"}, {"path", p.string()}, {"members", members}, {"fusion", e.fusion},
                      {"tta", e.tta}, {"thresholds", fs::exists(p / "thresholds.json")}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "tomopick model folder " << p.string() << ": " << e.models.size() << " member(s), " << e.fusion
            << " fusion, TTA " << (e.tta.empty() ? "the first member's" : e.tta)
            << (fs::exists(p / "thresholds.json") ? ", its own thresholds.json" : "") << "\n";
  for (size_t i = 0; i < e.models.size(); ++i) {
    std::cout << "member " << i + 1 << ": weight " << e.weights[i];
    if (i < e.class_weights.size())
      for (const auto& [name, w] : e.class_weights[i]) std::cout << ", " << name << " x " << w;
    std::cout << "\n";
    torch_commands().info_model(e.models[i], false);
  }
}

json picks_json(const std::vector<PickSet>& sets) {
  json j = json::array();
  for (const auto& s : sets) j.push_back({{"run", s.run}, {"object", s.object}, {"count", s.points.size()}});
  return j;
}

int info_project(const fs::path& path, bool as_json) {
  const CopickProject p = CopickProject::open(path);
  const auto runs = p.runs();
  const auto tomos = p.tomograms();
  const auto picks = p.read_picks();
  if (as_json) {
    json j = {{"kind", "copick project"}, {"path", p.root().string()}, {"name", p.config().name}, {"runs", runs}};
    json objs = json::array();
    for (const auto& o : p.config().objects)
      objs.push_back({{"name", o.name}, {"label", o.label}, {"radius_A", o.radius}, {"is_particle", o.is_particle}});
    j["objects"] = objs;
    json tj = json::array();
    for (const auto& t : tomos) {
      const auto info = probe_tomogram(t.path);
      const auto& s = info.levels.front().shape;
      tj.push_back({{"run", t.run}, {"type", t.type}, {"spacing_A", t.spacing}, {"shape_zyx", {s.z, s.y, s.x}},
                    {"levels", info.levels.size()}});
    }
    j["tomograms"] = tj;
    j["picks"] = picks_json(picks);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "copick project " << p.root().string() << " (" << p.config().name << ")\n";
  if (p.static_root() != p.root() || p.overlay_root() != p.root())
    std::cout << "  static root  " << p.static_root().string() << "\n  overlay root " << p.overlay_root().string() << "\n";
  std::cout << "objects:\n";
  for (const auto& o : p.config().objects)
    std::cout << fmt::format("  {:<22} label {:>2}  radius {:>6.1f} Å{}\n", o.name, o.label, o.radius,
                             o.is_particle ? "" : "  (not a particle)");
  std::cout << "runs: " << runs.size() << "\n";
  std::cout << "tomograms: " << tomos.size() << "\n";
  for (const auto& t : tomos) {
    try {
      const auto info = probe_tomogram(t.path);
      std::cout << fmt::format("  {:<16} {:<12} {:>8.3f} Å  {}  {} level{}\n", t.run, t.type, t.spacing,
                               shape_zyx(info.levels.front().shape), info.levels.size(), info.levels.size() == 1 ? "" : "s");
    } catch (const Error& e) {
      std::cout << fmt::format("  {:<16} {:<12} {:>8.3f} Å  unreadable: {}\n", t.run, t.type, t.spacing, e.what());
    }
  }
  std::cout << "picks (" << count_picks(picks) << "):\n";
  if (!picks.empty()) print_pick_table(picks);
  return 0;
}

int info_picks(const fs::path& path, bool as_json) {
  const auto sets = read_picks(path, {});
  if (as_json) {
    std::cout << json({{"kind", "picks"}, {"path", path.string()}, {"total", count_picks(sets)}, {"sets", picks_json(sets)}}).dump(2)
              << "\n";
    return 0;
  }
  std::cout << "picks " << path.string() << ": " << count_picks(sets) << " in " << sets.size() << " (run, object) sets\n";
  double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (const auto& s : sets)
    for (const auto& p : s.points) {
      const double c[3] = {p.x, p.y, p.z};
      for (int k = 0; k < 3; ++k) { lo[k] = std::min(lo[k], c[k]); hi[k] = std::max(hi[k], c[k]); }
    }
  if (count_picks(sets) > 0)
    std::cout << fmt::format("  extent (Å): x {:.1f}..{:.1f}, y {:.1f}..{:.1f}, z {:.1f}..{:.1f}\n", lo[0], hi[0], lo[1], hi[1],
                             lo[2], hi[2]);
  print_pick_table(sets);
  return 0;
}

int info_tomogram(const fs::path& path, const TomoReadOptions& ro, bool stats, bool as_json) {
  const TomogramInfo t = probe_tomogram(path, ro);
  std::optional<VolumeStats> st;
  if (stats) st = tomogram_stats(path, ro);
  if (as_json) {
    json levels = json::array();
    for (const auto& l : t.levels) {
      levels.push_back({{"shape_zyx", {l.shape.z, l.shape.y, l.shape.x}}, {"spacing_A_zyx", {l.spacing.z, l.spacing.y, l.spacing.x}}});
      if (l.stored) {
        const Box& b = *l.stored;
        levels.back()["stored_box_zyx"] = {{"begin", {b.begin.z, b.begin.y, b.begin.x}}, {"shape", {b.shape.z, b.shape.y, b.shape.x}}};
      }
    }
    json j = {{"kind", "tomogram"}, {"path", path.string()}, {"format", format_name(t.format)}, {"dtype", dtype_name(t.dtype)},
              {"levels", levels}, {"origin_A_zyx", {t.origin.z, t.origin.y, t.origin.x}}, {"spacing_known", t.spacing_known}, {"spacing_one", t.spacing_one},
              {"details", t.details}};
    if (st) j["stats"] = {{"level", ro.level}, {"min", st->min}, {"max", st->max}, {"mean", st->mean}, {"std", st->std},
                          {"non_finite", st->non_finite}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << format_name(t.format) << " tomogram " << path.string() << "\n";
  std::cout << "  dtype    " << dtype_name(t.dtype) << "\n";
  std::cout << "  details  " << t.details << "\n";
  for (size_t i = 0; i < t.levels.size(); ++i) {
    const auto& l = t.levels[i];
    std::cout << fmt::format("  level {}  {}  spacing {} Å  size {:.0f} x {:.0f} x {:.0f} Å\n", i, shape_zyx(l.shape),
                             vec_zyx(l.spacing), l.shape.z * l.spacing.z, l.shape.y * l.spacing.y, l.shape.x * l.spacing.x);
    // Missing chunks read as the fill value: say where the data are when that is not everywhere.
    if (const Box b = l.data_box(); b.shape.empty())
      std::cout << "           no chunk stored (every voxel is the fill value)\n";
    else if (!(b.shape == l.shape))
      std::cout << fmt::format("           data: z [{}, {}), y [{}, {}), x [{}, {}); the rest is {}\n", b.begin.z,
                               b.end().z, b.begin.y, b.end().y, b.begin.x, b.end().x, l.outside_stored);
  }
  if (!t.spacing_known) std::cout << "  (the file gives no voxel spacing; 1 Å assumed — pass --spacing)\n";
  if (t.spacing_one)
    std::cout << "  (the header says exactly 1 Å per voxel, what tools write when the pixel size is unknown; pick and\n"
                 "   train ask for --spacing)\n";
  if (t.origin.x != 0 || t.origin.y != 0 || t.origin.z != 0) std::cout << "  origin   " << vec_zyx(t.origin) << " Å\n";
  if (st)
    std::cout << fmt::format("  stats (level {}): min {:.6g}  max {:.6g}  mean {:.6g}  std {:.6g}{}\n", ro.level, st->min,
                             st->max, st->mean, st->std,
                             st->non_finite ? fmt::format("  ({} non-finite voxels)", st->non_finite) : "");
  return 0;
}

}  // namespace

void add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Describe a tomogram (MRC, OME-Zarr, slice folder), a copick project or a picks file");
  auto path = std::make_shared<std::string>();
  auto stats = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  auto level = std::make_shared<size_t>(0);
  auto spacing = std::make_shared<std::optional<double>>();
  auto system = std::make_shared<bool>(false);
  auto labels = std::make_shared<std::string>();
  cmd->add_option("path", *path, "Tomogram, copick project folder/config, or picks file (.json .csv .star)");
  cmd->add_flag("--system", *system, "Describe the runtime instead: LibTorch, devices, threads, BLAS, allocator");
  cmd->add_option("--labels", *labels,
                  "BYU train_labels.csv giving the spacing of a slice folder (looked up by the folder's name)");
  cmd->add_flag("--stats", *stats, "Read the whole array and print min, max, mean and std");
  cmd->add_option("--level", *level, "Multiscale level for --stats (0 = full resolution)");
  cmd->add_option("--spacing", *spacing, "Voxel spacing in Å, overriding the file's (needed for slice folders)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", *as_json, "Print JSON instead of text");
  cmd->callback([=] {
    if (*system) {
      torch_commands().info_system(*as_json);
      return;
    }
    if (path->empty()) throw CLI::RequiredError("path");
    const fs::path p(*path);
    if (CopickProject::is_project(p)) {
      info_project(p, *as_json);
    } else if (is_picks_file(p)) {
      info_picks(p, *as_json);
    } else if (p.extension() == ".pt") {
      torch_commands().info_model(p, *as_json);
    } else if (fs::is_directory(p) && (fs::exists(p / "ensemble.json") || fs::is_regular_file(p / "model.pt"))) {
      info_model_folder(p, *as_json);
    } else {
      TomoReadOptions ro;
      ro.level = *level;
      if (*spacing) ro.spacing = Vec3{**spacing, **spacing, **spacing};
      if (!labels->empty()) ro.spacing = spacing_from_byu_labels(*labels, p);
      info_tomogram(p, ro, *stats, *as_json);
    }
  });
}

}  // namespace tomopick::cli
