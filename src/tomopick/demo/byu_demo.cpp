// The BYU task's demo: bacteria with flagellar motors in BYU's layout, the built-in motor model, the
// BYU submission and its F2, the report.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/progress.h"
#include "tomopick/demo/demo.h"
#include "tomopick/demo/demo_support.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/infer/picker.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/pick/motor_calls.h"
#include "tomopick/report/byu_report.h"
#include "tomopick/sim/byu_dataset.h"

namespace tomopick::demo {

namespace {

using json = nlohmann::ordered_json;


json byu_summary_json(const DemoOptions& o, const DemoResult& r) {
  json stages = json::object();
  for (const auto& s : r.stages) stages[s.name] = s.seconds;
  json tomos = json::array();
  for (const auto& t : r.byu.tomograms)
    tomos.push_back({{"tomo_id", t.run}, {"motor", t.has_motor}, {"called", t.predicted}, {"score", t.score},
                     {"outcome", byu_outcome_name(t.outcome)}});
  return {{"tomopick_demo", TOMOPICK_VERSION},
          {"task", "byu"},
          {"seed", o.seed},
          {"shape_zyx", {o.byu_shape.z, o.byu_shape.y, o.byu_shape.x}},
          {"model", r.model.string()},
          {"tomograms", r.tomograms},
          {"motors", r.motors},
          {"motor_threshold", r.motor_threshold},
          {"byu_f2", r.byu.rates.fbeta},
          {"tp", r.byu.counts.tp},
          {"fp", r.byu.counts.fp},
          {"fn", r.byu.counts.fn},
          {"tn", r.byu.tn},
          {"per_tomogram", tomos},
          {"seconds", stages},
          {"total_seconds", r.total_seconds},
          {"tomograms_kept", r.tomograms_kept}};
}

}  // namespace

DemoResult run_byu_demo(const DemoOptions& o) {
  DemoResult r;
  StageClock clock(r.stages);
  r.task = "byu";
  r.dir = demo_folder_path(o.out);
  r.shape = o.byu_shape;
  r.seed = o.seed;
  if (o.tomograms < 1) throw Error("--tomograms", "must be at least 1, got " + std::to_string(o.tomograms));
  check_demo_replaceable(r.dir);
  // A missing model, or one that does not find motors, should fail now, not after the simulation.
  r.model = o.model.empty() ? infer::default_motor_model_path() : o.model;
  const nn::ModelInfo info = nn::read_model_info(r.model);
  if (info.classes.size() != 1 || info.classes[0].name != kMotorObject)
    throw Error(r.model, std::string("is not a motor model (the BYU task needs one class, '") + kMotorObject + "')");

  AtomicDir dir(r.dir);
  const fs::path data_tmp = dir.path() / "byu";
  write_file(dir.path() / kDemoMarker, byu_summary_json(o, r).dump(2) + "\n");

  // ---- simulate ----
  clock.start();
  spdlog::info("demo: simulating {} BYU-like tomogram(s) of {} x {} x {} voxels (seed {})", o.tomograms, o.byu_shape.z,
               o.byu_shape.y, o.byu_shape.x, o.seed);
  sim::ByuSimOptions so;
  so.out = data_tmp;
  so.tomograms = o.tomograms;
  so.seed = o.seed;
  so.shape = o.byu_shape;
  const auto labels = sim::simulate_byu_dataset(sim::sim_preset("byu"), so);
  TomoGeometryMap geometry;
  std::vector<std::string> runs;
  for (const auto& l : labels) {
    if (!geometry.count(l.tomo_id)) runs.push_back(l.tomo_id);
    geometry[l.tomo_id] = {l.shape_x, l.shape_y, l.shape_z, l.voxel_spacing};
    r.motors += l.has_motor();
  }
  r.tomograms = int(runs.size());
  clock.stop("simulate");

  // ---- pick ----
  clock.start();
  spdlog::info("demo: picking them with {} (at {:g} Å)", r.model.string(), info.spacing_A);
  infer::PickerOptions po;
  po.models = {r.model};
  {
    // The threshold decides the call, not which peaks are seen: every tomogram's best peak is kept,
    // so the table and report show how far each one is from the threshold.
    const auto th = infer::Picker(po).thresholds();
    r.motor_threshold = th.count(kMotorObject) ? th.at(kMotorObject) : po.default_threshold;
  }
  po.thresholds[kMotorObject] = 0;
  infer::Picker picker(po);
  std::vector<PickSet> best;
  Progress bar("pick", int64_t(runs.size()), "tomogram");
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& g = geometry.at(runs[i]);
    TomoReadOptions ro;
    ro.spacing = Vec3{g.spacing_A, g.spacing_A, g.spacing_A};
    for (auto& s : picker.pick(read_tomogram(data_tmp / "train" / runs[i], ro).to_float32(), runs[i])) {
      if (s.points.size() > 1)
        s.points = {*std::max_element(s.points.begin(), s.points.end(),
                                      [](const Pick& a, const Pick& b) { return a.score < b.score; })};
      best.push_back(std::move(s));
    }
    bar.update(int64_t(i + 1));
  }
  bar.finish();
  write_picks(dir.path() / "picks.csv", best);
  write_byu_submission(dir.path() / "submission.csv", call_motors(best, runs, geometry, r.motor_threshold));
  for (const auto& s : best) r.picks += int64_t(s.points.size());
  clock.stop("pick");

  // ---- score ----
  // The best peaks with the threshold: the outcomes and F2 of `tomopick evaluate --metric byu --truth
  // byu/train_labels.csv --picks submission.csv`, and the scores besides.
  clock.start();
  EvalRequest eval;
  eval.metric = "byu";
  eval.truth = data_tmp / "train_labels.csv";
  eval.picks = dir.path() / "picks.csv";
  {
    EvalSetup setup = prepare_evaluation(eval);
    setup.byu.min_score = r.motor_threshold;
    r.byu = byu_score(setup.truth.sets, setup.picks.sets, setup.byu);
  }
  clock.stop("score");

  write_file(dir.path() / kDemoMarker, byu_summary_json(o, r).dump(2) + "\n");
  dir.commit();
  r.project = r.dir / "byu";
  r.picks_csv = r.dir / "picks.csv";
  r.submission = r.dir / "submission.csv";
  r.report = r.dir / "report.html";

  // ---- report ----
  // After the rename, so that the report names the folder the user will find.
  clock.start();
  spdlog::info("demo: writing the report");
  ByuReportRequest req;
  req.eval = eval;
  req.eval.truth = r.project / "train_labels.csv";
  req.eval.picks = r.picks_csv;
  req.min_score = r.motor_threshold;
  req.tomograms = r.project / "train";
  req.command_line = o.command_line;
  req.title = "tomopick demo: flagellar motors";
  const ByuReportResult rep = write_byu_report(r.report, req);
  r.report_images = rep.images;
  r.report_notes = rep.notes;
  clock.stop("report");

  // The slices are most of the folder's size (tens of MB each) and the report already shows them.
  r.tomograms_kept = o.keep;
  if (!o.keep) {
    std::error_code ec;
    fs::remove_all(r.project / "train", ec);
  }
  r.total_seconds = clock.total();
  write_file_atomic(r.dir / kDemoMarker, byu_summary_json(o, r).dump(2) + "\n");
  return r;
}

}  // namespace tomopick::demo
