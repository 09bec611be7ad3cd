// The picking pipeline (infer/picker.h): a tiny trained model finds the particles of an unseen run;
// the answer does not depend on the window size, on streaming from a file in slabs, or on the input's
// voxel spacing, nor on the tomogram being a fragment of a larger store; garbage input is an error.
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/resample.h"
#include "tomopick/infer/picker.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/train/trainer.h"

using namespace tomopick;
using test::TempDir;

namespace {

// One model for the whole suite: 600 steps on a tiny project (about 20 s).
class Picking : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    test::make_project(dir_->path() / "train", 2, 21);
    test::make_project(dir_->path() / "test", 1, 77);
    train::TrainRequest r;
    r.config = train::parse_train_config(R"(
model: {channels: [8, 16, 32], strides: [2, 2], num_res_units: 1, norm: batch}
data: {spacing_A: 10, crop: [16, 32, 32], workers: 2}
optim: {lr: 0.01, warmup_steps: 10, ema: 0.9}
train: {steps: 600, batch: 4, val_every: 0}
validation: {window: [16, 32, 32], overlap: 0.5}
)",
                                         "picking test");
    r.data = {dir_->path() / "train"};
    r.out = dir_->path() / "model";
    train::train(r);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static fs::path model() { return dir_->path() / "model" / "model.pt"; }
  static fs::path test_tomogram() {
    return dir_->path() / "test" / "ExperimentRuns" / "run0" / "VoxelSpacing10.000" / "denoised.zarr";
  }
  static std::vector<PickSet> truth() { return CopickProject::open(dir_->path() / "test").read_picks("run0"); }
  static infer::PickerOptions options() {
    infer::PickerOptions o;
    o.models = {model()};
    o.default_threshold = 0.2;
    return o;
  }
  static inline std::unique_ptr<TempDir> dir_;
};

const PickSet& set_of(const std::vector<PickSet>& sets, const std::string& object) {
  for (const auto& s : sets)
    if (s.object == object) return s;
  throw std::runtime_error("no set " + object);
}

double dist(const Pick& a, const Pick& b) {
  return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

// The particles come out the same: every truth particle that `a` finds (a pick of its class with
// score >= 0.3 within half its radius, the CZII hit criterion) `b` finds too (score >= 0.2), within half a radius of
// where `a` put it. (A weakly trained network's borderline peaks elsewhere may come and go.)
void expect_same_picks(const std::vector<PickSet>& a, const std::vector<PickSet>& b, const std::vector<PickSet>& truth) {
  int64_t found = 0;
  for (const auto& t : truth) {
    const double r = t.object == "small" ? 40 : 70;
    auto nearest = [&](const std::vector<PickSet>& sets, const Pick& p, double min_score) -> const Pick* {
      const Pick* best = nullptr;
      for (const auto& q : set_of(sets, t.object).points)
        if (q.score >= min_score && dist(p, q) <= 0.5 * r && (!best || dist(p, q) < dist(p, *best))) best = &q;
      return best;
    };
    for (const auto& p : t.points) {
      const Pick* pa = nearest(a, p, 0.3);
      if (!pa) continue;
      ++found;
      const Pick* pb = nearest(b, p, 0.2);  // a peak near the threshold may fall just under it
      ASSERT_NE(pb, nullptr) << t.object << " at " << p.x << "," << p.y << "," << p.z;
      EXPECT_LE(dist(*pa, *pb), 0.5 * r) << t.object;
    }
  }
  EXPECT_GE(found, 3);
}

}  // namespace

TEST_F(Picking, FindsTheParticlesOfAnUnseenRun) {
  infer::Picker picker(options());
  const auto picks = picker.pick(test_tomogram(), "run0");
  ASSERT_EQ(picks.size(), 2u);
  for (const auto& t : truth()) {
    const auto& found = set_of(picks, t.object);
    // each particle is found within half its radius (the CZII hit criterion), with few extra picks
    const double radius = t.object == "small" ? 40 : 70;
    for (const auto& p : t.points) {
      double best = 1e9;
      for (const auto& q : found.points) best = std::min(best, dist(p, q));
      const Pick* bq = nullptr;
      for (const auto& q : found.points) if (dist(p, q) == best) bq = &q;
      EXPECT_LE(best, 0.5 * radius) << t.object << " at " << p.x << "," << p.y << "," << p.z << " found "
                                    << (bq ? bq->x : 0) << "," << (bq ? bq->y : 0) << "," << (bq ? bq->z : 0);
    }
    // few confident false picks
    int64_t confident = 0;
    for (const auto& q : found.points) {
      EXPECT_GE(q.score, 0.2);
      confident += q.score >= 0.4;
    }
    EXPECT_LE(confident, int64_t(t.points.size()) + 1) << t.object;
    EXPECT_EQ(found.run, "run0");
  }
}

TEST_F(Picking, WindowSizeStreamingAndSpacingDoNotChangeThePicks) {
  const auto vol = read_tomogram(test_tomogram()).to_float32();
  auto o = options();
  const auto reference = infer::Picker(o).pick(vol, "run0");
  // one window over the whole volume vs many small, overlapping ones
  o.window = Shape3{32, 48, 48};
  expect_same_picks(reference, infer::Picker(o).pick(vol, "run0"), truth());
  // streamed from the file in thin slabs: the same numbers exactly
  o = options();
  o.max_memory_bytes = 6 << 20;
  const auto streamed = infer::Picker(o).pick(test_tomogram(), "run0");
  ASSERT_EQ(streamed.size(), reference.size());
  for (size_t k = 0; k < streamed.size(); ++k) EXPECT_EQ(streamed[k].points, reference[k].points);
  // robust normalisation (median/MAD): the same statistics streamed as in memory; on this tomogram's
  // Gaussian-like intensities the particles come out as with the z-score the model trained with
  o = options();
  o.normalize = "robust";
  const auto robust = infer::Picker(o).pick(vol, "run0");
  expect_same_picks(reference, robust, truth());
  o.max_memory_bytes = 6 << 20;
  const auto robust_streamed = infer::Picker(o).pick(test_tomogram(), "run0");
  ASSERT_EQ(robust_streamed.size(), robust.size());
  for (size_t k = 0; k < robust.size(); ++k) EXPECT_EQ(robust_streamed[k].points, robust[k].points);
  // the same tomogram at 5 Å: resampled to the model's 10 Å, picks at the same Å
  const auto fine = resample(vol, {5, 5, 5});
  const auto fine_picks = infer::Picker(options()).pick(fine, "run0");
  expect_same_picks(reference, fine_picks, truth());
  // and from a 5 Å file, resampled box by box while streaming in thin slabs: the same numbers exactly
  TempDir d;
  write_mrc(d / "fine.mrc", AnyVolume(fine));
  o = options();
  o.max_memory_bytes = 6 << 20;
  o.always_stream = true;  // this small volume would be resampled in memory otherwise
  const auto fine_streamed = infer::Picker(o).pick(d / "fine.mrc", "run0");
  ASSERT_EQ(fine_streamed.size(), fine_picks.size());
  for (size_t k = 0; k < fine_streamed.size(); ++k) EXPECT_EQ(fine_streamed[k].points, fine_picks[k].points);
  // the resampled source rows count against the budget: one that fits the 10 Å file does not fit
  o.max_memory_bytes = 2 << 20;
  EXPECT_EQ(infer::Picker(o).pick(test_tomogram(), "run0").size(), reference.size());
  test::expect_error([&] { infer::Picker(o).pick(d / "fine.mrc", "run0"); }, "--max-memory", "too little");
}

TEST_F(Picking, GarbageInputIsAClearError) {
  infer::Picker picker(options());
  auto vol = read_tomogram(test_tomogram()).to_float32();
  vol(3, 4, 5) = std::nanf("");
  test::expect_error([&] { picker.pick(vol, "nan-run"); }, "nan-run", "NaN or infinite voxels (first at z,y,x = (3, 4, 5))");
  test::expect_error([&] { picker.pick(Volume<float>({0, 4, 4}, {10, 10, 10}), "empty"); }, "empty", "is empty");
  test::expect_error([&] { picker.pick(Volume<float>({8, 8, 8}, {0, 0, 0}), "nospacing"); }, "nospacing",
                     "voxel spacing must be positive");
  auto o = options();
  o.normalize = "mad";
  test::expect_error([&] { infer::Picker{o}; }, "--normalize", "zscore, robust or fixed (got 'mad')");
  o.normalize.clear();
  o.max_memory_bytes = 1 << 16;
  test::expect_error([&] { infer::Picker(o).pick(test_tomogram(), "run0"); }, "--max-memory", "");
  o = options();
  o.thresholds["huge"] = 0.5;
  test::expect_error([&] { infer::Picker p(o); }, "--threshold", "no class 'huge'");
  o = options();
  o.models = {dir_->path() / "missing.pt"};
  test::expect_error([&] { infer::Picker p(o); }, "missing.pt", "no such file");
  // A header at exactly 1 Å per voxel is what tools write without a pixel size: shrunk to the model's
  // grid the run would be picked as noise, so it is an error until --spacing says what it is.
  TempDir d;
  auto one = read_tomogram(test_tomogram()).to_float32();
  const Vec3 true_spacing = one.spacing();
  one.set_spacing({1, 1, 1});
  write_mrc(d / "one.mrc", AnyVolume(one));
  test::expect_error([&] { infer::Picker(options()).pick(d / "one.mrc", "run0"); }, "one.mrc",
                     "says 1 Å per voxel (its cell size equals its size in voxels)");
  o = options();
  o.spacing = true_spacing;
  EXPECT_FALSE(infer::Picker(o).pick(d / "one.mrc", "run0").empty());
  test::expect_error([] { infer::parse_bytes("4X", "--max-memory"); }, "--max-memory", "unknown unit");
  EXPECT_EQ(infer::parse_bytes("1.5G", "m"), int64_t(1.5 * (1 << 30)));
}

TEST_F(Picking, CommandLineWritesEveryFormat) {
  TempDir out;
  const auto bin = test::tomopick_binary();
  const auto csv = out / "p.csv", star = out / "p.star";
  for (const auto& dest : {csv, star}) {
    const auto r = test::run_command(bin + " -q pick " + test::shell_quote(test_tomogram().string()) + " -m " +
                                     test::shell_quote(model().string()) + " --default-threshold 0.2 --out " +
                                     test::shell_quote(dest.string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("picked 1 run(s)"), std::string::npos) << r.output;
  }
  const auto a = read_picks(csv), b = read_picks(star, [&] {
    PickReadOptions ro;
    ro.star.tomograms["*"] = {48, 48, 32, 10.0};
    return ro;
  }());
  EXPECT_EQ(count_picks(a), count_picks(b));
  EXPECT_GT(count_picks(a), 0u);
  // a project is picked in place, and a second call keeps the finished run
  const auto proj = dir_->path() / "test";
  const auto cmd = bin + " pick " + test::shell_quote(proj.string()) + " -m " + test::shell_quote(model().string()) +
                   " --default-threshold 0.2 --user-id cli";
  auto r = test::run_command(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count_picks(CopickProject::open(proj).read_picks("run0", "", "cli")), count_picks(a));
  r = test::run_command(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("already picked were kept"), std::string::npos) << r.output;
  // other settings (here the threshold) must not pass the earlier picks off as theirs, nor erase them
  const auto lower = cmd + " --threshold big=0.05,small=0.05";
  r = test::run_command(lower);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("run run0 already has picks by user 'cli', session '0' made with another model or other settings"),
            std::string::npos) << r.output;
  EXPECT_EQ(count_picks(CopickProject::open(proj).read_picks("run0", "", "cli")), count_picks(a));
  r = test::run_command(lower + " --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(count_picks(CopickProject::open(proj).read_picks("run0", "", "cli")), count_picks(a));
  r = test::run_command(lower);  // the same settings again: kept
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("already picked were kept"), std::string::npos) << r.output;
  r = test::run_command(bin + " info " + test::shell_quote(model().string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n  arch: unet3d\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("heatmap head, channels 8 16 32, batch norm"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(", TTA none\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("big  70"), std::string::npos) << r.output;
  r = test::run_command(bin + " pick " + test::shell_quote(test_tomogram().string()) + " -m " +
                        test::shell_quote(model().string()) + " --out " + test::shell_quote((out / "p.txt").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown output"), std::string::npos) << r.output;
}

TEST_F(Picking, EnsemblesAverageHeatmapsOrFusePicks) {
  const auto single = infer::Picker(options()).pick(test_tomogram(), "run0");
  auto o = options();
  o.models = {model(), model()};
  o.model_weights = {1, 3};
  // the same network twice: averaged heatmaps are the network's own
  const auto averaged = infer::Picker(o).pick(test_tomogram(), "run0");
  for (size_t k = 0; k < single.size(); ++k) EXPECT_EQ(averaged[k].points, single[k].points);
  // fused picks: every pick found by both members, at the same place, with the same score
  o.fusion = "wbf";
  const auto fused = infer::Picker(o).pick(test_tomogram(), "run0");
  for (size_t k = 0; k < single.size(); ++k) {
    ASSERT_EQ(fused[k].points.size(), single[k].points.size());
    for (size_t i = 0; i < single[k].points.size(); ++i) {
      double best = 1e9, score = 0;
      for (const auto& q : fused[k].points)
        if (dist(q, single[k].points[i]) < best) best = dist(q, single[k].points[i]), score = q.score;
      EXPECT_LT(best, 1e-6);
      EXPECT_NEAR(score, single[k].points[i].score, 1e-6);
    }
  }
  o.fusion = "vote";
  test::expect_error([&] { infer::Picker p(o); }, "--fusion", "must be heatmap or wbf");
  // Members see one normalised input, so they must normalise alike.
  auto loaded = nn::load_model(model());
  auto info = loaded.info;
  info.normalize = "robust";
  const fs::path robust = dir_->path() / "robust.pt";
  nn::save_model(robust, info, *loaded.net);
  o = options();
  o.models = {model(), robust};
  test::expect_error([&] { infer::Picker p(o); }, robust.string(), "normalise their input alike");
}

TEST_F(Picking, ExpectedCountsKeepAtLeastThatManyPeaks) {
  auto o = options();
  o.thresholds = {{"big", 0.999}, {"small", 0.2}};
  const auto strict = infer::Picker(o).pick(test_tomogram(), "run0");
  ASSERT_LT(set_of(strict, "big").points.size(), 3u);
  o.expected = {{"big", 3}};
  infer::Picker expecting(o);
  EXPECT_EQ(expecting.thresholds().at("big"), 0.999);  // the threshold reported is still the tuned one
  const auto picked = expecting.pick(test_tomogram(), "run0");
  const auto& big = set_of(picked, "big").points;
  ASSERT_EQ(big.size(), 3u);
  // The three best peaks, in order; the other class is untouched.
  EXPECT_GE(big[0].score, big[1].score);
  EXPECT_GE(big[1].score, big[2].score);
  EXPECT_EQ(set_of(picked, "small").points, set_of(strict, "small").points);
  // An expectation below what the threshold keeps takes nothing away.
  o.thresholds = {{"big", 0.2}, {"small", 0.2}};
  o.expected = {{"big", 1}};
  const auto loose = infer::Picker(options()).pick(test_tomogram(), "run0");
  EXPECT_EQ(set_of(infer::Picker(o).pick(test_tomogram(), "run0"), "big").points.size(), set_of(loose, "big").points.size());
  o.expected = {{"ribosome", 3}};
  test::expect_error([&] { infer::Picker p(o); }, "--expect", "no class 'ribosome'");
}

TEST_F(Picking, WarnsWhenATomogramLooksUnlikeTheTrainingData) {
  infer::Picker picker(options());
  picker.pick(test_tomogram(), "run0");
  EXPECT_TRUE(picker.warnings().empty()) << picker.warnings().front();
  // The same tomogram said to be at 35 Å: resampled 3.5x, unlike anything the model saw.
  auto v = read_tomogram(test_tomogram()).to_float32();
  Volume<float> coarse(v.shape(), {35, 35, 35});
  std::copy_n(v.data(), v.size(), coarse.data());
  picker.pick(coarse, "coarse");
  ASSERT_FALSE(picker.warnings().empty());
  EXPECT_NE(picker.warnings().front().find("voxel spacing 35 Å, trained on 10 Å"), std::string::npos)
      << picker.warnings().front();
  // Smoothed heavily: the power moves to the lowest frequencies.
  Volume<float> smooth = v;
  for (int pass = 0; pass < 6; ++pass) {
    Volume<float> next = smooth;
    for (int64_t z = 0; z < v.shape().z; ++z)
      for (int64_t y = 1; y + 1 < v.shape().y; ++y)
        for (int64_t x = 1; x + 1 < v.shape().x; ++x)
          next(z, y, x) = (smooth(z, y - 1, x) + smooth(z, y + 1, x) + smooth(z, y, x - 1) + smooth(z, y, x + 1) +
                           4 * smooth(z, y, x)) / 8;
    smooth = next;
  }
  picker.pick(smooth, "smooth");
  ASSERT_FALSE(picker.warnings().empty());
  EXPECT_NE(picker.warnings().back().find("high-frequency share of the power"), std::string::npos) << picker.warnings().back();
}

TEST_F(Picking, CalibrationFollowsTheTomogramsScoresWhenThresholdsSitAboveThem) {
  // Thresholds tuned on other data can sit above every score of a tomogram: --calibrate mixture takes
  // each class's threshold from the tomogram's own peaks instead.
  auto o = options();
  o.thresholds = {{"small", 0.999}, {"big", 0.999}};
  const auto strict = infer::Picker(o).pick(test_tomogram(), "run0");
  o.calibrate = "mixture";
  const auto calibrated = infer::Picker(o).pick(test_tomogram(), "run0");
  // The simulation's truth only (other tests write picks into the project).
  const auto truth_sets = CopickProject::open(dir_->path() / "test").read_picks("run0", "", "truth", "");
  const auto hits = [&](const std::vector<PickSet>& sets) {
    int64_t n = 0;
    for (const auto& t : truth_sets)
      for (const auto& p : t.points)
        for (const auto& q : set_of(sets, t.object).points)
          if (dist(p, q) <= 0.5 * (t.object == "small" ? 40 : 70)) {
            ++n;
            break;
          }
    return n;
  };
  int64_t particles = 0, picks = 0;
  for (const auto& t : truth_sets) particles += int64_t(t.points.size());
  ASSERT_GT(particles, 0);
  for (const auto& s : calibrated) picks += int64_t(s.points.size());
  EXPECT_EQ(hits(strict), 0);
  EXPECT_GE(hits(calibrated), (particles + 1) / 2);  // a tiny run: 14 and 18 peaks to fit on
  EXPECT_LE(picks, 3 * particles);  // not every peak down to the floor
  o.calibrate = "otsu";
  test::expect_error([&] { infer::Picker p(o); }, "--calibrate", "must be none or mixture");
}

TEST_F(Picking, InvertedContrastIsNamedAndInvertUndoesIt) {
  const auto vol = read_tomogram(test_tomogram()).to_float32();
  Volume<float> negated = vol;
  for (size_t i = 0; i < negated.size(); ++i) negated.data()[i] = -negated.data()[i];
  const auto reference = infer::Picker(options()).pick(vol, "run0");
  infer::Picker plain(options());
  plain.pick(negated, "run0");
  ASSERT_FALSE(plain.warnings().empty());
  EXPECT_NE(plain.warnings().back().find("the contrast looks inverted"), std::string::npos) << plain.warnings().back();
  // --invert: exactly the picks of the tomogram with its contrast restored, in memory and streamed.
  auto o = options();
  o.invert = true;
  infer::Picker inverting(o);
  const auto got = inverting.pick(negated, "run0");
  EXPECT_TRUE(inverting.warnings().empty());
  ASSERT_EQ(got.size(), reference.size());
  for (size_t k = 0; k < got.size(); ++k) EXPECT_EQ(got[k].points, reference[k].points);
  TempDir d;
  write_mrc(d / "negated.mrc", AnyVolume(negated));
  o.max_memory_bytes = 6 << 20;
  const auto streamed = infer::Picker(o).pick(d / "negated.mrc", "run0");
  ASSERT_EQ(streamed.size(), reference.size());
  for (size_t k = 0; k < streamed.size(); ++k) EXPECT_EQ(streamed[k].points, reference[k].points);
}

TEST_F(Picking, AFragmentOfAStoreIsPickedWhereItsChunksAre) {
  // The test run as the stored chunks of a store four times its size (a CZII fragment): the other
  // chunks are missing, i.e. fill value. Picking the store must give the run's own picks, moved by
  // the chunks' offset, whether read whole or streamed; not picks of a volume of constant fill.
  const auto vol = read_tomogram(test_tomogram()).to_float32();
  const Shape3 s = vol.shape();
  Volume<float> big({s.z, 2 * s.y, 2 * s.x}, vol.spacing());
  for (int64_t z = 0; z < s.z; ++z)
    for (int64_t y = 0; y < s.y; ++y)
      for (int64_t x = 0; x < s.x; ++x) big(z, s.y + y, s.x + x) = vol(z, y, x);
  TempDir d;
  const fs::path store = d / "fragment.zarr";
  OmeWriteOptions w;
  w.levels = 2;
  w.array.chunks = {s.z / 2, s.y / 2, s.x / 2};  // the run is whole chunks at both levels
  w.array.skip_empty_chunks = true;
  write_ome_zarr(store, AnyVolume(big), w);
  ASSERT_EQ(probe_tomogram(store).levels[0].data_box().begin, (Index3{0, s.y, s.x}));
  // Each level's picks: those of its stored box picked on its own, moved to where the box starts.
  const auto expect_shifted = [&](const std::vector<PickSet>& got, const std::vector<PickSet>& reference,
                                  double dy, double dx, const std::string& what) {
    ASSERT_EQ(got.size(), reference.size());
    int64_t n = 0;
    for (size_t k = 0; k < got.size(); ++k) {
      ASSERT_EQ(got[k].points.size(), reference[k].points.size()) << got[k].object << " " << what;
      for (size_t i = 0; i < got[k].points.size(); ++i, ++n) {
        const Pick &g = got[k].points[i], &r = reference[k].points[i];
        EXPECT_NEAR(g.z, r.z, 1e-9);
        EXPECT_NEAR(g.y, r.y + dy, 1e-9);
        EXPECT_NEAR(g.x, r.x + dx, 1e-9);
        EXPECT_EQ(g.score, r.score);
      }
    }
    EXPECT_GT(n, 0) << what;
  };
  const double dy = double(s.y) * vol.spacing().y, dx = double(s.x) * vol.spacing().x;
  const auto reference = infer::Picker(options()).pick(vol, "run0");
  for (int64_t budget : {int64_t(0), int64_t(6 << 20)}) {
    auto o = options();
    o.max_memory_bytes = budget;  // 0: read whole; 6 MB: streamed in slabs
    expect_shifted(infer::Picker(o).pick(store, "run0"), reference, dy, dx, "level 0, budget " + std::to_string(budget));
  }
  // The same volume as an MRC (the fragment converted, its missing chunks written as zeros; or a
  // reconstruction padded with a constant): the constant border is not picked either.
  write_mrc(d / "padded.mrc", AnyVolume(big));
  for (int64_t budget : {int64_t(0), int64_t(6 << 20)}) {
    auto o = options();
    o.max_memory_bytes = budget;
    expect_shifted(infer::Picker(o).pick(d / "padded.mrc", "run0"), reference, dy, dx,
                   "padded MRC, budget " + std::to_string(budget));
  }
  // Level 0 lost entirely (only the 2x-downsampled level survives, as in CZII's TS_6_4 fragment):
  // level 1's stored box is picked (upsampled to the model's grid).
  for (const auto& e : fs::directory_iterator(store / "0"))
    if (e.path().filename().string()[0] != '.') fs::remove_all(e.path());
  TomoReadOptions r1;
  r1.level = 1;
  const TomoLevel l1 = probe_tomogram(store).levels[1];
  ASSERT_EQ(l1.data_box().begin, (Index3{0, s.y / 2, s.x / 2}));
  r1.box = l1.data_box();
  const auto coarse_reference = infer::Picker(options()).pick(read_tomogram(store, r1).to_float32(), "run0");
  expect_shifted(infer::Picker(options()).pick(store, "run0"), coarse_reference, double(s.y / 2) * l1.spacing.y,
                 double(s.x / 2) * l1.spacing.x, "level 1");
  // Nothing stored at all: a clear error, not picks of the fill value.
  for (const auto& e : fs::directory_iterator(store / "1"))
    if (e.path().filename().string()[0] != '.') fs::remove_all(e.path());
  test::expect_error([&] { infer::Picker(options()).pick(store, "run0"); }, "fragment.zarr",
                     "holds no data: no chunk of any level is stored");
}
