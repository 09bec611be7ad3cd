#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/parallel.h"
#include "tomopick/core/volume.h"

using namespace tomopick;

TEST(Volume, LayoutIsZYXWithXFastest) {
  Volume<float> v({2, 3, 4}, {10, 20, 30});
  v(1, 2, 3) = 7.f;
  EXPECT_EQ(v.data()[1 * 12 + 2 * 4 + 3], 7.f);
  EXPECT_EQ(v.size(), 24u);
  EXPECT_EQ(v.spacing().y, 20);
}

TEST(Volume, CopyIsDeepMoveIsCheap) {
  Volume<int16_t> a({1, 2, 2});
  a(0, 1, 1) = 5;
  Volume<int16_t> b = a;
  b(0, 1, 1) = 9;
  EXPECT_EQ(a(0, 1, 1), 5);
  const int16_t* p = b.data();
  Volume<int16_t> c = std::move(b);
  EXPECT_EQ(c.data(), p);
}

TEST(Volume, CropHangsOverEdgesWithFillAndMovesOrigin) {
  Volume<float> v({3, 3, 3}, {2, 2, 2});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(i);
  auto c = v.crop({{-1, 1, 1}, {2, 3, 2}}, -1.f);
  EXPECT_EQ(c.shape(), (Shape3{2, 3, 2}));
  EXPECT_EQ(c(0, 0, 0), -1.f);             // z = -1 is outside
  EXPECT_EQ(c(1, 0, 0), v(0, 1, 1));
  EXPECT_EQ(c(1, 1, 1), v(0, 2, 2));
  EXPECT_EQ(c(1, 2, 0), -1.f);             // y = 3 is outside
  EXPECT_DOUBLE_EQ(c.origin().z, -2.0);
  EXPECT_DOUBLE_EQ(c.origin().x, 2.0);
}

TEST(Volume, ViewSharesMemoryAndRejectsOutside) {
  Volume<uint8_t> v({4, 4, 4});
  auto w = v.view({{1, 1, 1}, {2, 2, 2}});
  w(1, 1, 1) = 42;
  EXPECT_EQ(v(2, 2, 2), 42);
  EXPECT_THROW(v.view({{3, 3, 3}, {2, 1, 1}}), Error);
}

TEST(Volume, PasteClipsAtBorders) {
  Volume<float> v({2, 2, 2});
  Volume<float> s({2, 2, 2}, {1, 1, 1}, {}, 3.f);
  v.paste(s, {1, 1, 1});
  EXPECT_EQ(v(1, 1, 1), 3.f);
  EXPECT_EQ(v(0, 1, 1), 0.f);
}

TEST(Volume, AngstromVoxelConventionIsIndexTimesSpacing) {
  Volume<float> v({10, 10, 10}, {10.012, 10.012, 10.012});
  const Vec3 a = v.voxel_to_angstrom({1, 2, 3});
  EXPECT_DOUBLE_EQ(a.x, 3 * 10.012);
  const Vec3 back = v.angstrom_to_voxel(a);
  EXPECT_NEAR(back.y, 2.0, 1e-12);
}

TEST(Volume, HugeShapesAreRejectedBeforeAllocating) {
  EXPECT_THROW((Volume<float>({int64_t(1) << 40, int64_t(1) << 40, 4})), Error);
  EXPECT_THROW((Volume<float>({-1, 2, 2})), Error);
}

TEST(Volume, ConversionRoundsAndSaturates) {
  Volume<float> f({1, 1, 4});
  f.data()[0] = 1.6f;
  f.data()[1] = -300.f;
  f.data()[2] = 300.f;
  f.data()[3] = NAN;
  auto i = convert_volume<int8_t>(f);
  EXPECT_EQ(i.data()[0], 2);
  EXPECT_EQ(i.data()[1], -128);
  EXPECT_EQ(i.data()[2], 127);
  EXPECT_EQ(i.data()[3], 0);
}

TEST(AnyVolume, VisitsTheHeldType) {
  AnyVolume a = AnyVolume::make(DType::u16, {1, 2, 3}, {5, 5, 5});
  EXPECT_EQ(a.dtype(), DType::u16);
  EXPECT_EQ(a.bytes(), 12u);
  a.get<uint16_t>()(0, 1, 2) = 65535;
  auto f = a.to_float32();
  EXPECT_EQ(f(0, 1, 2), 65535.f);
  EXPECT_EQ(a.converted(DType::i8).get<int8_t>()(0, 1, 2), 127);
}

TEST(Float16, MatchesIEEEOnKnownValues) {
  EXPECT_EQ(Float16(1.0f).bits, 0x3c00);
  EXPECT_EQ(Float16(-2.0f).bits, 0xc000);
  EXPECT_EQ(Float16(65504.f).bits, 0x7bff);
  EXPECT_EQ(Float16(1e6f).bits, 0x7c00);              // overflow to inf
  EXPECT_EQ(Float16(5.9604645e-8f).bits, 0x0001);     // smallest subnormal
  EXPECT_EQ(Float16(2.9802322e-8f).bits, 0x0000);     // exactly half of it: ties to even
  EXPECT_EQ(Float16(1.0009765625f * 1.0f + 0.00048828125f).bits, 0x3c02);  // tie rounds to even
  EXPECT_TRUE(std::isnan(float(Float16(NAN))));
  for (uint32_t b = 0; b < 0x7c00; ++b) {  // every finite positive half survives a round trip
    const Float16 h = Float16::from_bits(uint16_t(b));
    ASSERT_EQ(Float16(float(h)).bits, b) << b;
  }
}

TEST(AtomicFile, WritesCompletelyAndLeavesNoTemp) {
  test::TempDir d;
  write_file_atomic(d / "a/b.txt", "hello");
  EXPECT_EQ(read_file(d / "a/b.txt"), "hello");
  int n = 0;
  for (auto& e : fs::directory_iterator(d / "a")) { (void)e; ++n; }
  EXPECT_EQ(n, 1);
  EXPECT_THROW(read_file(d / "missing"), Error);
  try {
    read_file(d / "missing");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing: no such file"), std::string::npos);
  }
}

TEST(AtomicFile, UncommittedDirectoryVanishes) {
  test::TempDir d;
  {
    AtomicDir out(d / "x.zarr");
    write_file_atomic(out.path() / "f", "1");
  }
  EXPECT_FALSE(fs::exists(d / "x.zarr"));
  {
    AtomicDir out(d / "x.zarr");
    write_file_atomic(out.path() / "f", "2");
    out.commit();
  }
  EXPECT_EQ(read_file(d / "x.zarr/f"), "2");
  {
    AtomicDir out(d / "x.zarr");  // replaces
    write_file_atomic(out.path() / "g", "3");
    out.commit();
  }
  EXPECT_FALSE(fs::exists(d / "x.zarr/f"));
  EXPECT_TRUE(fs::exists(d / "x.zarr/g"));
}

TEST(Parallel, RunsEveryIndexAndRethrows) {
  std::vector<int> hit(1000, 0);
  parallel_for(1000, [&](int64_t i) { hit[size_t(i)] += 1; });
  for (int h : hit) ASSERT_EQ(h, 1);
  EXPECT_THROW(parallel_for(10, [](int64_t i) { if (i == 7) throw Error("boom"); }), Error);
}
