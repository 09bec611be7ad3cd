#include "tomopick/train/validation.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "tomopick/eval/czii_score.h"
#include "tomopick/eval/partial_tune.h"
#include "tomopick/infer/model_runner.h"
#include "tomopick/infer/sliding_window.h"
#include "tomopick/infer/tta.h"
#include "tomopick/pick/peaks.h"
#include "tomopick/pick/point_decode.h"

namespace tomopick::train {

namespace {

// The candidate peaks (score >= min_score) of every class in each run's whole tomogram, as `pick`
// finds them; one entry per run, one set per class.
std::vector<std::vector<PickSet>> candidate_peaks(nn::HeatmapNet& net, const nn::ModelInfo& info,
                                                  const std::vector<TrainingRun>& runs, float min_score) {
  const bool was_training = net->is_training();
  net->eval();
  torch::NoGradGuard no_grad;
  infer::WindowOptions w;
  w.window = info.window;
  w.overlap = info.overlap;
  w.tta = infer::parse_tta(info.tta);
  const bool offsets = info.model.head == "point";
  std::vector<infer::Member> members{{infer::make_predictor(net), 1.0, offsets}};
  std::vector<ClassPickSpec> specs;
  for (const auto& k : info.classes) specs.push_back({k.name, k.radius_A, min_score, info.nms_fraction});
  std::vector<std::vector<PickSet>> out;
  for (const auto& run : runs) {
    const auto heatmaps = infer::predict_volume(run.image, members, w);
    HeatmapGrid grid;
    grid.stride = 1;
    grid.input_spacing_A = run.image.spacing();
    PickClassesOptions po;
    po.run = run.name;
    out.push_back(pick_maps(heatmaps, offsets, specs, grid, po));
  }
  net->train(was_training);
  return out;
}

}  // namespace

ValidationResult validate_model(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                float min_score) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<PickSet> truth, picks;
  std::vector<std::string> names;
  ValidationResult out;
  const auto peaks = candidate_peaks(net, info, runs, min_score);
  for (size_t r = 0; r < runs.size(); ++r) {
    names.push_back(runs[r].name);
    for (const auto& s : peaks[r]) {
      out.picks += int64_t(s.points.size());
      picks.push_back(s);
    }
    for (const auto& s : runs[r].picks) truth.push_back(s);
  }

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

ValidationResult validate_partial(nn::HeatmapNet& net, const nn::ModelInfo& info, const std::vector<TrainingRun>& runs,
                                  float min_score, const std::map<std::string, double>& given_counts, double beta,
                                  double tolerance) {
  const auto t0 = std::chrono::steady_clock::now();
  ValidationResult out;
  const auto peaks = candidate_peaks(net, info, runs, min_score);
  out.tuned.metric = "pu";
  out.tuned.beta = beta;
  double fsum = 0, wsum = 0;
  for (size_t k = 0; k < info.classes.size(); ++k) {
    const auto& cls = info.classes[k];
    // A held-back pick is found at threshold t when a peak scoring >= t lies within half its radius
    // (the CZII hit criterion).
    const double reach = 0.5 * cls.radius_A;
    std::vector<double> scores, held, labelled;
    // The best score of a peak within half the radius of each pick: a pick is found at threshold t
    // when that is >= t (the CZII hit criterion).
    auto best_near = [&](const std::vector<Pick>& found, const Pick& h) {
      double best = 0;
      for (const auto& p : found) {
        const double dx = p.x - h.x, dy = p.y - h.y, dz = p.z - h.z;
        if (dx * dx + dy * dy + dz * dz <= reach * reach) best = std::max(best, p.score);
      }
      return best;
    };
    for (size_t r = 0; r < runs.size(); ++r) {
      const auto& found = peaks[r][k].points;
      for (const auto& p : found) scores.push_back(p.score);
      out.picks += int64_t(found.size());
      for (const auto& set : runs[r].held_out)
        if (set.object == cls.name)
          for (const auto& h : set.points) held.push_back(best_near(found, h));
      for (const auto& set : runs[r].picks)
        if (set.object == cls.name)
          for (const auto& h : set.points) labelled.push_back(best_near(found, h));
    }
    if (held.empty()) continue;
    const auto given = given_counts.find(cls.name);
    const double count = given == given_counts.end() ? 0 : given->second;
    out.pu_held_out[cls.name] = estimate_pu(scores, held, beta, count);
    const auto e = estimate_pu_partial(scores, labelled, held, beta, count, tolerance);
    out.pu[cls.name] = e;
    double found = 0;
    for (double h : held) found += e.threshold && h >= *e.threshold ? 1 : 0;
    out.held_out_recall[cls.name] = found / double(held.size());
    TunedType t = tuned_from_pu(cls.name, e);
    t.scored = cls.scored;
    out.tuned.types.push_back(t);
    out.thresholds[cls.name] = t.at.threshold;
    if (cls.scored) {
      out.f_beta[cls.name] = out.pu_held_out[cls.name].fbeta;
      fsum += out.f_beta[cls.name], wsum += 1;
    }
  }
  if (out.tuned.types.empty()) throw Error("validation", "no held-back picks of any class to validate with");
  out.score = wsum > 0 ? fsum / wsum : 0;
  out.tuned.expected_score = out.score;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace tomopick::train
