// The JSON model description every tomopick model and checkpoint carries (architecture, classes,
// radii, thresholds, spacing, window). Property: what parses survives a write/parse round trip.
#include "fuzz_support.h"
#include "tomopick/nn/model_file.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clear_errors("fz.pt", [&] {
    const nn::ModelInfo m = nn::model_info_from_json(text, "fz.pt");
    const std::string json = nn::model_info_to_json(m);
    fuzz::require(nn::model_info_to_json(nn::model_info_from_json(json, "fz.pt")) == json, "model JSON round trip");
  });
  return 0;
}
