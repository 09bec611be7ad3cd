#include "tomopick/demo/demo.h"
#include "tomopick/demo/demo_support.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/progress.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/infer/picker.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/report/html_report.h"
#include "tomopick/sim/simulate.h"

namespace tomopick::demo {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* kTruthUser = "simulation";


json czii_summary_json(const DemoOptions& o, const DemoResult& r) {
  json stages = json::object();
  for (const auto& s : r.stages) stages[s.name] = s.seconds;
  json types = json::array();
  for (const auto& t : r.score.types)
    types.push_back({{"name", t.name}, {"scored", t.scored}, {"truths", t.truths}, {"picks", t.picks}, {"tp", t.counts.tp},
                     {"fp", t.counts.fp}, {"fn", t.counts.fn}, {"precision", t.rates.precision},
                     {"recall", t.rates.recall}, {"f", t.rates.fbeta}});
  return {{"tomopick_demo", TOMOPICK_VERSION},
          {"seed", o.seed},
          {"shape_zyx", {o.shape.z, o.shape.y, o.shape.x}},
          {"voxel_spacing_A", o.spacing_A},
          {"model", r.model.string()},
          {"run", r.run},
          {"particles", r.particles},
          {"picks", r.picks},
          {"czii_score", r.score.score},
          {"types", types},
          {"seconds", stages},
          {"total_seconds", r.total_seconds},
          {"tomograms_kept", r.tomograms_kept}};
}

}  // namespace

DemoResult run_demo(const DemoOptions& o) {
  if (o.task == "byu") return run_byu_demo(o);
  if (o.task != "czii") throw Error("--task", "must be czii or byu, got '" + o.task + "'");
  DemoResult r;
  StageClock clock(r.stages);
  r.dir = demo_folder_path(o.out);
  r.shape = o.shape;
  r.spacing_A = o.spacing_A;
  r.seed = o.seed;
  check_demo_replaceable(r.dir);
  // A missing or broken model should fail now, not after the simulation.
  r.model = o.model.empty() ? infer::default_model_path() : o.model;
  const nn::ModelInfo info = nn::read_model_info(r.model);

  sim::SimConfig cfg = sim::sim_preset("czii");
  cfg.shape = o.shape;
  cfg.spacing = o.spacing_A;
  // Counts scale with the box, so a small one (--shape, for tests) would hold no particle and score
  // nothing: every class gets at least one (if it fits). The default box already holds several of each.
  const double f = sim::slab_volume_A3(cfg) / cfg.reference_volume_A3;
  const int at_least_one = int(std::ceil(1.0001 / f));
  for (auto& k : cfg.counts) {
    k.min = std::max(k.min, at_least_one);
    k.max = std::max(k.max, k.min);
  }

  AtomicDir dir(r.dir);
  const fs::path project_tmp = dir.path() / "project";
  const fs::path csv_tmp = dir.path() / "picks.csv";
  // The marker goes in first, so that even a folder left by a killed run is recognised as ours.
  write_file(dir.path() / kDemoMarker, czii_summary_json(o, r).dump(2) + "\n");

  // ---- simulate ----
  clock.start();
  spdlog::info("demo: simulating a CZII-like run of {} x {} x {} voxels at {:g} Å (seed {})", cfg.shape.z, cfg.shape.y,
               cfg.shape.x, cfg.spacing, o.seed);
  sim::SimulateOptions so;
  so.out = project_tmp;
  so.seed = o.seed;
  const auto runs = sim::simulate_project(cfg, so);
  r.run = runs.at(0);
  clock.stop("simulate");

  // ---- pick ----
  clock.start();
  spdlog::info("demo: picking {} with {} ({} classes at {:g} Å)", r.run, r.model.string(), info.classes.size(),
               info.spacing_A);
  const CopickProject project = CopickProject::open(project_tmp);
  for (const auto& s : project.read_picks(r.run, "", kTruthUser)) r.particles += int64_t(s.points.size());
  infer::PickerOptions po;
  po.models = {r.model};
  infer::Picker picker(po);
  std::unique_ptr<Progress> bar;
  const auto sets = picker.pick(project.find_tomogram(r.run, "denoised").path, r.run, [&](int64_t done, int64_t total) {
    if (!bar) bar = std::make_unique<Progress>("pick " + r.run, total, "window");
    bar->update(done);
  });
  if (bar) bar->finish();
  for (const auto& s : sets) {
    project.write_picks(s);
    r.picks += int64_t(s.points.size());
  }
  write_picks(csv_tmp, sets);
  clock.stop("pick");

  // ---- score ----
  // Exactly what `tomopick evaluate --truth <project> --truth-user simulation --picks <csv>` does.
  clock.start();
  EvalRequest eval;
  eval.truth = project_tmp;
  eval.truth_source.user_id = kTruthUser;
  eval.picks = csv_tmp;
  {
    const EvalSetup setup = prepare_evaluation(eval);
    r.score = czii_score(setup.truth.sets, setup.picks.sets, setup.czii);
  }
  clock.stop("score");

  write_file(dir.path() / kDemoMarker, czii_summary_json(o, r).dump(2) + "\n");
  dir.commit();
  r.project = r.dir / "project";
  r.picks_csv = r.dir / "picks.csv";
  r.report = r.dir / "report.html";

  // ---- report ----
  // After the rename, so that the report names the folder the user will find, not a temporary one.
  clock.start();
  spdlog::info("demo: writing the report");
  ReportRequest req;
  req.eval = eval;
  req.eval.truth = r.project;
  req.eval.picks = r.picks_csv;
  req.tomograms = r.project;
  req.command_line = o.command_line;
  req.title = "tomopick demo";
  const ReportResult rep = write_report(r.report, req);
  r.report_images = rep.images;
  r.report_notes = rep.notes;
  clock.stop("report");

  // The tomograms are most of the folder's size (tens of MB) and the report already shows them.
  r.tomograms_kept = o.keep;
  if (!o.keep) {
    std::error_code ec;
    for (const auto& t : CopickProject::open(r.project).tomograms(r.run)) fs::remove_all(t.path, ec);
  }
  r.total_seconds = clock.total();
  write_file_atomic(r.dir / kDemoMarker, czii_summary_json(o, r).dump(2) + "\n");
  return r;
}

}  // namespace tomopick::demo
