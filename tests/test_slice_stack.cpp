#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/slice_stack.h"

using namespace tomopick;
using test::TempDir;
using test::expect_error;
using test::raw_bytes;

namespace {

// The reference files of tests/py/slices_make.py, made once per test program run.
struct SliceReference : test::PythonReference<SliceReference> {
  static constexpr const char* kScript = "slices_make.py";
};

// Largest |a - b| over two uint8 buffers of equal size.
int max_diff_u8(const std::string& a, const std::string& b) {
  int m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    m = std::max(m, std::abs(int(uint8_t(a[i])) - int(uint8_t(b[i]))));
  return m;
}

template <class T>
AnyVolume ramp(Shape3 shape, float scale, float offset) {
  Volume<T> v(shape, {5, 6, 7});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = from_float<T>(float(i % 251) * scale + offset);
  return v;
}

}  // namespace

TEST_F(SliceReference, ReadsExactFormatsBitExactly) {
  const std::tuple<const char*, DType, Shape3> cases[] = {
      {"png8", DType::u8, {12, 24, 32}},  {"png16", DType::u16, {3, 24, 32}}, {"tif8", DType::u8, {3, 24, 32}},
      {"tif16", DType::u16, {3, 24, 32}}, {"tif32f", DType::f32, {3, 24, 32}}, {"rgbgrey", DType::u8, {2, 24, 32}}};
  for (const auto& [name, dtype, shape] : cases) {
    SCOPED_TRACE(name);
    const AnyVolume v = read_slice_stack(ref(name), {10, 11, 12});
    EXPECT_EQ(v.dtype(), dtype);
    EXPECT_EQ(v.shape(), shape);
    EXPECT_EQ(v.spacing(), (Vec3{10, 11, 12}));
    EXPECT_EQ(v.origin(), (Vec3{}));
    EXPECT_EQ(raw_bytes(v), read_file(ref(std::string(name) + ".bin")));
  }
}

TEST_F(SliceReference, NaturalOrderPutsSlice10AfterSlice9) {
  const auto files = list_slice_files(ref("png8"));
  ASSERT_EQ(files.size(), 12u);
  EXPECT_EQ(files[9].filename(), "slice_9.png");
  EXPECT_EQ(files[10].filename(), "slice_10.png");
  EXPECT_EQ(files[11].filename(), "slice_11.png");
}

TEST_F(SliceReference, ReadsKaggleJpegsWithinDecoderTolerance) {
  const AnyVolume v = read_slice_stack(ref("jpg"), {15.6, 15.6, 15.6});
  EXPECT_EQ(v.dtype(), DType::u8);
  EXPECT_EQ(v.shape(), (Shape3{5, 24, 32}));
  // stb and libjpeg (PIL) may round the inverse DCT differently by a level or so.
  EXPECT_LE(max_diff_u8(raw_bytes(v), read_file(ref("jpg.bin"))), 2);
  EXPECT_LE(max_diff_u8(raw_bytes(v), read_file(ref("jpg_orig.bin"))), 12);
}

TEST_F(SliceReference, BrokenFoldersNameTheOffendingFile) {
  expect_error([&] { read_slice_stack(ref("bad_colour")); }, "slice_0001.png", "colour image (pixel x=7, y=5");
  // slice 2 differs in size and slice 3 in type: the first is named, however decoding is scheduled.
  expect_error([&] { read_slice_stack(ref("bad_size")); }, "slice_0002.png",
               "slice is 31x24 uint8 but slice_0000.png is 32x24 uint8; all slices must have the same size and type");
  expect_error([&] { read_slice_stack(ref("bad_gap")); }, "bad_gap",
               "slice number 2 is missing (found slice_0001.png then slice_0003.png)");
  expect_error([&] { read_slice_stack(ref("bad_mixed")); }, "slice_0001.jpg", "is JPEG but slice_0000.png is PNG");
  expect_error([&] { read_slice_stack(ref("bad_int32")); }, "slice_0000.tif", "32-bit signed integer");
  expect_error([&] { read_slice_stack(ref("bad_notimage")); }, "slice_0000.png", "cannot decode PNG");
  expect_error([&] { read_slice_stack(ref("png8"), {0, 1, 1}); }, "png8", "spacing must be positive");
}

TEST(SliceStack, MissingAndEmptyFoldersAreErrors) {
  TempDir dir;
  expect_error([&] { read_slice_stack(dir / "nope"); }, "nope", "no such folder");
  fs::create_directories(dir / "empty");
  write_file(dir / "empty" / "notes.txt", "hello");
  expect_error([&] { read_slice_stack(dir / "empty"); }, "empty", "no slice images");
  write_file(dir / "file.png", "x");
  expect_error([&] { read_slice_stack(dir / "file.png"); }, "file.png", "is not a folder");
}

namespace {

// A PIL check of a folder tomopick wrote (see tests/py/slices_check.py).
nlohmann::json pil_spec(const TempDir& dir, const std::string& name, const AnyVolume& v, const std::string& ext,
                        double tol) {
  write_file(dir / (name + ".bin"), raw_bytes(v));
  const Shape3 s = v.shape();
  return {{"folder", (dir / name).string()}, {"bin", (dir / (name + ".bin")).string()}, {"dtype", dtype_name(v.dtype())},
          {"shape", {s.z, s.y, s.x}},         {"ext", ext},                              {"tol", tol}};
}

test::RunResult run_pil_check(const TempDir& dir, const nlohmann::json& specs) {
  write_file(dir / "spec.json", specs.dump());
  return test::run_python("slices_check.py", test::shell_quote((dir / "spec.json").string()));
}

}  // namespace

TEST(SliceStack, PngAndTiffRoundTripExactlyAndPilAgrees) {
  TempDir dir;
  struct Case {
    AnyVolume vol;
    std::string ext;
    bool pil;  // PIL can read it back
  };
  const Case cases[] = {
      {ramp<uint8_t>({3, 9, 13}, 1, 0), "png", true},
      {ramp<uint8_t>({3, 9, 13}, 1, 0), "tif", true},
      {ramp<uint16_t>({2, 9, 13}, 250, 7), "tif", true},
      {ramp<int16_t>({2, 9, 13}, -100, 50), "tif", true},
      {ramp<float>({2, 9, 13}, 0.37f, -20), "tif", true},
      {ramp<int8_t>({2, 9, 13}, 1, -120), "tif", false},
      {ramp<Float16>({2, 9, 13}, 0.37f, -20), "tif", false},
  };
  nlohmann::json specs = nlohmann::json::array();
  for (const Case& c : cases) {
    const std::string name = std::string(dtype_name(c.vol.dtype())) + "_" + c.ext;
    SCOPED_TRACE(name);
    const fs::path folder = dir / name;
    write_slice_stack(folder, c.vol, c.ext);
    const AnyVolume back = read_slice_stack(folder, c.vol.spacing());
    EXPECT_EQ(back.dtype(), c.vol.dtype());
    EXPECT_EQ(back.shape(), c.vol.shape());
    EXPECT_EQ(raw_bytes(back), raw_bytes(c.vol));
    if (c.pil) specs.push_back(pil_spec(dir, name, c.vol, c.ext, 0));
  }
  const auto r = run_pil_check(dir, specs);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("checked 5 folders"), std::string::npos) << r.output;
}

TEST(SliceStack, GreyJpegRoundTripIsCloseAndAsGoodAsPils) {
  TempDir dir;
  // Slice 0 smooth, slice 1 noisy; odd sizes exercise the padded edge blocks.
  Volume<uint8_t> v({2, 45, 61}, {1, 1, 1});
  uint32_t seed = 12345;
  for (int64_t y = 0; y < 45; ++y)
    for (int64_t x = 0; x < 61; ++x) {
      v(0, y, x) = uint8_t(30 + 2 * x + y);
      seed = seed * 1664525u + 1013904223u;
      v(1, y, x) = uint8_t(seed >> 24);
    }
  write_slice_stack(dir / "smooth", v.crop({{0, 0, 0}, {1, 45, 61}}), ".JPEG");
  write_slice_stack(dir / "noisy", v.crop({{1, 0, 0}, {1, 45, 61}}), "jpg");
  EXPECT_TRUE(fs::exists(dir / "smooth" / "slice_0000.jpg"));
  // The file is a single-component (grey) baseline JPEG: SOF0 says 1 component.
  const std::string jpg = read_file(dir / "smooth" / "slice_0000.jpg");
  const size_t sof = jpg.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  EXPECT_EQ(int(jpg[sof + 9]), 1);

  const AnyVolume smooth = read_slice_stack(dir / "smooth");
  ASSERT_EQ(smooth.shape(), (Shape3{1, 45, 61}));
  EXPECT_LE(max_diff_u8(raw_bytes(smooth), raw_bytes(AnyVolume(v.crop({{0, 0, 0}, {1, 45, 61}})))), 3);
  EXPECT_EQ(read_slice_stack(dir / "noisy").shape(), (Shape3{1, 45, 61}));

  nlohmann::json a = pil_spec(dir, "smooth", v.crop({{0, 0, 0}, {1, 45, 61}}), "jpg", 3);
  nlohmann::json b = pil_spec(dir, "noisy", v.crop({{1, 0, 0}, {1, 45, 61}}), "jpg", 64);
  a["jpeg_vs_pil"] = true;
  b["jpeg_vs_pil"] = true;
  const auto r = run_pil_check(dir, nlohmann::json::array({a, b}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(SliceStack, WriterChecksTypeAndReplacesOnlySliceFolders) {
  TempDir dir;
  const AnyVolume f = ramp<float>({2, 3, 4}, 1, 0);
  expect_error([&] { write_slice_stack(dir / "a", f, "png"); }, "a", "PNG slices are written from uint8 volumes only");
  expect_error([&] { write_slice_stack(dir / "a", f, "jpg"); }, "a", "JPEG slices are written from uint8 volumes only");
  expect_error([&] { write_slice_stack(dir / "a", f, "bmp"); }, "a", "unknown slice format 'bmp'");
  EXPECT_FALSE(fs::exists(dir / "a"));

  // A folder with other files is left alone.
  fs::create_directories(dir / "keep");
  write_file(dir / "keep" / "notes.txt", "precious");
  expect_error([&] { write_slice_stack(dir / "keep", f, "tif"); }, "keep", "holds notes.txt");
  EXPECT_EQ(read_file(dir / "keep" / "notes.txt"), "precious");

  // An older slice folder is replaced as a whole (no stale slices survive).
  write_slice_stack(dir / "s", ramp<uint8_t>({5, 3, 4}, 1, 0), "png");
  write_slice_stack(dir / "s", ramp<uint8_t>({2, 3, 4}, 1, 9), "png");
  EXPECT_EQ(list_slice_files(dir / "s").size(), 2u);
  EXPECT_EQ(raw_bytes(read_slice_stack(dir / "s")), raw_bytes(ramp<uint8_t>({2, 3, 4}, 1, 9)));
  // Nothing but the two outputs is left in the parent (no temp folders).
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 2);
}

TEST(SliceStack, MoreThan9999SlicesGetMoreDigits) {
  EXPECT_EQ(slice_file_name(7, 500, "jpg"), "slice_0007.jpg");
  EXPECT_EQ(slice_file_name(9999, 10000, "png"), "slice_9999.png");
  EXPECT_EQ(slice_file_name(0, 10001, "tif"), "slice_00000.tif");
  EXPECT_EQ(slice_file_name(123456, 200000, "tif"), "slice_123456.tif");
}
