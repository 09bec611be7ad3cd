// tomopick report --truth T --picks P: one self-contained HTML file on how good the picks are (the
// CZII scores, precision-recall curves, slices with picks drawn, training curves).
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/scoring_options.h"
#include "tomopick/report/byu_report.h"
#include "tomopick/report/html_report.h"

namespace tomopick::cli {

namespace {

struct ReportArgs {
  std::string truth, picks, tomograms, train_log, out = "report.html", extra_runs = "ignore", title, metric = "czii";
  std::optional<double> spacing;
  ReportRequest req;
};

// The command as typed (for the report's parameters), from /proc/self/cmdline; empty elsewhere.
std::string command_line() {
  // Read as a stream: /proc files report a size of 0.
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  size_t start = 0;
  bool first = true;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = raw.substr(start, end - start);
    if (first) arg = fs::path(arg).filename().string();
    const bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,+@%") ==
                                           std::string::npos;
    if (!first) out += ' ';
    if (plain) {
      out += arg;
    } else {
      out += '\'';
      for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
    first = false;
    start = end + 1;
  }
  return out;
}

}  // namespace

void add_report(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write one self-contained HTML report on picks: scores, curves, slices, training");
  cmd->add_option("--truth", a->truth, "Truth: copick project, folder of pick files, or a pick file")->required();
  cmd->add_option("--picks", a->picks, "Picks: copick project, folder of pick files, or a pick file")->required();
  cmd->add_option("--metric", a->metric, "czii (default) or byu (a flagellar-motor submission against train_labels.csv)")
      ->check(CLI::IsMember({"czii", "byu"}));
  cmd->add_option("--tomograms", a->tomograms,
                  "czii: copick project with the tomograms to show (default: the truth's or the picks' project); "
                  "byu: the folder of slice-stack tomograms (BYU's train/)");
  cmd->add_option("--tomo-type", a->req.gallery.tomo_type, "Tomogram type to show (default denoised)");
  cmd->add_option("--train-log", a->train_log, "Training folder (train_log.csv, config.yaml) to plot");
  cmd->add_option("--out", a->out, "Output HTML file (default report.html)");
  cmd->add_option("--title", a->title, "The report's title");
  cmd->add_option("--gallery-runs", a->req.gallery.max_runs, "Runs shown as slices (default 6)");
  cmd->add_option("--gallery-slices", a->req.gallery.slices_per_run, "Slices per run (default 3)")->check(CLI::PositiveNumber);
  cmd->add_option("--slab", a->req.gallery.slab, "Slices averaged per picture (default 3)")->check(CLI::PositiveNumber);
  cmd->add_option("--size", a->req.gallery.size_px, "Pictures' longer side in pixels (default 400)")->check(CLI::PositiveNumber);
  add_scoring_options(cmd, a->req.eval, a->spacing, a->extra_runs);
  cmd->callback([a] {
    if (a->metric == "byu") {
      ByuReportRequest req;
      req.eval = a->req.eval;
      req.eval.truth = a->truth;
      req.eval.picks = a->picks;
      req.eval.metric = "byu";
      req.eval.spacing_A = a->spacing.value_or(0);
      req.tomograms = a->tomograms;
      if (!a->title.empty()) req.title = a->title;
      req.command_line = command_line();
      const ByuReportResult r = write_byu_report(a->out, req);
      for (const auto& n : r.notes) spdlog::info("report: {}", n);
      return;
    }
    ReportRequest req = a->req;
    req.eval.truth = a->truth;
    req.eval.picks = a->picks;
    req.eval.metric = "czii";
    req.eval.spacing_A = a->spacing.value_or(0);
    req.eval.extra_runs_are_fp = a->extra_runs == "fp";
    req.tomograms = a->tomograms;
    req.train_log = a->train_log;
    if (!a->title.empty()) req.title = a->title;
    req.command_line = command_line();
    const ReportResult r = write_report(a->out, req);
    for (const auto& n : r.notes) spdlog::info("report: {}", n);
  });
}

}  // namespace tomopick::cli
