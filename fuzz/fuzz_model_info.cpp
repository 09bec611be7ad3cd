// The JSON model description every tomopick model and checkpoint carries (architecture, classes,
// radii, thresholds, spacing, window). Property: what parses survives a write/parse round trip.
#include "fuzz_support.h"
#include "tomopick/nn/model_file.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::text_round_trip(data, size, "fz.pt", nn::model_info_from_json, nn::model_info_to_json, "model JSON round trip");
  return 0;
}
