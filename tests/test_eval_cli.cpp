// `tomopick evaluate` and `tomopick tune` end to end. Each process pays LibTorch's start-up (~1 s), so
// the commands of this suite run concurrently.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <future>

#include "byu_example.h"
#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/io/copick_project.h"

using namespace tomopick;
using json = nlohmann::json;

namespace {

using test::tp;
using test::q;

json parse_json(const test::RunResult& r) {
  try {
    return json::parse(r.output);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << r.output;
    return json::object();
  }
}

}  // namespace

TEST(EvalCli, EvaluateAndTuneEndToEnd) {
  test::TempDir d;
  // Truth: a copick project with two runs (TS_2 has no ribosomes). Picks: a CSV with scores.
  auto project = CopickProject::create(d / "truth", czii_config());
  PickSet ribo;
  ribo.run = "TS_1";
  ribo.object = "ribosome";
  for (double x : {1000.0, 2000.0, 3000.0}) ribo.points.push_back(Pick{x, 500, 500});
  project.write_picks(ribo);
  PickSet other = ribo;
  other.run = "TS_2";
  other.object = "apo-ferritin";
  other.points.resize(1);
  project.write_picks(other);
  // TS_1 ribosome: 0.9 on 1000, 0.8 on 2000, 0.3 nowhere, 0.2 on 3000; TS_2: apo-ferritin 0.7 on it,
  // ribosome 0.6 nowhere (a run the truth covers without ribosomes: FP).
  write_file_atomic(d / "picks.csv",
                    "experiment,particle_type,x,y,z,score\n"
                    "TS_1,ribosome,1010,500,500,0.9\nTS_1,ribosome,2000,520,500,0.8\nTS_1,ribosome,6000,500,500,0.3\n"
                    "TS_1,ribosome,3000,500,470,0.2\nTS_2,apo-ferritin,1000,500,500,0.7\nTS_2,ribosome,9000,9000,500,0.6\n");
  write_file_atomic(d / "typo.csv", "experiment,particle_type,x,y,z\nTS_1,ribosom,1,2,3\n");
  Thresholds th;
  th.types = {{"ribosome", 1, true, 3, 0.8, {}}, {"apo-ferritin", 1, true, 1, 0.5, {}}};
  write_thresholds(d / "given.json", th);
  write_file_atomic(d / "labels.csv", test::kByuExampleLabels);
  write_file_atomic(d / "submission.csv", test::kByuExampleSubmission);

  const std::string base = tp() + " -q evaluate --truth " + q(d / "truth") + " --picks " + q(d / "picks.csv");
  auto as_json = std::async(std::launch::async, test::run_command,
                            base + " --json --pr --thresholds " + q(d / "given.json"));
  auto typo = std::async(std::launch::async, test::run_command,
                         tp() + " evaluate --truth " + q(d / "truth") + " --picks " + q(d / "typo.csv"));
  auto tune = std::async(std::launch::async, test::run_command,
                         tp() + " -q tune --truth " + q(d / "truth") + " --picks " + q(d / "picks.csv") + " --out " +
                             q(d / "out/thresholds.json"));
  auto partial = std::async(std::launch::async, test::run_command,
                            tp() + " -q tune --partial --truth " + q(d / "truth") + " --picks " + q(d / "picks.csv") +
                                " --types ribosome --expect ribosome=5 --out " + q(d / "out/partial.json"));
  auto byu = std::async(std::launch::async, test::run_command,
                        tp() + " evaluate --metric byu --truth " + q(d / "labels.csv") + " --picks " + q(d / "submission.csv"));
  // The real CZII ground truth (a folder of FiveParticlesData*.csv) against itself, as a table.
  const fs::path real = test::shared_data().empty() ? fs::path() : test::shared_data() / "czii-fragments/picks";
  const bool have_real = !real.empty() && fs::exists(real);
  std::future<test::RunResult> table;
  if (have_real)
    table = std::async(std::launch::async, test::run_command, tp() + " evaluate --truth " + q(real) + " --picks " + q(real));

  // With thresholds 0.8 (ribosome) and 0.5 (apo-ferritin): ribosome TP 2, FP 0, FN 1. All picks:
  // ribosome TP 3, FP 2 (one in TS_2, a truth run without ribosomes), FN 0; apo-ferritin TP 1.
  const json j = parse_json(as_json.get());
  ASSERT_TRUE(j.contains("types") && j.contains("curves")) << j.dump();
  const double r_f = 17.0 * (2.0 / 3) / (16 + 2.0 / 3);
  EXPECT_NEAR(j["score"].get<double>(), (r_f + 1.0) / 2, 1e-12);
  EXPECT_EQ(j["runs"], json::array({"TS_1", "TS_2"}));
  for (const auto& x : j["types"])
    if (x["name"] == "ribosome") {
      EXPECT_EQ(x["tp"], 2);
      EXPECT_EQ(x["fp"], 0);
      EXPECT_EQ(x["fn"], 1);
      EXPECT_EQ(x["threshold"], 0.8);
    }
  const double ribo_f = 17.0 * 0.6 * 1.0 / (16 * 0.6 + 1.0);
  const double all = (ribo_f + 1.0) / 2;
  for (const auto& c : j["curves"])
    if (c["type"] == "ribosome") {
      EXPECT_EQ(c["thresholds"], 5);
      EXPECT_EQ(c["best"]["threshold"], 0.2);
      EXPECT_NEAR(c["best"]["f"].get<double>(), ribo_f, 1e-12);
    }

  const auto e = typo.get();
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_EQ(e.output, "tomopick: error: " + (d / "typo.csv").string() +
                          ": unknown particle type 'ribosom' in the picks (did you mean 'ribosome'?); known: apo-ferritin, "
                          "beta-amylase, beta-galactosidase, ribosome, thyroglobulin, virus-like-particle (add it to "
                          "copick_config.json, pass --radius ribosom=R, or --ignore-unknown to skip it)\n");

  const auto u = tune.get();
  ASSERT_EQ(u.exit_code, 0) << u.output;
  const Thresholds tuned = read_thresholds(d / "out/thresholds.json");
  ASSERT_TRUE(tuned.find("ribosome") && tuned.find("ribosome")->threshold);
  EXPECT_EQ(*tuned.find("ribosome")->threshold, 0.2);  // F4(3, 2, 0) = 0.962 beats F4(2, 0, 1) = 0.680
  EXPECT_EQ(*tuned.find("apo-ferritin")->threshold, 0.7);
  EXPECT_NEAR(tuned.expected_score, all, 1e-12);
  EXPECT_NE(u.output.find("score at these thresholds"), std::string::npos) << u.output;

  // The same truth taken as a sample of the particles: metric pu, the count as given.
  const auto pu = partial.get();
  ASSERT_EQ(pu.exit_code, 0) << pu.output;
  EXPECT_NE(pu.output.find("thresholds from partial labels"), std::string::npos) << pu.output;
  const Thresholds from_partial = read_thresholds(d / "out/partial.json");
  EXPECT_EQ(from_partial.metric, "pu");
  ASSERT_EQ(from_partial.types.size(), 1u);
  EXPECT_EQ(from_partial.types[0].name, "ribosome");
  EXPECT_TRUE(from_partial.types[0].threshold);
  EXPECT_EQ(from_partial.types[0].estimated_count, 5);

  const auto b = byu.get();
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_NE(b.output.find("BYU score 0.357143"), std::string::npos) << b.output;
  EXPECT_NE(b.output.find("FN, motor predicted too far away: tomo_2"), std::string::npos) << b.output;

  if (!have_real) return;  // no shared data beside the repository
  const auto r = table.get();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("CZII score 1.000000"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("7 runs"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("virus-like-particle"), std::string::npos) << r.output;
}
