#include "tomopick/report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/log.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/report/base64.h"
#include "tomopick/report/html_page.h"
#include "tomopick/report/html_text.h"
#include "tomopick/report/render.h"
#include "tomopick/report/svg_plot.h"
#include "tomopick/report/train_log.h"

namespace tomopick {

namespace {

namespace fs = std::filesystem;

std::string score_text(double s) { return std::isnan(s) ? "undefined" : fmt::format("{:.6f}", s); }
std::string thousands(int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (n < 0 ? "-" : "") + out;
}

std::string list_some(const std::vector<std::string>& v, size_t n = 8) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < n; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > n) s += fmt::format(", … ({} in all)", v.size());
  return s;
}

// Light class colours (copick's are often pastel) darkened until lines show on white.
Rgb readable_on_white(Rgb c) {
  auto luminance = [](Rgb x) { return (0.2126 * x.r + 0.7152 * x.g + 0.0722 * x.b) / 255; };
  while (luminance(c) > 0.6) c = {uint8_t(c.r * 0.85), uint8_t(c.g * 0.85), uint8_t(c.b * 0.85)};
  return c;
}

std::string swatch(Rgb c) { return "<span class=\"swatch\" style=\"background:" + hex_colour(c) + "\"></span>"; }

struct Context {
  const ReportRequest& req;
  EvalSetup setup;
  ClassStyles styles;
  std::vector<fs::path> tomogram_projects;
  ReportResult result;
};

std::string section_parameters(Context& c) {
  const auto& s = c.setup;
  const auto& q = c.req.eval;
  std::string o = "<section id=\"parameters\">\n<h2>Parameters</h2>\n<table class=\"kv\"><tbody>\n";
  if (!c.req.command_line.empty()) o += html_kv("command", "<code>" + html_escape(c.req.command_line) + "</code>");
  auto source = [](const fs::path& p, const PickSource& src) {
    return "<code>" + html_escape(p.string()) + "</code> — " +
           html_escape(fmt::format("{}, {} picks in {} runs", src.description, thousands(int64_t(count_picks(src.sets))),
                           [&] {
                             std::set<std::string> runs(src.runs.begin(), src.runs.end());
                             for (const auto& set : src.sets) runs.insert(set.run);
                             return runs.size();
                           }()));
  };
  o += html_kv("truth", source(q.truth, s.truth));
  o += html_kv("picks", source(q.picks, s.picks));
  std::string tomos;
  for (const auto& p : c.tomogram_projects) tomos += (tomos.empty() ? "" : ", ") + ("<code>" + html_escape(p.string()) + "</code>");
  o += html_kv("tomograms", tomos.empty() ? "none (give --tomograms PROJECT to see slices)"
                                     : tomos + html_escape(" — type '" + c.req.gallery.tomo_type + "'"));
  o += html_kv("metric", html_escape(fmt::format("CZII (Kaggle 2024-25): weighted F{:g}; a particle is hit by a pick of its class within {:g} × its radius; "
                                    "matching {}",
                                    s.czii.beta, s.czii.distance_multiplier, matching_name(s.czii.matching))));
  o += html_kv("scored classes", s.czii.scored_types.empty() ? "those with truth points" : html_escape(list_some(s.czii.scored_types, 100)));
  o += html_kv("picks in runs without truth", s.czii.extra_runs_are_fp ? "counted as false positives" : "ignored (as the metric does)");
  if (s.czii.ignore_unknown) o += html_kv("unknown classes", "ignored");
  if (!q.truth_source.user_id.empty() || !q.truth_source.session_id.empty())
    o += html_kv("truth user / session", html_escape(q.truth_source.user_id + " / " + q.truth_source.session_id));
  if (!q.picks_source.user_id.empty() || !q.picks_source.session_id.empty())
    o += html_kv("picks user / session", html_escape(q.picks_source.user_id + " / " + q.picks_source.session_id));
  if (!c.req.train_log.empty()) o += html_kv("training folder", "<code>" + html_escape(c.req.train_log.string()) + "</code>");
  o += html_kv("tomopick", html_escape(std::string(TOMOPICK_VERSION) + ", report made " + html_now_utc()));
  o += "</tbody></table>\n</section>\n";
  return o;
}

std::string section_scores(Context& c) {
  const CziiResult& r = c.result.score;
  const double beta = c.setup.czii.beta;
  std::string o = "<section id=\"scores\">\n<h2>Score per class</h2>\n<div class=\"table-wrap\"><table class=\"scores\">\n<thead><tr>";
  for (const char* h : {"class", "radius (Å)", "weight", "truth", "picks", "TP", "FP", "FN", "precision", "recall"})
    o += std::string("<th") + (std::string(h) == "class" ? " class=\"name\"" : "") + ">" + html_escape(h) + "</th>";
  o += "<th>" + html_escape(fmt::format("F{:g}", beta)) + "</th></tr></thead>\n<tbody>\n";
  for (const auto& t : r.types) {
    const ClassStyle* st = find_style(c.styles, t.name);
    o += fmt::format("<tr data-type=\"{}\"{}>", html_escape(t.name), t.scored ? "" : " class=\"unscored\"");
    o += "<td class=\"name\">" + (st ? swatch(st->colour) : "") + html_escape(t.name) + (t.scored ? "" : " *") + "</td>";
    o += fmt::format("<td>{:.1f}</td><td>{:g}</td>", t.radius_A, t.weight);
    o += fmt::format("<td data-metric=\"truths\">{}</td><td data-metric=\"picks\">{}</td>", t.truths, t.picks);
    o += fmt::format("<td data-metric=\"tp\">{}</td><td data-metric=\"fp\">{}</td><td data-metric=\"fn\">{}</td>", t.counts.tp,
                     t.counts.fp, t.counts.fn);
    o += fmt::format("<td data-metric=\"precision\">{}</td><td data-metric=\"recall\">{}</td><td class=\"f\" data-metric=\"f\">{}</td>",
                     html_rate(t.rates.precision), html_rate(t.rates.recall), html_rate(t.rates.fbeta));
    o += "</tr>\n";
  }
  o += fmt::format("</tbody>\n<tfoot><tr><td class=\"name\"><b>score</b></td><td colspan=\"9\" class=\"note\">weighted mean of the "
                   "scored classes' F{:g}</td><td class=\"f\" id=\"overall-score\">{}</td></tr></tfoot>\n",
                   beta, score_text(r.score));
  o += "</table></div>\n";
  std::vector<std::string> unscored;
  for (const auto& t : r.types)
    if (!t.scored) unscored.push_back(t.name);
  if (!unscored.empty())
    o += "<p class=\"note\">* not scored: no truth points (the metric scores the classes the truth holds): " + html_escape(list_some(unscored)) + "</p>\n";
  if (!r.picks_only_runs.empty())
    o += "<p class=\"note warn\">" +
         html_escape(fmt::format("{} picks in runs without truth {}: {}", r.picks_only_run_picks,
                         c.setup.czii.extra_runs_are_fp ? "counted as FP" : "ignored", list_some(r.picks_only_runs))) +
         "</p>\n";
  if (!r.truth_only_runs.empty())
    o += "<p class=\"note warn\">" + html_escape("runs with truth but no picks: " + list_some(r.truth_only_runs)) + "</p>\n";
  if (!r.unknown_types.empty())
    o += "<p class=\"note warn\">" +
         html_escape(fmt::format("{} picks of unknown classes ignored: {}", r.unknown_type_picks, list_some(r.unknown_types))) + "</p>\n";
  o += "</section>\n";
  return o;
}

std::string section_runs(Context& c) {
  std::string o = "<section id=\"runs\">\n<h2>Per run</h2>\n<div class=\"table-wrap\"><table>\n<thead><tr><th class=\"name\">run</th>"
                  "<th>truth</th><th>picks</th><th>TP</th><th>FP</th><th>FN</th><th>score of the run alone</th></tr></thead>\n<tbody>\n";
  for (const auto& run : c.result.score.runs) {
    CziiOptions opts = c.setup.czii;
    opts.truth_runs = {run};
    opts.extra_runs_are_fp = false;
    const auto truth = sets_of_run(c.setup.truth.sets, run), picks = sets_of_run(c.setup.picks.sets, run);
    const CziiResult r = about_picks(c.req.eval.picks, [&] { return czii_score(truth, picks, opts); });
    int64_t nt = 0, np = 0;
    Counts sum;
    for (const auto& t : r.types) {
      nt += t.truths;
      np += t.picks;
      sum.tp += t.counts.tp;
      sum.fp += t.counts.fp;
      sum.fn += t.counts.fn;
    }
    o += fmt::format("<tr data-run=\"{}\"><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"f\">{}</td></tr>\n",
                     html_escape(run), html_escape(run), nt, np, sum.tp, sum.fp, sum.fn, std::isnan(r.score) ? "–" : fmt::format("{:.4f}", r.score));
  }
  o += "</tbody></table></div>\n<p class=\"note\">Each run scored on its own, over the classes it has truth of; the overall score "
       "sums TP, FP and FN over runs before computing F, so it is not the mean of these.</p>\n</section>\n";
  return o;
}

std::string section_pr(Context& c) {
  const auto curves =
      about_picks(c.req.eval.picks, [&] { return czii_pr_curves(c.setup.truth.sets, c.setup.picks.sets, c.setup.czii); });
  const double beta = c.setup.czii.beta;
  std::string o = "<section id=\"pr\">\n<h2>Precision and recall by score threshold</h2>\n<div class=\"plots\">\n";
  for (const auto& tc : curves) {
    const ClassStyle* st = find_style(c.styles, tc.name);
    PlotSpec p;
    p.title = tc.name + (tc.scored ? "" : " (not scored)");
    p.x_label = "recall";
    p.y_label = "precision";
    // A little room above 1, so that a curve along precision 1 does not hide in the frame.
    p.x_min = 0, p.x_max = 1.02, p.y_min = 0, p.y_max = 1.04;
    p.width = 380, p.height = 290;
    PlotSeries se;
    se.name = tc.name;
    se.colour = readable_on_white(st ? st->colour : Rgb{11, 98, 214});
    se.markers = tc.points.size() <= 30;
    for (const auto& pt : tc.points) {
      se.x.push_back(pt.rates.recall);
      se.y.push_back(pt.rates.precision);
    }
    p.series.push_back(se);
    std::string caption = fmt::format("{} truth points, {} picks", tc.truths, tc.points.empty() ? 0 : tc.points.back().picks);
    if (tc.best >= 0) {
      const auto& b = tc.points[size_t(tc.best)];
      p.marks.push_back({b.rates.recall, b.rates.precision, fmt::format("best F{:g} {:.3f}", beta, b.rates.fbeta), {31, 35, 40}});
      caption += fmt::format("; best F{:g} {:.4f} keeping scores ≥ {:.4g} (precision {:.3f}, recall {:.3f})", beta, b.rates.fbeta,
                             b.threshold, b.rates.precision, b.rates.recall);
    } else {
      caption += tc.points.empty() ? "; no picks" : "; no threshold gives F > 0";
    }
    o += "<figure>" + svg_line_plot(p) + "<figcaption>" + html_escape(caption) + "</figcaption></figure>\n";
    ++c.result.plots;
  }
  o += "</div>\n<p class=\"note\">Each point keeps the picks whose score is at least a threshold (every distinct score); "
       "picks without scores give a single point.</p>\n</section>\n";
  return o;
}

// Per class, how the picks' scores spread and which of them found a particle, so a user sees where
// a threshold cuts. From the PR curve: between consecutive thresholds, the picks gained and the truth
// particles newly hit.
std::string section_histograms(Context& c) {
  const auto curves =
      about_picks(c.req.eval.picks, [&] { return czii_pr_curves(c.setup.truth.sets, c.setup.picks.sets, c.setup.czii); });
  std::string o = "<section id=\"histograms\">\n<h2>Score histograms</h2>\n<div class=\"plots\">\n";
  size_t shown = 0;
  for (const auto& tc : curves) {
    if (tc.points.empty()) continue;
    double lo = 0, hi = 1;
    for (const auto& pt : tc.points) lo = std::min(lo, pt.threshold), hi = std::max(hi, pt.threshold);
    const int bins = 25;
    const double w = (hi - lo) / bins;
    std::vector<double> picks(bins, 0), found(bins, 0);
    int64_t prev_picks = 0, prev_tp = 0;
    for (const auto& pt : tc.points) {
      const int b = std::clamp(int((pt.threshold - lo) / w), 0, bins - 1);
      picks[size_t(b)] += double(pt.picks - prev_picks);
      found[size_t(b)] += double(std::max<int64_t>(0, pt.counts.tp - prev_tp));
      prev_picks = pt.picks, prev_tp = std::max(prev_tp, pt.counts.tp);
    }
    // Histograms as step outlines.
    auto steps = [&](const std::vector<double>& h, PlotSeries& se) {
      for (int b = 0; b < bins; ++b) {
        se.x.push_back(lo + b * w), se.y.push_back(h[size_t(b)]);
        se.x.push_back(lo + (b + 1) * w), se.y.push_back(h[size_t(b)]);
      }
      se.x.insert(se.x.begin(), lo), se.y.insert(se.y.begin(), 0);
      se.x.push_back(hi), se.y.push_back(0);
    };
    const ClassStyle* st = find_style(c.styles, tc.name);
    PlotSpec p;
    p.title = tc.name;
    p.x_label = "score";
    p.y_label = "picks";
    p.width = 380, p.height = 290;
    p.x_min = lo, p.x_max = hi, p.y_min = 0;
    PlotSeries all, hit;
    all.name = "all picks";
    all.colour = readable_on_white(st ? st->colour : Rgb{11, 98, 214});
    hit.name = "found a particle";
    hit.colour = {31, 35, 40};
    hit.dashed = true;
    steps(picks, all), steps(found, hit);
    p.series = {all, hit};
    double top = 0;
    for (double v : picks) top = std::max(top, v);
    std::string caption = fmt::format("{} picks, {} truth points", tc.points.back().picks, tc.truths);
    if (tc.best >= 0) {
      const auto& b = tc.points[size_t(tc.best)];
      PlotSeries cut;
      cut.name = fmt::format("best F{:g} threshold", c.setup.czii.beta);
      cut.colour = {200, 30, 30};
      cut.x = {b.threshold, b.threshold}, cut.y = {0, top};
      p.series.push_back(cut);
      caption += fmt::format("; the best F{:g} keeps scores ≥ {:.4g}", c.setup.czii.beta, b.threshold);
    }
    o += "<figure>" + svg_line_plot(p) + "<figcaption>" + html_escape(caption) + "</figcaption></figure>\n";
    ++c.result.plots, ++shown;
  }
  if (!shown) return "";
  o += "</div>\n<p class=\"note\">Picks per score bin (solid) and the picks that found a truth particle not found by a "
       "higher-scoring pick (dashed); the red line is where the best F threshold cuts.</p>\n</section>\n";
  return o;
}

std::string legend_html(const ClassStyles& styles, bool truth, bool predictions) {
  std::string o = "<div class=\"legend\">";
  for (const auto& s : styles) o += "<span>" + swatch(s.colour) + html_escape(s.name) + "</span>";
  if (predictions)
    o += "<span><svg width=\"18\" height=\"18\" viewBox=\"0 0 18 18\"><circle cx=\"9\" cy=\"9\" r=\"6.5\" fill=\"none\" "
         "stroke=\"#333\" stroke-width=\"2\"/><circle cx=\"9\" cy=\"9\" r=\"2\" fill=\"#333\"/></svg>pick (solid ring, dot)</span>";
  if (truth)
    o += "<span><svg width=\"18\" height=\"18\" viewBox=\"0 0 18 18\"><circle cx=\"9\" cy=\"9\" r=\"6.5\" fill=\"none\" "
         "stroke=\"#333\" stroke-width=\"1.4\" stroke-dasharray=\"3 2.2\"/><path d=\"M5.5 9h7M9 5.5v7\" stroke=\"#333\" "
         "stroke-width=\"1.4\"/></svg>truth (dashed ring, +)</span>";
  return o + "</div>\n";
}

std::string section_gallery(Context& c) {
  std::string o = "<section id=\"gallery\">\n<h2>Slices</h2>\n";
  if (c.tomogram_projects.empty()) {
    c.result.notes.push_back("no tomograms: neither the truth nor the picks is a copick project, and --tomograms was not given");
    return o + "<p class=\"note\">No tomograms to show: neither the truth nor the picks is a copick project with tomograms; give "
               "<code>--tomograms PROJECT</code>.</p>\n</section>\n";
  }
  const Gallery g = make_gallery(c.tomogram_projects, c.setup.truth.sets, c.setup.picks.sets, c.styles, c.req.gallery);
  o += legend_html(c.styles, count_picks(c.setup.truth.sets) > 0, count_picks(c.setup.picks.sets) > 0);
  o += fmt::format("<p class=\"note\">z slices (the x–y plane), each the mean of {} slice{} and contrast-stretched; every particle "
                   "within its radius of the plane is drawn as its cross-section there.</p>\n",
                   c.req.gallery.slab, c.req.gallery.slab == 1 ? "" : "s");
  for (const auto& run : g.runs) {
    o += fmt::format("<h3>{}<span class=\"meta\">{} · {} × {} × {} voxels (z, y, x) at {:.3f} Å</span></h3>\n", html_escape(run.run),
                     html_escape(run.tomogram.filename().string()), run.shape.z, run.shape.y, run.shape.x, run.spacing_A);
    o += "<div class=\"slices\">\n";
    for (const auto& im : run.images) {
      o += fmt::format("<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n",
                       data_uri("image/png", im.png), im.width, im.height,
                       html_escape(fmt::format("run {} slice z {}", run.run, im.z_index)),
                       html_escape(fmt::format("z = {} ({:.0f} Å) · {} truth, {} picks in the plane", im.z_index, im.z_A, im.truth_drawn,
                                       im.predictions_drawn)));
      ++c.result.images;
    }
    o += "</div>\n";
  }
  if (g.runs.empty()) o += "<p class=\"note\">No run has a tomogram to show.</p>\n";
  for (const auto& n : g.notes) {
    o += "<p class=\"note\">" + html_escape(n) + "</p>\n";
    c.result.notes.push_back(n);
  }
  return o + "</section>\n";
}

TrainLog read_training_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir, "--train-log: not a folder");
  if (!fs::exists(dir / "train_log.csv", ec)) throw Error(dir, "--train-log: holds no train_log.csv");
  return read_train_log(dir / "train_log.csv");
}

std::string section_training(Context& c, const TrainLog& log) {
  const fs::path dir = c.req.train_log;
  std::error_code ec;
  const std::vector<double>& step = log.values[0];
  std::string o = "<section id=\"training\">\n<h2>Training</h2>\n<div class=\"plots wide\">\n";
  static const std::vector<Rgb> colours = {{11, 98, 214}, {217, 95, 2}, {27, 158, 119}, {117, 112, 179}, {231, 41, 138},
                                           {102, 166, 30}, {230, 171, 2}, {166, 118, 29}, {102, 102, 102}, {31, 120, 180}};
  if (log.has_values("loss")) {
    PlotSpec p;
    p.title = "training loss";
    p.x_label = "step";
    p.y_label = "loss";
    p.width = 560;
    PlotSeries se{"loss", step, *log.column("loss"), colours[0], false, false};
    double lo = INFINITY, hi = -INFINITY;
    for (double v : se.y)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    p.log_y = lo > 0 && hi / lo > 20;  // losses fall over decades: log scale shows the tail
    p.series.push_back(std::move(se));
    o += "<figure>" + svg_line_plot(p) + "</figure>\n";
    ++c.result.plots;
  }
  PlotSpec v;
  v.title = "validation";
  v.x_label = "step";
  v.y_label = "value";
  v.width = 560;
  for (size_t i = 1; i < log.columns.size(); ++i) {
    const std::string& name = log.columns[i];
    if (name.rfind("val_", 0) != 0 || !log.has_values(name)) continue;
    size_t n = 0;
    for (double x : log.values[i]) n += std::isnan(x) ? 0 : 1;
    PlotSeries se{name, step, log.values[i], colours[v.series.size() % colours.size()], n <= 60, name == "val_score"};
    v.series.push_back(std::move(se));
  }
  if (!v.series.empty()) {
    o += "<figure>" + svg_line_plot(v) + "</figure>\n";
    ++c.result.plots;
  }
  o += "</div>\n";
  if (!log.has_values("loss") && v.series.empty())
    o += "<p class=\"note\">train_log.csv has no loss and no val_* values yet.</p>\n";
  o += fmt::format("<p class=\"note\">{} rows, columns: {}</p>\n", step.size(), html_escape(list_some(log.columns, 40)));
  const fs::path yaml = dir / "config.yaml";
  if (fs::exists(yaml, ec)) o += "<h3>config.yaml</h3>\n<pre>" + html_escape(read_file(yaml)) + "</pre>\n";
  return o + "</section>\n";
}

}  // namespace

ReportResult make_report(const ReportRequest& req) {
  if (req.eval.metric != "czii") throw Error("report: the report scores with the CZII metric, not '" + req.eval.metric + "'");
  // Inputs first, so that a bad one stops the report before the slow parts.
  Context c{req, prepare_evaluation(req.eval), {}, {}, {}};
  std::optional<TrainLog> train_log;
  if (!req.train_log.empty()) train_log = read_training_folder(req.train_log);
  c.result.score = about_picks(req.eval.picks, [&] { return czii_score(c.setup.truth.sets, c.setup.picks.sets, c.setup.czii); });

  // Tomograms: --tomograms, else the truth's or the picks' project.
  if (!req.tomograms.empty()) {
    if (!CopickProject::is_project(req.tomograms)) throw Error(req.tomograms, "--tomograms: not a copick project (no copick_config.json)");
    c.tomogram_projects.push_back(req.tomograms);
  } else {
    for (const fs::path& p : {req.eval.truth, req.eval.picks})
      if (CopickProject::is_project(p) && !CopickProject::open(p).tomograms().empty()) c.tomogram_projects.push_back(p);
  }
  std::optional<CopickConfig> cfg = c.setup.truth.config ? c.setup.truth.config : c.setup.picks.config;
  if (!cfg && !c.tomogram_projects.empty()) cfg = CopickProject::open(c.tomogram_projects[0]).config();
  std::vector<std::string> names = object_names(c.setup.truth.sets);
  for (const auto& n : object_names(c.setup.picks.sets)) names.push_back(n);
  for (const auto& t : c.result.score.types) names.push_back(t.name);
  std::map<std::string, double> radius;
  for (const auto& t : c.setup.czii.types)
    if (t.radius_A > 0) radius[t.name] = t.radius_A;  // the radii scoring uses (config, CZII, --radius)
  c.styles = make_class_styles(names, cfg ? &*cfg : nullptr, radius);

  const CziiResult& r = c.result.score;
  int64_t truths = 0, picks = 0;
  Counts sum;
  size_t scored = 0;
  for (const auto& t : r.types) {
    truths += t.truths;
    picks += t.picks;
    sum.tp += t.counts.tp;
    sum.fp += t.counts.fp;
    sum.fn += t.counts.fn;
    scored += t.scored ? 1 : 0;
  }

  std::string body;
  body += "<section id=\"summary\">\n<div class=\"cards\">\n";
  body += html_card(fmt::format("CZII score (F{:g})", c.setup.czii.beta), score_text(r.score), " main");
  body += html_card("classes scored", std::to_string(scored));
  body += html_card("runs", std::to_string(r.runs.size()));
  body += html_card("truth particles", thousands(truths));
  body += html_card("picks", thousands(picks));
  body += html_card("TP / FP / FN", thousands(sum.tp) + " / " + thousands(sum.fp) + " / " + thousands(sum.fn), " compact");
  body += "</div>\n</section>\n";
  body += section_parameters(c);
  body += section_scores(c);
  body += section_runs(c);
  body += section_pr(c);
  body += section_histograms(c);
  body += section_gallery(c);
  if (train_log) body += section_training(c, *train_log);

  std::string h = html_page(req.title,
                            "Picks <code>" + html_escape(req.eval.picks.string()) + "</code> scored against <code>" +
                                html_escape(req.eval.truth.string()) + "</code>",
                            body);
  c.result.html = std::move(h);
  return std::move(c.result);
}

ReportResult write_report(const fs::path& out, const ReportRequest& req) {
  ReportResult r = make_report(req);
  write_file_atomic(out, r.html);
  log::info("wrote the report to " + out.string() + " (" + std::to_string(r.html.size() / 1024) + " KiB, " +
            std::to_string(r.images) + " pictures, " + std::to_string(r.plots) + " plots)");
  return r;
}

}  // namespace tomopick
