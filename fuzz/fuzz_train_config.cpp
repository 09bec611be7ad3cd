// Training configs (YAML): every section and key, types, ranges, class lists.
// Property: a config that parses, written back with to_yaml(), parses to the same YAML again.
#include "fuzz_support.h"
#include "tomopick/train/train_config.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::text_round_trip(data, size, "fz.yaml", train::parse_train_config, train::to_yaml, "to_yaml round trip");
  return 0;
}
