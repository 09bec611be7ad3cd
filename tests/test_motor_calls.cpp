// The BYU one-motor decision: best pick per tomogram, a threshold or the quantile rule, voxels out.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_support.h"
#include "tomopick/pick/motor_calls.h"

using namespace tomopick;

namespace {

PickSet motors(const std::string& run, const std::vector<std::array<double, 4>>& xyzs) {
  return test::pick_set(run, kMotorObject, xyzs);
}

}  // namespace

TEST(MotorCalls, QuantileLeavesThatShareWithoutAMotor) {
  const std::vector<double> s{0.1, 0.9, 0.5, 0.3};
  EXPECT_EQ(quantile_threshold(s, 0.5), 0.5);  // 0.1 and 0.3 fall below
  EXPECT_EQ(quantile_threshold(s, 0.25), 0.3);
  EXPECT_EQ(quantile_threshold(s, 0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(quantile_threshold(s, 1), std::numeric_limits<double>::infinity());
  // Tied scores at the cut keep their motors together.
  EXPECT_EQ(quantile_threshold({0.2, 0.2, 0.2, 0.8}, 0.5), 0.2);
  // A tomogram without any peak ranks lowest.
  EXPECT_EQ(quantile_threshold({-std::numeric_limits<double>::infinity(), 0.4}, 0.5), 0.4);
  test::expect_error([] { quantile_threshold({0.5}, 1.5); }, "--quantile", "must be a share in [0, 1]");
}

TEST(MotorCalls, OneMotorPerTomogramInItsVoxels) {
  const std::vector<PickSet> sets{motors("a", {{100, 200, 300, 0.4}, {500, 600, 700, 0.9}}), motors("b", {{10, 20, 30, 0.2}}),
                                  motors("c", {})};
  TomoGeometryMap g;
  g["a"] = {64, 48, 32, 10.0};
  g["b"] = {64, 48, 32, 20.0};
  g["c"] = {64, 48, 32, 10.0};
  const std::vector<std::string> runs{"a", "b", "c"};
  const auto best = best_scores(sets, runs);
  EXPECT_EQ(best[0], 0.9);
  EXPECT_EQ(best[1], 0.2);
  EXPECT_EQ(best[2], -std::numeric_limits<double>::infinity());
  const auto calls = call_motors(sets, runs, g, 0.3);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].tomo_id, "a");
  EXPECT_TRUE(calls[0].has_motor());
  EXPECT_DOUBLE_EQ(calls[0].x, 50);
  EXPECT_DOUBLE_EQ(calls[0].y, 60);
  EXPECT_DOUBLE_EQ(calls[0].z, 70);
  EXPECT_EQ(calls[0].shape_z, 32);
  EXPECT_EQ(calls[0].shape_x, 64);
  EXPECT_FALSE(calls[1].has_motor()) << "0.2 is below the threshold";
  EXPECT_FALSE(calls[2].has_motor());
  EXPECT_TRUE(call_motors(sets, runs, g, 0.1)[1].has_motor());
  EXPECT_DOUBLE_EQ(call_motors(sets, runs, g, 0.1)[1].x, 0.5);  // 10 Å at 20 Å per voxel
  TomoGeometryMap partial{{"a", {64, 48, 32, 10.0}}};
  test::expect_error([&] { call_motors(sets, runs, partial, 0.3); }, "b", "no voxel spacing");
}
