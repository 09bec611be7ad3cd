// RELION STAR picks: data blocks, loop_ headers, _rlnCenteredCoordinate{X,Y,Z}Angst or
// _rlnCoordinate{X,Y,Z} (pixels), _rlnTomoName, _rlnClassNumber, quoting and comments.
#include "fuzz_support.h"
#include "tomopick/io/picks.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fs::path file = fuzz::write_input("fz-picks.star", {reinterpret_cast<const char*>(data + 1), size - 1});
  StarOptions o;
  if (data[0] & 1) o.tomograms["TS_5_4"] = TomoGeometry{630, 630, 184, 10.012};
  if (data[0] & 2) o.pixel_spacing_A = 7.84;
  if (data[0] & 4) o.class_names = {{1, "ribosome"}, {2, "apo-ferritin"}};
  if (data[0] & 8) o.run = "TS_5_4";
  fuzz::expect_clear_errors("fz-picks.star", [&] { read_picks_star(file, o); });
  return 0;
}
