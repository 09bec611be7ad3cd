// Picking the BYU task: a folder of slice-stack tomograms with BYU's labels for their spacings, a
// motor model, and the submission: one row per tomogram, its best peak in voxels of the slices or -1,
// by the quantile rule or a threshold.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/picks.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/sim/byu_dataset.h"

using namespace tomopick;
using test::TempDir;

TEST(ByuPick, WritesTheSubmissionFromTheBestPeakOfEachTomogram) {
  TempDir dir;
  sim::SimConfig c = sim::sim_preset("byu");
  c.tilt_step = 6;
  sim::ByuSimOptions so;
  so.out = dir / "byu";
  so.tomograms = 3;
  so.seed = 2;
  so.shape = Shape3{100, 128, 128};
  so.spacing = 20;
  sim::simulate_byu_dataset(c, so);

  // An (untrained) motor model: what is checked here is the decision and the format, not the network.
  nn::ModelConfig m;
  m.channels = {4, 8};
  m.strides = {2};
  torch::manual_seed(3);
  nn::HeatmapNet net(m, 1);
  nn::ModelInfo info;
  info.model = m;
  info.classes = {{kMotorObject, 225, true, 0.5}};
  info.spacing_A = 40;
  info.window = {32, 64, 64};
  nn::save_model(dir / "motor.pt", info, *net);

  const std::string base = test::tomopick_binary() + " pick " + test::shell_quote((dir / "byu" / "train").string()) +
                           " --labels " + test::shell_quote((dir / "byu" / "train_labels.csv").string()) + " -m " +
                           test::shell_quote((dir / "motor.pt").string());
  auto r = test::run_command(base + " --quantile 0.34 --out " + test::shell_quote((dir / "sub.csv").string()) + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("BYU submission: a motor in 2 of 3 tomogram(s)"), std::string::npos) << r.output;
  const auto sub = read_byu_submission(dir / "sub.csv");
  ASSERT_EQ(sub.size(), 3u);
  // Every peak, as plain picks (Å) with their scores, from the same model.
  r = test::run_command(base + " --format csv --threshold flagellar-motor=0 --out " +
                        test::shell_quote((dir / "all.csv").string()) + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  PickReadOptions ro;
  const auto all = read_picks(dir / "all.csv", ro);
  std::map<std::string, Pick> best;
  for (const auto& s : all)
    for (const auto& p : s.points)
      if (!best.count(s.run) || p.score > best[s.run].score) best[s.run] = p;
  ASSERT_EQ(best.size(), 3u);
  double lowest = 1e9;
  std::string lowest_run;
  for (const auto& [run, p] : best)
    if (p.score < lowest) lowest = p.score, lowest_run = run;
  for (const auto& row : sub) {
    ASSERT_TRUE(best.count(row.tomo_id)) << row.tomo_id;
    if (row.tomo_id == lowest_run) {
      EXPECT_FALSE(row.has_motor()) << "the lowest third gets no motor";
      continue;
    }
    ASSERT_TRUE(row.has_motor()) << row.tomo_id;
    const auto& p = best[row.tomo_id];
    EXPECT_NEAR(row.x, p.x / 20, 1e-3);
    EXPECT_NEAR(row.y, p.y / 20, 1e-3);
    EXPECT_NEAR(row.z, p.z / 20, 1e-3);
    EXPECT_GE(row.z, 0);
    EXPECT_LT(row.z, 100);
  }
  // It scores with the BYU metric against the labels.
  r = test::run_command(test::tomopick_binary() + " evaluate --metric byu --truth " +
                        test::shell_quote((dir / "byu" / "train_labels.csv").string()) + " --picks " +
                        test::shell_quote((dir / "sub.csv").string()) + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // Slice stacks carry no spacing: without --labels or --spacing that is said.
  r = test::run_command(test::tomopick_binary() + " pick " + test::shell_quote((dir / "byu" / "train").string()) + " -m " +
                        test::shell_quote((dir / "motor.pt").string()) + " --out " + test::shell_quote((dir / "x.csv").string()) + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("spacing"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "x.csv"));
  // The quantile rule is for motors.
  r = test::run_command(test::tomopick_binary() + " pick " + test::shell_quote((dir / "byu" / "train").string()) +
                        " --labels " + test::shell_quote((dir / "byu" / "train_labels.csv").string()) +
                        " --format csv --quantile 0.5 -m " + test::shell_quote((dir / "motor.pt").string()) + " --out " +
                        test::shell_quote((dir / "y.csv").string()) + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--quantile"), std::string::npos) << r.output;
}
