// copick picks (Picks/<object>.json: points with location in Å, transformation_, score) and the
// project's copick_config.json (pickable objects, radii, colours, roots). Byte 0 picks which.
#include "fuzz_support.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    const fs::path file = fuzz::write_input("fz-picks.json", text);
    fuzz::expect_clear_errors("fz-picks.json", [&] {
      const PickSet set = read_copick_json(file);
      // What was read can be written and read back unchanged.
      write_copick_json(fuzz::scratch_dir() / "fz-again.json", set);
      fuzz::require(read_copick_json(fuzz::scratch_dir() / "fz-again.json") == set, "copick JSON round trip");
    });
  } else {
    const fs::path file = fuzz::write_input("fz-config.json", text);
    fuzz::expect_clear_errors("fz-config.json", [&] { read_copick_config(file); });
  }
  return 0;
}
