// tomopick pick, the part that runs the network (in libtomopick-torch.so; the options are pick.cpp's).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tomopick/cli/common.h"
#include "tomopick/cli/torch_command_bodies.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/progress.h"
#include "tomopick/core/shard.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/infer/picker.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/slice_stack.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/pick/motor_calls.h"

namespace tomopick::cli {

namespace {

// FNV-1a of a file's bytes (a model's weights and description).
uint64_t file_digest(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  uint64_t h = 1469598103934665603ULL;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ uint8_t(buf[i])) * 1099511628211ULL;
  }
  return h;
}

// What decides a run's picks: the models' bytes and every setting that changes a pick. A project
// run keeps it beside its pick files, so a later pick with another model or other settings never
// passes the earlier picks off as its own.
std::string pick_recipe(const PickCliOptions& o, const infer::PickerOptions& po, const infer::Picker& picker) {
  nlohmann::json j;
  for (const auto& m : po.models) {
    std::error_code ec;
    const bool file = fs::is_regular_file(m, ec);
    j["models"].push_back({{"path", fs::absolute(m).lexically_normal().string()},
                           {"digest", file ? std::to_string(file_digest(m)) : std::string("folder")}});
  }
  j["weights"] = po.model_weights, j["fusion"] = po.fusion, j["centroids"] = po.centroids, j["tta"] = po.tta;
  j["window"] = o.window, j["blend"] = po.blend, j["precision"] = po.precision, j["tomo_type"] = o.tomo_type;
  j["thresholds"] = picker.thresholds(), j["expected"] = po.expected;
  if (po.overlap) j["overlap"] = *po.overlap;
  if (po.nms_fraction) j["nms_fraction"] = *po.nms_fraction;
  if (o.spacing) j["spacing"] = *o.spacing;
  if (!po.normalize.empty()) j["normalize"] = po.normalize;
  if (po.invert) j["invert"] = true;
  if (po.calibrate != "none") j["calibrate"] = po.calibrate;
  return j.dump() + "\n";
}

fs::path recipe_file(const CopickProject& proj, const std::string& run, const PickCliOptions& o) {
  return proj.overlay_root() / "ExperimentRuns" / run / "Picks" / (".tomopick_" + o.user_id + "_" + o.session_id + ".recipe");
}

// A run is done when every class has its pick file by this user and session, made by this recipe.
// Complete picks made by another recipe are an error rather than silently kept or replaced.
bool run_done(const CopickProject& proj, const std::string& run, const infer::Picker& picker, const PickCliOptions& o,
              const std::string& recipe) {
  const auto sets = proj.read_picks(run, "", o.user_id, o.session_id);
  for (const auto& k : picker.info().classes) {
    bool found = false;
    for (const auto& s : sets) found |= s.object == k.name;
    if (!found) return false;
  }
  // No recipe: picks of an earlier tomopick, or a pick killed before it finished the run; picked again.
  std::ifstream in(recipe_file(proj, run, o));
  if (!in) return false;
  const std::string had((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (had == recipe) return true;
  throw Error(proj.root(), "run " + run + " already has picks by user '" + o.user_id + "', session '" + o.session_id +
                               "' made with another model or other settings: --overwrite replaces them; --user-id or "
                               "--session-id keeps both");
}

// A tomogram the readers know (a file, a zarr folder, a folder of slices), not a folder of tomograms.
bool detect_format_ok(const fs::path& p) {
  try {
    if (detect_tomogram_format(p) != TomoFormat::slices) return true;
    return !list_slice_files(p).empty();
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

void run_pick(const PickCliOptions& o) {
  infer::PickerOptions po;
  for (const auto& m : o.models) po.models.emplace_back(m);
  if (po.models.empty()) po.models.push_back(infer::default_model_path());
  po.model_weights = o.model_weights;
  po.fusion = o.fusion;
  po.centroids = o.centroids;
  po.device = o.device, po.precision = o.precision, po.tta = o.tta, po.blend = o.blend, po.batch = o.batch;
  if (!o.window.empty()) po.window = parse_shape(o.window, "--window");
  po.overlap = o.overlap, po.nms_fraction = o.nms_fraction, po.normalize = o.normalize, po.invert = o.invert;
  po.calibrate = o.calibrate;
  if (o.spacing) po.spacing = Vec3{*o.spacing, *o.spacing, *o.spacing};
  if (!o.max_memory.empty()) po.max_memory_bytes = infer::parse_bytes(o.max_memory, "--max-memory");
  if (!o.thresholds_file.empty()) {
    for (const auto& [k, v] : read_thresholds(o.thresholds_file).min_scores()) po.thresholds[k] = v;
  }
  for (const auto& [k, v] : parse_name_values(o.threshold, "--threshold")) po.thresholds[k] = v;
  po.expected = parse_name_values(o.expect, "--expect");
  // The quantile rule ranks every tomogram's best peak, so no threshold may hide one.
  if (o.quantile && !po.thresholds.count(kMotorObject)) po.thresholds[kMotorObject] = 0;
  po.default_threshold = o.default_threshold;
  po.user_id = o.user_id, po.session_id = o.session_id;
  po = infer::resolve_model_folders(po);  // the recipe below names the member files
  infer::Picker picker(po);
  if (po.calibrate != "none" && picker.info().classes.size() == 1 && picker.info().classes[0].name == kMotorObject)
    throw Error("--calibrate", "fits the scores of many particles of a class in a tomogram; a motor model calls one per "
                               "tomogram: use its threshold or --quantile");
  {
    std::string t;
    for (const auto& [k, v] : picker.thresholds()) t += " " + k + "=" + std::to_string(v).substr(0, 5);
    spdlog::info("{} model(s) at {} Å on {}; thresholds:{}", po.models.size(), picker.info().spacing_A, picker.device(), t);
  }

  // What to pick: a copick project's runs, or tomogram files (a folder of slice-stack tomograms, as
  // BYU's train/, stands for its tomograms).
  struct Job {
    std::string run;
    fs::path tomogram;
    std::optional<double> spacing;  // from --labels
  };
  TomoGeometryMap byu_geometry;
  if (!o.labels.empty())
    for (const auto& l : read_byu_labels(o.labels))
      byu_geometry[l.tomo_id] = {l.shape_x, l.shape_y, l.shape_z, l.voxel_spacing};
  std::vector<Job> jobs;
  std::optional<CopickProject> proj;
  if (o.inputs.size() == 1 && CopickProject::is_project(o.inputs[0])) {
    proj = CopickProject::open(o.inputs[0]);
    for (const auto& run : proj->runs()) {
      if (!o.runs.empty() && std::find(o.runs.begin(), o.runs.end(), run) == o.runs.end()) continue;
      jobs.push_back({run, proj->find_tomogram(run, o.tomo_type).path, std::nullopt});
    }
    if (jobs.empty()) throw Error(o.inputs[0], "no runs to pick (check --runs)");
  } else {
    if (!o.runs.empty()) throw Error("--runs", "selects runs of a copick project; the inputs are tomogram files");
    for (const auto& in : o.inputs) {
      std::vector<fs::path> tomograms{in};
      if (fs::is_directory(in) && !detect_format_ok(in)) {
        tomograms.clear();
        for (const auto& e : fs::directory_iterator(in))
          if (e.is_directory() && detect_format_ok(e.path())) tomograms.push_back(e.path());
        std::sort(tomograms.begin(), tomograms.end());
        if (tomograms.empty()) throw Error(in, "is neither a tomogram nor a folder of tomograms");
      }
      for (const auto& t : tomograms) {
        Job j{tomogram_name(t), t, std::nullopt};
        if (!byu_geometry.empty()) {
          const auto* g = find_tomo_geometry(byu_geometry, j.run);
          if (!g || !(g->spacing_A > 0)) throw Error(o.labels, "has no voxel spacing for tomogram " + j.run);
          j.spacing = g->spacing_A;
        }
        jobs.push_back(j);
      }
    }
    if (o.out.empty()) throw Error("--out", "required when picking tomogram files (.csv, .star, or a folder for copick JSON)");
  }

  // On a cluster each process picks its share of the runs (sorted by name, run j to shard j % N).
  const Shard shard = find_shard(o.shard);
  fs::path out_path = o.out;
  if (shard.active()) {
    std::vector<std::string> names;
    for (const auto& j : jobs) names.push_back(j.run);
    const auto mine = shard_items(names, shard);
    std::vector<Job> kept;
    for (const auto& run : mine)
      for (const auto& j : jobs)
        if (j.run == run && (kept.empty() || kept.back().run != run)) kept.push_back(j);
    spdlog::info("shard {} (from {}): {} of {} run(s)", shard.str(), shard.source, kept.size(), jobs.size());
    jobs = std::move(kept);
    if (!out_path.empty()) out_path = shard_output(out_path, shard);
  }

  std::vector<PickSet> all;
  TomoGeometryMap geometry;
  Progress runs_bar("pick", int64_t(jobs.size()), "run");
  const auto t0 = std::chrono::steady_clock::now();
  int64_t skipped = 0;
  const std::string recipe = proj ? pick_recipe(o, po, picker) : std::string();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    TomoReadOptions ro;
    if (job.spacing) ro.spacing = Vec3{*job.spacing, *job.spacing, *job.spacing};
    else if (o.spacing) ro.spacing = Vec3{*o.spacing, *o.spacing, *o.spacing};
    const auto info = probe_tomogram(job.tomogram, ro);
    geometry[job.run] = {info.levels[0].shape.x, info.levels[0].shape.y, info.levels[0].shape.z, info.levels[0].spacing.x};
    if (proj && !o.overwrite && run_done(*proj, job.run, picker, o, recipe)) {
      // An interrupted project pick resumes here: finished runs keep their picks.
      ++skipped;
      for (auto& s : proj->read_picks(job.run, "", o.user_id, o.session_id)) all.push_back(std::move(s));
      runs_bar.update(int64_t(i + 1));
      continue;
    }
    // One tomogram: a bar over its windows; many: the bar over runs is enough.
    std::unique_ptr<Progress> windows;
    auto progress = [&](int64_t done, int64_t total) {
      if (jobs.size() != 1) return;
      if (!windows) windows = std::make_unique<Progress>("pick " + job.run, total, "window");
      windows->update(done);
    };
    // A spacing from --labels is this tomogram's own: read it here with it (slice stacks carry none).
    auto sets = job.spacing ? picker.pick(read_tomogram(job.tomogram, ro).to_float32(), job.run, progress)
                            : picker.pick(job.tomogram, job.run, progress);
    if (windows) windows->finish();
    size_t n = 0;
    for (const auto& s : sets) n += s.points.size();
    spdlog::info("{}: {} picks", job.run, n);
    if (proj) {
      // The old recipe goes first and the new one comes last: a run counts as done only when all of
      // its files are this recipe's.
      fs::remove(recipe_file(*proj, job.run, o));
      for (const auto& s : sets) proj->write_picks(s);
      write_file_atomic(recipe_file(*proj, job.run, o), recipe);
    }
    for (auto& s : sets) all.push_back(std::move(s));
    runs_bar.update(int64_t(i + 1));
  }
  runs_bar.finish();
  if (skipped) spdlog::info("{} run(s) already picked were kept (use --overwrite to redo them)", skipped);

  // A motor model's picks are BYU's question: one motor per tomogram, or none.
  const auto& classes = picker.info().classes;
  const bool motor_model = classes.size() == 1 && classes[0].name == kMotorObject;
  std::string format = o.format;
  if (format == "auto") format = motor_model && fs::path(out_path).extension() == ".csv" ? "byu-submission" : "";
  if (!format.empty() && format != "byu-submission" && format != "csv" && format != "star" && format != "copick")
    throw Error("--format", "must be auto, csv, star, copick or byu-submission, got '" + o.format + "'");
  if (o.quantile && format != "byu-submission")
    throw Error("--quantile", "applies to BYU submissions (a motor model, or --format byu-submission)");
  if (format == "byu-submission") {
    if (out_path.empty()) throw Error("--out", "required for a BYU submission (.csv)");
    std::vector<std::string> runs;
    for (const auto& j : jobs) runs.push_back(j.run);
    const double threshold = o.quantile ? quantile_threshold(best_scores(all, runs), *o.quantile)
                                        : picker.thresholds().count(kMotorObject) ? picker.thresholds().at(kMotorObject)
                                                                                  : o.default_threshold;
    const auto calls = call_motors(all, runs, geometry, threshold);
    size_t with = 0;
    for (const auto& c : calls) with += c.has_motor();
    spdlog::info("BYU submission: a motor in {} of {} tomogram(s) (score >= {:.4g}{})", with, calls.size(), threshold,
                 o.quantile ? ", the quantile rule" : "");
    write_byu_submission(out_path, calls);
  } else if (!out_path.empty()) {
    const fs::path& out = out_path;
    const auto ext = out.extension().string();
    if (ext == ".csv" || ext == ".star") {
      PickWriteOptions wo;
      wo.star.tomograms = geometry;
      write_picks(out, all, wo);
    } else if (ext.empty()) {
      auto dest = CopickProject::is_project(out) ? CopickProject::open(out) : CopickProject::create(out, [&] {
        CopickConfig cfg;
        for (const auto& k : picker.info().classes) {
          PickableObject obj;
          obj.name = k.name, obj.label = int(cfg.objects.size() + 1), obj.radius = k.radius_A;
          cfg.objects.push_back(obj);
        }
        return cfg;
      }());
      for (const auto& s : all) dest.write_picks(s);
    } else {
      throw Error(out, "unknown output: use .csv (CZII submission), .star (RELION 5) or a folder (copick project)");
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::map<std::string, size_t> counts;
  for (const auto& s : all) counts[s.object] += s.points.size();
  std::cout << "picked " << jobs.size() << " run(s) in " << Progress::format_duration(secs) << " on " << picker.device()
            << ":";
  for (const auto& [k, n] : counts) std::cout << " " << k << " " << n << ";";
  std::cout << "\n";
  if (!out_path.empty()) std::cout << "wrote " << out_path.string() << "\n";
}

}  // namespace tomopick::cli
