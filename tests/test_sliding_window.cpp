#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "test_support.h"
#include "torch_volumes.h"
#include "tomopick/core/torch_bridge.h"
#include "tomopick/infer/sliding_window.h"

using namespace tomopick;
using namespace tomopick::infer;
using tomopick::test::expect_error;
using tomopick::test::max_abs_diff;
using tomopick::test::random_volume;

namespace {

// Classes with constant values, whatever the input.
Predictor constant(std::vector<float> values, int stride = 1) {
  return [values, stride](const at::Tensor& b) {
    std::vector<torch::Tensor> classes;
    for (float v : values)
      classes.push_back(torch::full({b.size(0), 1, b.size(2) / stride, b.size(3) / stride, b.size(4) / stride}, v));
    return torch::cat(classes, 1);
  };
}

const Predictor identity = [](const at::Tensor& b) { return b.clone(); };

// A fixed 3x3x3 convolution (zero padding) followed by a sigmoid, 2 classes.
Predictor conv_net(std::vector<int64_t> kernel = {3, 3, 3}) {
  torch::manual_seed(11);
  const auto w = torch::randn({2, 1, kernel[0], kernel[1], kernel[2]}) * 0.3;
  const auto bias = torch::tensor({0.1f, -0.2f});
  return [w, bias, kernel](const at::Tensor& b) {
    namespace F = torch::nn::functional;
    return torch::sigmoid(F::conv3d(b, w, F::Conv3dFuncOptions().bias(bias).padding(
                                              {kernel[0] / 2, kernel[1] / 2, kernel[2] / 2})));
  };
}

}  // namespace

// --- the window grid ---

TEST(SlidingWindowGrid, WindowStartsEndAtTheBorder) {
  EXPECT_EQ(window_starts(40, 16, 0.5, 1), (std::vector<int64_t>{0, 8, 16, 24}));
  EXPECT_EQ(window_starts(200, 128, 0.25, 1), (std::vector<int64_t>{0, 72}));  // step 96, last moved back
  EXPECT_EQ(window_starts(40, 16, 0.0, 1), (std::vector<int64_t>{0, 16, 24}));
  EXPECT_EQ(window_starts(16, 16, 0.5, 1), (std::vector<int64_t>{0}));
  EXPECT_EQ(window_starts(10, 16, 0.25, 1), (std::vector<int64_t>{0}));  // smaller than the window
  EXPECT_EQ(window_starts(10, 10, 0.3, 1), (std::vector<int64_t>{0}));
  EXPECT_EQ(window_starts(20, 10, 0.3, 1), (std::vector<int64_t>{0, 7, 10}));  // step 10 × 0.7 = 7
  // stride 2: the output grid reaches 14 for 13 voxels; step 4; starts stay even
  EXPECT_EQ(window_starts(13, 8, 0.5, 2), (std::vector<int64_t>{0, 4, 6}));
  // stride 4, overlap 0.9: step 12.8 → 12
  EXPECT_EQ(window_starts(64, 128, 0.9, 4), (std::vector<int64_t>{0}));
  EXPECT_EQ(window_starts(150, 128, 0.9, 4), (std::vector<int64_t>{0, 12, 24}));  // border 152
}

TEST(SlidingWindowGrid, WindowShrinksAlongAxesWhereTheVolumeIsSmaller) {
  // A CZII fragment (92 x 59 x 59 at 20 Å) under the built-in model's 64 x 128 x 128 window.
  WindowOptions o;
  o.window = {64, 128, 128};
  WindowGrid g = make_window_grid({92, 59, 59}, o);
  EXPECT_EQ(g.window, (Shape3{64, 59, 59}));
  EXPECT_EQ(g.z.starts_vox, (std::vector<int64_t>{0, 28}));
  EXPECT_EQ(g.y.starts_vox, (std::vector<int64_t>{0}));
  EXPECT_EQ(g.y.window_out, 59);
  EXPECT_EQ(g.x.profile.size(), 59u);
  // rounded up to the output stride
  o.out_stride = 2;
  EXPECT_EQ(make_window_grid({92, 59, 59}, o).window, (Shape3{64, 60, 60}));
  // a transform exchanging y and x keeps the window square: the larger side, still fitted
  o.out_stride = 1;
  o.tta = parse_tta("rot90");
  EXPECT_EQ(make_window_grid({92, 59, 100}, o).window, (Shape3{64, 100, 100}));
  EXPECT_EQ(make_window_grid({92, 59, 300}, o).window, (Shape3{64, 128, 128}));
  // flips alone do not
  o.tta = parse_tta("flips");
  EXPECT_EQ(make_window_grid({30, 59, 100}, o).window, (Shape3{30, 59, 100}));
  // a volume at least as large as the window keeps it
  EXPECT_EQ(make_window_grid({64, 128, 500}, o).window, (Shape3{64, 128, 128}));
}

TEST(SlidingWindowGrid, BlendProfilesAreHandComputed) {
  EXPECT_EQ(blend_profile("constant", 3, 0.125), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(blend_profile("pyramid", 4, 0.125), (std::vector<float>{0.5f, 1, 1, 0.5f}));
  const auto p5 = blend_profile("pyramid", 5, 0.125);
  EXPECT_FLOAT_EQ(p5[0], 1.0f / 3);
  EXPECT_FLOAT_EQ(p5[1], 2.0f / 3);
  EXPECT_FLOAT_EQ(p5[2], 1.0f);
  // gaussian, n = 8, σ = 1, centre 3.5: edge exp(-3.5²/2) / exp(-0.5²/2) = exp(-6)
  const auto g8 = blend_profile("gaussian", 8, 0.125);
  EXPECT_NEAR(g8[0], std::exp(-6.0), 1e-7);
  EXPECT_FLOAT_EQ(g8[3], 1.0f);
  EXPECT_FLOAT_EQ(g8[1], g8[6]);
  // n = 16, σ = 2: the edge would be exp(-7) < 1e-3, so it is floored
  const auto g16 = blend_profile("gaussian", 16, 0.125);
  EXPECT_FLOAT_EQ(g16[0], kBlendFloor);
  EXPECT_GT(g16[1], kBlendFloor);
}

TEST(SlidingWindowGrid, OptionErrorsNameTheOption) {
  const auto bad = [](auto change, const std::string& option, const std::string& problem) {
    WindowOptions o;
    change(o);
    expect_error([&] { validate(o); }, option, problem);
  };
  bad([](WindowOptions& o) { o.window = {0, 16, 16}; }, "--window", "positive");
  bad([](WindowOptions& o) { o.out_stride = 4; o.window = {64, 126, 128}; }, "--window", "multiple of the output stride 4");
  bad([](WindowOptions& o) { o.out_stride = 0; }, "--out-stride", "at least 1");
  bad([](WindowOptions& o) { o.overlap = 1.0; }, "--overlap", "[0, 1)");
  bad([](WindowOptions& o) { o.overlap = -0.1; }, "--overlap", "[0, 1)");
  bad([](WindowOptions& o) { o.blend = "cosine"; }, "--blend", "cosine");
  bad([](WindowOptions& o) { o.sigma_fraction = 0; }, "--sigma-fraction", "positive");
  bad([](WindowOptions& o) { o.batch = 0; }, "--batch", "at least 1");
  bad([](WindowOptions& o) { o.tta = {}; }, "--tta", "no transforms");
  bad([](WindowOptions& o) { o.tta = {Tta::flip_x, Tta::flip_x}; }, "--tta", "twice");
  expect_error([] { predict_volume(Volume<float>({4, 4, 4}), {}, WindowOptions{}); }, "ensemble", "no models");
  expect_error([] { predict_volume(Volume<float>({4, 4, 4}), {{identity, 0.0}}, WindowOptions{}); }, "ensemble",
               "weight");
  expect_error([] { predict_volume(Volume<float>({4, 4, 4}), {{Predictor{}}}, WindowOptions{}); }, "ensemble",
               "no predictor");
  expect_error([] { predict_volume(Volume<float>({0, 4, 4}), {{identity}}, WindowOptions{}); }, "input", "empty");
}

// --- whole volumes ---

TEST(SlidingWindow, ConstantPredictorGivesItsConstantEverywhere) {
  struct Case {
    Shape3 shape, window;
    int stride;
  };
  const std::vector<Case> cases{
      {{13, 27, 31}, {8, 16, 16}, 1},  // odd sizes, several windows
      {{5, 7, 9}, {8, 16, 16}, 1},     // smaller than the window: padded and cropped
      {{13, 27, 31}, {8, 16, 16}, 2},  // output stride 2: 7 x 14 x 16
      {{9, 40, 17}, {8, 8, 8}, 4},
  };
  for (const auto& blend : {"gaussian", "pyramid", "constant"}) {
    for (const Case& c : cases) {
      WindowOptions o;
      o.window = c.window;
      o.blend = blend;
      o.out_stride = c.stride;
      o.batch = 4;
      const auto out = predict_volume(random_volume(c.shape, 1), {{constant({0.3f, 0.85f}, c.stride)}}, o);
      ASSERT_EQ(out.size(), 2u);
      const Shape3 want{(c.shape.z + c.stride - 1) / c.stride, (c.shape.y + c.stride - 1) / c.stride,
                        (c.shape.x + c.stride - 1) / c.stride};
      for (int k = 0; k < 2; ++k) {
        EXPECT_EQ(out[size_t(k)].shape(), want);
        const float v = k == 0 ? 0.3f : 0.85f;
        float worst = 0;
        for (size_t i = 0; i < out[size_t(k)].size(); ++i)
          worst = std::max(worst, std::abs(out[size_t(k)].data()[i] - v));
        EXPECT_LT(worst, 1e-6f) << blend << " " << c.shape.str() << " stride " << c.stride;
      }
    }
  }
}

TEST(SlidingWindow, IdentityPredictorReproducesTheInput) {
  // The blend weights of the windows over a voxel sum to the denominator: a partition of unity.
  for (const Shape3& shape : {Shape3{13, 27, 31}, Shape3{5, 7, 9}, Shape3{16, 32, 32}, Shape3{1, 40, 3}}) {
    const Volume<float> in = random_volume(shape, 2);
    for (const auto& blend : {"gaussian", "pyramid", "constant"}) {
      WindowOptions o;
      o.window = {8, 16, 16};
      o.overlap = 0.4;
      o.blend = blend;
      o.batch = 3;
      const auto out = predict_volume(in, {{identity}}, o);
      ASSERT_EQ(out.size(), 1u);
      EXPECT_LT(max_abs_diff(out[0], in), 2e-6f) << blend << " " << shape.str();
    }
  }
}

TEST(SlidingWindow, StrideTwoPoolingPredictorGivesThePooledInput) {
  const Shape3 shape{13, 27, 31};
  const Volume<float> in = random_volume(shape, 3);
  WindowOptions o;
  o.window = {8, 16, 16};
  o.out_stride = 2;
  o.batch = 2;
  const auto out = predict_volume(in, {{[](const at::Tensor& b) { return torch::avg_pool3d(b, 2); }}}, o);
  ASSERT_EQ(out[0].shape(), (Shape3{7, 14, 16}));
  // Output voxel j averages input voxels 2j and 2j+1 per axis; past the edge the edge repeats.
  float worst = 0;
  for (int64_t z = 0; z < 7; ++z)
    for (int64_t y = 0; y < 14; ++y)
      for (int64_t x = 0; x < 16; ++x) {
        double sum = 0;
        for (int64_t dz = 0; dz < 2; ++dz)
          for (int64_t dy = 0; dy < 2; ++dy)
            for (int64_t dx = 0; dx < 2; ++dx)
              sum += in(std::min(2 * z + dz, shape.z - 1), std::min(2 * y + dy, shape.y - 1),
                        std::min(2 * x + dx, shape.x - 1));
        worst = std::max(worst, std::abs(out[0](z, y, x) - float(sum / 8)));
      }
  EXPECT_LT(worst, 2e-6f);
}

TEST(SlidingWindow, OutputCarriesTheCoarseSpacingAndCentredOrigin) {
  Volume<float> in({8, 8, 8}, {1, 2, 3}, {10, 20, 30});
  WindowOptions o;
  o.window = {8, 8, 8};
  o.out_stride = 2;
  const auto out = predict_volume(in, {{constant({1}, 2)}}, o);
  EXPECT_EQ(out[0].spacing(), (Vec3{2, 4, 6}));
  // output voxel 0's centre is at input voxel 0.5: origin + 0.5 × spacing
  EXPECT_EQ(out[0].origin(), (Vec3{10.5, 21, 31.5}));
}

TEST(SlidingWindow, ConvolutionAgreesWithTheWholeVolumeAwayFromWindowBorders) {
  // Zero padding inside a window differs from the whole volume only on the window's faces, so
  // every voxel that no window has on a face (other than the volume's own faces) must agree.
  // Per axis: y, x starts 0, 8, 16, 24 (window 16, overlap 0.5, 40 voxels), faces inside the volume
  // at 8, 16, 24 (starts) and 15, 23, 31 (ends); z starts 0, 8 (24 voxels): faces 8 and 15.
  const Shape3 shape{24, 40, 40};
  const Volume<float> in = random_volume(shape, 4);
  const Predictor net = conv_net();
  WindowOptions o;
  o.window = {16, 16, 16};
  o.overlap = 0.5;
  o.batch = 5;
  const auto out = predict_volume(in, {{net}}, o);
  const auto whole = net(to_tensor(in).unsqueeze(0).unsqueeze(0));
  const auto face = [](int64_t v, bool z) {
    return z ? (v == 8 || v == 15) : (v == 8 || v == 16 || v == 24 || v == 15 || v == 23 || v == 31);
  };
  int64_t compared = 0, differ_on_faces = 0;
  for (int64_t c = 0; c < 2; ++c) {
    const auto ref = whole[0][c].contiguous();
    const float* r = ref.data_ptr<float>();
    for (int64_t z = 0; z < shape.z; ++z)
      for (int64_t y = 0; y < shape.y; ++y)
        for (int64_t x = 0; x < shape.x; ++x) {
          const float got = out[size_t(c)](z, y, x), want = r[(z * shape.y + y) * shape.x + x];
          if (face(z, true) || face(y, false) || face(x, false)) {
            differ_on_faces += std::abs(got - want) > 1e-4f;
          } else {
            ++compared;
            ASSERT_NEAR(got, want, 1e-5f) << z << " " << y << " " << x;
          }
        }
  }
  EXPECT_EQ(compared, 2 * 22 * 34 * 34);
  EXPECT_GT(differ_on_faces, 0);  // the faces really are different: the test can see misplacement
}

TEST(SlidingWindow, InPlaneConvolutionAgreesEverywhereWhenWindowsSpanYAndX) {
  // A 1x3x3 kernel never looks across z, and the windows span all of y and x, so no window face
  // cuts its support: the windowed result is the whole-volume result at every voxel.
  const Shape3 shape{21, 12, 12};
  const Volume<float> in = random_volume(shape, 5);
  const Predictor net = conv_net({1, 3, 3});
  WindowOptions o;
  o.window = {6, 12, 12};
  o.overlap = 0.5;
  const auto out = predict_volume(in, {{net}}, o);
  const auto whole = net(to_tensor(in).unsqueeze(0).unsqueeze(0));
  for (int64_t c = 0; c < 2; ++c)
    EXPECT_LT(max_abs_diff(out[size_t(c)], volume_from_tensor(whole[0][c])), 1e-6f);
}

TEST(SlidingWindow, VolumeSmallerThanTheWindowIsPredictedWithoutPadding) {
  // The window fits the volume, so the network sees exactly the volume: a zero-padded convolution
  // agrees with the whole-volume one at every voxel, faces included. Padding the 9-voxel x out to
  // the window's 16 by repeating the edge would change the last x plane.
  const Shape3 shape{5, 7, 9};
  const Volume<float> in = random_volume(shape, 6);
  const Predictor net = conv_net();
  std::vector<std::vector<int64_t>> seen;
  const Predictor recording = [&](const at::Tensor& b) {
    seen.push_back(b.sizes().vec());
    return net(b);
  };
  WindowOptions o;
  o.window = {8, 16, 16};
  const auto out = predict_volume(in, {{recording}}, o);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], (std::vector<int64_t>{1, 1, 5, 7, 9}));
  const auto whole = net(to_tensor(in).unsqueeze(0).unsqueeze(0));
  for (int64_t c = 0; c < 2; ++c)
    EXPECT_LT(max_abs_diff(out[size_t(c)], volume_from_tensor(whole[0][c])), 1e-6f);
}

TEST(SlidingWindow, EnsembleAveragesWithTheWeights) {
  WindowOptions o;
  o.window = {4, 8, 8};
  const auto out = predict_volume(random_volume({6, 10, 12}, 6), {{constant({0.2f}), 1}, {constant({0.6f}), 3}}, o);
  for (size_t i = 0; i < out[0].size(); ++i) ASSERT_NEAR(out[0].data()[i], (0.2f + 3 * 0.6f) / 4, 1e-6f);
  // members that disagree on the class count
  expect_error([&] { predict_volume(random_volume({6, 10, 12}, 6), {{constant({0.2f})}, {constant({0.1f, 0.3f})}}, o); },
               "predictor", "member 2 gives 2 classes");
}

TEST(SlidingWindow, ProgressCountsEveryWindowMemberAndTransform) {
  // 13 x 27 x 31 with window 8 x 16 x 16, overlap 0.25: z starts {0, 5}, y {0, 11}, x {0, 12, 15}:
  // 12 windows, 6 per row; batch 5 -> 2 calls per row; 2 members x 4 transforms.
  WindowOptions o;
  o.window = {8, 16, 16};
  o.batch = 5;
  o.tta = parse_tta("flips");
  std::vector<std::pair<int64_t, int64_t>> calls;
  predict_volume(random_volume({13, 27, 31}, 7), {{identity}, {identity, 2}}, o,
                 [&](int64_t done, int64_t total) { calls.emplace_back(done, total); });
  ASSERT_EQ(calls.size(), 2u * 2 * 2 * 4);
  EXPECT_EQ(calls.back(), (std::pair<int64_t, int64_t>{12 * 2 * 4, 12 * 2 * 4}));
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  EXPECT_EQ(calls.front().first, 5);
}

TEST(SlidingWindow, PredictorWithTheWrongShapeIsAnError) {
  WindowOptions o;
  o.window = {4, 8, 8};
  o.out_stride = 2;
  // forgets the stride
  expect_error([&] { predict_volume(random_volume({6, 10, 12}, 8), {{constant({0.5f}, 1)}}, o); }, "predictor",
               "expected [1, C, 2, 4, 4]");
  o.out_stride = 1;
  expect_error([&] { predict_volume(random_volume({6, 10, 12}, 8), {{[](const at::Tensor& b) { return b[0]; }}}, o); },
               "predictor", "returned [1, 4, 8, 8]");
}

// --- streaming in z-slabs ---

namespace {

struct StreamRun {
  std::vector<Volume<float>> assembled;  // the cores, concatenated
  std::vector<Box> reads;
  int64_t slabs = 0;
  int64_t last_done = 0, total = 0;
};

// Streams `in` and checks every slab against `ref` (halo included) and the cores' tiling.
StreamRun stream(const Volume<float>& in, const std::vector<Member>& m, const WindowOptions& o, const StreamOptions& so,
                 const std::vector<Volume<float>>& ref) {
  StreamRun run;
  const Shape3 out = ref[0].shape();
  for (size_t c = 0; c < ref.size(); ++c) run.assembled.emplace_back(out);
  int64_t next_z = 0;
  predict_streaming(
      in.shape(), in.spacing(),
      [&](const Box& b) {
        run.reads.push_back(b);
        return in.crop(b);
      },
      m, o, so,
      [&](const std::vector<Volume<float>>& slab, const Index3& offset, const Box& core) {
        ++run.slabs;
        EXPECT_EQ(slab.size(), ref.size());
        EXPECT_EQ(offset.y, 0);
        EXPECT_EQ(offset.x, 0);
        EXPECT_EQ(offset.z + core.begin.z, next_z);  // the cores tile the output in order
        EXPECT_EQ(offset.z, std::max<int64_t>(0, next_z - so.halo_vox));
        EXPECT_EQ(core.shape.y, out.y);
        EXPECT_EQ(core.shape.x, out.x);
        if (so.slab_depth_vox > 0) EXPECT_EQ(core.shape.z, std::min(so.slab_depth_vox, out.z - next_z));
        EXPECT_EQ(slab[0].shape().z, std::min(out.z, next_z + core.shape.z + so.halo_vox) - offset.z);
        EXPECT_EQ(slab[0].spacing(), ref[0].spacing());
        for (size_t c = 0; c < slab.size(); ++c) {
          // every slab voxel, halo included, is already final
          const Volume<float> want = ref[c].crop(Box{offset, slab[c].shape()});
          EXPECT_EQ(max_abs_diff(slab[c], want), 0.0f) << "slab at " << offset.z;
          run.assembled[c].paste(slab[c].crop(core), Index3{offset.z + core.begin.z, 0, 0});
        }
        next_z += core.shape.z;
      },
      [&](int64_t done, int64_t total) {
        run.last_done = done;
        run.total = total;
      });
  EXPECT_EQ(next_z, out.z);
  return run;
}

}  // namespace

TEST(SlidingWindowStream, SlabsEqualTheWholeVolumeForEveryDepthAndHalo) {
  struct Case {
    Shape3 shape, window;
    int stride;
  };
  const std::vector<Case> cases{{{23, 19, 21}, {8, 8, 8}, 1}, {{17, 13, 11}, {6, 8, 8}, 2}, {{5, 9, 9}, {8, 8, 8}, 1}};
  for (const Case& c : cases) {
    const Volume<float> in = random_volume(c.shape, 9);
    WindowOptions o;
    o.window = c.window;
    o.overlap = 0.5;
    o.out_stride = c.stride;
    o.batch = 2;
    o.tta = {Tta::identity, Tta::flip_z};
    // a pointwise member and a convolution, both 2 classes at the output stride
    const int s = c.stride;
    const Predictor conv = conv_net();
    const std::vector<Member> members{
        {[s](const at::Tensor& b) {
           const auto x = torch::avg_pool3d(b, s);
           return torch::cat({torch::sigmoid(x), torch::tanh(x) * 0.5 + 0.5}, 1);
         }},
        {[s, conv](const at::Tensor& b) { return torch::avg_pool3d(conv(b), s); }, 2}};
    const auto ref = predict_volume(in, members, o);
    const int64_t out_z = ref[0].shape().z;
    for (int64_t depth : {int64_t(1), int64_t(3), int64_t(5), out_z, out_z + 4}) {
      for (int64_t halo : {0, 2, 7}) {
        StreamOptions so;
        so.slab_depth_vox = depth;
        so.halo_vox = halo;
        const StreamRun run = stream(in, members, o, so, ref);
        EXPECT_EQ(run.slabs, (out_z + std::min(depth, out_z) - 1) / std::min(depth, out_z));
        for (size_t k = 0; k < ref.size(); ++k)
          EXPECT_LE(max_abs_diff(run.assembled[k], ref[k]), 1e-6f) << c.shape.str() << " depth " << depth << " halo " << halo;
        for (const Box& b : run.reads) EXPECT_TRUE(b.inside(in.shape())) << b.begin.str() << " " << b.shape.str();
        // each window is run once: as many predictions as the whole-volume run
        EXPECT_EQ(run.last_done, run.total);
        // read one band (a row's windows with the same y start, every x) at a time, each band once
        EXPECT_EQ(run.reads.size(), window_starts(c.shape.z, c.window.z, 0.5, c.stride).size() *
                                        window_starts(c.shape.y, c.window.y, 0.5, c.stride).size());
        for (const Box& b : run.reads) {
          EXPECT_LE(b.shape.y, c.window.y);
          EXPECT_EQ(b.shape.x, c.shape.x);
        }
      }
    }
  }
}

TEST(SlidingWindowStream, MemoryLimitChoosesSlabsThatFit) {
  const Shape3 shape{40, 24, 24};
  const Volume<float> in = random_volume(shape, 10);
  WindowOptions o;
  o.window = {8, 8, 8};
  const std::vector<Member> m{{conv_net()}};
  const auto ref = predict_volume(in, m, o);
  const WindowGrid g = make_window_grid(shape, o);
  StreamOptions so;
  so.halo_vox = 3;
  so.max_memory_bytes = streaming_memory_bytes(g, o, 2, 4, 3);
  const int64_t depth = choose_slab_depth(g, o, so, 2);
  EXPECT_GE(depth, 4);
  EXPECT_LT(depth, 40);
  EXPECT_LE(streaming_memory_bytes(g, o, 2, depth, 3), so.max_memory_bytes);
  if (depth < 40) EXPECT_GT(streaming_memory_bytes(g, o, 2, depth + 1, 3), so.max_memory_bytes);
  const StreamRun run = stream(in, m, o, so, ref);
  EXPECT_EQ(run.slabs, (40 + depth - 1) / depth);
  for (size_t k = 0; k < 2; ++k) EXPECT_LE(max_abs_diff(run.assembled[k], ref[k]), 1e-6f);
  // Rows start at 0, 6, …, 30, 32. The deepest buffer is needed for the slab with core [12, 16),
  // halo [9, 19): the row at 18 (< 19) must run first and reaches 26, so 26 − 9 = 17 planes.
  EXPECT_EQ(buffer_depth(g, 4, 3), 17);
}

TEST(SlidingWindowStream, TooLittleMemoryIsAnErrorBeforeReading) {
  const Shape3 shape{40, 24, 24};
  WindowOptions o;
  o.window = {8, 8, 8};
  StreamOptions so;
  so.max_memory_bytes = 1000;
  int64_t reads = 0;
  const auto read = [&](const Box& b) {
    ++reads;
    return Volume<float>(b.shape);
  };
  const auto ignore = [](const std::vector<Volume<float>>&, const Index3&, const Box&) {};
  expect_error([&] { predict_streaming(shape, {1, 1, 1}, read, {{conv_net()}}, o, so, ignore); }, "--max-memory",
               "MiB for one window batch");
  EXPECT_EQ(reads, 0);
  // enough for 1 class but not for the 2 the network turns out to give: an error after one batch
  const WindowGrid g = make_window_grid(shape, o);
  so.max_memory_bytes = streaming_memory_bytes(g, o, 1, 1, 0);
  ASSERT_LT(so.max_memory_bytes, streaming_memory_bytes(g, o, 2, 1, 0));
  expect_error([&] { predict_streaming(shape, {1, 1, 1}, read, {{conv_net()}}, o, so, ignore); }, "--max-memory",
               "2 classes");
}

TEST(SlidingWindowStream, OptionAndReaderErrors) {
  const auto read = [](const Box& b) { return Volume<float>(b.shape); };
  const auto ignore = [](const std::vector<Volume<float>>&, const Index3&, const Box&) {};
  WindowOptions o;
  o.window = {4, 4, 4};
  StreamOptions both;
  both.slab_depth_vox = 4;
  both.max_memory_bytes = 1 << 30;
  expect_error([&] { predict_streaming({8, 8, 8}, {1, 1, 1}, read, {{identity}}, o, both, ignore); }, "--slab-depth",
               "not both");
  StreamOptions halo;
  halo.halo_vox = -1;
  expect_error([&] { predict_streaming({8, 8, 8}, {1, 1, 1}, read, {{identity}}, o, halo, ignore); }, "--halo", "0 or more");
  const auto short_read = [](const Box& b) { return Volume<float>({b.shape.z, b.shape.y, b.shape.x - 1}); };
  expect_error([&] { predict_streaming({8, 8, 8}, {1, 1, 1}, short_read, {{identity}}, o, StreamOptions{}, ignore); },
               "read_box", "returned (4, 4, 7) voxels");
}

TEST(SlidingWindowStream, SlabsCarryTheirPositionInTheirOrigin) {
  WindowOptions o;
  o.window = {4, 4, 4};
  o.out_stride = 2;
  StreamOptions so;
  so.slab_depth_vox = 2;
  so.halo_vox = 1;
  std::vector<Vec3> origins;
  predict_streaming(
      {12, 4, 4}, {10, 10, 10}, [](const Box& b) { return Volume<float>(b.shape); }, {{constant({1}, 2)}}, o, so,
      [&](const std::vector<Volume<float>>& slab, const Index3&, const Box&) { origins.push_back(slab[0].origin()); });
  // output planes 0..5 at input voxel (j + 0.5)·2 − 0.5 = 2j + 0.5, × 10 Å; slabs start at 0, 1, 3
  ASSERT_EQ(origins.size(), 3u);
  EXPECT_EQ(origins[0], (Vec3{5, 5, 5}));
  EXPECT_EQ(origins[1], (Vec3{25, 5, 5}));
  EXPECT_EQ(origins[2], (Vec3{65, 5, 5}));
}
