// Training from tomograms with partial picks: reading and checking pick files against their
// tomogram, holding picks back, the partial-label estimates, and the positive-unlabelled loss.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/eval/pu_estimate.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/sim/random.h"
#include "tomopick/train/labelled_data.h"
#include "tomopick/train/losses.h"

using namespace tomopick;
using test::TempDir;

namespace {

// A 20 x 40 x 60 voxel MRC at 12.5 Å and a CSV of picks (x_A, y_A, z_A) inside it.
fs::path write_tomogram_with(const TempDir& dir, const std::string& csv_text, fs::path* csv) {
  Volume<float> v({20, 40, 60}, {12.5, 12.5, 12.5});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(i % 7);
  const auto tomo = dir / "tomo5.mrc";
  write_tomogram(tomo, v, TomoFormat::mrc);
  *csv = dir / "picks.csv";
  write_file_atomic(*csv, csv_text);
  return tomo;
}

}  // namespace

TEST(LabelledData, ReadsPicksInAngstromUnderTheTomogramsRunName) {
  TempDir dir;
  fs::path csv;
  const auto tomo = write_tomogram_with(dir, "x_A,y_A,z_A\n100,200,50\n700,480,230\n10,20,30\n", &csv);
  const auto sets = train::read_labelled_picks({tomo, csv, "ribosome"}, {20, 40, 60}, {12.5, 12.5, 12.5});
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].object, "ribosome");
  EXPECT_EQ(sets[0].run, "tomo5");
  ASSERT_EQ(sets[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(sets[0].points[1].x, 700);
  EXPECT_DOUBLE_EQ(sets[0].points[1].z, 230);
  EXPECT_EQ(train::labelled_class_names({{tomo, csv, "ribosome"}, {tomo, csv, "ferritin"}}),
            (std::vector<std::string>{"ribosome", "ferritin"}));
}

TEST(LabelledData, VoxelCoordinatesAndPicksOutsideAreErrorsNamingTheFile) {
  TempDir dir;
  fs::path csv;
  // Every pick within 0..60 x 0..40 x 0..20: voxel indices of this tomogram, not Å.
  auto tomo = write_tomogram_with(dir, "x,y,z\n10,20,5\n55,38,19\n30,2,11\n", &csv);
  test::expect_error([&] { train::read_labelled_picks({tomo, csv, "r"}, {20, 40, 60}, {12.5, 12.5, 12.5}); },
                     "picks.csv", "look like voxel indices, not Å");
  // The same numbers at 1 Å per voxel are plausible Å.
  EXPECT_NO_THROW(train::read_labelled_picks({tomo, csv, "r"}, {20, 40, 60}, {1, 1, 1}));
  // One pick beyond the far x face (60 voxels x 12.5 Å = 750 Å).
  tomo = write_tomogram_with(dir, "x_A,y_A,z_A\n100,200,50\n800,200,50\n", &csv);
  test::expect_error([&] { train::read_labelled_picks({tomo, csv, "r"}, {20, 40, 60}, {12.5, 12.5, 12.5}); },
                     "picks.csv", "pick 2 at (x, y, z) = (800, 200, 50) Å lies outside the tomogram");
  // A header at exactly 1 Å per voxel (no pixel size written): training asks for --spacing; a
  // LabelledTomogram's spacing (the command's --spacing) settles it.
  write_tomogram(dir / "one.mrc", Volume<float>({20, 40, 60}, {1, 1, 1}, {}, 1.f), TomoFormat::mrc);
  write_file_atomic(csv, "x_A,y_A,z_A\n100,200,50\n");
  train::TrainConfig c;
  c.data.spacing_A = 12.5;
  test::expect_error([&] { train::load_labelled_runs({{dir / "one.mrc", csv, "r"}}, c, {{"r", 150}}); }, "one.mrc",
                     "says 1 Å per voxel");
  train::LabelledTomogram given{dir / "one.mrc", csv, "r"};
  given.spacing_A = 12.5;
  EXPECT_EQ(train::load_labelled_runs({given}, c, {{"r", 150}}).at(0).image.spacing().x, 12.5);
  // A CZII-style file with the wrong object.
  tomo = write_tomogram_with(dir, "x,y,z,particle_type,experiment\n100,200,50,apo-ferritin,tomo5\n", &csv);
  test::expect_error([&] { train::read_labelled_picks({tomo, csv, "ribosome"}, {20, 40, 60}, {12.5, 12.5, 12.5}); },
                     "picks.csv", "no picks of 'ribosome' (it has: apo-ferritin (1))");
}

TEST(LabelledData, AZarrFragmentTrainsOnItsStoredChunksWithItsPicksMovedIn) {
  // A store whose chunks hold data only in z [0, 20), y [20, 40), x [30, 60) (a CZII-style fragment;
  // the rest is missing, i.e. fill value): the training image is that part, the picks move into it,
  // and picks elsewhere have no image to learn from.
  TempDir dir;
  Volume<float> big({20, 40, 60}, {12.5, 12.5, 12.5});
  for (int64_t z = 0; z < 20; ++z)
    for (int64_t y = 20; y < 40; ++y)
      for (int64_t x = 30; x < 60; ++x) big(z, y, x) = float((z + y + x) % 7 + 1);
  OmeWriteOptions w;
  w.levels = 1;
  w.array.chunks = {20, 20, 30};
  w.array.skip_empty_chunks = true;
  write_ome_zarr(dir / "frag.zarr", AnyVolume(big), w);
  const auto csv = dir / "picks.csv";
  write_file_atomic(csv, "x_A,y_A,z_A\n500,375,100\n100,100,100\n");
  train::TrainConfig c;
  c.data.spacing_A = 12.5;
  const auto runs = train::load_labelled_runs({{dir / "frag.zarr", csv, "ribosome"}}, c, {{"ribosome", 150}});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].image.shape(), (Shape3{20, 20, 30}));
  ASSERT_EQ(runs[0].picks.size(), 1u);
  ASSERT_EQ(runs[0].picks[0].points.size(), 1u);
  EXPECT_DOUBLE_EQ(runs[0].picks[0].points[0].x, 500 - 30 * 12.5);
  EXPECT_DOUBLE_EQ(runs[0].picks[0].points[0].y, 375 - 20 * 12.5);
  EXPECT_DOUBLE_EQ(runs[0].picks[0].points[0].z, 100);
  // The whole store written (no chunk missing) keeps its whole image and both picks.
  w.array.skip_empty_chunks = false;
  write_ome_zarr(dir / "whole.zarr", AnyVolume(big), w);
  const auto whole = train::load_labelled_runs({{dir / "whole.zarr", csv, "ribosome"}}, c, {{"ribosome", 150}});
  EXPECT_EQ(whole[0].image.shape(), (Shape3{20, 40, 60}));
  EXPECT_EQ(whole[0].picks[0].points.size(), 2u);
}

TEST(LabelledData, HoldingPicksBackIsARepeatableSplit) {
  std::vector<train::TrainingRun> runs(1);
  PickSet s;
  s.object = "ribosome";
  for (int i = 0; i < 55; ++i) s.points.push_back({double(i), 0, 0});
  runs[0].picks = {s};
  auto a = runs, b = runs;
  train::hold_out_picks(a, 0.2, 7);
  train::hold_out_picks(b, 0.2, 7);
  ASSERT_EQ(a[0].held_out.size(), 1u);
  EXPECT_EQ(a[0].held_out[0].points.size(), 11u);
  EXPECT_EQ(a[0].picks[0].points.size(), 44u);
  EXPECT_EQ(a[0].held_out[0].points, b[0].held_out[0].points);
  std::set<double> all;
  for (const auto& p : a[0].picks[0].points) all.insert(p.x);
  for (const auto& p : a[0].held_out[0].points) all.insert(p.x);
  EXPECT_EQ(all.size(), 55u);  // a partition: nothing lost, nothing twice
  auto c = runs;
  train::hold_out_picks(c, 0.2, 8);
  EXPECT_NE(c[0].held_out[0].points, a[0].held_out[0].points);
  // Few picks: round(fraction x n), at least one from 4 on, never all.
  for (auto [n, back] : {std::pair{1, 0}, {2, 0}, {3, 1}, {4, 1}}) {
    std::vector<train::TrainingRun> few(1);
    PickSet f;
    f.object = "x";
    for (int i = 0; i < n; ++i) f.points.push_back({double(i), 0, 0});
    few[0].picks = {f};
    train::hold_out_picks(few, n == 4 ? 0.1 : 0.2, 1);
    EXPECT_EQ(few[0].held_out.empty() ? 0 : int(few[0].held_out[0].points.size()), back) << n;
  }
}

TEST(PuEstimate, CountsParticlesAndChoosesAThresholdFromHeldBackPicksAlone) {
  // 200 particles scoring U(0.5, 1), 2000 other peaks scoring U(0, 0.55); 20 particles labelled and
  // held back (a random sample, as SCAR assumes).
  sim::Rng rng(3);
  std::vector<double> peaks, particle;
  for (int i = 0; i < 200; ++i) particle.push_back(rng.uniform(0.5, 1)), peaks.push_back(particle.back());
  for (int i = 0; i < 2000; ++i) peaks.push_back(rng.uniform(0, 0.55));
  std::vector<double> held(particle.begin(), particle.begin() + 20);
  const auto e = estimate_pu(peaks, held, 4);
  EXPECT_EQ(e.held_out, 20);
  EXPECT_FALSE(e.count_given);
  EXPECT_GT(e.count, 150);
  EXPECT_LT(e.count, 260);
  ASSERT_TRUE(e.threshold);
  // Neither "keep everything" nor "keep nothing": the threshold sits at the particles' lower edge.
  EXPECT_GE(*e.threshold, 0.45);
  EXPECT_LE(*e.threshold, 0.6);
  EXPECT_GE(e.recall, 0.9);
  EXPECT_LT(e.picks, 600);
  EXPECT_GT(e.fbeta, 0.8);
  // A tolerance leans to recall: a lower (or the same) threshold whose estimate is within it of the best.
  const auto lean = estimate_pu(peaks, held, 4, 0, 0.05);
  ASSERT_TRUE(lean.threshold);
  EXPECT_LE(*lean.threshold, *e.threshold);
  EXPECT_GE(lean.recall, e.recall);
  EXPECT_GE(lean.fbeta, e.fbeta - 0.05);
  // A count the user gives replaces the estimate.
  EXPECT_EQ(estimate_pu(peaks, held, 4, 1000).count, 1000);
  EXPECT_TRUE(estimate_pu(peaks, held, 4, 1000).count_given);
  // Nothing found: no threshold, F 0.
  const auto none = estimate_pu(peaks, {0, 0, 0}, 4);
  EXPECT_FALSE(none.threshold);
  EXPECT_EQ(none.fbeta, 0);
}

TEST(PuEstimate, TrainingTakesTheCountFromHeldBackPicksSincePicksItLearnedScoreHigher) {
  // 150 particles scoring 0.3-1.0 and 1000 other peaks scoring 0-0.35; the held-back picks found at
  // 0.9, 0.7, 0.5, 0.4 and one not found; of the 21 picks the network learned from, 20 score 0.60-0.98
  // (above the unseen ones) and one 0.28.
  std::vector<double> peaks, learned, held{0.9, 0.7, 0.5, 0.4, 0.0};
  for (int i = 0; i < 150; ++i) peaks.push_back(0.3 + 0.7 * i / 150.0);
  for (int i = 1; i <= 1000; ++i) peaks.push_back(0.35 * i / 1000.0);
  for (int k = 0; k < 20; ++k) learned.push_back(0.6 + 0.02 * k);
  learned.push_back(0.28);
  std::vector<double> all = learned;
  all.insert(all.end(), held.begin(), held.end());
  const auto biased = estimate_pu(peaks, all, 4, 0, 0.02);
  const auto e = estimate_pu_partial(peaks, learned, held, 4, 0, 0.02);
  // The held-back median is 0.5: 107 peaks score at least that, and 3 of 5 held-back picks do.
  EXPECT_NEAR(e.count, 107 / 0.6, 1e-9);
  EXPECT_DOUBLE_EQ(e.median_score, 0.5);
  EXPECT_FALSE(e.count_given);
  EXPECT_LT(biased.count, 0.7 * e.count);  // the learned picks' count: far fewer particles
  // The learned picks' median (0.78) sits 0.28 above the held-back one: their scores move down by
  // that, so the recall curve reaches 92 % at 0.32 (0.60 - 0.28), which keeps 231 peaks.
  EXPECT_NEAR(e.learned_shift, 0.28, 1e-9);
  ASSERT_TRUE(e.threshold);
  ASSERT_TRUE(biased.threshold);
  EXPECT_NEAR(*e.threshold, 0.32, 1e-9);
  EXPECT_EQ(e.picks, 231);
  EXPECT_DOUBLE_EQ(*biased.threshold, 0.4);
  EXPECT_EQ(biased.picks, 128);
  EXPECT_EQ(e.held_out, 26);
  // The same count without the shift keeps the learned pick at 0.28 (351 peaks, everything above
  // the particles' floor).
  const auto unshifted = estimate_pu(peaks, all, 4, e.count, 0.02);
  ASSERT_TRUE(unshifted.threshold);
  EXPECT_DOUBLE_EQ(*unshifted.threshold, 0.28);
  // Against the truth (the particles are the 150 peaks scoring >= 0.3 by construction), the shifted
  // choice has the best F4 of the three.
  auto true_f4 = [&](double t) {
    double kept = 0, found = 0;
    for (size_t i = 0; i < peaks.size(); ++i)
      if (peaks[i] >= t) kept += 1, found += i < 150 ? 1 : 0;
    const double p = found / kept, r = found / 150;
    return 17 * p * r / (16 * p + r);
  };
  EXPECT_GT(true_f4(*e.threshold), true_f4(*unshifted.threshold));
  EXPECT_GT(true_f4(*e.threshold), true_f4(*biased.threshold));
  // Too few held-back picks (or the median one not found): every pick as it is, as before.
  const auto few = estimate_pu_partial(peaks, learned, held, 4, 0, 0.02, 6);
  EXPECT_DOUBLE_EQ(few.count, biased.count);
  EXPECT_EQ(few.threshold, biased.threshold);
  EXPECT_EQ(few.learned_shift, 0);
  const auto lost = estimate_pu_partial(peaks, learned, {0.9, 0, 0, 0}, 4, 0, 0.02);
  std::vector<double> all_lost = learned;
  for (double h : {0.9, 0.0, 0.0, 0.0}) all_lost.push_back(h);  // median not found
  EXPECT_DOUBLE_EQ(lost.count, estimate_pu(peaks, all_lost, 4).count);
  // A count the user gives wins; the shift still applies.
  const auto given = estimate_pu_partial(peaks, learned, held, 4, 500, 0.02);
  EXPECT_EQ(given.count, 500);
  EXPECT_TRUE(given.count_given);
  EXPECT_NEAR(given.learned_shift, 0.28, 1e-9);
  // Learned picks that score below the unseen ones are not moved up.
  const auto low = estimate_pu_partial(peaks, {0.2, 0.25, 0.3}, held, 4, 0, 0.02);
  EXPECT_EQ(low.learned_shift, 0);
}

TEST(PuLoss, MatchesItsFormulaAndDoesNotPunishUnlabelledParticles) {
  // Two 1 x 1 x 8 "crops": crop 0 centred on a labelled particle, crop 1 drawn uniformly and holding
  // an unlabelled particle of the same shape.
  const std::vector<float> gauss{0, 0.1f, 0.6f, 1, 0.6f, 0.1f, 0, 0};
  auto target = torch::zeros({2, 1, 1, 1, 8});
  for (int i = 0; i < 8; ++i) target[0][0][0][0][i] = gauss[size_t(i)];
  const std::vector<float> marginal{0, 1};
  const double prior = (0.1 + 0.6 + 1 + 0.6 + 0.1) / 8;  // crop 1's true heatmap mass per voxel
  auto logit = [](double p) { return std::log(std::max(p, 1e-4) / std::max(1 - p, 1e-4)); };
  // Logits equal to the true heatmaps (both particles) vs. the labelled one only.
  auto truth = torch::zeros({2, 1, 1, 1, 8}), labelled_only = torch::zeros({2, 1, 1, 1, 8});
  for (int n = 0; n < 2; ++n)
    for (int i = 0; i < 8; ++i) {
      truth[n][0][0][0][i] = logit(gauss[size_t(i)]);
      labelled_only[n][0][0][0][i] = logit(n == 0 ? gauss[size_t(i)] : 0);
    }
  const auto pu_truth = train::nnpu(truth, target, marginal, {prior}, {}).item<double>();
  const auto pu_labelled = train::nnpu(labelled_only, target, marginal, {prior}, {}).item<double>();
  const auto bce_truth = train::bce(truth, target, {}).item<double>();
  const auto bce_labelled = train::bce(labelled_only, target, {}).item<double>();
  // Treating unlabelled voxels as negatives prefers erasing the unlabelled particle; PU does not.
  EXPECT_LT(bce_labelled, bce_truth);
  EXPECT_LT(pu_truth, pu_labelled);
  // The value by hand: R+ + (Ru- - prior Rp-) / prior.
  auto sp = [](double z) { return std::log1p(std::exp(z)); };
  double tsum = 0, rpos = 0, rpneg = 0, ru = 0;
  for (int i = 0; i < 8; ++i) {
    const double t = gauss[size_t(i)], z = truth[0][0][0][0][i].item<double>();
    tsum += t, rpos += t * sp(-z), rpneg += t * sp(z);
    ru += sp(truth[1][0][0][0][i].item<double>()) / 8;
  }
  // Crop 1 is a target-free crop here, so R+ and Rp- come from crop 0 alone.
  const double neg = (ru - prior * rpneg / tsum) / prior;
  const double expected = neg < 0 ? -neg : rpos / tsum + neg;
  EXPECT_NEAR(pu_truth, expected, 1e-4 * std::abs(expected));
  // No labelled voxel in the batch: nothing to learn from, a zero loss that still backpropagates.
  auto z = torch::zeros({2, 1, 1, 1, 8}, torch::requires_grad());
  const auto empty = train::nnpu(z, torch::zeros({2, 1, 1, 1, 8}), marginal, {prior}, {});
  EXPECT_EQ(empty.item<double>(), 0);
  empty.backward();
  EXPECT_TRUE(z.grad().defined());
}
