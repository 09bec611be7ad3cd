// Headers that claim huge shapes, chunk grids or element counts are rejected before anything is
// allocated, with an error naming the file; a volume larger than the machine is an error, not an OOM.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/io/zarr_array.h"

using namespace tomopick;
using test::TempDir;

namespace {

// A small valid MRC file, then its header's nx, ny, nz (and mode) overwritten.
void write_mrc_claiming(const fs::path& f, int32_t nx, int32_t ny, int32_t nz, int32_t nsymbt = 0) {
  write_mrc(f, AnyVolume(Volume<float>({2, 2, 2})));
  std::string bytes = read_file(f);
  std::memcpy(bytes.data() + 0, &nx, 4);
  std::memcpy(bytes.data() + 4, &ny, 4);
  std::memcpy(bytes.data() + 8, &nz, 4);
  std::memcpy(bytes.data() + 92, &nsymbt, 4);
  write_file(f, bytes);
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void write_zarray(const fs::path& dir, const std::string& shape, const std::string& chunks) {
  fs::create_directories(dir);
  write_file(dir / ".zarray", R"({"zarr_format": 2, "shape": )" + shape + R"(, "chunks": )" + chunks +
                                  R"(, "dtype": "<f4", "compressor": null, "fill_value": 0, "order": "C", "filters": null})");
}

}  // namespace

TEST(HostileSizes, MrcHeadersClaimingMoreThanTheFileHolds) {
  TempDir dir;
  const auto f = dir / "liar.mrc";
  for (auto [nx, ny, nz] : {std::array<int32_t, 3>{100000, 100000, 100000}, {2147483647, 2147483647, 2147483647},
                            {2, 2, 1 << 30}}) {
    write_mrc_claiming(f, nx, ny, nz);
    const auto e = error_of([&] { read_mrc(f); });
    EXPECT_NE(e.find("liar.mrc"), std::string::npos) << e;
    // refused for the file's size, or (when the element count overflows) for the shape itself
    EXPECT_TRUE(e.find("truncated") != std::string::npos || e.find("too large") != std::string::npos) << e;
    EXPECT_NE(error_of([&] { read_tomogram(f); }).find("liar.mrc"), std::string::npos);
  }
  write_mrc_claiming(f, 2, 2, 2, 2147483647);  // an extended header of 2 GiB
  { const auto e2 = error_of([&] { read_mrc(f); }); EXPECT_NE(e2.find("liar.mrc"), std::string::npos) << e2; }
  write_mrc_claiming(f, -2, 2, 2);
  EXPECT_NE(error_of([&] { read_mrc(f); }).find("liar.mrc"), std::string::npos);
}

TEST(HostileSizes, ZarrShapesAndChunkGrids) {
  TempDir dir;
  // element counts that overflow 64 bits
  write_zarray(dir / "overflow.zarr", "[4611686018427387904, 4611686018427387904, 4]", "[64, 64, 64]");
  auto e = error_of([&] { ZarrArray::open(dir / "overflow.zarr"); });
  EXPECT_NE(e.find("overflow.zarr"), std::string::npos) << e;
  EXPECT_NE(e.find("too large"), std::string::npos) << e;
  // one chunk of 4 PB
  write_zarray(dir / "bigchunk.zarr", "[100, 100, 100]", "[100000, 100000, 100000]");
  e = error_of([&] { ZarrArray::open(dir / "bigchunk.zarr"); });
  EXPECT_NE(e.find("too large"), std::string::npos) << e;
  // A 1000 x 4000 x 4000 (64 GB) tomogram is legitimate — it is streamed — but reading all of it at
  // once is an error that says so, and costs nothing.
  write_zarray(dir / "huge.zarr", "[1000, 4000, 4000]", "[64, 64, 64]");
  const auto a = ZarrArray::open(dir / "huge.zarr");
  EXPECT_EQ(a.shape(), (Shape3{1000, 4000, 4000}));
  if (physical_memory_bytes() < int64_t(64) * 1000 * 1000 * 1000) {
    e = error_of([&] { a.read_all(); });
    EXPECT_NE(e.find("more than this machine's"), std::string::npos) << e;
  }
  const AnyVolume box = a.read({{500, 2000, 2000}, {4, 5, 6}});  // missing chunks: the fill value
  EXPECT_EQ(box.shape(), (Shape3{4, 5, 6}));
  EXPECT_EQ(box.get<float>()(3, 4, 5), 0.f);
}

TEST(HostileSizes, VolumesLargerThanTheMachineAreAnError) {
  const int64_t side = int64_t(std::cbrt(double(physical_memory_bytes()) / 4.0)) + 64;
  const auto e = error_of([&] { Volume<float> v({side, side, side}); });
  EXPECT_NE(e.find("more than this machine's"), std::string::npos) << e;
  EXPECT_NE(error_of([&] { Volume<float> v({int64_t(1) << 40, int64_t(1) << 40, 8}); }).find("too large"), std::string::npos);
  EXPECT_EQ(error_of([&] { Volume<float> v({4, 4, 4}); }), "");
}
