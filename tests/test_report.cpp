// The HTML report (tomopick report): its parts (SVG plots, the training log, escaping), a report on a
// hand-made copick project checked for well-formed HTML, embedded PNGs and the scores, the command
// end to end on a simulated project, and the page in headless Chromium.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <stb/stb_image.h>

#include <cmath>
#include <memory>
#include <random>
#include <regex>
#include <set>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/eval/inputs.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/sim/byu_dataset.h"
#include "byu_example.h"
#include "tomopick/report/base64.h"
#include "tomopick/report/byu_report.h"
#include "tomopick/report/html_report.h"
#include "tomopick/report/html_text.h"
#include "tomopick/report/png.h"
#include "tomopick/report/svg_plot.h"
#include "tomopick/report/train_log.h"

using namespace tomopick;

namespace {

// Checks that tags nest and close (void elements and "/>" excepted; <script> and <style> bodies
// skipped), attribute quotes are closed, and every '&' in text starts a character reference.
// Returns "" or what is wrong.
std::string check_well_formed(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "img", "br", "hr", "input", "link", "source", "col", "wbr"};
  std::vector<std::string> stack;
  size_t i = 0;
  auto where = [&](size_t at) { return " at offset " + std::to_string(at) + ": '" + html.substr(at, 60) + "'"; };
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      const size_t semi = html.find(';', i);
      if (semi == std::string::npos || semi - i > 10) return "bare '&'" + where(i);
      static const std::regex entity("&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);");
      if (!std::regex_match(html.substr(i, semi - i + 1), entity)) return "bad character reference" + where(i);
      i = semi + 1;
      continue;
    }
    if (c != '<') {
      if (c == '>') return "stray '>'" + where(i);
      ++i;
      continue;
    }
    if (html.compare(i, 4, "<!--") == 0) {
      const size_t e = html.find("-->", i);
      if (e == std::string::npos) return "unclosed comment" + where(i);
      i = e + 3;
      continue;
    }
    if (html.compare(i, 2, "<!") == 0) {
      i = html.find('>', i) + 1;
      continue;
    }
    // A tag: find its end outside quoted attribute values.
    size_t j = i + 1;
    char quote = 0;
    for (; j < html.size(); ++j) {
      if (quote) {
        if (html[j] == quote) quote = 0;
      } else if (html[j] == '"' || html[j] == '\'') {
        quote = html[j];
      } else if (html[j] == '>') {
        break;
      } else if (html[j] == '<') {
        return "'<' inside a tag" + where(i);
      }
    }
    if (j >= html.size()) return "unclosed tag" + where(i);
    const std::string tag = html.substr(i + 1, j - i - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    const std::string name_part = closing ? tag.substr(1) : tag;
    const size_t name_end = name_part.find_first_of(" \t\n/");
    const std::string name = name_part.substr(0, name_end);
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return "bad tag name" + where(i);
    i = j + 1;
    if (closing) {
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> closes <" + (stack.empty() ? std::string("nothing") : stack.back()) + ">" + where(i);
      stack.pop_back();
      continue;
    }
    if (kVoid.count(name) || tag.back() == '/') continue;
    if (name == "script" || name == "style") {
      const size_t e = html.find("</" + name + ">", i);
      if (e == std::string::npos) return "unclosed <" + name + ">";
      i = e + name.size() + 3;
      continue;
    }
    stack.push_back(name);
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return "";
}

// The src of every <img>, in order (by hand: std::regex recurses per character and overflows the
// stack on megabyte attributes).
std::vector<std::string> img_sources(const std::string& html) {
  std::vector<std::string> out;
  for (size_t p = html.find("<img "); p != std::string::npos; p = html.find("<img ", p + 1)) {
    const size_t end = html.find('>', p);
    const size_t src = html.find(" src=\"", p);
    if (src == std::string::npos || src > end) {
      out.emplace_back();
      continue;
    }
    const size_t b = src + 6;
    out.push_back(html.substr(b, html.find('"', b) - b));
  }
  return out;
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// The text of the <td data-metric="metric"> cell in the row of class `type`.
std::string cell(const std::string& html, const std::string& type, const std::string& metric) {
  const size_t row = html.find("<tr data-type=\"" + type + "\"");
  if (row == std::string::npos) return "(no row)";
  const size_t end = html.find("</tr>", row);
  const std::string key = "data-metric=\"" + metric + "\">";
  const size_t at = html.find(key, row);
  if (at == std::string::npos || at > end) return "(no cell)";
  const size_t b = at + key.size();
  return html.substr(b, html.find("</td>", b) - b);
}


// A copick project with two runs of 24 x 96 x 96 voxels at 10 Å (noise, darker balls at the truth),
// its truth picks; predictions with scores as a CSV; a training folder.
struct Fixture {
  test::TempDir dir;
  fs::path project, picks, train;
  Fixture() {
    project = dir / "project";
    auto p = CopickProject::create(project, czii_config());
    const std::vector<PickSet> truth = {
        test::pick_set("TS_1", "ribosome", {{{300, 300, 120, 1}, {650, 400, 120, 1}}}),
        test::pick_set("TS_1", "apo-ferritin", {{{200, 700, 100, 1}, {500, 800, 140, 1}, {800, 750, 110, 1}}}),
        test::pick_set("TS_2", "ribosome", {{{400, 400, 120, 1}}}),
        test::pick_set("TS_2", "apo-ferritin", {{{800, 200, 110, 1}}}),
    };
    for (const std::string run : {"TS_1", "TS_2"}) {
      Volume<float> v({24, 96, 96}, {10, 10, 10});
      std::mt19937 rng(run == "TS_1" ? 1 : 2);
      std::normal_distribution<float> n(0, 1);
      for (size_t i = 0; i < v.size(); ++i) v.data()[i] = n(rng);
      for (const auto& s : truth) {
        if (s.run != run) continue;
        const double r = s.object == "ribosome" ? 12 : 5;
        for (const auto& q : s.points)
          for (int64_t z = 0; z < 24; ++z)
            for (int64_t y = 0; y < 96; ++y)
              for (int64_t x = 0; x < 96; ++x)
                if (std::hypot(x - q.x / 10, y - q.y / 10, z - q.z / 10) < r) v(z, y, x) -= 2.5f;
      }
      write_tomogram(p.tomogram_path(run, 10, "denoised"), AnyVolume(v), TomoFormat::zarr);
    }
    for (const auto& s : truth) p.write_picks(s);
    // TS_1: both ribosomes found (one off by 60 Å), one false ribosome; two of three apo-ferritins,
    // one false. TS_2: the ribosome found twice; the apo-ferritin missed.
    picks = dir / "picks.csv";
    write_file_atomic(picks,
                      "experiment,particle_type,x,y,z,score\n"
                      "TS_1,ribosome,300,300,120,0.95\nTS_1,ribosome,650,460,120,0.80\nTS_1,ribosome,100,100,60,0.30\n"
                      "TS_1,apo-ferritin,200,700,100,0.90\nTS_1,apo-ferritin,510,800,140,0.70\n"
                      "TS_1,apo-ferritin,600,150,100,0.40\n"
                      "TS_2,ribosome,400,400,120,0.85\nTS_2,ribosome,410,400,120,0.20\n");
    train = dir / "train";
    fs::create_directories(train);
    write_file_atomic(train / "train_log.csv",
                      "step,epoch,time_s,lr,loss,val_score,val_f4_ribosome\n"
                      "0,0,1.0,0.001,2.5,,\n10,0,2.0,0.001,1.2,,\n20,1,3.0,0.001,0.6,0.31,0.40\n"
                      "30,1,4.0,0.0005,0.3,,\n40,2,5.0,0.0005,0.1,0.55,0.62\n");
    write_file_atomic(train / "config.yaml", "model: unet3d  # <b>not bold</b> & 'quoted'\nepochs: 3\n");
  }
  ReportRequest request() const {
    ReportRequest r;
    r.eval.truth = project;
    r.eval.picks = picks;
    r.train_log = train;
    r.command_line = "tomopick report --truth project --picks picks.csv";
    r.gallery.size_px = 192;
    return r;
  }
};

}  // namespace

TEST(ReportParts, SvgPlotsTicksAndEscaping) {
  EXPECT_EQ(nice_ticks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(nice_ticks(0, 37), (std::vector<double>{0, 10, 20, 30}));
  EXPECT_EQ(nice_ticks(-3, 3), (std::vector<double>{-3, -2, -1, 0, 1, 2, 3}));
  EXPECT_EQ(tick_label(0.30000000000000004), "0.3");
  EXPECT_EQ(tick_label(-0.0), "0");
  EXPECT_EQ(tick_label(1500), "1500");
  EXPECT_EQ(html_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");

  PlotSpec p;
  p.title = "loss <&> of \"run\"";
  p.x_label = "step";
  p.y_label = "loss";
  p.series.push_back({"train", {0, 1, 2, 3}, {4, 2, NAN, 1}, {0, 0, 255}, false, false});
  p.series.push_back({"val", {0, 2}, {3, 1.5}, {255, 0, 0}, true, true});
  p.marks.push_back({2, 1.5, "best", {0, 0, 0}});
  const std::string svg = svg_line_plot(p);
  EXPECT_EQ(check_well_formed(svg), "");
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_NE(svg.find("loss &lt;&amp;&gt; of &quot;run&quot;"), std::string::npos);
  // The NaN point is skipped: the train line has 3 points.
  const std::smatch m = [&] {
    std::smatch mm;
    std::regex_search(svg, mm, std::regex("<polyline[^>]*#0000ff[^>]*points=\"([^\"]*)\""));
    return mm;
  }();
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(count(m[1].str(), ","), 3u);
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2u);  // the dashed series and its legend line
  // Fixed [0, 1] axes: x = 0.5 lies halfway across the plot area.
  PlotSpec unit;
  unit.x_min = 0, unit.x_max = 1, unit.y_min = 0, unit.y_max = 1;
  unit.series.push_back({"a", {0, 0.5, 1}, {1, 1, 0}, {1, 2, 3}, false, false});
  const std::string u = svg_line_plot(unit);
  std::smatch pm;
  ASSERT_TRUE(std::regex_search(u, pm, std::regex("points=\"([0-9.]+),([0-9.]+) ([0-9.]+),[0-9.]+ ([0-9.]+),")));
  EXPECT_NEAR(std::stod(pm[3].str()), (std::stod(pm[1].str()) + std::stod(pm[4].str())) / 2, 0.11);
  // Log axis: decades as ticks, non-positive values skipped; an empty plot says so.
  PlotSpec lg;
  lg.log_y = true;
  lg.series.push_back({"l", {1, 2, 3}, {0.01, 0, 10}, {1, 2, 3}, false, false});
  const std::string l = svg_line_plot(lg);
  EXPECT_NE(l.find(">0.01</text>"), std::string::npos);
  EXPECT_NE(l.find(">10</text>"), std::string::npos);
  EXPECT_EQ(count(l.substr(l.find("points=")), " ") >= 1, true);
  EXPECT_NE(svg_line_plot(PlotSpec{}).find(">no data<"), std::string::npos);
}

TEST(ReportParts, TrainLogColumnsMissingValuesAndErrors) {
  test::TempDir d;
  write_file_atomic(d / "log.csv", "step,loss,val_score\r\n0,1.5,\r\n5,1.0,0.25\r\n\r\n10,0.5,\r\n");
  const TrainLog log = read_train_log(d / "log.csv");
  ASSERT_EQ(log.columns, (std::vector<std::string>{"step", "loss", "val_score"}));
  EXPECT_EQ(log.values[0], (std::vector<double>{0, 5, 10}));
  EXPECT_DOUBLE_EQ((*log.column("loss"))[2], 0.5);
  EXPECT_TRUE(std::isnan((*log.column("val_score"))[0]));
  EXPECT_DOUBLE_EQ((*log.column("val_score"))[1], 0.25);
  EXPECT_TRUE(log.has_values("val_score"));
  EXPECT_FALSE(log.has_values("lr"));
  write_file_atomic(d / "a.csv", "epoch,loss\n0,1\n");
  test::expect_error([&] { read_train_log(d / "a.csv"); }, "a.csv", "line 1: the header's first column must be 'step'");
  write_file_atomic(d / "b.csv", "step,loss\n0,1\n1,abc\n");
  test::expect_error([&] { read_train_log(d / "b.csv"); }, "b.csv", "line 3, column 'loss': 'abc' is not a number");
  write_file_atomic(d / "c.csv", "step,loss\n0,1,2\n");
  test::expect_error([&] { read_train_log(d / "c.csv"); }, "c.csv", "line 2: 3 cells, the header has 2");
  write_file_atomic(d / "e.csv", "");
  test::expect_error([&] { read_train_log(d / "e.csv"); }, "e.csv", "no header");
  test::expect_error([&] { read_train_log(d / "none.csv"); }, "none.csv", "");
}

TEST(Report, WellFormedWithEmbeddedPngsAndTheMetricsScores) {
  const Fixture f;
  const ReportRequest req = f.request();
  const ReportResult r = make_report(req);
  const std::string& html = r.html;
  EXPECT_EQ(check_well_formed(html), "");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);

  // Scores: the table shows what czii_score gives for the same inputs.
  EvalSetup s = prepare_evaluation(req.eval);
  const CziiResult want = czii_score(s.truth.sets, s.picks.sets, s.czii);
  EXPECT_EQ(r.score.score, want.score);
  ASSERT_EQ(want.types.size(), 2u);
  // Hand-computed: ribosome TP 3 (both TS_1, and TS_2's), FP 5 - 3 = 2, FN 0; apo-ferritin TP 2,
  // FP 1, FN 2.
  EXPECT_EQ(want.types[1].name, "ribosome");
  EXPECT_EQ(want.types[1].counts, (Counts{3, 2, 0}));
  EXPECT_EQ(want.types[0].counts, (Counts{2, 1, 2}));
  for (const auto& t : want.types) {
    EXPECT_EQ(cell(html, t.name, "tp"), std::to_string(t.counts.tp)) << t.name;
    EXPECT_EQ(cell(html, t.name, "fp"), std::to_string(t.counts.fp)) << t.name;
    EXPECT_EQ(cell(html, t.name, "fn"), std::to_string(t.counts.fn)) << t.name;
    EXPECT_EQ(cell(html, t.name, "truths"), std::to_string(t.truths)) << t.name;
    EXPECT_EQ(cell(html, t.name, "picks"), std::to_string(t.picks)) << t.name;
    EXPECT_EQ(cell(html, t.name, "precision"), fmt::format("{:.4f}", t.rates.precision)) << t.name;
    EXPECT_EQ(cell(html, t.name, "recall"), fmt::format("{:.4f}", t.rates.recall)) << t.name;
    EXPECT_EQ(cell(html, t.name, "f"), fmt::format("{:.4f}", t.rates.fbeta)) << t.name;
  }
  EXPECT_NE(html.find("id=\"overall-score\">" + fmt::format("{:.6f}", want.score) + "<"), std::string::npos);

  // Pictures: 2 runs x 3 slices, each a data: URI holding a PNG of the size the tag says.
  const auto srcs = img_sources(html);
  EXPECT_EQ(srcs.size(), 6u);
  EXPECT_EQ(r.images, 6u);
  for (const auto& src : srcs) {
    const std::string prefix = "data:image/png;base64,";
    ASSERT_EQ(src.rfind(prefix, 0), 0u) << src.substr(0, 40);
    const std::string png = base64_decode(src.substr(prefix.size()));
    int w = 0, h = 0, n = 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> pix(
        stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), int(png.size()), &w, &h, &n, 3), stbi_image_free);
    ASSERT_TRUE(pix) << stbi_failure_reason();
    EXPECT_EQ(w, 192);
    EXPECT_EQ(h, 192);
    EXPECT_NE(html.find("src=\"" + src + "\" width=\"192\" height=\"192\""), std::string::npos);
  }
  // Plots: per class a precision-recall curve and a score histogram, the loss and the validation curves.
  EXPECT_EQ(r.plots, 6u);
  EXPECT_EQ(count(html, "<svg xmlns"), 6u);
  // The histograms count every pick, and where the best F threshold cuts.
  EXPECT_NE(html.find("<figcaption>5 picks, 3 truth points; the best F4 keeps scores"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>3 picks, 4 truth points"), std::string::npos);
  EXPECT_NE(html.find("found a particle"), std::string::npos);
  EXPECT_NE(html.find("val_f4_ribosome"), std::string::npos);
  // config.yaml verbatim, escaped.
  EXPECT_NE(html.find("model: unet3d  # &lt;b&gt;not bold&lt;/b&gt; &amp; &#39;quoted&#39;"), std::string::npos);
  // Parameters, and nothing fetched from elsewhere.
  EXPECT_NE(html.find("tomopick report --truth project --picks picks.csv"), std::string::npos);
  EXPECT_NE(html.find("matching kaggle"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url(http"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // The loader script marks the document.
  EXPECT_NE(html.find("data-images-loaded"), std::string::npos);
}

TEST(Report, WithoutTomogramsOrTrainingAndErrors) {
  const Fixture f;
  ReportRequest req = f.request();
  req.eval.truth = f.picks;  // the picks against themselves: a perfect score, no project, no pictures
  req.train_log.clear();
  const ReportResult r = make_report(req);
  EXPECT_EQ(check_well_formed(r.html), "");
  EXPECT_EQ(r.images, 0u);
  EXPECT_EQ(r.plots, 4u);
  EXPECT_DOUBLE_EQ(r.score.score, 1.0);
  EXPECT_NE(r.html.find("give <code>--tomograms PROJECT</code>"), std::string::npos);
  EXPECT_EQ(r.html.find("id=\"training\""), std::string::npos);
  // --tomograms gives the pictures back.
  req.tomograms = f.project;
  req.gallery.max_runs = 1;
  req.gallery.slices_per_run = 2;
  const ReportResult t = make_report(req);
  EXPECT_EQ(t.images, 2u);
  EXPECT_NE(t.html.find("run TS_2 not shown (at most 1 runs)"), std::string::npos);

  req = f.request();
  req.train_log = f.dir / "nowhere";
  test::expect_error([&] { make_report(req); }, "nowhere", "--train-log: not a folder");
  req = f.request();
  req.tomograms = f.picks;
  test::expect_error([&] { make_report(req); }, "picks.csv", "--tomograms: not a copick project");
  req = f.request();
  write_file_atomic(f.dir / "typo.csv", "experiment,particle_type,x,y,z\nTS_1,ribosom,1,2,3\n");
  req.eval.picks = f.dir / "typo.csv";
  test::expect_error([&] { make_report(req); }, "typo.csv", "ribosom");
  req = f.request();
  req.eval.metric = "byu";
  test::expect_error([&] { make_report(req); }, "report", "CZII");
}

// The BYU report on the metric's docstring example (F2 = 5/14): a row per tomogram with the outcome
// the metric gives it, the score in the headline; then on a simulated slice-stack tomogram, a
// picture through its motor.
TEST(ByuReport, RowsOutcomesScoreAndPictures) {
  test::TempDir d;
  write_file_atomic(d / "train_labels.csv", test::kByuExampleLabels);
  write_file_atomic(d / "submission.csv", test::kByuExampleSubmission);
  ByuReportRequest req;
  req.eval.truth = d / "train_labels.csv";
  req.eval.picks = d / "submission.csv";
  const ByuReportResult r = write_byu_report(d / "byu.html", req);
  EXPECT_NEAR(r.score.rates.fbeta, 5.0 / 14, 1e-12);
  const std::string html = read_file(d / "byu.html");
  EXPECT_EQ(check_well_formed(html), "");
  EXPECT_NE(html.find(">0.3571<"), std::string::npos);
  for (const auto& [run, outcome] : std::vector<std::pair<std::string, std::string>>{
           {"tomo_0", "FP"}, {"tomo_1", "TP"}, {"tomo_2", "FN"}, {"tomo_3", "FN"}})
    EXPECT_NE(html.find("data-run=\"" + run + "\" data-outcome=\"" + outcome + "\""), std::string::npos) << run;
  EXPECT_EQ(r.images, 0u);

  // A simulated tomogram whose motor is predicted 100 Å off: a hit, drawn through its slice.
  sim::SimConfig c = sim::sim_preset("byu");
  c.no_motor_fraction = 0;
  c.tilt_step = 6;
  sim::ByuSimOptions so;
  so.out = d / "byu";
  so.tomograms = 1;
  so.seed = 4;
  so.shape = Shape3{96, 128, 128};
  so.spacing = 20;
  const auto labels = sim::simulate_byu_dataset(c, so);
  ASSERT_TRUE(labels.at(0).has_motor());
  MotorLabel guess = labels[0];
  guess.x += 5;  // voxels of 20 Å
  write_byu_submission(d / "sub.csv", {guess});
  req.eval.truth = d / "byu/train_labels.csv";
  req.eval.picks = d / "sub.csv";
  req.tomograms = d / "byu/train";
  const ByuReportResult s = make_byu_report(req);
  EXPECT_EQ(s.score.counts.tp, 1);
  ASSERT_EQ(s.images, 1u);
  EXPECT_TRUE(s.notes.empty());
  EXPECT_EQ(check_well_formed(s.html), "");
  EXPECT_NE(s.html.find(fmt::format("z slice {} (mean of 5)", std::lround(labels[0].z))), std::string::npos);

  // A folder that is not there is named.
  req.tomograms = d / "nowhere";
  test::expect_error([&] { make_byu_report(req); }, "nowhere", "is not a folder of tomograms");
}

TEST(ReportCli, SimulatedProjectEndToEnd) {
  test::TempDir d;
  const std::string tp = test::shell_quote(test::tomopick_binary());
  auto q = [](const fs::path& p) { return test::shell_quote(p.string()); };
  auto r = test::run_command(tp + " -q simulate --out " + q(d / "sim") + " --preset easy --runs 1 --seed 5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Predictions: the truth shifted by 20 Å with descending scores, every third one dropped.
  const auto truth = CopickProject::open(d / "sim").read_picks();
  ASSERT_GT(count_picks(truth), 3u);
  std::vector<PickSet> preds;
  for (auto s : truth) {
    std::vector<Pick> kept;
    for (size_t i = 0; i < s.points.size(); ++i) {
      if (i % 3 == 2) continue;
      Pick p = s.points[i];
      p.x += 20;
      p.score = 1.0 - 0.01 * double(i);
      kept.push_back(p);
    }
    s.points = kept;
    preds.push_back(s);
  }
  write_picks(d / "preds.csv", preds);
  fs::create_directories(d / "train");
  write_file_atomic(d / "train/train_log.csv", "step,loss,val_score\n0,1.0,\n1,0.5,0.7\n");
  r = test::run_command(tp + " report --truth " + q(d / "sim") + " --picks " + q(d / "preds.csv") + " --train-log " +
                        q(d / "train") + " --gallery-slices 2 --out " + q(d / "out/report.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string html = read_file(d / "out/report.html");
  EXPECT_EQ(check_well_formed(html), "");
  EXPECT_EQ(img_sources(html).size(), 2u);
  // The command line as typed is among the parameters; the score matches `evaluate --json`.
  EXPECT_NE(html.find("--gallery-slices 2"), std::string::npos);
  r = test::run_command(tp + " -q evaluate --json --truth " + q(d / "sim") + " --picks " + q(d / "preds.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const double score = nlohmann::json::parse(r.output)["score"].get<double>();
  EXPECT_NE(html.find("id=\"overall-score\">" + fmt::format("{:.6f}", score) + "<"), std::string::npos);
  // Errors: one line naming the thing; no output left behind.
  r = test::run_command(tp + " report --truth " + q(d / "sim") + " --picks " + q(d / "preds.csv") + " --train-log " +
                        q(d / "none") + " --out " + q(d / "bad.html"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("none: --train-log: not a folder"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(d / "bad.html"));
}

// Chromium takes several seconds to start on a busy machine: one run per suite.
bool have_chromium() { return test::run_command("command -v chromium").exit_code == 0; }

std::string chromium(const fs::path& profile) {
  return "chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --no-default-browser-check "
         "--disable-extensions --disable-background-networking --disable-component-update --user-data-dir=" +
         test::shell_quote(profile.string()) + " ";
}

TEST(ReportBrowser, ChromiumLoadsEveryImageWithoutErrors) {
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  const Fixture f;
  const fs::path out = f.dir / "report.html";
  write_report(out, f.request());
  const std::string url = test::shell_quote("file://" + fs::absolute(out).string());
  const auto dom = test::run_command("(" + chromium(f.dir / "chrome") + "--virtual-time-budget=10000 --dump-dom " + url + " 2>/dev/null)");
  ASSERT_EQ(dom.exit_code, 0) << dom.output;
  const std::string head = dom.output.substr(0, dom.output.find("<head>"));
  EXPECT_NE(head.find("data-status=\"loaded\""), std::string::npos) << head;
  EXPECT_NE(head.find("data-images=\"6\""), std::string::npos) << head;
  EXPECT_NE(head.find("data-images-loaded=\"6\""), std::string::npos) << head;
  EXPECT_NE(head.find("data-errors=\"0\""), std::string::npos) << head;
  // The scripted page is the one written: the score table survived parsing.
  EXPECT_NE(dom.output.find("id=\"overall-score\""), std::string::npos);
}

TEST(ReportScreenshot, ChromiumDrawsAPageThatIsNotBlank) {
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  const Fixture f;
  const fs::path out = f.dir / "report.html";
  write_report(out, f.request());
  const std::string url = test::shell_quote("file://" + fs::absolute(out).string());
  const fs::path shot = f.dir / "shot.png";
  const auto s = test::run_command("(" + chromium(f.dir / "chrome") + "--hide-scrollbars --window-size=1280,2400 --screenshot=" +
                                   test::shell_quote(shot.string()) + " " + url + " >/dev/null 2>&1)");
  ASSERT_EQ(s.exit_code, 0) << s.output;
  ASSERT_TRUE(fs::exists(shot));
  const RgbImage im = decode_png(read_file(shot), shot.string());
  EXPECT_EQ(im.width, 1280);
  EXPECT_EQ(im.height, 2400);
  // Not blank: many distinct colours (header, text, plots, the tomogram slices), and the header's
  // dark band on top of the light page.
  std::set<uint32_t> colours;
  for (size_t i = 0; i + 2 < im.pixels.size(); i += 3 * 7)
    colours.insert(uint32_t(im.pixels[i]) << 16 | uint32_t(im.pixels[i + 1]) << 8 | im.pixels[i + 2]);
  EXPECT_GT(colours.size(), 200u);
  EXPECT_LT(int(im.at(5, 5).r), 60);
  EXPECT_GT(int(im.at(5, 300).r), 200);
}
