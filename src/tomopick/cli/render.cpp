// tomopick render TOMOGRAM --out slice.png: one slice (or thin slab) of a tomogram with picks and
// truth drawn as circles of each particle's cross-section, coloured by class.
#include <spdlog/spdlog.h>

#include <optional>
#include <set>

#include "tomopick/cli/commands.h"
#include "tomopick/core/error.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/report/png.h"
#include "tomopick/report/render.h"

namespace tomopick::cli {

namespace {

struct RenderArgs {
  std::string tomogram, out, axis = "z", run, tomo_type = "denoised", truth, radius;
  std::vector<std::string> picks;
  std::optional<int64_t> index, z;
  int64_t slab = 1, size = 0;
  size_t level = 0;
  std::optional<double> spacing, min_score;
  bool no_legend = false;
};

std::string list_some(const std::set<std::string>& v, size_t n = 8) {
  std::string s;
  size_t i = 0;
  for (const auto& x : v) {
    if (i == n) {
      s += ", … (" + std::to_string(v.size()) + " in all)";
      break;
    }
    s += (i++ ? ", " : "") + x;
  }
  return s;
}

// The run a tomogram file belongs to when --run is not given: the only run of the picks, else the
// one named by the file's stem or one of its folders (copick: ExperimentRuns/<run>/VoxelSpacing.../).
std::string infer_run(const fs::path& tomogram, const std::set<std::string>& runs, const std::string& picks_name) {
  if (runs.size() <= 1) return runs.empty() ? "" : *runs.begin();
  const fs::path p = fs::absolute(tomogram).lexically_normal();
  if (runs.count(p.stem().string())) return p.stem().string();
  for (fs::path d = p.parent_path(); !d.empty() && d != d.root_path(); d = d.parent_path())
    if (runs.count(d.filename().string())) return d.filename().string();
  throw Error(fs::path(picks_name), "holds picks of " + std::to_string(runs.size()) + " runs (" + list_some(runs) +
                                        "), none named like " + tomogram.string() + ": choose one with --run");
}

void render(const RenderArgs& a, bool axis_given) {
  RenderOptions opts;
  opts.axis = parse_slice_axis(a.axis);
  if (a.z) {
    if (a.index) throw Error("--z and --index: give one of them");
    if (axis_given && opts.axis != SliceAxis::z) throw Error("--z: the slice is along z, but --axis says " + a.axis);
    opts.axis = SliceAxis::z;
    opts.index = a.z;
  } else {
    opts.index = a.index;
  }
  opts.slab = a.slab;
  opts.size_px = a.size;
  opts.legend = !a.no_legend;
  if (fs::path(a.out).extension() != ".png") throw Error(fs::path(a.out), "--out must name a .png file");

  std::optional<CopickConfig> cfg;
  std::string run = a.run;
  fs::path tomogram = a.tomogram;
  if (CopickProject::is_project(a.tomogram)) {
    const CopickProject project = CopickProject::open(a.tomogram);
    cfg = project.config();
    if (run.empty()) {
      const auto runs = project.runs();
      if (runs.size() != 1)
        throw Error(fs::path(a.tomogram), "is a copick project with " + std::to_string(runs.size()) +
                                              " runs: choose one with --run");
      run = runs[0];
    }
    tomogram = project.find_tomogram(run, a.tomo_type).path;
  }

  RenderLayers layers;
  std::set<std::string> runs;
  std::string first_source;
  auto load = [&](const std::string& path, std::vector<PickSet>& into) {
    PickSource src = load_pick_source(path);
    if (!cfg && src.config) cfg = src.config;
    for (auto& s : src.sets) {
      if (s.points.empty()) continue;
      runs.insert(s.run);
      into.push_back(std::move(s));
    }
    if (first_source.empty()) first_source = path;
  };
  for (const auto& p : a.picks) load(p, layers.predictions);
  if (!a.truth.empty()) load(a.truth, layers.truth);
  if (run.empty()) run = infer_run(tomogram, runs, first_source);
  if (!run.empty()) {
    if (!runs.empty() && !runs.count(run)) spdlog::warn("no picks of run '{}' in the picks given (they hold {})", run, list_some(runs));
    layers.predictions = sets_of_run(layers.predictions, run);
    layers.truth = sets_of_run(layers.truth, run);
  }
  if (a.min_score) {
    for (auto& s : layers.predictions)
      std::erase_if(s.points, [&](const Pick& p) { return !(p.score >= *a.min_score); });
    std::erase_if(layers.predictions, [](const PickSet& s) { return s.points.empty(); });
  }

  std::vector<std::string> names = object_names(layers.predictions);
  for (const auto& n : object_names(layers.truth)) names.push_back(n);
  layers.styles = make_class_styles(names, cfg ? &*cfg : nullptr, parse_name_values(a.radius, "--radius"));
  for (const auto& s : layers.styles) {
    const bool known = (cfg && cfg->find(s.name)) || find_particle_type(czii_particle_types(), s.name);
    if (!known && a.radius.find(s.name + "=") == std::string::npos)
      spdlog::warn("class '{}' has no known radius: drawn with {:g} Å (set it with --radius {}=Å)", s.name, s.radius_A, s.name);
  }

  TomoReadOptions read;
  read.level = a.level;
  if (a.spacing) read.spacing = Vec3{*a.spacing, *a.spacing, *a.spacing};
  const RenderedSlice r = render_tomogram(tomogram, opts, layers, read);
  write_png(a.out, r.image);
  spdlog::info("wrote {} ({} x {} px): {} slice {}{} of {}; {} picks and {} truth points cut the plane", a.out, r.image.width,
               r.image.height, axis_name(opts.axis), r.index, opts.slab > 1 ? " (mean of " + std::to_string(opts.slab) + ")" : "",
               tomogram.string(), r.predictions_drawn, r.truth_drawn);
}

}  // namespace

void add_render(CLI::App& app) {
  auto a = std::make_shared<RenderArgs>();
  auto* cmd = app.add_subcommand("render", "Draw a slice of a tomogram with picks and truth as a PNG");
  cmd->add_option("tomogram", a->tomogram, "Tomogram (MRC, OME-Zarr, slice folder) or a copick project (with --run)")->required();
  cmd->add_option("--out", a->out, "Output PNG")->required();
  cmd->add_option("--picks", a->picks, "Picks to draw (copick project, folder of pick files, pick file); repeatable");
  cmd->add_option("--truth", a->truth, "Truth to draw (dashed rings)");
  auto* axis = cmd->add_option("--axis", a->axis, "Slice orthogonal to z (the x-y plane, default), y (x-z) or x (y-z)");
  cmd->add_option("--index", a->index, "Slice index along the axis, in voxels (default: the middle)");
  cmd->add_option("--z", a->z, "Same as --axis z --index N");
  cmd->add_option("--slab", a->slab, "Average this many slices centred on the index (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--run", a->run, "Run: the project's run to show, and the run of the picks to draw");
  cmd->add_option("--tomo-type", a->tomo_type, "Tomogram type in a copick project (default denoised)");
  cmd->add_option("--size", a->size, "Longer side of the picture in pixels (default: one pixel per voxel)")->check(CLI::PositiveNumber);
  cmd->add_option("--level", a->level, "Multiscale level of an OME-Zarr (default 0, full resolution)");
  cmd->add_option("--spacing", a->spacing, "Voxel spacing in Å (for slice folders; overrides the file's)")->check(CLI::PositiveNumber);
  cmd->add_option("--radius", a->radius, "Particle radii in Å, name=r,... (default: the copick config's, else CZII's)");
  cmd->add_option("--min-score", a->min_score, "Draw only picks with score >= this");
  cmd->add_flag("--no-legend", a->no_legend, "Leave out the legend strip under the picture");
  cmd->callback([a, axis] { render(*a, axis->count() > 0); });
}

}  // namespace tomopick::cli
