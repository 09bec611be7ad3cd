#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/io/zarr_array.h"

using namespace tomopick;
using json = nlohmann::json;

namespace {

AnyVolume random_volume(DType t, Shape3 s, uint32_t seed) {
  AnyVolume v = AnyVolume::make(t, s, {10.012, 10.012, 10.012});
  uint32_t state = seed;
  auto* p = static_cast<unsigned char*>(v.raw_data());
  for (size_t i = 0; i < v.bytes(); ++i) {
    state = state * 1664525u + 1013904223u;
    p[i] = static_cast<unsigned char>(state >> 24);
  }
  if (t == DType::f32 || t == DType::f16) {  // keep floats finite so comparisons are plain
    v.visit([](auto& x) {
      using T = typename std::decay_t<decltype(x)>::value_type;
      for (size_t i = 0; i < x.size(); ++i)
        if (!std::isfinite(to_float(x.data()[i]))) x.data()[i] = from_float<T>(1.5f);
    });
  }
  return v;
}

}  // namespace

// Every compressor x dtype x separator written by python3-zarr decodes bit-exactly.
TEST(ZarrReference, ReadsEveryCodecDtypeAndSeparatorBitExactly) {
  test::TempDir d;
  const auto r = test::run_python("zarr_fixtures.py", test::shell_quote(d.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json manifest = json::parse(read_file(d / "manifest.json"));
  ASSERT_GT(manifest.size(), 200u);
  for (const auto& e : manifest) {
    SCOPED_TRACE(e["name"].get<std::string>());
    const auto a = ZarrArray::open(e["path"].get<std::string>());
    const AnyVolume v = a.read_all();
    EXPECT_EQ(v.shape(), (Shape3{5, 7, 9}));
    EXPECT_EQ(test::raw_bytes(v), read_file(e["raw"].get<std::string>()));
  }
}

TEST(ZarrReference, SubBoxEqualsTheSameRegionOfAFullRead) {
  test::TempDir d;
  ASSERT_EQ(test::run_python("zarr_fixtures.py", test::shell_quote(d.path().string())).exit_code, 0);
  const auto a = ZarrArray::open(d / "blosc-zstd-bitshuffle_i2_slash.zarr");
  const auto full = a.read_all().get<int16_t>();
  const Box b{{1, 2, 3}, {3, 4, 5}};
  const auto part = a.read(b).get<int16_t>();
  for (int64_t z = 0; z < 3; ++z)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 5; ++x) ASSERT_EQ(part(z, y, x), full(z + 1, y + 2, x + 3));
  EXPECT_THROW(a.read({{4, 0, 0}, {2, 1, 1}}), Error);
}

TEST(ZarrReference, SubBoxDecodesOnlyTheChunksItTouches) {
  test::TempDir d;
  ASSERT_EQ(test::run_python("zarr_fixtures.py", test::shell_quote(d.path().string())).exit_code, 0);
  const fs::path arr = d / "zstd_f4_slash.zarr";
  // Corrupt a chunk far from the box: a read that decoded it would fail.
  write_file_atomic(arr / "2/2/2", "garbage");
  const auto a = ZarrArray::open(arr);
  EXPECT_NO_THROW(a.read({{0, 0, 0}, {2, 3, 4}}));
  EXPECT_THROW(a.read_all(), Error);
}

// What tomopick writes, python3-zarr reads back bit-exactly (arrays and OME multiscales).
TEST(ZarrReference, WrittenStoresReadBackInPython) {
  test::TempDir d;
  json manifest = json::array();
  const std::vector<std::string> specs = {"none", "zlib:1", "gzip:6", "zstd:3", "blosc", "blosc-lz4hc:9:bitshuffle",
                                          "blosc-zstd:5:noshuffle", "blosc-zlib:3", "blosc-blosclz:5"};
  const std::vector<DType> types = {DType::f32, DType::f16, DType::u8, DType::i8, DType::i16, DType::u16};
  int n = 0;
  for (const auto& spec : specs)
    for (DType t : types)
      for (char sep : {'.', '/'}) {
        if (sep == '.' && t != DType::f32) continue;
        const AnyVolume v = random_volume(t, {6, 5, 11}, uint32_t(++n));
        const fs::path p = d / ("w" + std::to_string(n) + ".zarr");
        write_zarr_array(p, v, {{4, 2, 8}, parse_codec_spec(spec), sep});
        write_file_atomic(p.string() + ".raw", test::raw_bytes(v));
        manifest.push_back({{"path", p.string()}, {"raw", p.string() + ".raw"},
                            {"dtype", std::string(t == DType::u8 || t == DType::i8 ? "|" : "<") +
                                          (t == DType::f32 ? "f4" : t == DType::f16 ? "f2" : t == DType::u8 ? "u1"
                                                           : t == DType::i8 ? "i1" : t == DType::i16 ? "i2" : "u2")}});
        // and it reads back in tomopick too
        ASSERT_EQ(test::raw_bytes(ZarrArray::open(p).read_all()), test::raw_bytes(v)) << spec;
      }
  const AnyVolume big = random_volume(DType::f32, {9, 20, 17}, 99);
  write_ome_zarr(d / "ome.zarr", big, {3, {{4, 8, 8}, parse_codec_spec("blosc"), '/'}});
  write_file_atomic(d / "ome.raw", test::raw_bytes(big));
  manifest.push_back({{"path", (d / "ome.zarr").string()}, {"raw", (d / "ome.raw").string()}, {"dtype", "<f4"},
                      {"ome", true}, {"levels", 3}, {"shape", {9, 20, 17}}, {"spacing", 10.012}});
  write_file_atomic(d / "manifest.json", manifest.dump());
  const auto r = test::run_python("zarr_verify.py", test::shell_quote((d / "manifest.json").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(OmeZarr, PyramidLevelsHaveHalvedShapesDoubledSpacingAndBlockMeans) {
  test::TempDir d;
  Volume<float> v({5, 4, 3}, {2, 3, 4});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(i);
  write_ome_zarr(d / "p.zarr", v, {3, {{2, 2, 2}, parse_codec_spec("zstd"), '/'}});
  const auto z = OmeZarr::open(d / "p.zarr");
  ASSERT_EQ(z.levels().size(), 3u);
  EXPECT_EQ(z.levels()[1].meta.shape, (Shape3{3, 2, 2}));
  EXPECT_EQ(z.levels()[2].meta.shape, (Shape3{2, 1, 1}));
  EXPECT_DOUBLE_EQ(z.levels()[2].spacing.x, 16.0);
  const auto l1 = z.read(1).get<float>();
  // block (0,0,0) averages the 8 voxels z,y,x in {0,1}
  float s = 0;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c) s += v(a, b, c);
  EXPECT_FLOAT_EQ(l1(0, 0, 0), s / 8);
  // the odd edge block in z (z = 4 only) averages 4 voxels
  EXPECT_FLOAT_EQ(l1(2, 0, 0), (v(4, 0, 0) + v(4, 0, 1) + v(4, 1, 0) + v(4, 1, 1)) / 4);
  EXPECT_DOUBLE_EQ(l1.spacing().y, 6.0);
}

TEST(OmeZarr, ReadsTheRealCziiStore) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP() << "../shared/data not present";
  const auto z = OmeZarr::open(data / "czii-fragments/TS_6_4/denoised.zarr");
  ASSERT_EQ(z.levels().size(), 3u);
  EXPECT_EQ(z.levels()[0].meta.shape, (Shape3{184, 630, 630}));
  EXPECT_EQ(z.levels()[1].meta.shape, (Shape3{92, 315, 315}));
  EXPECT_EQ(z.levels()[2].meta.shape, (Shape3{46, 158, 158}));
  EXPECT_NEAR(z.levels()[0].spacing.x, 10.012444, 1e-5);
  EXPECT_NEAR(z.levels()[1].spacing.z, 20.024888, 1e-5);
  EXPECT_NEAR(z.levels()[2].spacing.y, 40.049777, 1e-5);
  EXPECT_EQ(z.levels()[1].meta.codec.id, "blosc");
  EXPECT_EQ(z.levels()[1].meta.separator, '/');
  EXPECT_EQ(z.array(1).stored_chunk_count(), 1);
  // the one chunk, clipped to the level: where `pick` looks; levels 0 and 2 hold nothing
  const Box b = z.array(1).stored_box();
  EXPECT_EQ(b.begin, (Index3{0, 256, 256}));
  EXPECT_EQ(b.shape, (Shape3{92, 59, 59}));
  EXPECT_TRUE(z.array(0).stored_box().shape.empty());
  EXPECT_TRUE(z.array(2).stored_box().shape.empty());
}

TEST(OmeZarr, RealSurvivingChunkMatchesPythonZarr) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP() << "../shared/data not present";
  test::TempDir d;
  const fs::path store = data / "czii-fragments/TS_6_4/denoised.zarr";
  const std::string script =
      "import zarr,sys; a=zarr.open_array(sys.argv[1],mode='r'); a[0:92,256:315,256:315].astype('<f4').tofile(sys.argv[2])";
  const auto r = test::run_command(test::shell_quote(TOMOPICK_PYTHON) + " -c " + test::shell_quote(script) + " " +
                                   test::shell_quote((store / "1").string()) + " " + test::shell_quote((d / "ref.raw").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto z = OmeZarr::open(store);
  const AnyVolume v = z.read(1, {{0, 256, 256}, {92, 59, 59}});
  const std::string got = test::raw_bytes(v);
  EXPECT_EQ(got, read_file(d / "ref.raw"));
  // and the data is real, not fill: it varies
  const auto& f = v.get<float>();
  const auto [mn, mx] = std::minmax_element(f.data(), f.data() + f.size());
  EXPECT_LT(*mn, *mx);
  EXPECT_NEAR(v.origin().y, 256 * 20.024888, 1e-3);
  // missing chunks elsewhere read as the fill value 0
  const auto empty = z.read(0, {{0, 0, 0}, {4, 4, 4}}).get<float>();
  for (size_t i = 0; i < empty.size(); ++i) ASSERT_EQ(empty.data()[i], 0.f);
}

TEST(ZarrErrors, BadMetadataAndChunksNameTheFileAndProblem) {
  test::TempDir d;
  const fs::path a = d / "a.zarr";
  write_zarr_array(a, random_volume(DType::f32, {4, 4, 4}, 1), {{2, 2, 2}, parse_codec_spec("blosc"), '/'});
  const std::string good = read_file(a / ".zarray");

  test::expect_error([&] { ZarrArray::open(d / "nope.zarr"); }, "nope.zarr", "no such");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto pos = s.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    s.replace(pos, from.size(), to);
    write_file_atomic(a / ".zarray", s);
  };
  with("\"<f4\"", "\"<f8\"");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "dtype '<f8' is not supported");
  with("\"<f4\"", "\"<q3\"");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "dtype");
  write_file_atomic(a / ".zarray", good);
  with("\"zarr_format\": 2", "\"zarr_format\": 3");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "zarr_format");
  write_file_atomic(a / ".zarray", good.substr(0, good.size() / 2));
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "malformed JSON");
  write_file_atomic(a / ".zarray", R"({"zarr_format":2,"shape":[4,4],"chunks":[2,2],"dtype":"<f4","compressor":null,"fill_value":0,"order":"C"})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "2 dimensions");
  write_file_atomic(a / ".zarray", R"({"zarr_format":2,"shape":[4000000000,4000000000,4000000000],"chunks":[2,2,2],"dtype":"<f4","compressor":null,"fill_value":0,"order":"C"})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "too large");
  write_file_atomic(a / ".zarray", R"({"zarr_format":2,"shape":[4,4,4],"chunks":[2000,2000,2000],"dtype":"<f4","compressor":null,"fill_value":0,"order":"C"})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "too large");
  write_file_atomic(a / ".zarray", R"({"zarr_format":2,"shape":[4,4,4],"chunks":[2,2,2],"dtype":"<f4","compressor":{"id":"lzma"},"fill_value":0,"order":"C"})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "'lzma' is not supported");
  write_file_atomic(a / ".zarray", R"({"zarr_format":2,"shape":[4,4,4],"chunks":[2,2,2],"dtype":"<f4","compressor":null,"fill_value":0,"order":"F"})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "order 'F'");
  // wrong JSON types and fill values no array of that dtype can hold (found by fuzz_zarr_metadata)
  const std::string head = R"({"zarr_format":2,"shape":[4,4,4],"chunks":[2,2,2],)";
  write_file_atomic(a / ".zarray", head + R"("dtype":"<f4","compressor":null,"order":5})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "'order' must be a string");
  write_file_atomic(a / ".zarray", head + R"("dtype":"<f4","compressor":{"id":"blosc","cname":7}})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "'cname' must be a string");
  write_file_atomic(a / ".zarray", head + R"("dtype":"|u1","compressor":null,"fill_value":"Infinity"})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "not a value of integer dtype");
  write_file_atomic(a / ".zarray", head + R"("dtype":"<f4","compressor":null,"fill_value":1e300})");
  test::expect_error([&] { ZarrArray::open(a); }, ".zarray", "outside the range");
  // JSON has no infinity: an infinite float fill must be written as zarr's string form and read back
  write_file_atomic(a / ".zarray", head + R"("dtype":"<f4","compressor":null,"fill_value":"-Infinity"})");
  const ZarrMeta inf = ZarrArray::open(a).meta();
  EXPECT_EQ(inf.fill_value, -std::numeric_limits<double>::infinity());
  EXPECT_NE(inf.to_json().find("\"-Infinity\""), std::string::npos);
  EXPECT_EQ(parse_zarray(inf.to_json(), a / ".zarray").fill_value, inf.fill_value);

  // truncated and corrupt chunks, for each codec
  for (const std::string spec : {"blosc", "zstd", "zlib", "gzip", "none"}) {
    SCOPED_TRACE(spec);
    const fs::path b = d / ("c-" + spec + ".zarr");
    write_zarr_array(b, random_volume(DType::f32, {4, 4, 4}, 2), {{2, 2, 2}, parse_codec_spec(spec), '/'});
    const std::string chunk = read_file(b / "1/0/1");
    write_file_atomic(b / "1/0/1", chunk.substr(0, chunk.size() - 5));
    test::expect_error([&] { ZarrArray::open(b).read_all(); }, "1/0/1", spec == "none" ? "bytes" : spec);
    std::string flipped = chunk;
    for (size_t i = 0; i < flipped.size(); i += 3) flipped[i] = char(~flipped[i]);
    write_file_atomic(b / "1/0/1", flipped);
    if (spec != "none") EXPECT_THROW(ZarrArray::open(b).read_all(), Error);
  }
}

TEST(ZarrErrors, OmeMetadataProblemsAreClear) {
  test::TempDir d;
  write_ome_zarr(d / "o.zarr", random_volume(DType::u8, {4, 4, 4}, 3), {2, {{2, 2, 2}, parse_codec_spec("zlib"), '/'}});
  write_file_atomic(d / "o.zarr/.zattrs", "{\"multiscales\": []}");
  test::expect_error([&] { OmeZarr::open(d / "o.zarr"); }, ".zattrs", "multiscales");
  write_file_atomic(d / "o.zarr/.zattrs",
                    R"({"multiscales":[{"axes":["z","y","x"],"datasets":[{"path":"0","coordinateTransformations":[{"type":"scale","scale":[1,1]}]}]}]})");
  test::expect_error([&] { OmeZarr::open(d / "o.zarr"); }, ".zattrs", "scale");
  write_file_atomic(d / "o.zarr/.zattrs", R"({"multiscales":[{"datasets":[{"path":"7"}]}]})");
  test::expect_error([&] { OmeZarr::open(d / "o.zarr"); }, "7", "no such zarr array");
  // Levels live inside the group (found by fuzzing: "/" read the disk's root).
  for (const std::string path : {"/", "../o.zarr/0", "0/../../x", ""}) {
    write_file_atomic(d / "o.zarr/.zattrs", R"({"multiscales":[{"datasets":[{"path":")" + path + R"("}]}]})");
    test::expect_error([&] { OmeZarr::open(d / "o.zarr"); }, ".zattrs", "must be a relative path inside the group");
  }
  fs::create_directories(d / "v3.zarr");
  write_file_atomic(d / "v3.zarr/zarr.json", "{}");
  test::expect_error([&] { OmeZarr::open(d / "v3.zarr"); }, "v3.zarr", "zarr v3");
}

TEST(ZarrCodecs, SpecParsingAcceptsDocumentedFormsAndRejectsOthers) {
  EXPECT_EQ(parse_codec_spec("blosc").cname, "lz4");
  EXPECT_EQ(parse_codec_spec("blosc-zstd:7:bitshuffle").shuffle, 2);
  EXPECT_EQ(parse_codec_spec("blosc-zstd:7:bitshuffle").level, 7);
  EXPECT_EQ(parse_codec_spec("zstd:19").level, 19);
  EXPECT_EQ(parse_codec_spec("none").id, "none");
  EXPECT_THROW(parse_codec_spec("lzma"), Error);
  EXPECT_THROW(parse_codec_spec("blosc-foo"), Error);
  EXPECT_THROW(parse_codec_spec("zlib:12"), Error);
  EXPECT_THROW(parse_codec_spec("zstd:x"), Error);
}

TEST(ZarrWrite, SkippingEmptyChunksReadsBackAsFill) {
  test::TempDir d;
  Volume<float> v({4, 4, 4});
  v(3, 3, 3) = 5.f;
  write_zarr_array(d / "s.zarr", v, {{2, 2, 2}, parse_codec_spec("zstd"), '.', true});
  const auto a = ZarrArray::open(d / "s.zarr");
  EXPECT_EQ(a.stored_chunk_count(), 1);
  const auto back = a.read_all().get<float>();
  EXPECT_EQ(back(3, 3, 3), 5.f);
  EXPECT_EQ(back(0, 0, 0), 0.f);
  EXPECT_EQ(a.stored_box().begin, (Index3{2, 2, 2}));
  EXPECT_EQ(a.stored_box().shape, (Shape3{2, 2, 2}));
  v(0, 0, 1) = 1.f;  // two corner chunks: the box spans them
  write_zarr_array(d / "t.zarr", v, {{2, 2, 2}, parse_codec_spec("zstd"), '.', true});
  EXPECT_EQ(ZarrArray::open(d / "t.zarr").stored_box().begin, (Index3{0, 0, 0}));
  EXPECT_EQ(ZarrArray::open(d / "t.zarr").stored_box().shape, (Shape3{4, 4, 4}));
  Volume<float> odd({5, 3, 4});  // a partial edge chunk is clipped to the array
  odd(4, 2, 3) = 2.f;
  write_zarr_array(d / "o.zarr", odd, {{2, 2, 2}, parse_codec_spec("zstd"), '.', true});
  EXPECT_EQ(ZarrArray::open(d / "o.zarr").stored_box().begin, (Index3{4, 2, 2}));
  EXPECT_EQ(ZarrArray::open(d / "o.zarr").stored_box().shape, (Shape3{1, 1, 2}));
}
