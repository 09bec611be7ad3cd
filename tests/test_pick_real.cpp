// `tomopick pick` with the built-in default model and its shipped thresholds on the real tomogram
// beside the repository (EMPIAR-11658 tomo9, 31.36 Å, 55 curated ribosome picks): it runs end to end,
// resampling to the model's 20 Å, and finds most of the curated ribosomes. The built-in model saw
// tomo9 in training (models/default/README.md), so this guards the shipped model and thresholds, not
// how well they transfer (that is measured on held-out data there).
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.h"
#include "tomopick/io/picks.h"

using namespace tomopick;

TEST(PickRealTomogram, DefaultModelFindsCuratedRibosomes) {
  const auto data = test::shared_data() / "empiar-11658";
  if (!fs::exists(data / "tomo9.mrc")) GTEST_SKIP() << "no real data beside the repository";
  test::TempDir dir;
  const auto out = dir / "tomo9.csv";
  const auto r = test::run_command(test::tomopick_binary() + " pick " + test::shell_quote((data / "tomo9.mrc").string()) +
                                   " --tta none --out " + test::shell_quote(out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto picks = read_picks(out);
  std::vector<Pick> ribosomes;
  for (const auto& s : picks) {
    EXPECT_EQ(s.run, "tomo9");
    for (const auto& p : s.points) {
      // inside the 256 x 256 x 128 volume (Å from voxel 0's centre)
      EXPECT_GE(p.x, -16);
      EXPECT_LE(p.x, 255 * 31.36 + 16);
      EXPECT_LE(p.z, 127 * 31.36 + 16);
      if (s.object == "ribosome") ribosomes.push_back(p);
    }
  }
  const auto truth = read_picks(data / "tomo9_ribosome.csv");
  ASSERT_EQ(count_picks(truth), 55u);
  int hit = 0;
  for (const auto& t : truth.front().points)
    for (const auto& p : ribosomes)
      if (std::hypot(p.x - t.x, p.y - t.y, p.z - t.z) <= 75) {
        ++hit;
        break;
      }
  // One pass per window keeps this at ~15 s (tomo9 at 20 Å is 7x a CZII run); the quarter-turn
  // averaging the model does by default finds 40 of 55. Measured 41 of 55 (75 %) on 2026-12-05 (the
  // model before it: 0 at its shipped thresholds); the curated picks are not exhaustive, so only
  // recall counts.
  EXPECT_GE(hit, 34);
}

TEST(PickRealTomogram, DefaultModelPicksTheStoredChunkOfTheCziiFragment) {
  // TS_6_4's store keeps one chunk of level 1 (z [0, 92), y and x [256, 315) at 20.02 Å); level 0 and
  // the rest read as fill value. Picking the store as it is finds the chunk's ribosomes, in the run's
  // frame. (Before 2026-12-06 the empty level 0 was read: 620 picks, all beta-amylase.)
  const auto data = test::shared_data() / "czii-fragments";
  if (!fs::exists(data / "TS_6_4/denoised.zarr")) GTEST_SKIP() << "no real data beside the repository";
  test::TempDir dir;
  const auto out = dir / "ts64.csv";
  const auto r = test::run_command(test::tomopick_binary() + " pick " +
                                   test::shell_quote((data / "TS_6_4/denoised.zarr").string()) + " --tta none --out " +
                                   test::shell_quote(out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("level 0 holds no data; picking level 1"), std::string::npos) << r.output;
  const double s = 20.024888, lo = 256 * s - 10, hi = 315 * s + 10;
  std::vector<Pick> ribosomes;
  for (const auto& set : read_picks(out))
    for (const auto& p : set.points) {
      EXPECT_GE(p.x, lo);
      EXPECT_LE(p.x, hi);
      EXPECT_GE(p.y, lo);
      EXPECT_LE(p.y, hi);
      if (set.object == "ribosome") ribosomes.push_back(p);
    }
  int truth = 0, hit = 0;
  for (const auto& set : read_picks(data / "picks/FiveParticlesDataTS_6_4.csv"))
    for (const auto& t : set.points) {
      if (set.object != "ribosome" || t.x < 256 * s || t.x >= 315 * s || t.y < 256 * s || t.y >= 315 * s) continue;
      ++truth;
      for (const auto& p : ribosomes)
        if (std::hypot(p.x - t.x, p.y - t.y, p.z - t.z) <= 75) {
          ++hit;
          break;
        }
    }
  ASSERT_EQ(truth, 7);
  EXPECT_GE(hit, 6);  // 7 of 7 on 2026-12-06 (8 ribosome picks); 0 before
}
