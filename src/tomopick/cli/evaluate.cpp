// tomopick evaluate --truth T --picks P: how good picks are, by the CZII or the BYU Kaggle metric,
// with per-type counts and, on request, precision-recall curves.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cmath>
#include <iostream>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/scoring_options.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/eval/thresholds.h"

namespace tomopick::cli {

using json = nlohmann::json;

namespace {

struct EvaluateArgs {
  std::string truth, picks, metric = "czii", extra_runs = "ignore", thresholds, pr_out;
  std::optional<double> spacing;
  bool pr = false, as_json = false;
  EvalRequest req;
};

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string list_some(const std::vector<std::string>& v, size_t n = 8) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < n; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > n) s += fmt::format(", … ({} in all)", v.size());
  return s;
}

json point_json(const PrPoint& p) {
  return {{"threshold", p.threshold}, {"picks", p.picks},           {"tp", p.counts.tp},
          {"fp", p.counts.fp},        {"fn", p.counts.fn},          {"precision", p.rates.precision},
          {"recall", p.rates.recall}, {"f", p.rates.fbeta}};
}

json curve_json(const std::string& name, int64_t truths, const std::vector<PrPoint>& pts, int64_t best) {
  json j = {{"type", name}, {"truths", truths}, {"thresholds", pts.size()}};
  j["best"] = best >= 0 ? point_json(pts[size_t(best)]) : json(nullptr);
  json a = json::array();
  for (const auto& p : pts) a.push_back(point_json(p));
  j["points"] = a;
  return j;
}

// A dozen rows of a curve (always the best one) for people; the whole curve goes to --json / --pr-out.
void print_curve(const std::string& name, int64_t truths, const std::vector<PrPoint>& pts, int64_t best, double beta) {
  std::cout << fmt::format("  {}: {} truth points, {} thresholds", name, truths, pts.size());
  if (best >= 0) {
    const auto& b = pts[size_t(best)];
    std::cout << fmt::format("; best threshold {:.6g}: F{:g} {:.4f} (precision {:.4f}, recall {:.4f})\n", b.threshold, beta,
                             b.rates.fbeta, b.rates.precision, b.rates.recall);
  } else {
    std::cout << (pts.empty() ? "; no picks\n" : "; no threshold gives F > 0 (keep none)\n");
  }
  if (pts.empty()) return;
  std::vector<size_t> rows;
  const size_t n = pts.size(), k = std::min<size_t>(n, 12);
  for (size_t i = 0; i < k; ++i) rows.push_back(k == 1 ? 0 : (i * (n - 1) + (k - 1) / 2) / (k - 1));
  if (best >= 0) rows.push_back(size_t(best));
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::cout << fmt::format("    {:>12}  {:>8}  {:>7}  {:>7}  {:>7}  {:>9}  {:>7}  {:>7}\n", "threshold", "picks", "TP", "FP",
                           "FN", "precision", "recall", fmt::format("F{:g}", beta));
  for (const size_t i : rows) {
    const auto& p = pts[i];
    std::cout << fmt::format("    {:>12.6g}  {:>8}  {:>7}  {:>7}  {:>7}  {:>9.4f}  {:>7.4f}  {:>7.4f}{}\n", p.threshold, p.picks,
                             p.counts.tp, p.counts.fp, p.counts.fn, p.rates.precision, p.rates.recall, p.rates.fbeta,
                             int64_t(i) == best ? "  <- best" : "");
  }
}

void write_curves_csv(const fs::path& path, const std::vector<std::pair<std::string, const std::vector<PrPoint>*>>& curves) {
  std::string out = "type,threshold,picks,tp,fp,fn,precision,recall,f\n";
  for (const auto& [name, pts] : curves)
    for (const auto& p : *pts)
      out += fmt::format("{},{},{},{},{},{},{},{},{}\n", name, p.threshold, p.picks, p.counts.tp, p.counts.fp, p.counts.fn,
                         p.rates.precision, p.rates.recall, p.rates.fbeta);
  write_file_atomic(path, out);
  spdlog::info("wrote the precision-recall curves to {}", path.string());
}

void evaluate_czii(const EvaluateArgs& a, EvalSetup& s) {
  if (!a.thresholds.empty()) {
    const Thresholds t = read_thresholds(a.thresholds);
    if (t.metric == "byu") throw Error(fs::path(a.thresholds), "holds byu thresholds, not per-type ones");
    s.czii.min_score = t.min_scores();
  }
  const CziiResult r = about_picks(a.picks, [&] { return czii_score(s.truth.sets, s.picks.sets, s.czii); });
  std::vector<TypeCurve> curves;
  if (a.pr) curves = about_picks(a.picks, [&] { return czii_pr_curves(s.truth.sets, s.picks.sets, s.czii); });
  if (!a.pr_out.empty()) {
    std::vector<std::pair<std::string, const std::vector<PrPoint>*>> c;
    for (const auto& tc : curves) c.emplace_back(tc.name, &tc.points);
    write_curves_csv(a.pr_out, c);
  }
  const double beta = s.czii.beta;

  if (a.as_json) {
    json types = json::array();
    for (const auto& t : r.types)
      types.push_back({{"name", t.name}, {"radius_A", t.radius_A}, {"weight", t.weight}, {"scored", t.scored},
                       {"truths", t.truths}, {"picks", t.picks}, {"tp", t.counts.tp}, {"fp", t.counts.fp},
                       {"fn", t.counts.fn}, {"precision", t.rates.precision}, {"recall", t.rates.recall},
                       {"f", t.rates.fbeta}, {"threshold", t.min_score ? num(*t.min_score) : json(nullptr)}});
    json j = {{"metric", "czii"},
              {"truth", a.truth},
              {"picks", a.picks},
              {"beta", beta},
              {"distance_multiplier", s.czii.distance_multiplier},
              {"matching", matching_name(s.czii.matching)},
              {"score", num(r.score)},
              {"types", types},
              {"runs", r.runs},
              {"truth_only_runs", r.truth_only_runs},
              {"picks_only_runs", r.picks_only_runs},
              {"picks_only_run_picks", r.picks_only_run_picks},
              {"picks_only_runs_counted_as", s.czii.extra_runs_are_fp ? "fp" : "ignored"},
              {"unknown_types", r.unknown_types},
              {"unknown_type_picks", r.unknown_type_picks}};
    if (a.pr) {
      json cj = json::array();
      for (const auto& c : curves) cj.push_back(curve_json(c.name, c.truths, c.points, c.best));
      j["curves"] = cj;
    }
    std::cout << j.dump(2) << "\n";
    return;
  }

  std::cout << fmt::format("CZII score {}  (weighted F{:g}; match within {:g} x radius; matching {}; {} runs)\n",
                           format_score(r.score), beta, s.czii.distance_multiplier, matching_name(s.czii.matching),
                           r.runs.size());
  size_t w = 4;
  for (const auto& t : r.types) w = std::max(w, t.name.size() + 2);
  const bool thresholds = !s.czii.min_score.empty();
  std::cout << fmt::format("  {:<{}}  {:>7}  {:>6}  {:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>9}  {:>7}  {:>7}{}\n", "type", w,
                           "radius", "weight", "truth", "picks", "TP", "FP", "FN", "precision", "recall",
                           fmt::format("F{:g}", beta), thresholds ? "  min score" : "");
  for (const auto& t : r.types) {
    std::string th;
    if (thresholds) th = t.min_score ? (std::isfinite(*t.min_score) ? fmt::format("  {:>9.6g}", *t.min_score) : "   keep none") : "          -";
    std::cout << fmt::format("  {:<{}}  {:>7.1f}  {:>6g}  {:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>9.4f}  {:>7.4f}  {:>7.4f}{}\n",
                             t.name + (t.scored ? "" : " *"), w, t.radius_A, t.weight, t.truths, t.picks, t.counts.tp,
                             t.counts.fp, t.counts.fn, t.rates.precision, t.rates.recall, t.rates.fbeta, th);
  }
  std::vector<std::string> unscored;
  for (const auto& t : r.types)
    if (!t.scored) unscored.push_back(t.name);
  if (!unscored.empty())
    std::cout << "  * not scored (no truth points; the Kaggle metric scores the types the truth holds): "
              << list_some(unscored) << "\n";
  if (!r.picks_only_runs.empty())
    std::cout << fmt::format("  {} picks in runs without truth {}: {}\n", r.picks_only_run_picks,
                             s.czii.extra_runs_are_fp ? "counted as FP" : "ignored", list_some(r.picks_only_runs));
  if (!r.truth_only_runs.empty())
    std::cout << fmt::format("  runs with truth but no picks: {}\n", list_some(r.truth_only_runs));
  if (!r.unknown_types.empty())
    std::cout << fmt::format("  {} picks of unknown types ignored: {}\n", r.unknown_type_picks, list_some(r.unknown_types));
  if (a.pr) {
    std::cout << "precision-recall (a threshold keeps the picks with score >= it):\n";
    for (const auto& c : curves) print_curve(c.name, c.truths, c.points, c.best, beta);
  }
}

void evaluate_byu(const EvaluateArgs& a, EvalSetup& s) {
  if (!a.thresholds.empty()) {
    const Thresholds t = read_thresholds(a.thresholds);
    if (t.metric != "byu" || t.types.size() != 1)
      throw Error(fs::path(a.thresholds), "holds " + t.metric + " thresholds, not the one BYU motor threshold");
    s.byu.min_score = t.types[0].threshold.value_or(INFINITY);
  }
  const ByuResult r = about_picks(a.picks, [&] { return byu_score(s.truth.sets, s.picks.sets, s.byu); });
  std::vector<PrPoint> curve;
  int64_t best = -1;
  if (a.pr) {
    curve = about_picks(a.picks, [&] { return byu_pr_curve(s.truth.sets, s.picks.sets, s.byu); });
    best = best_point(curve);
  }
  if (!a.pr_out.empty()) write_curves_csv(a.pr_out, {{kMotorObject, &curve}});
  const double beta = s.byu.beta;
  int64_t motors = 0;
  for (const auto& t : r.tomograms) motors += t.has_motor ? 1 : 0;

  if (a.as_json) {
    json tomos = json::array();
    for (const auto& t : r.tomograms)
      tomos.push_back({{"run", t.run}, {"has_motor", t.has_motor}, {"predicted", t.predicted},
                       {"score", t.has_picks ? json(t.score) : json(nullptr)},
                       {"distance_vox", t.distance_vox >= 0 ? num(t.distance_vox) : json(nullptr)},
                       {"threshold_vox", t.distance_vox >= 0 ? json(t.threshold_vox) : json(nullptr)},
                       {"outcome", byu_outcome_name(t.outcome)}});
    json j = {{"metric", "byu"},         {"truth", a.truth},         {"picks", a.picks},
              {"beta", beta},            {"distance_A", s.byu.distance_A},
              {"score", r.rates.fbeta},  {"tp", r.counts.tp},        {"fp", r.counts.fp},
              {"fn", r.counts.fn},       {"tn", r.tn},               {"precision", r.rates.precision},
              {"recall", r.rates.recall}, {"tomograms", tomos},      {"picks_only_runs", r.picks_only_runs},
              {"picks_only_run_picks", r.picks_only_run_picks},
              {"threshold", s.byu.min_score ? num(*s.byu.min_score) : json(nullptr)}};
    if (a.pr) j["curve"] = curve_json(kMotorObject, motors, curve, best);
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("BYU score {:.6f}  (F{:g} over {} tomograms, {} with a motor; a prediction counts within {:g} Å)\n",
                           r.rates.fbeta, beta, r.tomograms.size(), motors, s.byu.distance_A);
  std::cout << fmt::format("  TP {}  FP {}  FN {}  TN {}  precision {:.4f}  recall {:.4f}\n", r.counts.tp, r.counts.fp,
                           r.counts.fn, r.tn, r.rates.precision, r.rates.recall);
  std::vector<std::string> far, missed, fps;
  for (const auto& t : r.tomograms) {
    if (t.outcome == ByuOutcome::fp) fps.push_back(t.run);
    if (t.outcome == ByuOutcome::fn) (t.predicted ? far : missed).push_back(t.run);
  }
  if (!far.empty()) std::cout << "  FN, motor predicted too far away: " << list_some(far) << "\n";
  if (!missed.empty()) std::cout << "  FN, no motor predicted: " << list_some(missed) << "\n";
  if (!fps.empty()) std::cout << "  FP, motor predicted in a motor-free tomogram: " << list_some(fps) << "\n";
  if (!r.picks_only_runs.empty())
    std::cout << fmt::format("  {} picks in tomograms without truth ignored: {}\n", r.picks_only_run_picks,
                             list_some(r.picks_only_runs));
  if (a.pr) {
    std::cout << "precision-recall (a tomogram's prediction is its best pick, kept when its score >= the threshold):\n";
    print_curve(kMotorObject, motors, curve, best, beta);
  }
}

}  // namespace

void add_evaluate(CLI::App& app) {
  auto a = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand("evaluate", "Score picks against truth with the CZII or BYU Kaggle metric");
  cmd->add_option("--truth", a->truth,
                  "Truth: copick project, folder of pick files (e.g. the CZII FiveParticlesData*.csv), or a pick file")
      ->required();
  cmd->add_option("--picks", a->picks, "Picks: copick project, folder of pick files, or a pick file (.csv .json .star)")
      ->required();
  cmd->add_option("--metric", a->metric, "czii (default), byu, or pr (czii with precision-recall curves)")
      ->check(CLI::IsMember({"czii", "byu", "pr"}));
  add_scoring_options(cmd, a->req, a->spacing, a->extra_runs);
  cmd->add_option("--thresholds", a->thresholds, "Apply a thresholds.json from `tomopick tune` (keep score >= threshold)");
  cmd->add_flag("--pr", a->pr, "Also give each type's precision-recall curve and best threshold");
  cmd->add_option("--pr-out", a->pr_out, "Write the full precision-recall curves to this CSV (implies --pr)");
  cmd->add_flag("--json", a->as_json, "Print JSON instead of text");
  cmd->callback([a] {
    a->req.truth = a->truth;
    a->req.picks = a->picks;
    a->req.metric = a->metric == "byu" ? "byu" : "czii";
    a->req.spacing_A = a->spacing.value_or(0);
    a->req.extra_runs_are_fp = a->extra_runs == "fp";
    if (a->metric == "pr" || !a->pr_out.empty()) a->pr = true;
    EvalSetup s = prepare_evaluation(a->req);
    if (a->req.metric == "byu") evaluate_byu(*a, s);
    else evaluate_czii(*a, s);
  });
}

}  // namespace tomopick::cli
