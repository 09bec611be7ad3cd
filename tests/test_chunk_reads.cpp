// Reading chunked data without waste: the chunk cache the streaming picker reads through, streamed
// whole-level statistics, and the memory voxels live in.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/voxel_memory.h"
#include "tomopick/io/chunk_cache.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/io/tomogram_stats.h"
#include "tomopick/io/zarr_array.h"

using namespace tomopick;

namespace {

std::shared_ptr<const CachedChunk> chunk_of(size_t bytes, char fill) {
  auto c = std::make_shared<CachedChunk>();
  c->bytes = bytes;
  c->memory = allocate_voxels(bytes);
  std::memset(c->memory.get(), fill, bytes);
  return c;
}

// A volume whose every voxel differs (so a misplaced chunk shows), 20 x 30 x 40.
Volume<float> ramp() {
  Volume<float> v({20, 30, 40}, {10, 10, 10});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = float(i % 9973) * 0.5f - 100.0f;
  return v;
}

bool same_bytes(const AnyVolume& a, const AnyVolume& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), size_t(a.shape().count()) * dtype_size(a.dtype())) == 0;
}

}  // namespace

TEST(ChunkCache, KeepsTheMostRecentlyUsedWithinItsCapacity) {
  ChunkCache cache(100);
  cache.put("a", chunk_of(40, 'a'));
  cache.put("b", chunk_of(40, 'b'));
  ASSERT_NE(cache.get("a"), nullptr);  // a is now the most recent
  cache.put("c", chunk_of(40, 'c'));   // 120 > 100: b, the least recent, goes
  EXPECT_EQ(cache.get("b"), nullptr);
  ASSERT_NE(cache.get("a"), nullptr);
  ASSERT_NE(cache.get("c"), nullptr);
  EXPECT_EQ(cache.get("c")->data()[39], 'c');
  EXPECT_EQ(cache.bytes(), 80);
  cache.put("huge", chunk_of(101, 'h'));  // larger than the whole cache: not kept, nothing evicted
  EXPECT_EQ(cache.get("huge"), nullptr);
  EXPECT_EQ(cache.bytes(), 80);
  cache.put("a", chunk_of(60, 'A'));  // replacing an entry counts its new size once
  EXPECT_EQ(cache.bytes(), 100);
  EXPECT_EQ(cache.get("a")->data()[0], 'A');
  EXPECT_EQ(cache.hits(), 5);
  EXPECT_EQ(cache.misses(), 2);
}

TEST(ChunkCache, CachedReadsEqualUncachedOnesAndDecodeEachChunkOnce) {
  test::TempDir d;
  const Volume<float> v = ramp();
  ZarrWriteOptions wo;
  wo.chunks = {8, 16, 16};  // edge chunks are padded on disk: 3 x 2 x 3 chunks
  write_zarr_array(d / "a.zarr", AnyVolume(v), wo);
  const auto a = ZarrArray::open(d / "a.zarr");
  ChunkCache cache(int64_t(1) << 30);
  // Overlapping bands, as the picker reads them, and the whole array.
  const std::vector<Box> boxes = {{{0, 0, 0}, {12, 20, 40}}, {{0, 10, 0}, {12, 20, 40}}, {{6, 0, 0}, {14, 30, 40}},
                                  {{3, 7, 11}, {5, 9, 13}},  {{0, 0, 0}, {20, 30, 40}}};
  for (const auto& b : boxes) EXPECT_TRUE(same_bytes(a.read(b, &cache), a.read(b))) << b.begin.str() << b.shape.str();
  EXPECT_EQ(cache.misses(), 18);  // every chunk decoded once...
  EXPECT_GT(cache.hits(), 0);     // ...and the overlaps served from memory
  // only each chunk's part inside the array is kept
  EXPECT_EQ(cache.bytes(), int64_t(v.bytes()));
  for (const auto& b : boxes) EXPECT_TRUE(same_bytes(a.read(b, &cache), a.read(b)));
  EXPECT_EQ(cache.misses(), 18);

  // A cache too small for all of them still reads correctly, evicting as it goes.
  ChunkCache small(16 * 16 * 8 * 4 * 2);
  for (const auto& b : boxes) EXPECT_TRUE(same_bytes(a.read(b, &small), a.read(b)));
  EXPECT_LE(small.bytes(), small.capacity());
  EXPECT_GT(small.misses(), 18);

  // Missing chunks read as the fill value, cached or not.
  ZarrWriteOptions sparse = wo;
  sparse.skip_empty_chunks = true;
  Volume<float> mostly_empty({20, 30, 40}, {10, 10, 10});
  mostly_empty(19, 29, 39) = 7;
  write_zarr_array(d / "s.zarr", AnyVolume(mostly_empty), sparse);
  const auto s = ZarrArray::open(d / "s.zarr");
  EXPECT_EQ(s.stored_chunk_count(), 1);
  ChunkCache c2(int64_t(1) << 30);
  const auto got = s.read({{0, 0, 0}, {20, 30, 40}}, &c2).get<float>();
  EXPECT_EQ(got(19, 29, 39), 7);
  EXPECT_EQ(got(0, 0, 0), 0);
  // and a corrupt chunk is an error naming it, not a cached half-result
  write_file_atomic(d / "s.zarr" / "2/1/2", "garbage");
  ChunkCache c3(int64_t(1) << 30);
  test::expect_error([&] { s.read({{0, 0, 0}, {20, 30, 40}}, &c3); }, "2/1/2", "");
}

TEST(TomogramStats, StreamedEqualsTheWholeVolumeExactly) {
  test::TempDir d;
  Volume<float> v = ramp();
  v(4, 5, 6) = std::nanf("");
  v(17, 2, 30) = INFINITY;
  const VolumeStats whole = volume_stats(AnyVolume(v));
  EXPECT_EQ(whole.non_finite, 2);
  EXPECT_EQ(whole.min, -100.0);

  TomoWriteOptions zo;
  zo.zarr.chunks = {8, 16, 16};
  write_tomogram(d / "t.zarr", AnyVolume(v), TomoFormat::zarr, zo);
  write_mrc(d / "t.mrc", AnyVolume(v));
  for (const auto* name : {"t.zarr", "t.mrc"}) {
    const VolumeStats s = tomogram_stats(d / name);
    EXPECT_EQ(s.min, whole.min) << name;
    EXPECT_EQ(s.max, whole.max) << name;
    EXPECT_EQ(s.mean, whole.mean) << name;  // the same sums in the same order: bit-identical
    EXPECT_EQ(s.std, whole.std) << name;
    EXPECT_EQ(s.non_finite, 2) << name;
  }
  // a coarser level of the pyramid, and a level that is not there
  TomoReadOptions ro;
  ro.level = 1;
  const VolumeStats l1 = tomogram_stats(d / "t.zarr", ro);
  const VolumeStats l1_whole = volume_stats(read_tomogram(d / "t.zarr", ro));
  EXPECT_EQ(l1.mean, l1_whole.mean);
  ro.level = 9;
  test::expect_error([&] { tomogram_stats(d / "t.zarr", ro); }, "t.zarr", "level");
}

TEST(VoxelMemory, LargeAndSmallBuffersAreAlignedAndWritable) {
  for (size_t bytes : {size_t(1), size_t(100), kHugePageVolumeBytes - 1, kHugePageVolumeBytes, size_t(9) << 20}) {
    auto p = allocate_voxels(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p.get()) % 64, 0u) << bytes;
    std::memset(p.get(), 0x5a, bytes);
    EXPECT_EQ(static_cast<unsigned char*>(p.get())[bytes - 1], 0x5a);
  }
  ScratchBuffer s;
  char* a = s.ensure(10);
  std::memset(a, 1, 10);
  EXPECT_EQ(s.ensure(5), a);  // big enough already: the same memory
  char* b = s.ensure(size_t(5) << 20);
  std::memset(b, 2, size_t(5) << 20);
  EXPECT_EQ(s.data(), b);
  // volumes of every size hold what is written to them
  Volume<float> big({8, 512, 512});
  big(7, 511, 511) = 3;
  EXPECT_EQ(big(7, 511, 511), 3);
  EXPECT_EQ(big(0, 0, 0), 0);  // filled, not left uninitialised
}
