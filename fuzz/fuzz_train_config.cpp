// Training configs (YAML): every section and key, types, ranges, class lists.
// Property: a config that parses, written back with to_yaml(), parses to the same YAML again.
#include "fuzz_support.h"
#include "tomopick/train/train_config.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clear_errors("fz.yaml", [&] {
    const train::TrainConfig c = train::parse_train_config(text, "fz.yaml");
    const std::string yaml = train::to_yaml(c);
    fuzz::require(train::to_yaml(train::parse_train_config(yaml, "fz.yaml")) == yaml, "to_yaml round trip");
  });
  return 0;
}
