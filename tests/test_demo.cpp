// `tomopick demo` end to end. The built-in model may not exist yet (and would be slow here), so a
// tiny one is trained first with `tomopick train`; its picks are poor, which does not matter: what
// is checked is that the demo's folder, table and score agree with the rest of tomopick.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <future>
#include <regex>
#include <sstream>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/picks.h"

using namespace tomopick;
using json = nlohmann::json;

namespace {

using test::tp;
using test::q;

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool has_zarr(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".zarr") return true;
  return false;
}

}  // namespace

TEST(Demo, EndToEnd) {
  test::TempDir d;
  // Folders that are not a demo's are refused before anything else happens (no model needed).
  write_file_atomic(d / "a-file", "hello\n");
  fs::create_directories(d / "someone");
  write_file_atomic(d / "someone/data.txt", "keep me\n");
  auto bad_file = std::async(std::launch::async, test::run_command, tp() + " -q demo --out " + q(d / "a-file"));
  auto bad_dir = std::async(std::launch::async, test::run_command, tp() + " -q demo --out " + q(d / "someone"));

  const fs::path model = d / "model/model.pt", out = d / "demo";
  const auto setup = test::run_command(
      tp() + " -q simulate --preset czii --shape 32,64,64 --runs 1 --out " + q(d / "train_data") + " && " + tp() +
      " -q train --data " + q(d / "train_data") + " --out " + q(d / "model") +
      " --steps 5 --set model.channels=[4,8] --set model.strides=[2] --set data.crop=16 --set validation.window=32");
  ASSERT_EQ(setup.exit_code, 0) << setup.output;
  ASSERT_TRUE(fs::exists(model)) << setup.output;

  // -q: the output is what the demo prints on stdout, the table.
  const auto r = test::run_command(tp() + " -q demo --out " + q(out) + " --model " + q(model) + " --shape 32,96,96");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ev = test::run_command(tp() + " -q evaluate --truth " + q(out / "project") +
                                    " --truth-user simulation --picks " + q(out / "picks.csv") + " --json");
  ASSERT_EQ(ev.exit_code, 0) << ev.output;
  const json j = json::parse(ev.output);

  // The table: a row for every scored class, and the score evaluate gives (printed to 6 decimals).
  ASSERT_TRUE(j["score"].is_number()) << "no particle was scored: " << ev.output;
  size_t scored = 0;
  for (const auto& t : j["types"]) {
    if (!t["scored"].get<bool>()) continue;
    ++scored;
    const std::regex row("\n  " + t["name"].get<std::string>() + " +[0-9.]+ +" + std::to_string(t["truths"].get<int>()) +
                         " +" + std::to_string(t["picks"].get<int>()) + " +" + std::to_string(t["tp"].get<int>()) + " +" +
                         std::to_string(t["fp"].get<int>()) + " +" + std::to_string(t["fn"].get<int>()) + " ");
    EXPECT_TRUE(std::regex_search(r.output, row)) << t.dump() << "\n" << r.output;
  }
  EXPECT_GE(scored, 3u) << ev.output;  // the demo keeps at least one particle of each class in a small box
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex("CZII score ([0-9.]+)"))) << r.output;
  EXPECT_NEAR(std::stod(m[1]), j["score"].get<double>(), 5e-7) << r.output;
  for (const char* stage : {"simulate", "pick", "score", "report", "total"})
    EXPECT_TRUE(std::regex_search(r.output, std::regex(std::string("\n  ") + stage + " +[0-9]+\\.[0-9] s\n"))) << stage;

  // picks.csv: what the table counted, every pick inside the 32 x 96 x 96 box of 10 Å voxels.
  const auto sets = read_picks(out / "picks.csv");
  ASSERT_GT(count_picks(sets), 0u);
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex(": ([0-9]+) picks\n"))) << r.output;
  EXPECT_EQ(std::to_string(count_picks(sets)), m[1].str());
  for (const auto& s : sets) {
    EXPECT_EQ(s.run, "sim_000");
    for (const auto& p : s.points) {
      EXPECT_TRUE(p.z >= -5 && p.z <= 31 * 10 + 5) << s.object << " z " << p.z;
      EXPECT_TRUE(p.y >= -5 && p.y <= 95 * 10 + 5) << s.object << " y " << p.y;
      EXPECT_TRUE(p.x >= -5 && p.x <= 95 * 10 + 5) << s.object << " x " << p.x;
    }
  }

  const std::string html = read_file(out / "report.html");
  EXPECT_GE(count_of(html, "src=\"data:image/png;base64,"), 1u);
  EXPECT_NE(html.find("id=\"overall-score\""), std::string::npos);
  EXPECT_FALSE(has_zarr(out / "project")) << "tomograms are removed without --keep";
  EXPECT_NE(r.output.find(out.string() + "/report.html"), std::string::npos) << r.output;

  // A second demo replaces the first (the folder is a demo's); --keep keeps the tomograms.
  const auto again = test::run_command(tp() + " -q demo --out " + q(out) + " --model " + q(model) +
                                       " --shape 32,96,96 --seed 3 --keep");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(has_zarr(out / "project"));
  EXPECT_EQ(json::parse(read_file(out / "demo.json"))["seed"], 3);
  EXPECT_NE(again.output.find("seed 3"), std::string::npos) << again.output;

  for (auto [bad, problem] : {std::pair{&bad_file, "a-file: exists and is not a folder"},
                               std::pair{&bad_dir, "someone: exists and is not a tomopick demo folder"}}) {
    const auto b = bad->get();
    EXPECT_EQ(b.exit_code, 1) << b.output;
    EXPECT_EQ(count_of(b.output, "\n"), 1u) << b.output;
    EXPECT_EQ(b.output.rfind("tomopick: error: " + (d / problem).string(), 0), 0u) << b.output;
  }
  EXPECT_EQ(read_file(d / "a-file"), "hello\n");
  EXPECT_EQ(read_file(d / "someone/data.txt"), "keep me\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(d / "someone"), fs::directory_iterator()), 1);
  for (const auto& e : fs::directory_iterator(d.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << e.path();
}

// `tomopick demo --task byu` with the built-in motor model (models/byu): the table, the submission
// and demo.json agree with `tomopick evaluate --metric byu` on the demo's own files; a CZII model is
// refused before anything is simulated.
TEST(Demo, ByuTaskScoresTheSubmissionWithTheByuMetric) {
  test::TempDir d;
  const fs::path out = d / "byu-demo";
  const fs::path czii_model = fs::path(TOMOPICK_SOURCE_DIR) / "models/default/model.pt";
  const auto wrong = test::run_command(tp() + " -q demo --task byu --model " + q(czii_model) + " --out " + q(d / "wrong"));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("is not a motor model"), std::string::npos) << wrong.output;
  EXPECT_FALSE(fs::exists(d / "wrong"));

  const auto r = test::run_command(tp() + " -q demo --task byu --tomograms 4 --shape 128,256,256 --seed 2 --out " + q(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto ev = test::run_command(tp() + " -q evaluate --metric byu --truth " + q(out / "byu/train_labels.csv") +
                                    " --picks " + q(out / "submission.csv") + " --json");
  ASSERT_EQ(ev.exit_code, 0) << ev.output;
  const json j = json::parse(ev.output);
  ASSERT_EQ(j["tomograms"].size(), 4u) << ev.output;
  for (const auto& t : j["tomograms"]) {
    const std::regex row("\n  " + t["run"].get<std::string>() + " +[0-9.]+ +" + (t["has_motor"].get<bool>() ? "motor" : "none") +
                         " +[-0-9.]+ +" + (t["predicted"].get<bool>() ? "yes" : "no") + " +[-0-9]+ +" +
                         t["outcome"].get<std::string>() + "\n");
    EXPECT_TRUE(std::regex_search(r.output, row)) << t.dump() << "\n" << r.output;
  }
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex("BYU F2 ([0-9.]+)"))) << r.output;
  EXPECT_NEAR(std::stod(m[1]), j["score"].get<double>(), 5e-5) << r.output;
  // The built-in model finds the one tomogram's motor in these small boxes (measured 2026-12-05: TP 1,
  // FP 1, TN 2; F2 0.83): a guard on the shipped model, not only on the plumbing.
  EXPECT_GE(j["tp"].get<int>(), 1) << r.output;
  // The table's best scores are the peaks' own (picks.csv: one per tomogram), not the submission's 1s.
  const auto best = read_picks(out / "picks.csv");
  ASSERT_EQ(best.size(), 4u);
  for (const auto& s : best) {
    ASSERT_EQ(s.points.size(), 1u) << s.run;
    EXPECT_LT(s.points[0].score, 1.0) << s.run;
    EXPECT_NE(r.output.find(fmt::format("{:.3f}", s.points[0].score)), std::string::npos) << s.run;
  }
  const json demo = json::parse(read_file(out / "demo.json"));
  EXPECT_EQ(demo["task"], "byu");
  EXPECT_NEAR(demo["byu_f2"].get<double>(), j["score"].get<double>(), 1e-12);
  // The submission: one row per tomogram, in the labels' voxels (inside each tomogram's box).
  const auto labels = read_byu_labels(out / "byu/train_labels.csv");
  const auto sub = read_byu_submission(out / "submission.csv");
  ASSERT_EQ(sub.size(), 4u);
  for (const auto& s : sub) {
    if (!s.has_motor()) continue;
    EXPECT_TRUE(s.z >= 0 && s.z < 128 && s.y >= 0 && s.y < 256 && s.x >= 0 && s.x < 256) << s.tomo_id;
  }
  // The report: a row per tomogram and a picture of each; the slices themselves are removed.
  const std::string html = read_file(out / "report.html");
  EXPECT_EQ(count_of(html, "data-outcome="), 4u);
  EXPECT_EQ(count_of(html, "src=\"data:image/png;base64,"), 4u);
  EXPECT_FALSE(fs::exists(out / "byu/train"));
  EXPECT_GE(labels.size(), 4u);
}
