// tomopick pick: the main job — tomograms (files or a copick project's runs) in, picks out.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <iostream>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/common.h"
#include "tomopick/core/error.h"
#include "tomopick/core/progress.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/infer/picker.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/tomogram.h"

namespace tomopick::cli {

namespace {

struct PickCliOptions {
  std::vector<std::string> inputs, models, runs;
  std::vector<double> model_weights;
  std::string out, tomo_type = "denoised", thresholds_file, threshold, expect, tta, window, device = "auto",
                   precision = "fp32", max_memory, user_id = "tomopick", session_id = "0", blend = "gaussian",
                   fusion = "heatmap";
  std::optional<double> overlap, spacing, nms_fraction;
  double default_threshold = 0.5;
  int batch = 1;
  bool overwrite = false, centroids = false;
};

// A run is done when every class has its pick file by this user and session.
bool run_done(const CopickProject& proj, const std::string& run, const infer::Picker& picker, const PickCliOptions& o) {
  const auto sets = proj.read_picks(run, "", o.user_id, o.session_id);
  for (const auto& k : picker.info().classes) {
    bool found = false;
    for (const auto& s : sets) found |= s.object == k.name;
    if (!found) return false;
  }
  return true;
}

void run_pick(const PickCliOptions& o) {
  infer::PickerOptions po;
  for (const auto& m : o.models) po.models.emplace_back(m);
  if (po.models.empty()) po.models.push_back(infer::default_model_path());
  po.model_weights = o.model_weights;
  po.fusion = o.fusion;
  po.centroids = o.centroids;
  po.device = o.device, po.precision = o.precision, po.tta = o.tta, po.blend = o.blend, po.batch = o.batch;
  if (!o.window.empty()) po.window = parse_shape(o.window, "--window");
  po.overlap = o.overlap, po.nms_fraction = o.nms_fraction;
  if (o.spacing) po.spacing = Vec3{*o.spacing, *o.spacing, *o.spacing};
  if (!o.max_memory.empty()) po.max_memory_bytes = infer::parse_bytes(o.max_memory, "--max-memory");
  if (!o.thresholds_file.empty()) {
    for (const auto& [k, v] : read_thresholds(o.thresholds_file).min_scores()) po.thresholds[k] = v;
  }
  for (const auto& [k, v] : parse_name_values(o.threshold, "--threshold")) po.thresholds[k] = v;
  po.expected = parse_name_values(o.expect, "--expect");
  po.default_threshold = o.default_threshold;
  po.user_id = o.user_id, po.session_id = o.session_id;
  infer::Picker picker(po);
  {
    std::string t;
    for (const auto& [k, v] : picker.thresholds()) t += " " + k + "=" + std::to_string(v).substr(0, 5);
    spdlog::info("{} model(s) at {} Å on {}; thresholds:{}", po.models.size(), picker.info().spacing_A, picker.device(), t);
  }

  // What to pick: a copick project's runs, or tomogram files.
  struct Job {
    std::string run;
    fs::path tomogram;
  };
  std::vector<Job> jobs;
  std::optional<CopickProject> proj;
  if (o.inputs.size() == 1 && CopickProject::is_project(o.inputs[0])) {
    proj = CopickProject::open(o.inputs[0]);
    for (const auto& run : proj->runs()) {
      if (!o.runs.empty() && std::find(o.runs.begin(), o.runs.end(), run) == o.runs.end()) continue;
      jobs.push_back({run, proj->find_tomogram(run, o.tomo_type).path});
    }
    if (jobs.empty()) throw Error(o.inputs[0], "no runs to pick (check --runs)");
  } else {
    if (!o.runs.empty()) throw Error("--runs", "selects runs of a copick project; the inputs are tomogram files");
    for (const auto& in : o.inputs) jobs.push_back({tomogram_name(in), in});
    if (o.out.empty()) throw Error("--out", "required when picking tomogram files (.csv, .star, or a folder for copick JSON)");
  }

  std::vector<PickSet> all;
  TomoGeometryMap geometry;
  Progress runs_bar("pick", int64_t(jobs.size()), "run");
  const auto t0 = std::chrono::steady_clock::now();
  int64_t skipped = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const auto& job = jobs[i];
    const auto info = probe_tomogram(job.tomogram);
    geometry[job.run] = {info.levels[0].shape.x, info.levels[0].shape.y, info.levels[0].shape.z,
                         o.spacing.value_or(info.levels[0].spacing.x)};
    if (proj && !o.overwrite && run_done(*proj, job.run, picker, o)) {
      // An interrupted project pick resumes here: finished runs keep their picks.
      ++skipped;
      for (auto& s : proj->read_picks(job.run, "", o.user_id, o.session_id)) all.push_back(std::move(s));
      runs_bar.update(int64_t(i + 1));
      continue;
    }
    // One tomogram: a bar over its windows; many: the bar over runs is enough.
    std::unique_ptr<Progress> windows;
    auto sets = picker.pick(job.tomogram, job.run, [&](int64_t done, int64_t total) {
      if (jobs.size() != 1) return;
      if (!windows) windows = std::make_unique<Progress>("pick " + job.run, total, "window");
      windows->update(done);
    });
    if (windows) windows->finish();
    size_t n = 0;
    for (const auto& s : sets) n += s.points.size();
    spdlog::info("{}: {} picks", job.run, n);
    if (proj) {
      // Objects first, so a run counts as done only when all of its files are there.
      for (const auto& s : sets) proj->write_picks(s);
    }
    for (auto& s : sets) all.push_back(std::move(s));
    runs_bar.update(int64_t(i + 1));
  }
  runs_bar.finish();
  if (skipped) spdlog::info("{} run(s) already picked were kept (use --overwrite to redo them)", skipped);

  if (!o.out.empty()) {
    const fs::path out = o.out;
    const auto ext = out.extension().string();
    if (ext == ".csv" || ext == ".star") {
      PickWriteOptions wo;
      wo.star.tomograms = geometry;
      write_picks(out, all, wo);
    } else if (ext.empty()) {
      auto dest = CopickProject::is_project(out) ? CopickProject::open(out) : CopickProject::create(out, [&] {
        CopickConfig cfg;
        for (const auto& k : picker.info().classes) cfg.objects.push_back({k.name, int(cfg.objects.size() + 1), k.radius_A});
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
  if (!o.out.empty()) std::cout << "wrote " << o.out << "\n";
}

}  // namespace

void add_pick(CLI::App& app) {
  auto o = std::make_shared<PickCliOptions>();
  auto* cmd = app.add_subcommand("pick", "Find particles: tomograms (MRC, OME-Zarr) or a copick project in, picks (Å) out");
  cmd->add_option("inputs", o->inputs, "Tomogram files, or one copick project")->required();
  cmd->add_option("-m,--model", o->models, "Model file(s) or checkpoints; several = an ensemble (default: built-in)");
  cmd->add_option("--model-weights", o->model_weights, "Ensemble weights, one per --model")->delimiter(',');
  cmd->add_option("-o,--out", o->out,
                  "Picks to write: .csv (CZII submission + score), .star (RELION 5), or a folder (copick). "
                  "Projects also get copick picks in place");
  cmd->add_option("--fusion", o->fusion, "Ensembles: heatmap (average the heatmaps) or wbf (fuse each model's picks)");
  cmd->add_flag("--centroids", o->centroids, "Connected-component centroids instead of max-pool peaks");
  cmd->add_option("--runs", o->runs, "Only these runs of a project")->delimiter(',');
  cmd->add_option("--tomo-type", o->tomo_type, "Tomogram type of a project's runs");
  cmd->add_option("--thresholds", o->thresholds_file, "thresholds.json from `tomopick tune` (per-class scores)");
  cmd->add_option("--threshold", o->threshold, "Per-class thresholds name=value,... (override the rest)");
  cmd->add_option("--default-threshold", o->default_threshold, "For classes the model has no tuned threshold for");
  cmd->add_option("--expect", o->expect,
                  "About how many particles each tomogram holds, name=N,...: a class keeps at least its N best peaks");
  cmd->add_option("--tta", o->tta, "Test-time augmentation: none, flips, rot90, all8, all9 or a list (default: the model's)");
  cmd->add_option("--window", o->window, "Sliding window Z,Y,X in model voxels (default: the model's)");
  cmd->add_option("--overlap", o->overlap, "Window overlap fraction (default: the model's)");
  cmd->add_option("--blend", o->blend, "Window blending: gaussian, pyramid or constant");
  cmd->add_option("--batch", o->batch, "Windows per network call")->check(CLI::PositiveNumber);
  cmd->add_option("--nms-fraction", o->nms_fraction, "Peak suppression radius as a fraction of the particle radius");
  cmd->add_option("--spacing", o->spacing, "Voxel spacing in Å (overrides the file's)");
  cmd->add_option("--device", o->device, "auto (CUDA if present), cpu, cuda");
  cmd->add_option("--precision", o->precision, "fp32, bf16 (autocast) or fp16 (CUDA)");
  cmd->add_option("--max-memory", o->max_memory, "Memory budget for inference, e.g. 4G (error if a window cannot fit)");
  cmd->add_option("--user-id", o->user_id, "copick user of the written picks");
  cmd->add_option("--session-id", o->session_id, "copick session of the written picks");
  cmd->add_flag("--overwrite", o->overwrite, "Re-pick runs of a project that already have picks");
  cmd->callback([o] { run_pick(*o); });
}

}  // namespace tomopick::cli
