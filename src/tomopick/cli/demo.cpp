// tomopick demo: simulate a small CZII-like run, pick it with the built-in model, score it and write
// the report, all in one folder, with a table of what came out and how long each stage took.
#include <fmt/format.h>

#include <iostream>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/common.h"
#include "tomopick/cli/scoring_options.h"
#include "tomopick/demo/demo.h"

namespace tomopick::cli {

namespace {

struct DemoCliOptions {
  std::string out = "tomopick-demo", model, shape;
  uint64_t seed = 0;
  bool keep = false;
};

// The command as the options make it (shown in the report; explicit, so it can be re-run).
std::string command_line(const DemoCliOptions& o) {
  std::string s = "tomopick demo --out " + o.out + " --seed " + std::to_string(o.seed);
  if (!o.model.empty()) s += " --model " + o.model;
  if (!o.shape.empty()) s += " --shape " + o.shape;
  if (o.keep) s += " --keep";
  return s;
}

void print_result(const demo::DemoResult& r) {
  const CziiResult& sc = r.score;
  std::cout << fmt::format("tomopick demo: simulated {} ({} x {} x {} voxels at {:g} Å, seed {}, {} particles)\n", r.run,
                           r.shape.z, r.shape.y, r.shape.x, r.spacing_A, r.seed, r.particles);
  std::cout << fmt::format("picked it with {}: {} picks\n\n", r.model.string(), r.picks);

  size_t w = 5;
  for (const auto& t : sc.types) w = std::max(w, t.name.size() + 2);
  std::cout << fmt::format("  {:<{}}  {:>6}  {:>6}  {:>6}  {:>5}  {:>5}  {:>5}  {:>9}  {:>7}  {:>7}\n", "class", w, "weight",
                           "truth", "picks", "TP", "FP", "FN", "precision", "recall", "F4");
  for (const auto& t : sc.types)
    std::cout << fmt::format("  {:<{}}  {:>6g}  {:>6}  {:>6}  {:>5}  {:>5}  {:>5}  {:>9.4f}  {:>7.4f}  {:>7.4f}\n",
                             t.name + (t.scored ? "" : " *"), w, t.weight, t.truths, t.picks, t.counts.tp, t.counts.fp,
                             t.counts.fn, t.rates.precision, t.rates.recall, t.rates.fbeta);
  bool unscored = false;
  for (const auto& t : sc.types) unscored |= !t.scored;
  if (unscored) std::cout << "  * not scored: no particles of it in the run\n";
  std::cout << fmt::format("\n  CZII score {}  (the weighted mean of the classes' F4)\n\n", format_score(sc.score));

  std::cout << "  stage        time\n";
  for (const auto& s : r.stages) std::cout << fmt::format("  {:<9}  {:>6.1f} s\n", s.name, s.seconds);
  std::cout << fmt::format("  {:<9}  {:>6.1f} s\n\n", "total", r.total_seconds);

  std::cout << fmt::format("report  {}  (one self-contained file: open it in a browser)\n", r.report.string());
  std::cout << fmt::format("picks   {}  (CZII submission CSV, Å), and copick picks of user tomopick in {}\n",
                           r.picks_csv.string(), r.project.string());
  if (!r.tomograms_kept) std::cout << "        (the simulated tomograms were removed; --keep keeps them)\n";
}

}  // namespace

void add_demo(CLI::App& app) {
  auto o = std::make_shared<DemoCliOptions>();
  auto* cmd = app.add_subcommand(
      "demo", "Try tomopick in one go: simulate a small CZII-like run, pick it, score it and write an HTML report");
  cmd->add_option("--out", o->out, "Folder to write (default tomopick-demo; an earlier demo there is replaced)");
  cmd->add_option("--seed", o->seed, "Random seed of the simulation");
  cmd->add_option("-m,--model", o->model, "Model file to pick with (default: the built-in one)");
  cmd->add_flag("--keep", o->keep, "Keep the simulated tomograms in OUT/project (about 75 MB) to try other commands on");
  // For tests: a smaller box than the default 92 x 315 x 315 voxels.
  cmd->add_option("--shape", o->shape, "Box Z,Y,X in voxels")->group("");
  cmd->callback([o] {
    demo::DemoOptions d;
    d.out = o->out;
    d.seed = o->seed;
    d.model = o->model;
    if (!o->shape.empty()) d.shape = parse_shape(o->shape, "--shape");
    d.keep = o->keep;
    d.command_line = command_line(*o);
    print_result(demo::run_demo(d));
  });
}

}  // namespace tomopick::cli
