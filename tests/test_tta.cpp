#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "torch_volumes.h"
#include "tomopick/core/torch_bridge.h"
#include "tomopick/infer/sliding_window.h"
#include "tomopick/infer/tta.h"

using namespace tomopick;
using namespace tomopick::infer;
using tomopick::test::expect_error;
using tomopick::test::max_abs_diff;
using tomopick::test::random_volume;

namespace {

// The y–x plane [[0, 1, 2], [3, 4, 5]] as a [1, 1, 1, 2, 3] tensor.
torch::Tensor plane23() { return torch::arange(6, torch::kFloat).reshape({1, 1, 1, 2, 3}); }

torch::Tensor rows(std::vector<std::vector<float>> r) {
  std::vector<float> flat;
  for (auto& row : r) flat.insert(flat.end(), row.begin(), row.end());
  return torch::tensor(flat).reshape({1, 1, 1, int64_t(r.size()), int64_t(r[0].size())});
}

}  // namespace

TEST(Tta, EachTransformMovesVoxelsAsDrawn) {
  // Hand-drawn images of [[0, 1, 2], [3, 4, 5]] (y down, x right) under each transform.
  const std::vector<std::pair<Tta, torch::Tensor>> expected{
      {Tta::identity, rows({{0, 1, 2}, {3, 4, 5}})},
      {Tta::rot90, rows({{2, 5}, {1, 4}, {0, 3}})},
      {Tta::rot180, rows({{5, 4, 3}, {2, 1, 0}})},
      {Tta::rot270, rows({{3, 0}, {4, 1}, {5, 2}})},
      {Tta::flip_x, rows({{2, 1, 0}, {5, 4, 3}})},
      {Tta::flip_y, rows({{3, 4, 5}, {0, 1, 2}})},
      {Tta::transpose, rows({{0, 3}, {1, 4}, {2, 5}})},
      {Tta::antitranspose, rows({{5, 2}, {4, 1}, {3, 0}})},
  };
  for (const auto& [t, want] : expected) EXPECT_TRUE(torch::equal(apply(t, plane23()), want)) << tta_name(t);
  // flip_z reverses the z planes and nothing else
  const auto z = torch::arange(3, torch::kFloat).reshape({1, 1, 3, 1, 1}).expand({1, 1, 3, 2, 2}).contiguous();
  EXPECT_TRUE(torch::equal(apply(Tta::flip_z, z), z.flip({2})));
  EXPECT_EQ(apply(Tta::flip_z, z)[0][0][0][1][1].item<float>(), 2.0f);
}

TEST(Tta, InvertUndoesApplyExactlyOnNonCubicShapes) {
  torch::manual_seed(3);
  for (const auto& shape : std::vector<std::vector<int64_t>>{{2, 3, 4, 5, 6}, {1, 2, 7, 3, 9}, {5, 6, 7}}) {
    const auto x = torch::randn(shape);
    for (Tta t : all_tta()) {
      const auto y = apply(t, x);
      EXPECT_TRUE(y.is_contiguous()) << tta_name(t);
      if (swaps_yx(t)) {
        EXPECT_EQ(y.size(-2), x.size(-1)) << tta_name(t);
        EXPECT_EQ(y.size(-1), x.size(-2)) << tta_name(t);
      }
      if (t != Tta::identity && !swaps_yx(t)) EXPECT_FALSE(torch::equal(y, x)) << tta_name(t);
      EXPECT_TRUE(torch::equal(invert(t, y), x)) << tta_name(t);
    }
  }
}

TEST(Tta, TheEightInPlaneTransformsAreDistinct) {
  // On a generic square image the 8 symmetries of the square give 8 different images.
  torch::manual_seed(4);
  const auto x = torch::randn({1, 1, 2, 4, 4});
  const auto& all = all_tta();
  for (size_t i = 0; i < 8; ++i)
    for (size_t j = 0; j < i; ++j)
      EXPECT_FALSE(torch::equal(apply(all[i], x), apply(all[j], x))) << tta_name(all[i]) << " " << tta_name(all[j]);
}

TEST(Tta, ParsesNamedSetsAndLists) {
  EXPECT_EQ(parse_tta("none"), std::vector<Tta>{Tta::identity});
  EXPECT_EQ(parse_tta("flips"), (std::vector<Tta>{Tta::identity, Tta::flip_x, Tta::flip_y, Tta::flip_z}));
  EXPECT_EQ(parse_tta("rot90"), (std::vector<Tta>{Tta::identity, Tta::rot90, Tta::rot180, Tta::rot270}));
  const auto all8 = parse_tta("all8");
  ASSERT_EQ(all8.size(), 8u);
  EXPECT_EQ(std::count(all8.begin(), all8.end(), Tta::flip_z), 0);
  EXPECT_EQ(parse_tta("all9").size(), 9u);
  EXPECT_EQ(parse_tta("flip_x, rot90,identity"), (std::vector<Tta>{Tta::flip_x, Tta::rot90, Tta::identity}));
  EXPECT_EQ(parse_tta("antitranspose"), std::vector<Tta>{Tta::antitranspose});
  // every name alone, except "rot90", which alone names the set of rotations
  for (Tta t : all_tta())
    if (t != Tta::rot90) EXPECT_EQ(parse_tta(tta_name(t)), std::vector<Tta>{t});
  EXPECT_EQ(parse_tta("rot90,identity"), (std::vector<Tta>{Tta::rot90, Tta::identity}));
}

TEST(Tta, RejectsUnknownAndRepeatedNames) {
  expect_error([] { parse_tta("flip_x,rot45"); }, "--tta", "unknown transform 'rot45'");
  expect_error([] { parse_tta(""); }, "--tta", "unknown transform ''");
  expect_error([] { parse_tta("flip_x,flip_x"); }, "--tta", "listed twice");
  WindowOptions o;
  o.window = {8, 16, 8};
  o.tta = {Tta::identity, Tta::rot90};
  expect_error([&] { validate(o); }, "--tta", "rot90 exchanges y and x");
  o.tta = {Tta::identity, Tta::flip_x, Tta::flip_y, Tta::flip_z, Tta::rot180};  // no swaps: fine
  EXPECT_NO_THROW(validate(o));
}

// TTA inside the window engine.

TEST(TtaInference, PointwisePredictorGivesTheSameResultWithEveryTransform) {
  const Volume<float> in = random_volume({11, 20, 20}, 5);
  const Predictor sigmoid = [](const at::Tensor& b) { return torch::sigmoid(2 * b); };
  WindowOptions o;
  o.window = {8, 12, 12};
  o.batch = 3;
  const auto plain = predict_volume(in, {{sigmoid}}, o);
  o.tta = all_tta();
  const auto tta = predict_volume(in, {{sigmoid}}, o);
  ASSERT_EQ(tta.size(), 1u);
  EXPECT_LT(max_abs_diff(plain[0], tta[0]), 1e-6f);
  // sanity: the plain result is the sigmoid of the input
  EXPECT_NEAR(plain[0](3, 4, 5), 1.0f / (1.0f + std::exp(-2.0f * in(3, 4, 5))), 1e-6f);
}

TEST(TtaInference, StrideTwoOutputsInvertOnTheCoarseGrid) {
  // Average pooling by 2 commutes with every transform when windows are whole output voxels, so
  // all 9 transforms reproduce the plain result; an inverse applied on the wrong grid would not.
  const Volume<float> in = random_volume({12, 16, 16}, 6);
  const Predictor pool = [](const at::Tensor& b) { return torch::avg_pool3d(b, 2) * 3.0; };
  WindowOptions o;
  o.window = {8, 8, 8};
  o.out_stride = 2;
  const auto plain = predict_volume(in, {{pool}}, o);
  o.tta = all_tta();
  const auto tta = predict_volume(in, {{pool}}, o);
  EXPECT_EQ(tta[0].shape(), (Shape3{6, 8, 8}));
  EXPECT_LT(max_abs_diff(plain[0], tta[0]), 1e-5f);
}

TEST(TtaInference, DirectionSensitivePredictorAveragesAsReasoned) {
  // The predictor answers 1 where the input rises along x, 0 where it falls, 0.5 where it is flat
  // (central differences, edges clamped). On an input that rises along x:
  //   identity 1; flip_x sees a falling ramp: 0; flip_y, flip_z change nothing in x: 1;
  //   transpose, rot90, rot270 turn the ramp into a y-ramp, flat along x: 0.5; rot180 falls: 0.
  const Predictor rises = [](const at::Tensor& b) {
    const int64_t n = b.size(4);
    const auto next = b.index_select(4, torch::arange(1, n + 1).clamp_max(n - 1));
    const auto prev = b.index_select(4, torch::arange(-1, n - 1).clamp_min(0));
    return (torch::sign(next - prev) + 1) / 2;
  };
  Volume<float> ramp({6, 10, 14});
  for (int64_t z = 0; z < 6; ++z)
    for (int64_t y = 0; y < 10; ++y)
      for (int64_t x = 0; x < 14; ++x) ramp(z, y, x) = 0.1f * float(x);
  WindowOptions o;
  o.window = {4, 8, 8};
  const std::vector<std::pair<std::string, float>> cases{
      {"identity", 1.0f},          {"identity,flip_x", 0.5f}, {"identity,flip_y", 1.0f},
      {"identity,flip_z", 1.0f},   {"identity,transpose", 0.75f},
      {"rot90", (1.0f + 0.5f + 0.0f + 0.5f) / 4}, {"all8", (1 + 0.5f + 0 + 0.5f + 0 + 1 + 0.5f + 0.5f) / 8}};
  for (const auto& [spec, want] : cases) {
    o.tta = parse_tta(spec);
    const auto out = predict_volume(ramp, {{rises}}, o);
    float lo = 1e9f, hi = -1e9f;
    for (size_t i = 0; i < out[0].size(); ++i) {
      lo = std::min(lo, out[0].data()[i]);
      hi = std::max(hi, out[0].data()[i]);
    }
    EXPECT_NEAR(lo, want, 1e-6f) << spec;
    EXPECT_NEAR(hi, want, 1e-6f) << spec;
  }
}
