// MRC2014 files: the 1024-byte header (mode, shape, cell, origin, extended header, byte order) and the
// data behind it. A header may claim any shape; the reader must refuse what the file cannot hold
// before allocating, so the whole volume is read unconditionally.
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
  });
  return 0;
}
