#include "tomopick/train/validation.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "tomopick/eval/czii_score.h"
#include "tomopick/infer/model_runner.h"
#include "tomopick/infer/sliding_window.h"
#include "tomopick/pick/peaks.h"

namespace tomopick::train {

ValidationResult validate_model(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                float min_score) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool was_training = net->is_training();
  net->eval();
  infer::WindowOptions w;
  w.window = info.window;
  w.overlap = info.overlap;
  std::vector<infer::Member> members{{infer::make_predictor(net), 1.0}};
  std::vector<ClassPickSpec> specs;
  for (const auto& k : info.classes) specs.push_back({k.name, k.radius_A, min_score, info.nms_fraction});

  std::vector<PickSet> truth, picks;
  std::vector<std::string> names;
  ValidationResult out;
  for (const auto& run : runs) {
    names.push_back(run.name);
    const auto heatmaps = infer::predict_volume(run.image, members, w);
    HeatmapGrid grid;
    grid.stride = 1;
    grid.input_spacing_A = run.image.spacing();
    PickClassesOptions po;
    po.run = run.name;
    for (auto& s : pick_classes(heatmaps, specs, grid, po)) {
      out.picks += int64_t(s.points.size());
      picks.push_back(std::move(s));
    }
    for (const auto& s : run.picks) truth.push_back(s);
  }
  net->train(was_training);

  CziiOptions opts;
  opts.truth_runs = names;
  opts.ignore_unknown = true;
  for (const auto& k : info.classes) {
    bool known = false;
    for (auto& t : opts.types)
      if (t.name == k.name) t.radius_A = k.radius_A, known = true;
    if (!known) opts.types.push_back({k.name, k.radius_A, 1.0});
    bool has_truth = false;
    for (const auto& s : truth) has_truth |= s.object == k.name && !s.points.empty();
    if (k.scored && has_truth) opts.scored_types.push_back(k.name);
  }
  std::sort(opts.types.begin(), opts.types.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  if (opts.scored_types.empty()) throw Error("validation runs", "have no truth picks of any scored class");
  const auto curves = czii_pr_curves(truth, picks, opts);
  out.tuned = tune_czii(curves, opts);
  out.score = out.tuned.expected_score;
  for (const auto& t : out.tuned.types) {
    out.thresholds[t.name] = t.threshold.value_or(std::numeric_limits<double>::infinity());
    if (t.scored) out.f_beta[t.name] = t.at.rates.fbeta;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace tomopick::train
