// .zarray metadata (zarr v2): shape, chunks, dtype, compressor, fill value, order, separator.
// Property: whatever parses, written back and parsed again, describes the same array.
#include "fuzz_support.h"
#include "tomopick/io/zarr_array.h"

#include <cmath>

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clear_errors("fz.zarr", [&] {
    const ZarrMeta m = parse_zarray(text, "fz.zarr/.zarray");
    const ZarrMeta again = parse_zarray(m.to_json(), "fz.zarr/.zarray");
    fuzz::require(again.shape == m.shape && again.chunks == m.chunks && again.dtype == m.dtype &&
                      again.big_endian == m.big_endian && again.codec == m.codec && again.separator == m.separator &&
                      (again.fill_value == m.fill_value || (std::isnan(again.fill_value) && std::isnan(m.fill_value))),
                  "to_json() round trip changes the array");
  });
  return 0;
}
