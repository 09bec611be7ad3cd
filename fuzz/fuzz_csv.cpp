// CSV picks: the generic / CZII submission table (x, y, z in Å, experiment, particle_type, score),
// the CZII ground-truth flavour, BYU motor labels and BYU submissions. Byte 0 picks the reader.
#include "fuzz_support.h"
#include "tomopick/io/picks.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fs::path file = fuzz::write_input("fz-picks.csv", {reinterpret_cast<const char*>(data + 1), size - 1});
  fuzz::expect_clear_errors("fz-picks.csv", [&] {
    switch (data[0] % 4) {
      case 0: read_picks_csv(file); break;
      case 1: {
        CsvReadOptions o;
        o.voxel_spacing = 10;
        o.run = "TS_5_4";
        read_picks_csv(file, o);
        break;
      }
      case 2: motor_labels_to_picks(read_byu_labels(file), 15.6); break;
      default: read_byu_submission(file); break;
    }
  });
  return 0;
}
