// Slices with picks drawn (tomopick render): Å -> pixel mapping, cross-section radii, colours, the
// truth and prediction styles, slab averaging, the x and y planes, contrast, PNG and base64, errors.
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <cmath>
#include <future>
#include <memory>
#include <random>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/report/base64.h"
#include "tomopick/report/png.h"
#include "tomopick/report/render.h"

using namespace tomopick;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Uniform grey noise in [100, 110): every pixel of the picture is grey (r == g == b) until drawn on.
Volume<float> noise_volume(Shape3 shape, Vec3 spacing, unsigned seed = 7) {
  Volume<float> v(shape, spacing);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(100, 110);
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = u(rng);
  return v;
}

PickSet one_pick(const std::string& run, const std::string& object, double x, double y, double z) {
  PickSet s;
  s.run = run;
  s.object = object;
  Pick p;
  p.x = x, p.y = y, p.z = z;
  s.points.push_back(p);
  return s;
}

bool grey(Rgb c) { return c.r == c.g && c.g == c.b; }

// The pixel nearest to (col, row) pixels.
Rgb px(const RgbImage& im, double col, double row) { return im.at(std::lround(col), std::lround(row)); }

}  // namespace

TEST(RenderSlice, PredictionRingAtAngstromOverSpacingWithSectionRadius) {
  // 8 x 64 x 96 voxels of 10 Å; slice z = 4 lies at 40 Å. Class "blob" of radius 150 Å: palette[0].
  const AnyVolume v = noise_volume({8, 64, 96}, {10, 10, 10});
  RenderLayers layers;
  layers.styles = make_class_styles({"blob"}, nullptr, {{"blob", 150}});
  ASSERT_EQ(layers.styles[0].colour, distinct_palette()[0]);
  // In the plane: a ring of 15 px at (40, 30). 90 Å off the plane: sqrt(150^2 - 90^2) = 120 Å = 12 px
  // at (75, 20). 160 Å off: not drawn (at (20, 52)).
  PickSet s = one_pick("r", "blob", 400, 300, 40);
  s.points.push_back({750, 200, 130});
  s.points.push_back({200, 520, 200});
  layers.predictions = {s};
  RenderOptions o;
  o.index = 4;
  o.legend = false;
  const RenderedSlice r = render_volume(v, o, layers);
  ASSERT_EQ(r.image.width, 96);
  ASSERT_EQ(r.image.height, 64);
  EXPECT_EQ(r.predictions_drawn, 2);
  EXPECT_DOUBLE_EQ(r.frame.plane_A, 40.0);
  const Rgb c = distinct_palette()[0];
  // First pick: the ring at 15 px on four sides and at 45 degrees, the centre dot; inside and
  // outside the ring stay grey.
  EXPECT_EQ(r.image.at(55, 30), c);
  EXPECT_EQ(r.image.at(25, 30), c);
  EXPECT_EQ(r.image.at(40, 15), c);
  EXPECT_EQ(r.image.at(40, 45), c);
  EXPECT_EQ(r.image.at(49, 42), c);  // 9^2 + 12^2 = 15^2
  EXPECT_EQ(r.image.at(40, 30), c);
  EXPECT_TRUE(grey(r.image.at(48, 30)));
  EXPECT_TRUE(grey(r.image.at(58, 30)));
  EXPECT_TRUE(grey(r.image.at(40, 19)));
  // Second pick: radius 12 px, not 15.
  EXPECT_EQ(r.image.at(87, 20), c);
  EXPECT_EQ(r.image.at(63, 20), c);
  EXPECT_TRUE(grey(r.image.at(90, 20)));
  // Third: too far from the plane.
  EXPECT_TRUE(grey(r.image.at(20, 52)));
  EXPECT_TRUE(grey(r.image.at(30, 52)));
}

TEST(RenderSlice, TruthIsDashedWithACrossPredictionSolidWithADot) {
  const AnyVolume v = noise_volume({4, 64, 128}, {10, 10, 10});
  RenderLayers layers;
  layers.styles = make_class_styles({"blob"}, nullptr, {{"blob", 150}});
  layers.predictions = {one_pick("r", "blob", 300, 320, 20)};
  layers.truth = {one_pick("r", "blob", 900, 320, 20)};
  RenderOptions o;
  o.index = 2;
  o.legend = false;
  const RenderedSlice r = render_volume(v, o, layers);
  EXPECT_EQ(r.truth_drawn, 1);
  EXPECT_EQ(r.predictions_drawn, 1);
  const Rgb c = distinct_palette()[0];
  // Both rings are 15 px; the truth's circumference 94 px makes 2 * round(94 / 20) = 10 dashes, the
  // first centred at angle 0, so the gap after it is centred at 18 degrees.
  const double g = 18 * kPi / 180;
  EXPECT_EQ(r.image.at(45, 32), c);
  EXPECT_EQ(r.image.at(105, 32), c);
  EXPECT_EQ(px(r.image, 30 + 15 * std::cos(g), 32 + 15 * std::sin(g)), c);       // solid
  EXPECT_TRUE(grey(px(r.image, 90 + 15 * std::cos(g), 32 + 15 * std::sin(g))));  // dashed: a gap
  // Centres: the prediction's dot covers the diagonal neighbour; the truth's "+" does not, but its
  // arm reaches 3 px along x.
  EXPECT_EQ(r.image.at(31, 33), c);
  EXPECT_NE(r.image.at(91, 33), c);
  EXPECT_EQ(r.image.at(93, 32), c);
  EXPECT_TRUE(grey(r.image.at(30, 35)));
}

TEST(RenderSlice, ConfigColoursAndRadiiThenPaletteThenFallback) {
  CopickConfig cfg = czii_config();
  const ClassStyles s = make_class_styles({"zeta", "ribosome", "alpha", "ribosome", "beta-amylase"}, &cfg, {{"alpha", 42}});
  ASSERT_EQ(s.size(), 4u);  // sorted, unique
  EXPECT_EQ(s[0].name, "alpha");
  EXPECT_EQ(s[0].colour, distinct_palette()[0]);
  EXPECT_DOUBLE_EQ(s[0].radius_A, 42);
  EXPECT_EQ(s[1].name, "beta-amylase");
  EXPECT_EQ(s[1].colour, (Rgb{153, 63, 0}));
  EXPECT_DOUBLE_EQ(s[1].radius_A, 65);
  EXPECT_EQ(s[2].colour, (Rgb{0, 92, 49}));  // ribosome
  EXPECT_DOUBLE_EQ(s[2].radius_A, 150);
  EXPECT_EQ(s[3].colour, distinct_palette()[1]);
  EXPECT_DOUBLE_EQ(s[3].radius_A, kFallbackRadiusA);
  // Without a config the CZII radii still apply.
  EXPECT_DOUBLE_EQ(make_class_styles({"apo-ferritin"}, nullptr)[0].radius_A, 60);
}

TEST(RenderSlice, SlabIsTheMeanOfItsSlicesAndThePlaneItsCentre) {
  Volume<float> v({6, 3, 4}, {20, 10, 10});
  for (int64_t z = 0; z < 6; ++z)
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t x = 0; x < 4; ++x) v(z, y, x) = float(z * 1000 + y * 10 + x);
  const AnyVolume av = v;
  const Box b = slab_box(v.shape(), SliceAxis::z, 3, 3, "vol");
  EXPECT_EQ(b.begin, (Index3{2, 0, 0}));
  EXPECT_EQ(b.shape, (Shape3{3, 3, 4}));
  const GreySlice g = average_slab(av, SliceAxis::z, b);
  ASSERT_EQ(g.rows, 3);
  ASSERT_EQ(g.cols, 4);
  EXPECT_FLOAT_EQ(g.values[size_t(2 * 4 + 1)], 3021.f);  // mean of 2021, 3021, 4021
  EXPECT_DOUBLE_EQ(g.frame.plane_A, 60.0);
  // Even slabs take the extra slice after the index; at the edge the slab is clipped.
  const Box even = slab_box(v.shape(), SliceAxis::z, 3, 2, "vol");
  EXPECT_EQ(even.begin.z, 3);
  EXPECT_EQ(even.shape.z, 2);
  EXPECT_DOUBLE_EQ(average_slab(av, SliceAxis::z, even).frame.plane_A, 70.0);
  const Box edge = slab_box(v.shape(), SliceAxis::z, 0, 3, "vol");
  EXPECT_EQ(edge.shape.z, 2);
  const GreySlice ge = average_slab(av, SliceAxis::z, edge);
  EXPECT_FLOAT_EQ(ge.values[0], 500.f);
  EXPECT_DOUBLE_EQ(ge.frame.plane_A, 10.0);
  // A box read from a bigger volume: first_index moves the plane.
  EXPECT_DOUBLE_EQ(average_slab(av, SliceAxis::z, Box{{0, 0, 0}, {1, 3, 4}}, 5).frame.plane_A, 100.0);

  // Rendered: slab 3 at z = 3 is the mean, so it matches the picture of a volume holding that mean.
  Volume<float> mean({1, 3, 4}, {20, 10, 10});
  for (int64_t y = 0; y < 3; ++y)
    for (int64_t x = 0; x < 4; ++x) mean(0, y, x) = float(3000 + y * 10 + x);
  RenderOptions o;
  o.index = 3;
  o.slab = 3;
  o.legend = false;
  const RenderedSlice a = render_volume(av, o, {});
  o.index = 0;
  o.slab = 1;
  const RenderedSlice m = render_volume(AnyVolume(mean), o, {});
  EXPECT_EQ(a.image.pixels, m.image.pixels);
  o.index = 3;
  const RenderedSlice single = render_volume(av, o, {});
  EXPECT_EQ(single.image.pixels, m.image.pixels);  // slice 3 itself holds the same values as the mean
}

TEST(RenderSlice, YAndXPlanesWithAnisotropicSpacing) {
  // Spacing z 20, y 10, x 5 Å; 10 x 40 x 80 voxels.
  const AnyVolume v = noise_volume({10, 40, 80}, {20, 10, 5});
  RenderLayers layers;
  layers.styles = make_class_styles({"blob"}, nullptr, {{"blob", 100}});
  const Rgb c = distinct_palette()[0];
  RenderOptions o;
  o.legend = false;
  // A ring drawn on `axis` at `index`, centred at (col, row) with half-widths (dcol, drow) pixels:
  // its extreme points are the class colour, the inside of the ring is grey.
  auto expect_ring = [&](SliceAxis axis, int64_t index, const PickSet& pick, int64_t width, int64_t height,
                         int64_t col, int64_t row, int64_t dcol, int64_t drow) {
    o.axis = axis;
    o.index = index;
    layers.predictions = {pick};
    const RenderedSlice r = render_volume(v, o, layers);
    ASSERT_EQ(r.image.width, width);
    ASSERT_EQ(r.image.height, height);
    EXPECT_EQ(r.image.at(col + dcol, row), c);
    EXPECT_EQ(r.image.at(col - dcol, row), c);
    EXPECT_EQ(r.image.at(col, row >= drow ? row - drow : row + drow), c);  // the edge inside the picture
    EXPECT_TRUE(grey(r.image.at(col + dcol / 2, row)));
  };
  // y plane at y index 20 (200 Å): rows z, columns x. Pick (x 200, y 200, z 100) -> column 40, row 5;
  // radius 100 Å = 20 px along x, 5 px along z.
  expect_ring(SliceAxis::y, 20, one_pick("r", "blob", 200, 200, 100), 80, 10, 40, 5, 20, 5);
  // x plane at x index 40 (200 Å): rows z, columns y. Pick (x 200, y 150, z 60) -> column 15, row 3;
  // 10 px along y, 5 px along z.
  expect_ring(SliceAxis::x, 40, one_pick("r", "blob", 200, 150, 60), 40, 10, 15, 3, 10, 5);
  // The default index is the middle slice.
  o.index.reset();
  EXPECT_EQ(render_volume(v, o, {}).index, 40);
}

TEST(RenderSlice, ContrastStretchAndResize) {
  std::vector<float> vals;
  for (int i = 0; i < 100; ++i) vals.push_back(float(i));
  vals.push_back(NAN);
  const auto [lo, hi] = percentile_range(vals, 1, 99);  // nearest ranks 1 and 98 of 0..99
  EXPECT_DOUBLE_EQ(lo, 1);
  EXPECT_DOUBLE_EQ(hi, 98);
  GreySlice g;
  g.rows = 1;
  g.cols = 101;
  g.values = vals;
  SliceFrame f;
  const RgbImage im = grey_image(g, 1, 99, 0, f);
  EXPECT_EQ(im.at(0, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(im.at(1, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(im.at(98, 0), (Rgb{255, 255, 255}));
  EXPECT_EQ(im.at(99, 0), (Rgb{255, 255, 255}));
  EXPECT_EQ(im.at(50, 0).r, uint8_t(std::lround(49 * 255.0 / 97)));
  EXPECT_EQ(im.at(100, 0), (Rgb{0, 0, 0}));  // NaN

  // --size doubles a 32 x 48 slice to 64 x 96: a pick's pixel is (Å / spacing + 0.5) * 2 - 0.5.
  const AnyVolume v = noise_volume({2, 32, 48}, {10, 10, 10});
  RenderLayers layers;
  layers.styles = make_class_styles({"blob"}, nullptr, {{"blob", 80}});
  layers.predictions = {one_pick("r", "blob", 200, 150, 0)};
  RenderOptions o;
  o.index = 0;
  o.size_px = 96;
  o.legend = false;
  const RenderedSlice r = render_volume(v, o, layers);
  ASSERT_EQ(r.image.width, 96);
  ASSERT_EQ(r.image.height, 64);
  EXPECT_DOUBLE_EQ(r.frame.col_scale, 2);
  // Centre (40.5, 30.5), radius 16 px: the ring spans 24.5 .. 56.5 on row 30.
  EXPECT_EQ(r.image.at(56, 30), distinct_palette()[0]);
  EXPECT_EQ(r.image.at(25, 30), distinct_palette()[0]);
  EXPECT_TRUE(grey(r.image.at(33, 30)));
  EXPECT_EQ(r.image.at(40, 30), distinct_palette()[0]);
  // Shrinking averages: a 2 x 2 checkerboard of 0 and 255 halves to one mid-grey pixel.
  GreySlice cb;
  cb.rows = cb.cols = 2;
  cb.values = {0, 255, 255, 0};
  const RgbImage half = grey_image(cb, 0, 100, 1, f);
  ASSERT_EQ(half.width, 1);
  EXPECT_EQ(half.at(0, 0).r, 128);  // 127.5, rounded
}

TEST(RenderSlice, LegendStripBelowThePicture) {
  const AnyVolume v = noise_volume({2, 40, 200}, {10, 10, 10});
  RenderLayers layers;
  layers.styles = make_class_styles({"alpha", "beta"}, nullptr, {{"alpha", 50}, {"beta", 50}});
  layers.predictions = {one_pick("r", "alpha", 100, 100, 0)};
  layers.truth = {one_pick("r", "beta", 500, 100, 0)};
  RenderOptions o;
  o.index = 0;
  const RenderedSlice r = render_volume(v, o, layers);
  EXPECT_EQ(r.image.width, 200);
  ASSERT_GT(r.image.height, 40);
  // The strip is dark and holds both class colours.
  bool alpha = false, beta = false;
  for (int64_t y = 40; y < r.image.height; ++y)
    for (int64_t x = 0; x < r.image.width; ++x) {
      alpha |= r.image.at(x, y) == distinct_palette()[0];
      beta |= r.image.at(x, y) == distinct_palette()[1];
    }
  EXPECT_TRUE(alpha);
  EXPECT_TRUE(beta);
  EXPECT_EQ(r.image.at(r.image.width - 1, r.image.height - 1), (Rgb{28, 30, 34}));
}

TEST(RenderSlice, PngAndBase64RoundTrip) {
  RgbImage im(7, 5, {10, 20, 30});
  im.set(6, 4, {255, 0, 128});
  const std::string png = encode_png(im);
  const RgbImage back = decode_png(png);
  EXPECT_EQ(back.width, 7);
  EXPECT_EQ(back.height, 5);
  EXPECT_EQ(back.pixels, im.pixels);
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_decode("Zm9v\nYmE="), "fooba");
  EXPECT_EQ(base64_decode(base64_encode(png)), png);
  EXPECT_EQ(data_uri("image/png", "f"), "data:image/png;base64,Zg==");
  test::expect_error([] { base64_decode("Zm9*"); }, "base64", "invalid character");
  test::expect_error([] { base64_decode("Zm9"); }, "base64", "multiple of 4");
  test::expect_error([] { decode_png("GIF89a......", "x.png"); }, "x.png", "not a PNG");
}

TEST(RenderSlice, ClearErrors) {
  const AnyVolume v = noise_volume({4, 8, 8}, {10, 10, 10});
  RenderOptions o;
  o.index = 4;
  test::expect_error([&] { render_volume(v, o, {}, "tomo.mrc"); }, "tomo.mrc", "slice 4 is outside the volume (z has slices 0..3)");
  o.index = -1;
  test::expect_error([&] { render_volume(v, o, {}, "tomo.mrc"); }, "tomo.mrc", "outside");
  o.index = 0;
  o.slab = 0;
  test::expect_error([&] { render_volume(v, o, {}, "tomo.mrc"); }, "tomo.mrc", "at least one slice");
  test::expect_error([] { parse_slice_axis("w"); }, "--axis", "'w' is not an axis");
  test::TempDir d;
  test::expect_error([&] { render_tomogram(d / "missing.mrc", {}, {}); }, "missing.mrc", "");
  RenderLayers layers;
  layers.predictions = {one_pick("TS_1", "ghost", 0, 0, 0)};
  o.slab = 1;
  test::expect_error([&] { render_volume(v, o, layers); }, "TS_1", "no colour or radius for class 'ghost'");
}

TEST(RenderCli, MrcWithPickFilesDecodedWithStb) {
  test::TempDir d;
  // 6 x 48 x 64 voxels of 10 Å; ribosome (150 Å = 15 px) and apo-ferritin (60 Å = 6 px) at z 30 Å.
  write_tomogram(d / "TS_1.mrc", AnyVolume(noise_volume({6, 48, 64}, {10, 10, 10})), TomoFormat::mrc);
  write_file_atomic(d / "picks.csv",
                    "experiment,particle_type,x,y,z,score\nTS_1,ribosome,200,200,30,0.9\nTS_1,apo-ferritin,500,300,30,0.2\n"
                    "TS_2,ribosome,300,400,30,0.9\n");
  write_file_atomic(d / "truth.csv", "experiment,particle_type,x,y,z\nTS_1,ribosome,450,120,30\n");
  const std::string tp = test::shell_quote(test::tomopick_binary());
  auto q = [](const fs::path& p) { return test::shell_quote(p.string()); };
  // The run comes from the file name (the picks hold two runs).
  auto r = test::run_command(tp + " render " + q(d / "TS_1.mrc") + " --picks " + q(d / "picks.csv") + " --truth " +
                             q(d / "truth.csv") + " --z 3 --out " + q(d / "out/slice.png"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string png = read_file(d / "out/slice.png");
  int w = 0, h = 0, n = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pix(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), int(png.size()), &w, &h, &n, 3), stbi_image_free);
  ASSERT_TRUE(pix);
  EXPECT_EQ(w, 64);
  EXPECT_GT(h, 48);  // the legend strip
  auto at = [&](int x, int y) {
    const stbi_uc* p = pix.get() + (y * w + x) * 3;
    return Rgb{p[0], p[1], p[2]};
  };
  // No copick config: palette colours in name order (apo-ferritin, ribosome).
  EXPECT_EQ(at(35, 20), distinct_palette()[1]);  // ribosome ring, centre (20, 20)
  EXPECT_EQ(at(20, 20), distinct_palette()[1]);  // its dot
  EXPECT_EQ(at(56, 30), distinct_palette()[0]);  // apo-ferritin ring, centre (50, 30)
  EXPECT_EQ(at(60, 12), distinct_palette()[1]);  // truth ring at (45, 12): the dash at angle 0
  EXPECT_TRUE(grey(at(30, 40)));                 // the other run's pick at (30, 40) is not drawn

  // --min-score drops the apo-ferritin pick; --axis x draws the y-z plane (48 wide, 6 high).
  r = test::run_command(tp + " -q render " + q(d / "TS_1.mrc") + " --picks " + q(d / "picks.csv") +
                        " --min-score 0.5 --axis x --index 20 --no-legend --out " + q(d / "x.png"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const RgbImage x = decode_png(read_file(d / "x.png"));
  EXPECT_EQ(x.width, 48);
  EXPECT_EQ(x.height, 6);
  EXPECT_EQ(x.at(35, 3), distinct_palette()[0]);  // ribosome ring (only class now), centre (20, 3)
}

TEST(RenderCliErrors, OneLineNamingTheThing) {
  test::TempDir d;
  write_tomogram(d / "TS_1.mrc", AnyVolume(noise_volume({6, 48, 64}, {10, 10, 10})), TomoFormat::mrc);
  write_file_atomic(d / "other.mrc", read_file(d / "TS_1.mrc"));
  write_file_atomic(d / "picks.csv", "experiment,particle_type,x,y,z\nTS_1,ribosome,200,200,30\nTS_2,ribosome,300,400,30\n");
  const std::string tp = test::shell_quote(test::tomopick_binary());
  auto q = [](const fs::path& p) { return test::shell_quote(p.string()); };
  // Each process pays LibTorch's start-up: run them together.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {" render " + q(d / "TS_1.mrc") + " --z 6", "TS_1.mrc: slice 6 is outside the volume (z has slices 0..5)"},
      {" render " + q(d / "TS_1.mrc") + " --axis w", "--axis: 'w' is not an axis"},
      {" render " + q(d / "nope.mrc"), "nope.mrc"},
      {" render " + q(d / "other.mrc") + " --picks " + q(d / "picks.csv"), "picks.csv: holds picks of 2 runs (TS_1, TS_2)"},
      {" render " + q(d / "TS_1.mrc") + " --z 1 --index 2", "--z and --index: give one of them"},
  };
  std::vector<std::future<test::RunResult>> runs;
  for (size_t i = 0; i < cases.size(); ++i)
    runs.push_back(std::async(std::launch::async, test::run_command,
                              tp + cases[i].first + " --out " + q(d / ("e" + std::to_string(i) + ".png"))));
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto r = runs[i].get();
    EXPECT_EQ(r.exit_code, 1) << cases[i].first << "\n" << r.output;
    EXPECT_NE(r.output.find("tomopick: error: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(cases[i].second), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(d / ("e" + std::to_string(i) + ".png")));
  }
}

TEST(RenderCli, CopickProjectRunWithConfigColours) {
  test::TempDir d;
  auto project = CopickProject::create(d / "proj", czii_config());
  write_tomogram(project.tomogram_path("TS_1", 10, "denoised"), AnyVolume(noise_volume({8, 40, 40}, {10, 10, 10})),
                 TomoFormat::zarr);
  write_tomogram(project.tomogram_path("TS_2", 10, "denoised"), AnyVolume(noise_volume({8, 40, 40}, {10, 10, 10})),
                 TomoFormat::zarr);
  project.write_picks(one_pick("TS_1", "ribosome", 200, 200, 40));
  project.write_picks(one_pick("TS_2", "apo-ferritin", 200, 200, 40));
  const std::string tp = test::shell_quote(test::tomopick_binary());
  const std::string proj = test::shell_quote((d / "proj").string());
  auto r = test::run_command(tp + " -q render " + proj + " --run TS_1 --picks " + proj + " --index 4 --size 80 --out " +
                             test::shell_quote((d / "s.png").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const RgbImage im = decode_png(read_file(d / "s.png"));
  EXPECT_EQ(im.width, 80);
  // Ribosome colour from the config; centre (20.5 * 2 - 0.5) = 40.5 px, radius 15 voxels = 30 px.
  EXPECT_EQ(im.at(70, 40), (Rgb{0, 92, 49}));
  EXPECT_EQ(im.at(11, 40), (Rgb{0, 92, 49}));
  bool apo = false;  // the other run's apo-ferritin is not drawn
  for (size_t i = 0; i + 2 < im.pixels.size(); i += 3) apo |= Rgb{im.pixels[i], im.pixels[i + 1], im.pixels[i + 2]} == Rgb{0, 117, 220};
  EXPECT_FALSE(apo);
  r = test::run_command(tp + " render " + proj + " --out " + test::shell_quote((d / "e.png").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("copick project with 2 runs: choose one with --run"), std::string::npos) << r.output;
}
