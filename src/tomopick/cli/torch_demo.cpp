// tomopick demo, the part that runs (in libtomopick-torch.so; the options are demo.cpp's).
#include <fmt/format.h>

#include <iostream>

#include "tomopick/cli/common.h"
#include "tomopick/cli/scoring_options.h"
#include "tomopick/cli/torch_command_bodies.h"
#include "tomopick/demo/demo.h"

namespace tomopick::cli {

namespace {

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

void print_byu_result(const demo::DemoResult& r) {
  const ByuResult& b = r.byu;
  std::cout << fmt::format("tomopick demo: simulated {} BYU-like tomograms ({} x {} x {} voxels, seed {}), {} motor(s)\n",
                           r.tomograms, r.shape.z, r.shape.y, r.shape.x, r.seed, r.motors);
  std::cout << fmt::format("picked them with {}: a motor is called where the best peak scores >= {:.3f}\n\n",
                           r.model.string(), r.motor_threshold);
  std::cout << fmt::format("  {:<12}  {:>7}  {:>5}  {:>10}  {:>6}  {:>11}  {:>7}\n", "tomogram", "spacing", "truth", "best score",
                           "called", "distance Å", "outcome");
  for (const auto& t : b.tomograms)
    std::cout << fmt::format("  {:<12}  {:>7.1f}  {:>5}  {:>10}  {:>6}  {:>11}  {:>7}\n", t.run, t.spacing_A,
                             t.has_motor ? "motor" : "none", t.has_picks ? fmt::format("{:.3f}", t.score) : "-",
                             t.predicted ? "yes" : "no",
                             t.distance_vox >= 0 ? fmt::format("{:.0f}", t.distance_vox * t.spacing_A) : "-",
                             byu_outcome_name(t.outcome));
  std::cout << fmt::format("\n  BYU F2 {:.4f}  (TP {}, FP {}, FN {}, TN {}; precision {:.4f}, recall {:.4f})\n\n",
                           b.rates.fbeta, b.counts.tp, b.counts.fp, b.counts.fn, b.tn, b.rates.precision, b.rates.recall);
  std::cout << "  stage        time\n";
  for (const auto& s : r.stages) std::cout << fmt::format("  {:<9}  {:>6.1f} s\n", s.name, s.seconds);
  std::cout << fmt::format("  {:<9}  {:>6.1f} s\n\n", "total", r.total_seconds);
  std::cout << fmt::format("report      {}  (one self-contained file: open it in a browser)\n", r.report.string());
  std::cout << fmt::format("submission  {}  (BYU: one motor or -1 per tomogram, voxels)\n", r.submission.string());
  std::cout << fmt::format("truth       {}\n", (r.project / "train_labels.csv").string());
  if (!r.tomograms_kept) std::cout << "            (the simulated slices were removed; --keep keeps them)\n";
}

}  // namespace

void run_demo(const DemoCliOptions& o) {
  demo::DemoOptions d;
  d.task = o.task;
  d.tomograms = o.tomograms;
  d.out = o.out;
  d.seed = o.seed;
  d.model = o.model;
  if (!o.shape.empty()) (o.task == "byu" ? d.byu_shape : d.shape) = parse_shape(o.shape, "--shape");
  d.keep = o.keep;
  d.command_line = o.command_line;
  const demo::DemoResult r = demo::run_demo(d);
  if (r.task == "byu") print_byu_result(r);
  else print_result(r);
}

}  // namespace tomopick::cli
