// An OME-Zarr image read through the tomogram reader: part 0 is the group's .zattrs (OME-NGFF
// multiscales: datasets, coordinate transformations, axes), part 1 level 0's .zarray, part 2 its first
// chunk (stored under both dimension separators). Reads stay within a 32^3 box so a legitimately
// large (fill-value) array does not turn into a memory finding.
#include "fuzz_support.h"
#include "tomopick/io/tomogram.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  fuzz::clear_scratch();
  fuzz::write_input("fz.zarr/.zgroup", R"({"zarr_format": 2})");
  fuzz::write_input("fz.zarr/.zattrs", fuzz::part(in, 0));
  fuzz::write_input("fz.zarr/0/.zarray", fuzz::part(in, 1));
  fuzz::write_input("fz.zarr/0/0.0.0", fuzz::part(in, 2));
  fuzz::write_input("fz.zarr/0/0/0/0", fuzz::part(in, 2));
  const fs::path dir = fuzz::scratch_dir() / "fz.zarr";
  fuzz::expect_clear_errors("fz.zarr", [&] {
    const TomogramInfo info = probe_tomogram(dir);
    fuzz::require(!info.levels.empty(), "a probed tomogram has levels");
    for (size_t level = 0; level < info.levels.size() && level < 3; ++level) {
      const Shape3 s = info.levels[level].shape;
      TomoReadOptions o;
      o.level = level;
      o.box = Box{{0, 0, 0}, {std::min<int64_t>(s.z, 32), std::min<int64_t>(s.y, 32), std::min<int64_t>(s.x, 32)}};
      const AnyVolume v = read_tomogram(dir, o);
      fuzz::require(v.shape() == o.box->shape, "read box has the requested shape");
    }
  });
  return 0;
}
