#include "tomopick/report/byu_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/log.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/report/base64.h"
#include "tomopick/report/html_page.h"
#include "tomopick/report/html_text.h"
#include "tomopick/report/png.h"
#include "tomopick/report/render.h"

namespace tomopick {

namespace {

namespace fs = std::filesystem;

// The pick the metric takes for each run: its best score, the first on ties.
std::map<std::string, Pick> best_picks(const std::vector<PickSet>& sets, const std::string& object) {
  std::map<std::string, Pick> best;
  for (const auto& s : sets) {
    if (!object.empty() && s.object != object) continue;
    for (const auto& p : s.points) {
      auto it = best.find(s.run);
      if (it == best.end() || p.score > it->second.score) best[s.run] = p;
    }
  }
  return best;
}

// Errors first (what a user wants to look at), then hits, then true negatives.
int outcome_rank(ByuOutcome o) {
  switch (o) {
    case ByuOutcome::fn: return 0;
    case ByuOutcome::fp: return 1;
    case ByuOutcome::tp: return 2;
    case ByuOutcome::tn: return 3;
  }
  return 4;
}

ClassStyles one_style(const std::string& name, Rgb colour, double radius_A) { return {ClassStyle{name, colour, radius_A}}; }

PickSet single(const std::string& run, const std::string& object, const Pick& p) {
  PickSet s;
  s.run = run;
  s.object = object;
  s.points = {p};
  return s;
}

}  // namespace

ByuReportResult make_byu_report(const ByuReportRequest& req) {
  EvalRequest eval = req.eval;
  eval.metric = "byu";
  EvalSetup setup = prepare_evaluation(eval);
  if (req.min_score) setup.byu.min_score = req.min_score;
  ByuReportResult out;
  out.score = about_picks(eval.picks, [&] { return byu_score(setup.truth.sets, setup.picks.sets, setup.byu); });
  const ByuResult& r = out.score;
  const auto best = best_picks(setup.picks.sets, setup.byu.object);

  int64_t with_motor = 0, predicted = 0;
  out.threshold = std::numeric_limits<double>::quiet_NaN();
  for (const auto& t : r.tomograms) {
    with_motor += t.has_motor;
    predicted += t.predicted;
    if (t.predicted && !(out.threshold <= t.score)) out.threshold = t.score;
  }

  std::string body = "<section id=\"summary\">\n<div class=\"cards\">\n";
  body += html_card(fmt::format("BYU F{:g}", setup.byu.beta), html_rate(r.rates.fbeta), " main");
  body += html_card("tomograms", std::to_string(r.tomograms.size()));
  body += html_card("with a motor", std::to_string(with_motor));
  body += html_card("motor called", std::to_string(predicted));
  body += html_card("precision / recall", html_rate(r.rates.precision) + " / " + html_rate(r.rates.recall), " compact");
  body += html_card("TP / FP / FN / TN", fmt::format("{} / {} / {} / {}", r.counts.tp, r.counts.fp, r.counts.fn, r.tn), " compact");
  body += "</div>\n</section>\n";

  body += "<section id=\"parameters\">\n<h2>Parameters</h2>\n<table class=\"kv\"><tbody>\n";
  if (!req.command_line.empty()) body += html_kv("command", "<code>" + html_escape(req.command_line) + "</code>");
  body += html_kv("truth", "<code>" + html_escape(eval.truth.string()) + "</code> — " + html_escape(setup.truth.description));
  body += html_kv("picks", "<code>" + html_escape(eval.picks.string()) + "</code> — " + html_escape(setup.picks.description));
  body += html_kv("tomograms", req.tomograms.empty() ? "none (no pictures)" : "<code>" + html_escape(req.tomograms.string()) + "</code>");
  body += html_kv("metric",
                  html_escape(fmt::format("BYU (Kaggle 2025): F{:g} over tomograms; a tomogram's prediction is its best pick; on a "
                                  "tomogram with a motor it is a hit within {:g} Å of one, else a miss (FN)",
                                  setup.byu.beta, setup.byu.distance_A)));
  if (setup.byu.min_score) body += html_kv("min score", html_escape(fmt::format("{:g}", *setup.byu.min_score)));
  body += html_kv("tomopick", html_escape(std::string(TOMOPICK_VERSION) + ", report made " + html_now_utc()));
  body += "</tbody></table>\n";
  if (!r.picks_only_runs.empty())
    body += "<p class=\"note warn\">" +
            html_escape(fmt::format("{} pick(s) in {} tomogram(s) the truth does not list were left out", r.picks_only_run_picks,
                            r.picks_only_runs.size())) +
            "</p>\n";
  body += "</section>\n";

  body += "<section id=\"tomograms\">\n<h2>Tomograms</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr>"
          "<th class=\"name\">tomogram</th><th>spacing Å</th><th>truth</th><th>best score</th><th>called</th>"
          "<th>distance Å</th><th>outcome</th></tr></thead>\n<tbody>\n";
  for (const auto& t : r.tomograms) {
    const std::string dist = t.distance_vox >= 0 ? fmt::format("{:.0f}", t.distance_vox * t.spacing_A) : "–";
    body += fmt::format(
        "<tr data-run=\"{}\" data-outcome=\"{}\"><td class=\"name\">{}</td><td>{:g}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        html_escape(t.run), byu_outcome_name(t.outcome), html_escape(t.run), t.spacing_A, t.has_motor ? "motor" : "none",
        t.has_picks ? fmt::format("{:.4f}", t.score) : "–", t.predicted ? "yes" : "no", dist, byu_outcome_name(t.outcome));
  }
  body += "</tbody></table></div>\n</section>\n";

  if (!req.tomograms.empty()) {
    if (!fs::is_directory(req.tomograms)) throw Error(req.tomograms, "is not a folder of tomograms");
    std::vector<const ByuTomogram*> order;
    for (const auto& t : r.tomograms) order.push_back(&t);
    std::stable_sort(order.begin(), order.end(),
                     [](const ByuTomogram* a, const ByuTomogram* b) { return outcome_rank(a->outcome) < outcome_rank(b->outcome); });
    const std::string name = kMotorObject;
    // The truth ring is the metric's hit zone; the prediction's is about a motor's size.
    const ClassStyles truth_style = one_style(name, Rgb{255, 196, 0}, setup.byu.distance_A);
    const ClassStyles pick_style = one_style(name, Rgb{0, 200, 255}, 250);
    std::string figs;
    int shown = 0;
    for (const ByuTomogram* t : order) {
      if (shown >= req.max_pictures) break;
      const fs::path tomo = req.tomograms / t->run;
      if (!fs::is_directory(tomo)) {
        out.notes.push_back("no tomogram " + tomo.string());
        continue;
      }
      if (!(t->spacing_A > 0)) {
        out.notes.push_back(t->run + ": no voxel spacing (give --spacing) to draw it");
        continue;
      }
      std::vector<PickSet> truth = sets_of_run(setup.truth.sets, t->run);
      std::vector<PickSet> pred;
      if (auto it = best.find(t->run); it != best.end() && t->predicted) pred.push_back(single(t->run, name, it->second));
      for (auto& s : truth) s.object = name;
      // The slab goes through the first truth motor, else the prediction, else the middle.
      std::optional<double> z_A;
      for (const auto& s : truth)
        if (!s.points.empty() && !z_A) z_A = s.points[0].z;
      if (!z_A && !pred.empty()) z_A = pred[0].points[0].z;
      RenderOptions ro;
      ro.slab = req.slab;
      ro.size_px = req.size_px;
      ro.legend = false;
      if (z_A) ro.index = int64_t(std::lround(*z_A / t->spacing_A));
      TomoReadOptions read;
      read.spacing = Vec3{t->spacing_A, t->spacing_A, t->spacing_A};
      RenderLayers layers;
      layers.truth = truth;
      layers.styles = truth_style;
      try {
        RenderedSlice s = render_tomogram(tomo, ro, layers, read);
        draw_picks(s.image, s.frame, pred, PickRole::prediction, pick_style, ro.marks);
        const std::string png = encode_png(s.image);
        figs += fmt::format(
            "<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"><figcaption><b>{}</b> — {}: z slice {} "
            "(mean of {}){}</figcaption></figure>\n",
            data_uri("image/png", png), s.image.width, s.image.height, html_escape(t->run), byu_outcome_name(t->outcome), html_escape(t->run),
            s.index, req.slab, t->has_picks ? fmt::format(", best score {:.3f}", t->score) : "");
        ++out.images;
        ++shown;
      } catch (const Error& e) {
        out.notes.push_back(e.what());
      }
    }
    body += "<section id=\"slices\">\n<h2>Slices</h2>\n<p class=\"note\">Dashed ring: a true motor's hit zone (" +
            html_escape(fmt::format("{:g}", setup.byu.distance_A)) +
            " Å, where it cuts the slab); solid ring: the prediction. Errors first.</p>\n<div class=\"slices\">\n" + figs +
            "</div>\n";
    for (const auto& n : out.notes) body += "<p class=\"note warn\">" + html_escape(n) + "</p>\n";
    body += "</section>\n";
  }

  out.html = html_page(req.title,
                       "Motors <code>" + html_escape(eval.picks.string()) + "</code> scored against <code>" + html_escape(eval.truth.string()) +
                           "</code>",
                       body);
  return out;
}

ByuReportResult write_byu_report(const fs::path& out, const ByuReportRequest& req) {
  ByuReportResult r = make_byu_report(req);
  write_file_atomic(out, r.html);
  log::info("wrote the report to " + out.string() + " (" + std::to_string(r.html.size() / 1024) + " KiB, " +
            std::to_string(r.images) + " pictures)");
  return r;
}

}  // namespace tomopick
