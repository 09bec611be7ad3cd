// MRC2014 files: the 1024-byte header (mode, shape, cell, origin, extended header, byte order) and the
// data behind it. A header may claim any shape; the reader must refuse what the file cannot hold
// before allocating, so the whole volume is read unconditionally.
#include <optional>

#include "fuzz_support.h"
#include "tomopick/io/mrc.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path file = fuzz::write_input("fz.mrc", {reinterpret_cast<const char*>(data), size});
  fuzz::expect_clear_errors("fz.mrc", [&] {
    const MrcInfo info = read_mrc_info(file);
    const AnyVolume v = read_mrc(file);
    fuzz::require(v.shape() == info.shape, "read_mrc gives the header's shape");
    fuzz::require(v.dtype() == info.dtype, "read_mrc gives the header's type");
    const Shape3 s = info.shape;
    const Box box{{s.z / 2, s.y / 2, s.x / 2}, {s.z - s.z / 2, s.y - s.y / 2, s.x - s.x / 2}};
    const AnyVolume part = read_mrc_box(file, box);
    fuzz::require(part.shape() == box.shape, "read_mrc_box gives the box's shape");
    fuzz::require(part.bytes() == 0 ||
                      std::memcmp(part.raw_data(),
                                  static_cast<const char*>(v.raw_data()) +
                                      ((box.begin.z * s.y + box.begin.y) * s.x + box.begin.x) * dtype_size(v.dtype()),
                                  size_t(box.shape.x) * dtype_size(v.dtype())) == 0,
                  "a box's first row equals the same row of the whole volume");
    if (const auto pad = find_mrc_padding(file)) {
      fuzz::require(pad->data.inside(s) && !pad->data.shape.empty() && !(pad->data.shape == s),
                    "the padding's data box is a non-empty proper part of the volume");
      const size_t esz = dtype_size(v.dtype());
      const auto* raw = static_cast<const unsigned char*>(v.raw_data());
      const Index3 e = pad->data.end();
      // The voxel of the first face trimmed equals every voxel outside the box.
      std::optional<size_t> first;
      for (int64_t z = 0; z < s.z; ++z)
        for (int64_t y = 0; y < s.y; ++y)
          for (int64_t x = 0; x < s.x; ++x) {
            if (z >= pad->data.begin.z && z < e.z && y >= pad->data.begin.y && y < e.y && x >= pad->data.begin.x && x < e.x)
              continue;
            const size_t i = size_t((z * s.y + y) * s.x + x) * esz;
            if (!first) first = i;
            fuzz::require(std::memcmp(raw + i, raw + *first, esz) == 0, "every voxel outside the data box is the padding");
          }
    }
  });
  return 0;
}
