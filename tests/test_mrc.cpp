#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/tomogram.h"

using namespace tomopick;
using test::TempDir;
using test::expect_error;
using test::raw_bytes;

namespace {

// The reference files of tests/py/mrc_make.py, made once per test program run.
struct MrcReference : test::PythonReference<MrcReference> {
  static constexpr const char* kScript = "mrc_make.py";
};

template <class T>
void poke(std::string& bytes, size_t offset, T v) {
  std::memcpy(bytes.data() + offset, &v, sizeof v);
}

// A small float32 volume written by tomopick: shape (3, 4, 5), values 0..59.
fs::path small_mrc(const TempDir& dir, const std::string& name = "small.mrc") {
  Volume<float> v({3, 4, 5}, {2, 2, 2});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(i);
  const fs::path p = dir / name;
  write_mrc(p, v);
  return p;
}

// Byte offsets of a few header fields.
constexpr size_t kNx = 0, kMode = 12, kMapC = 64, kNsymbt = 92, kMachst = 212;

}  // namespace

TEST_F(MrcReference, ReadsEveryModeBitExactly) {
  const std::pair<const char*, DType> cases[] = {{"mode0", DType::i8},  {"mode1", DType::i16},
                                                 {"mode2", DType::f32}, {"mode6", DType::u16},
                                                 {"mode12", DType::f16}};
  const int modes[] = {0, 1, 2, 6, 12};
  for (size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(cases[i].first);
    const fs::path p = ref(std::string(cases[i].first) + ".mrc");
    const MrcInfo info = read_mrc_info(p);
    EXPECT_EQ(info.mode, modes[i]);
    EXPECT_EQ(info.dtype, cases[i].second);
    EXPECT_EQ(info.shape, (Shape3{4, 5, 6}));
    EXPECT_TRUE(info.spacing_known);
    EXPECT_NEAR(info.spacing.x, 1.5, 1e-6);
    EXPECT_NEAR(info.spacing.y, 2.5, 1e-6);
    EXPECT_NEAR(info.spacing.z, 3.5, 1e-6);
    EXPECT_EQ(info.origin, (Vec3{30, 20, 10}));
    EXPECT_FALSE(info.big_endian);
    EXPECT_EQ(info.nversion, 20141);
    EXPECT_EQ(info.ext_header_bytes, 0);
    EXPECT_EQ(info.data_offset, 1024);
    ASSERT_EQ(info.labels.size(), 1u);
    EXPECT_EQ(info.labels[0].rfind("Created by mrcfile.py", 0), 0u);

    const AnyVolume v = read_mrc(p);
    EXPECT_EQ(v.dtype(), cases[i].second);
    EXPECT_EQ(v.shape(), (Shape3{4, 5, 6}));
    EXPECT_NEAR(v.spacing().z, 3.5, 1e-6);
    EXPECT_EQ(v.origin(), (Vec3{30, 20, 10}));
    EXPECT_EQ(raw_bytes(v), read_file(ref(std::string(cases[i].first) + ".bin")));
  }
}

TEST_F(MrcReference, HeaderStatisticsAreRead) {
  const MrcInfo info = read_mrc_info(ref("ext.mrc"));
  // ext.mrc holds 0..119 minus 7.25.
  EXPECT_FLOAT_EQ(info.dmin, -7.25f);
  EXPECT_FLOAT_EQ(info.dmax, 111.75f);
  EXPECT_FLOAT_EQ(info.dmean, 52.25f);
  EXPECT_NEAR(info.rms, std::sqrt((120.0 * 120.0 - 1) / 12.0), 1e-3);
}

TEST_F(MrcReference, Uint8FromMrcfileIsWidenedToMode6) {
  const MrcInfo info = read_mrc_info(ref("uint8src.mrc"));
  EXPECT_EQ(info.mode, 6);
  const AnyVolume v = read_mrc(ref("uint8src.mrc"));
  EXPECT_EQ(v.dtype(), DType::u16);
  EXPECT_EQ(raw_bytes(v), read_file(ref("uint8src.bin")));
}

TEST_F(MrcReference, SkipsExtendedHeaderAndKeepsItsSizeTypeAndLabels) {
  const MrcInfo info = read_mrc_info(ref("ext.mrc"));
  EXPECT_EQ(info.ext_header_bytes, 160);
  EXPECT_EQ(info.data_offset, 1184);
  EXPECT_EQ(info.exttyp, "SERI");
  ASSERT_EQ(info.labels.size(), 3u);
  EXPECT_EQ(info.labels[1], "hello label");
  EXPECT_EQ(info.labels[2], "second label");
  EXPECT_EQ(raw_bytes(read_mrc(ref("ext.mrc"))), read_file(ref("ext.bin")));
}

TEST_F(MrcReference, ReadsBigEndianFiles) {
  for (const char* name : {"big_f4", "big_i2"}) {
    SCOPED_TRACE(name);
    const fs::path p = ref(std::string(name) + ".mrc");
    const MrcInfo info = read_mrc_info(p);
    EXPECT_TRUE(info.big_endian);
    EXPECT_NEAR(info.spacing.y, 2.5, 1e-6);
    EXPECT_EQ(info.origin, (Vec3{30, 20, 10}));
    EXPECT_EQ(raw_bytes(read_mrc(p)), read_file(ref(std::string(name) + ".bin")));
    // A box read swaps bytes too.
    const AnyVolume full = read_mrc(p);
    const AnyVolume box = read_mrc_box(p, {{1, 2, 3}, {2, 2, 2}});
    if (info.dtype == DType::f32) {
      EXPECT_EQ(box.get<float>()(1, 1, 1), full.get<float>()(2, 3, 4));
    } else {
      EXPECT_EQ(box.get<int16_t>()(1, 1, 1), full.get<int16_t>()(2, 3, 4));
    }
  }
}

TEST_F(MrcReference, UnknownMachineStampFallsBackToTheModeWord) {
  TempDir dir;
  std::string bytes = read_file(ref("big_i2.mrc"));
  std::memset(bytes.data() + kMachst, 0, 4);
  write_file(dir / "nostamp.mrc", bytes);
  EXPECT_TRUE(read_mrc_info(dir / "nostamp.mrc").big_endian);
  EXPECT_EQ(raw_bytes(read_mrc(dir / "nostamp.mrc")), read_file(ref("big_i2.bin")));
}

TEST_F(MrcReference, ZeroCellMeansSpacingUnknownAndOneAngstrom) {
  const MrcInfo info = read_mrc_info(ref("novox.mrc"));
  EXPECT_FALSE(info.spacing_known);
  EXPECT_EQ(info.spacing, (Vec3{1, 1, 1}));
  EXPECT_EQ(read_mrc(ref("novox.mrc")).spacing(), (Vec3{1, 1, 1}));
}

TEST_F(MrcReference, OneAngstromPerVoxelIsTheUnsetPixelSizeUntilSpacingIsGiven) {
  TempDir dir;
  write_mrc(dir / "one.mrc", Volume<float>({4, 6, 8}, {1, 1, 1}));
  write_mrc(dir / "fine.mrc", Volume<float>({4, 6, 8}, {1, 1, 1.5}));
  EXPECT_TRUE(read_mrc_info(dir / "one.mrc").spacing_one);
  EXPECT_FALSE(read_mrc_info(dir / "fine.mrc").spacing_one);
  const TomogramInfo one = probe_tomogram(dir / "one.mrc");
  EXPECT_TRUE(one.spacing_known);
  EXPECT_TRUE(one.spacing_one);
  expect_error([&] { require_voxel_spacing(one, "picking"); }, dir / "one.mrc",
               "picking needs the real one: give --spacing");
  TomoReadOptions given;
  given.spacing = Vec3{1, 1, 1};  // the user says it really is 1 Å
  EXPECT_NO_THROW(require_voxel_spacing(probe_tomogram(dir / "one.mrc", given), "picking"));
  EXPECT_NO_THROW(require_voxel_spacing(probe_tomogram(dir / "fine.mrc"), "picking"));
  const TomogramInfo none = probe_tomogram(ref("novox.mrc"));
  expect_error([&] { require_voxel_spacing(none, "training"); }, "novox.mrc", "has no voxel spacing in its header; training");
}

TEST(Mrc, ImodUnsignedBytesReadAsUnsigned) {
  TempDir dir;
  Volume<int8_t> v({2, 3, 4}, {10, 10, 10});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = int8_t(int(i * 11) - 128);  // bytes 0x80, 0x8b, ...
  write_mrc(dir / "s.mrc", AnyVolume(v));
  std::string bytes = read_file(dir / "s.mrc");
  // MRC2014 signed bytes without IMOD's stamp.
  EXPECT_EQ(read_mrc(dir / "s.mrc").dtype(), DType::i8);
  // IMOD's stamp, flags bit 0 clear: unsigned bytes (the same bytes, values + 256 where negative).
  poke(bytes, 152, int32_t(1146047817));
  poke(bytes, 156, int32_t(0));
  write_file(dir / "u.mrc", bytes);
  EXPECT_EQ(read_mrc_info(dir / "u.mrc").dtype, DType::u8);
  EXPECT_NE(probe_tomogram(dir / "u.mrc").details.find("mode 0 (unsigned bytes, as IMOD's flags say)"), std::string::npos);
  const auto u = read_mrc(dir / "u.mrc").to_float32();
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(u.data()[i], float(uint8_t(v.data()[i]))) << i;
  EXPECT_EQ(read_mrc_box(dir / "u.mrc", Box{{1, 1, 1}, {1, 2, 3}}).to_float32()(0, 0, 0), float(uint8_t(v(1, 1, 1))));
  // Flags bit 0 set: IMOD's signed bytes.
  poke(bytes, 156, int32_t(1));
  write_file(dir / "s2.mrc", bytes);
  EXPECT_EQ(read_mrc(dir / "s2.mrc").dtype(), DType::i8);
}

TEST(MrcPadding, AConstantBorderIsFoundAndNoiseOrOneValueIsNot) {
  TempDir dir;
  // Data in z [2, 7), y [1, 6), x [3, 9) of a 9 x 8 x 12 volume padded with -3 (one voxel of the
  // data equals the padding: the box is still the data's); int16 to check other element sizes.
  Volume<int16_t> v({9, 8, 12}, {10, 10, 10}, {}, int16_t(-3));
  for (int64_t z = 2; z < 7; ++z)
    for (int64_t y = 1; y < 6; ++y)
      for (int64_t x = 3; x < 9; ++x) v(z, y, x) = int16_t((z * 7 + y * 3 + x) % 11);
  v(4, 3, 5) = -3;
  write_mrc(dir / "pad.mrc", AnyVolume(v));
  const auto pad = find_mrc_padding(dir / "pad.mrc");
  ASSERT_TRUE(pad.has_value());
  EXPECT_EQ(pad->data.begin, (Index3{2, 1, 3}));
  EXPECT_EQ(pad->data.shape, (Shape3{5, 5, 6}));
  EXPECT_EQ(pad->value, -3);
  const TomogramInfo info = probe_tomogram(dir / "pad.mrc");
  ASSERT_TRUE(info.levels[0].stored.has_value());
  EXPECT_EQ(info.levels[0].data_box().shape, (Shape3{5, 5, 6}));
  EXPECT_EQ(info.levels[0].outside_stored, "constant padding (-3)");
  // Only one face padded (x ends at 9 of 12).
  Volume<float> one_face({4, 5, 12}, {10, 10, 10});
  for (int64_t z = 0; z < 4; ++z)
    for (int64_t y = 0; y < 5; ++y)
      for (int64_t x = 0; x < 9; ++x) one_face(z, y, x) = float(z + y * x) + 0.5f;
  write_mrc(dir / "face.mrc", AnyVolume(one_face));
  const auto face = find_mrc_padding(dir / "face.mrc");
  ASSERT_TRUE(face.has_value());
  EXPECT_EQ(face->data.begin, (Index3{0, 0, 0}));
  EXPECT_EQ(face->data.shape, (Shape3{4, 5, 9}));
  // No constant face, or a volume of one value: nothing to trim.
  Volume<float> noise({4, 5, 6}, {10, 10, 10});
  for (size_t i = 0; i < noise.size(); ++i) noise.data()[i] = float((i * 37) % 13);
  write_mrc(dir / "noise.mrc", AnyVolume(noise));
  EXPECT_FALSE(find_mrc_padding(dir / "noise.mrc").has_value());
  EXPECT_FALSE(probe_tomogram(dir / "noise.mrc").levels[0].stored.has_value());
  write_mrc(dir / "flat.mrc", AnyVolume(Volume<float>({4, 5, 6}, {10, 10, 10}, {}, 2.f)));
  EXPECT_FALSE(find_mrc_padding(dir / "flat.mrc").has_value());
}

TEST_F(MrcReference, UnsupportedModesNameFileAndMode) {
  expect_error([&] { read_mrc(ref("complex.mrc")); }, ref("complex.mrc"), "MRC mode 4 (complex float32) is not supported");
  TempDir dir;
  for (int mode : {3, 101, 7}) {
    std::string bytes = read_file(ref("mode1.mrc"));
    poke<int32_t>(bytes, kMode, mode);
    const fs::path p = dir / ("mode" + std::to_string(mode) + ".rec");
    write_file(p, bytes);
    expect_error([&] { read_mrc_info(p); }, p, "MRC mode " + std::to_string(mode));
  }
}

TEST(Mrc, WrittenFilesPassMrcfileValidationInEveryMode) {
  TempDir dir;
  const Shape3 shape{3, 4, 5};
  const Vec3 spacing{4, 3, 2}, origin{7, 6, 5};
  auto make = [&](auto tag) {
    using T = decltype(tag);
    Volume<T> v(shape, spacing, origin);
    for (size_t i = 0; i < v.size(); ++i) v.data()[i] = from_float<T>(float(int(i * 37 % 61) - 20) * 1.5f);
    return AnyVolume(v);
  };
  const AnyVolume vols[] = {make(uint8_t{}), make(int8_t{}), make(int16_t{}), make(uint16_t{}), make(Float16{}),
                            make(float{})};
  nlohmann::json specs = nlohmann::json::array();
  for (const AnyVolume& v : vols) {
    const std::string name = dtype_name(v.dtype());
    SCOPED_TRACE(name);
    const fs::path p = dir / (name + ".mrc");
    MrcWriteOptions opt;
    // What mrcfile should see: uint8 is widened to uint16 (mode 6), like mrcfile does.
    const AnyVolume expect = v.dtype() == DType::u8 ? v.converted(DType::u16) : v;
    write_file(dir / (name + ".bin"), raw_bytes(expect));
    nlohmann::json spec = {{"file", p.string()},          {"bin", (dir / (name + ".bin")).string()},
                           {"dtype", dtype_name(expect.dtype())}, {"shape", {3, 4, 5}},
                           {"voxel", {2, 3, 4}},          {"origin", {5, 6, 7}}};
    if (v.dtype() == DType::f32) {
      opt.labels = {"first label", "second label"};
      opt.extended_header = std::string("\x01\x02\x03\x00 extended", 13);
      opt.exttyp = "SERI";
      write_file(dir / "ext.bin", opt.extended_header);
      spec["labels"] = opt.labels;
      spec["exttyp"] = "SERI";
      spec["ext_bin"] = (dir / "ext.bin").string();
    }
    write_mrc(p, v, opt);
    specs.push_back(spec);

    // tomopick reads back what it wrote.
    const MrcInfo info = read_mrc_info(p);
    EXPECT_EQ(info.mode, mrc_mode_for(v.dtype()));
    EXPECT_EQ(info.nversion, 20141);
    EXPECT_TRUE(info.spacing_known);
    const AnyVolume back = read_mrc(p);
    EXPECT_EQ(back.dtype(), expect.dtype());
    EXPECT_EQ(raw_bytes(back), raw_bytes(expect));
    EXPECT_EQ(back.spacing(), spacing);
    EXPECT_EQ(back.origin(), origin);
    if (v.dtype() == DType::f32) {
      EXPECT_EQ(info.exttyp, "SERI");
      EXPECT_EQ(info.ext_header_bytes, 13);
      EXPECT_EQ(info.labels, opt.labels);
    } else {
      ASSERT_EQ(info.labels.size(), 1u);
      EXPECT_EQ(info.labels[0].rfind("Created by tomopick", 0), 0u);
    }
  }
  // mrcfile opens every file strictly, validates it and finds the same voxels and metadata.
  write_file(dir / "spec.json", specs.dump());
  const auto r = test::run_python("mrc_check.py", test::shell_quote((dir / "spec.json").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("checked 6 files"), std::string::npos) << r.output;
}

TEST(Mrc, HeaderStatisticsSkipNaN) {
  TempDir dir;
  Volume<float> v({1, 1, 4});
  v.data()[0] = 1;
  v.data()[1] = NAN;
  v.data()[2] = 3;
  v.data()[3] = 5;
  write_mrc(dir / "nan.mrc", v);
  const MrcInfo info = read_mrc_info(dir / "nan.mrc");
  EXPECT_EQ(info.dmin, 1.f);
  EXPECT_EQ(info.dmax, 5.f);
  EXPECT_FLOAT_EQ(info.dmean, 3.f);
  EXPECT_FLOAT_EQ(info.rms, std::sqrt(8.f / 3.f));
  EXPECT_TRUE(std::isnan(read_mrc(dir / "nan.mrc").get<float>()(0, 0, 1)));
}

TEST(Mrc, ReadBoxEqualsCropOfFullRead) {
  TempDir dir;
  Volume<int16_t> v({6, 7, 8}, {2, 3, 4}, {1, 2, 3});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = int16_t(i * 7 - 300);
  write_mrc(dir / "v.mrc", v);
  const Box boxes[] = {{{0, 0, 0}, {6, 7, 8}}, {{1, 2, 3}, {2, 3, 4}}, {{2, 1, 0}, {3, 5, 8}},
                       {{5, 6, 7}, {1, 1, 1}}, {{0, 0, 0}, {2, 7, 8}}, {{3, 3, 3}, {0, 2, 2}}};
  for (const Box& b : boxes) {
    SCOPED_TRACE(b.begin.str() + "+" + b.shape.str());
    const AnyVolume got = read_mrc_box(dir / "v.mrc", b);
    const Volume<int16_t> want = v.crop(b);
    ASSERT_EQ(got.shape(), want.shape());
    EXPECT_EQ(raw_bytes(got), raw_bytes(AnyVolume(want)));
    EXPECT_EQ(got.origin(), want.origin());
    EXPECT_EQ(got.spacing(), want.spacing());
  }
  expect_error([&] { read_mrc_box(dir / "v.mrc", {{5, 0, 0}, {2, 1, 1}}); }, dir / "v.mrc", "lies outside the volume");
  expect_error([&] { read_mrc_box(dir / "v.mrc", {{-1, 0, 0}, {1, 1, 1}}); }, dir / "v.mrc", "lies outside the volume");
}

TEST(Mrc, RealTomogramOpensAndBoxReadsMatch) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP() << "no shared data";
  const fs::path p = data / "empiar-11658" / "tomo9.mrc";
  if (!fs::exists(p)) GTEST_SKIP() << "no " << p;
  const MrcInfo info = read_mrc_info(p);
  EXPECT_EQ(info.shape, (Shape3{128, 256, 256}));
  EXPECT_EQ(info.dtype, DType::f32);
  EXPECT_TRUE(info.spacing_known);
  EXPECT_NEAR(info.spacing.x, 31.36, 1e-3);
  EXPECT_NEAR(info.spacing.y, 31.36, 1e-3);
  EXPECT_NEAR(info.spacing.z, 31.36, 1e-3);
  const AnyVolume full = read_mrc(p);
  ASSERT_EQ(full.shape(), info.shape);
  EXPECT_NEAR(full.spacing().x, 31.36, 1e-3);
  const Volume<float>& f = full.get<float>();
  // The header statistics agree with the voxels.
  float lo = f.data()[0], hi = f.data()[0];
  for (size_t i = 0; i < f.size(); ++i) {
    lo = std::min(lo, f.data()[i]);
    hi = std::max(hi, f.data()[i]);
  }
  EXPECT_EQ(lo, info.dmin);
  EXPECT_EQ(hi, info.dmax);
  for (const Box& b : {Box{{10, 20, 30}, {16, 32, 48}}, Box{{100, 0, 0}, {28, 256, 256}}, Box{{127, 255, 0}, {1, 1, 256}}}) {
    const AnyVolume box = read_mrc_box(p, b);
    EXPECT_EQ(raw_bytes(box), raw_bytes(AnyVolume(f.crop(b))));
  }
}

TEST(Mrc, WriteIsAtomicAndReplacesOldFiles) {
  TempDir dir;
  const fs::path p = small_mrc(dir, "out.map");
  Volume<float> bigger({4, 4, 4}, {1, 1, 1}, {}, 2.f);
  write_mrc(p, bigger);
  EXPECT_EQ(read_mrc_info(p).shape, (Shape3{4, 4, 4}));
  // A failing write leaves the old file as it was and no temp files.
  MrcWriteOptions bad;
  bad.labels = {std::string(81, 'x')};
  expect_error([&] { write_mrc(p, Volume<float>({1, 1, 1}), bad); }, p, "longer than 80");
  EXPECT_EQ(read_mrc_info(p).shape, (Shape3{4, 4, 4}));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(Mrc, WriterRejectsWhatMrcCannotHold) {
  TempDir dir;
  const fs::path p = dir / "x.mrc";
  expect_error([&] { write_mrc(p, Volume<float>({0, 4, 4})); }, p, "empty volume");
  MrcWriteOptions o;
  o.exttyp = "TOOLONG";
  expect_error([&] { write_mrc(p, Volume<float>({1, 1, 1}), o); }, p, "longer than 4");
  o = {};
  o.labels = std::vector<std::string>(11, "label");
  expect_error([&] { write_mrc(p, Volume<float>({1, 1, 1}), o); }, p, "at most 10");
  expect_error([&] { write_mrc(p, Volume<float>({1, 1, 1}, {0, 1, 1})); }, p, "spacing must be positive");
  EXPECT_FALSE(fs::exists(p));
}

TEST(Mrc, TruncatedFileIsAnError) {
  TempDir dir;
  const fs::path p = small_mrc(dir, "trunc.mrc");
  fs::resize_file(p, 1024 + 240 - 1);
  expect_error([&] { read_mrc(p); }, p,
               "header says 3x4x5 float32 (240 bytes) after 1024+0 header bytes, file has 1263 bytes (truncated)");
  expect_error([&] { read_mrc_info(p); }, p, "truncated");
}

TEST(Mrc, TrailingBytesAreAnError) {
  TempDir dir;
  const fs::path p = small_mrc(dir, "trail.st");
  fs::resize_file(p, 1024 + 240 + 8);
  expect_error([&] { read_mrc(p); }, p, "file has 1272 bytes (8 unexpected trailing bytes)");
}

TEST(Mrc, FileShorterThanHeaderIsAnError) {
  TempDir dir;
  const fs::path p = dir / "short.mrc";
  write_file(p, std::string(100, '\0'));
  expect_error([&] { read_mrc(p); }, p, "file has 100 bytes, shorter than the 1024-byte MRC header");
  expect_error([&] { read_mrc(dir / "missing.mrc"); }, dir / "missing.mrc", "no such file");
}

TEST(Mrc, AxisPermutationIsRejected) {
  TempDir dir;
  const fs::path p = small_mrc(dir, "axes.ali");
  std::string bytes = read_file(p);
  poke<int32_t>(bytes, kMapC, 3);
  poke<int32_t>(bytes, kMapC + 8, 1);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "axis permutation mapc, mapr, maps = 3, 2, 1 is not supported");
  poke<int32_t>(bytes, kMapC, 0);
  poke<int32_t>(bytes, kMapC + 4, 0);
  poke<int32_t>(bytes, kMapC + 8, 0);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "invalid axis map mapc, mapr, maps = 0, 0, 0");
}

TEST(Mrc, BadDimensionsAreRejectedBeforeAllocating) {
  TempDir dir;
  const fs::path p = small_mrc(dir, "dims.mrc");
  const std::string good = read_file(p);
  std::string bytes = good;
  for (int i = 0; i < 3; ++i) poke<int32_t>(bytes, kNx + 4 * size_t(i), 2147483647);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "too large");
  bytes = good;
  poke<int32_t>(bytes, kNx + 4, 0);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "must all be positive");
  bytes = good;
  poke<int32_t>(bytes, kNx, -5);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "must all be positive");
  bytes = good;
  poke<int32_t>(bytes, kNsymbt, -16);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "negative extended header size");
  // A huge but computable size simply does not match the file.
  bytes = good;
  poke<int32_t>(bytes, kNx, 1 << 20);
  write_file(p, bytes);
  expect_error([&] { read_mrc(p); }, p, "header says 3x4x1048576 float32");
}

TEST(Mrc, NonMrcFileSaysSo) {
  TempDir dir;
  const fs::path p = dir / "image.mrc";
  write_file(p, std::string(4096, 'A'));
  expect_error([&] { read_mrc(p); }, p, "no 'MAP ' stamp");
}
