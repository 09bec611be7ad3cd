// tomopick tune --truth T --picks P --out thresholds.json: per-type score thresholds that maximise the
// metric on held-out data, for the picker to apply later.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <iostream>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/scoring_options.h"
#include "tomopick/core/error.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/eval/partial_tune.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/eval/thresholds.h"

namespace tomopick::cli {

namespace {

struct TuneArgs {
  std::string truth, picks, out, extra_runs = "ignore", expect;
  bool partial = false;
  PartialTuneOptions partial_options;
  std::optional<double> spacing;
  EvalRequest req;
};


// Partial labels: what was found is known, false positives are not, so rates are estimates.
void print_partial_table(const Thresholds& t) {
  std::cout << fmt::format("  {:<20}  {:>10}  {:>7}  {:>14}  {:>12}  {:>10}  {:>8}  {:>7}\n", "type", "threshold", "picks",
                           "labels found", "~particles", "precision~", "recall~", fmt::format("F{:g}~", t.beta));
  for (const auto& x : t.types)
    std::cout << fmt::format("  {:<20}  {:>10}  {:>7}  {:>14}  {:>12.0f}  {:>10.4f}  {:>8.4f}  {:>7.4f}\n", x.name,
                             x.threshold ? fmt::format("{:.6g}", *x.threshold) : "keep none", x.at.picks,
                             fmt::format("{} of {}", x.at.counts.tp, x.truths), x.estimated_count,
                             x.at.rates.precision, x.at.rates.recall, x.at.rates.fbeta);
}

void print_table(const Thresholds& t) {
  size_t w = 4;
  for (const auto& x : t.types) w = std::max(w, x.name.size() + 2);
  std::cout << fmt::format("  {:<{}}  {:>12}  {:>7}  {:>7}  {:>7}  {:>7}  {:>9}  {:>7}  {:>7}  {:>6}\n", "type", w, "threshold",
                           "picks", "TP", "FP", "FN", "precision", "recall", fmt::format("F{:g}", t.beta), "weight");
  for (const auto& x : t.types) {
    const std::string th = x.threshold ? fmt::format("{:.6g}", *x.threshold) : "keep none";
    std::cout << fmt::format("  {:<{}}  {:>12}  {:>7}  {:>7}  {:>7}  {:>7}  {:>9.4f}  {:>7.4f}  {:>7.4f}  {:>6g}\n",
                             x.name + (x.scored ? "" : " *"), w, th, x.at.picks, x.at.counts.tp, x.at.counts.fp,
                             x.at.counts.fn, x.at.rates.precision, x.at.rates.recall, x.at.rates.fbeta, x.weight);
  }
}

}  // namespace

void add_tune(CLI::App& app) {
  auto a = std::make_shared<TuneArgs>();
  auto* cmd = app.add_subcommand("tune", "Tune per-type score thresholds on held-out truth (writes thresholds.json)");
  cmd->add_option("--truth", a->truth, "Truth: copick project, folder of pick files, or a pick file")->required();
  cmd->add_option("--picks", a->picks, "Scored picks: copick project, folder of pick files, or a pick file")->required();
  cmd->add_option("--out", a->out, "Where to write thresholds.json")->required();
  cmd->add_option("--metric", a->req.metric, "czii (default: a threshold per type) or byu (one motor threshold)")
      ->check(CLI::IsMember({"czii", "byu"}));
  cmd->add_flag("--partial", a->partial,
                 "The truth is a sample of the particles (your picks), not all of them: thresholds from "
                 "positive-unlabelled estimates (README, \"Fine-tune on your own picks\")");
  cmd->add_option("--expect", a->expect, "--partial: about how many particles the labelled runs hold, name=N,...");
  cmd->add_option("--tolerance", a->partial_options.tolerance,
                  "--partial: the lowest threshold whose estimated F is this close to the best (default 0.02)");
  add_scoring_options(cmd, a->req, a->spacing, a->extra_runs);
  cmd->callback([a] {
    a->req.truth = a->truth;
    a->req.picks = a->picks;
    a->req.spacing_A = a->spacing.value_or(0);
    a->req.extra_runs_are_fp = a->extra_runs == "fp";
    EvalSetup s = prepare_evaluation(a->req);
    Thresholds t;
    double before = 0;
    if (a->partial) {
      if (a->req.metric != "czii") throw Error("--partial", "tunes per-type thresholds (the czii kind); drop --metric byu");
      a->partial_options.expected = parse_name_values(a->expect, "--expect");
      t = about_picks(a->picks, [&] { return tune_partial(s.truth.sets, s.picks.sets, s.czii, a->partial_options); });
      write_thresholds(a->out, t);
      std::cout << fmt::format("thresholds from partial labels (estimated F{:g}; a pick is kept when score >= its "
                               "threshold) -> {}\n", t.beta, a->out);
      print_partial_table(t);
      return;
    }
    if (!a->expect.empty()) throw Error("--expect", "goes with --partial");
    if (a->req.metric == "byu") {
      const auto curve = about_picks(a->picks, [&] { return byu_pr_curve(s.truth.sets, s.picks.sets, s.byu); });
      const ByuResult all = about_picks(a->picks, [&] { return byu_score(s.truth.sets, s.picks.sets, s.byu); });
      int64_t motors = 0;
      for (const auto& x : all.tomograms) motors += x.has_motor ? 1 : 0;
      t = tune_byu(curve, motors, s.byu);
      before = all.rates.fbeta;
    } else {
      const auto curves = about_picks(a->picks, [&] { return czii_pr_curves(s.truth.sets, s.picks.sets, s.czii); });
      t = tune_czii(curves, s.czii);
      before = about_picks(a->picks, [&] { return czii_score(s.truth.sets, s.picks.sets, s.czii); }).score;
    }
    write_thresholds(a->out, t);
    std::cout << fmt::format("{} thresholds (F{:g}{}; a pick is kept when score >= its threshold) -> {}\n",
                             t.metric == "byu" ? "BYU" : "CZII", t.beta,
                             t.metric == "byu" ? fmt::format(", within {:g} Å", t.distance_A)
                                               : fmt::format(", matching {}", t.matching),
                             a->out);
    print_table(t);
    bool unscored = false;
    for (const auto& x : t.types) unscored |= !x.scored;
    if (unscored) std::cout << "  * not part of the score (see --types)\n";
    std::cout << fmt::format("score at these thresholds {} (all picks: {})\n", format_score(t.expected_score), format_score(before));
  });
}

}  // namespace tomopick::cli
