// Picking the BYU task: a folder of slice-stack tomograms with BYU's labels for their spacings, a
// motor model, and the submission: one row per tomogram, its best peak in voxels of the slices or -1,
// by the quantile rule or a threshold.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <set>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/picks.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/sim/byu_dataset.h"
#include "tomopick/train/labelled_data.h"
#include "tomopick/train/train_config.h"
#include "tomopick/train/trainer.h"

using namespace tomopick;
using test::TempDir;

namespace {

// Three small simulated BYU tomograms at 20 Å in `out` (the competition's layout).
std::vector<MotorLabel> small_byu_set(const fs::path& out, uint64_t seed, Shape3 shape) {
  sim::SimConfig c = sim::sim_preset("byu");
  c.tilt_step = 6;
  sim::ByuSimOptions so;
  so.out = out;
  so.tomograms = 3;
  so.seed = seed;
  so.shape = shape;
  so.spacing = 20;
  return sim::simulate_byu_dataset(c, so);
}

}  // namespace

TEST(ByuPick, WritesTheSubmissionFromTheBestPeakOfEachTomogram) {
  TempDir dir;
  small_byu_set(dir / "byu", 2, {100, 128, 128});

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
  // Options that do not apply to a motor model's labelled slice stacks: an error naming the option,
  // and no output.
  const auto refused = [&](const std::string& options, const std::string& out, const std::string& message) {
    const auto f = test::run_command(test::tomopick_binary() + " pick " + test::shell_quote((dir / "byu" / "train").string()) +
                                     " --labels " + test::shell_quote((dir / "byu" / "train_labels.csv").string()) + " " +
                                     options + " -m " + test::shell_quote((dir / "motor.pt").string()) + " --out " +
                                     test::shell_quote((dir / out).string()) + " 2>&1");
    EXPECT_NE(f.exit_code, 0) << options;
    EXPECT_NE(f.output.find(message), std::string::npos) << f.output;
    EXPECT_FALSE(fs::exists(dir / out)) << options;
  };
  refused("--format csv --quantile 0.5", "y.csv", "--quantile");  // the quantile rule is for BYU submissions
  // A threshold fitted to many particles' scores is not for one motor per tomogram.
  refused("--calibrate mixture", "z.csv", "--calibrate: fits the scores of many particles");
}

TEST(ByuPick, TrainsFromTheCompetitionsLayout) {
  TempDir dir;
  const auto labels = small_byu_set(dir / "byu", 5, {100, 160, 160});
  const auto data = train::byu_training_data(dir / "byu" / "train", dir / "byu" / "train_labels.csv");
  ASSERT_EQ(data.size(), 3u);
  int negatives = 0;
  for (const auto& t : data) {
    EXPECT_EQ(t.spacing_A, 20);
    EXPECT_EQ(t.object, kMotorObject);
    EXPECT_TRUE(t.may_lack_picks);
    bool has = false;
    for (const auto& l : labels) has |= l.tomo_id == t.tomogram.filename().string() && l.has_motor();
    negatives += !has;
  }
  std::set<std::string> with_motor;
  for (const auto& l : labels)
    if (l.has_motor()) with_motor.insert(l.tomo_id);
  EXPECT_EQ(negatives, 3 - int(with_motor.size()));
  // Library: a run that stops and resumes (the labels' spacings recorded in run.json).
  train::TrainRequest r;
  r.config = train::parse_train_config(R"(
model: {channels: [4, 8], strides: [2]}
data: {spacing_A: 40, crop: [16, 32, 32], workers: 1, val_fraction: 0}
train: {steps: 4, batch: 2, val_every: 0, checkpoint_every: 2}
validation: {window: [16, 32, 32]}
)",
                                       "byu-tiny");
  r.labelled = data;
  r.out = dir / "run";
  r.stop_after = 2;
  train::train(r);
  train::TrainRequest again;
  again.out = dir / "run";
  again.resume = true;
  const auto s = train::train(again);
  EXPECT_EQ(s.steps, 4);
  const auto info = nn::read_model_info(dir / "run" / "model.pt");
  ASSERT_EQ(info.classes.size(), 1u);
  EXPECT_EQ(info.classes[0].name, kMotorObject);
  EXPECT_EQ(info.classes[0].radius_A, 250);
  // CLI, and bad layouts named.
  const std::string cmd = test::tomopick_binary() + " train --data " + test::shell_quote((dir / "byu" / "train").string()) +
                          " --labels " + test::shell_quote((dir / "byu" / "train_labels.csv").string()) +
                          " --set model.channels=[4,8] --set model.strides=[2] --set data.spacing_A=40"
                          " --set data.crop=[16,32,32] --set validation.window=[16,32,32] --set train.val_every=0 --steps 2 --out ";
  auto out = test::run_command(cmd + test::shell_quote((dir / "cli").string()) + " 2>&1");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_TRUE(fs::exists(dir / "cli" / "model.pt"));
  fs::create_directories(dir / "byu" / "train" / "tomo_extra");
  test::expect_error([&] { train::byu_training_data(dir / "byu" / "train", dir / "byu" / "train_labels.csv"); },
                     "train_labels.csv", "has no row for tomogram tomo_extra");
  fs::remove(dir / "byu" / "train" / "tomo_extra");
  fs::remove_all(dir / "byu" / "train" / data[0].tomogram.filename());
  test::expect_error([&] { train::byu_training_data(dir / "byu" / "train", dir / "byu" / "train_labels.csv"); },
                     "train_labels.csv", "which");
}
