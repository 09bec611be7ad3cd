// A model folder's ensemble.json (members with weights, fusion, TTA). The folder holds one model file,
// a.pt, so that members naming it pass the existence check and the rest of the manifest is reached.
#include "fuzz_support.h"
#include "tomopick/io/ensemble_folder.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::clear_scratch();
  const fs::path folder = fuzz::scratch_dir() / "ens";
  fuzz::write_input("ens/a.pt", "not read");
  fuzz::write_input("ens/ensemble.json", std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::expect_clear_errors("ensemble.json", [&] {
    const EnsembleFolder e = read_ensemble_folder(folder);
    fuzz::require(!e.models.empty() && e.models.size() == e.weights.size(), "one weight per member");
    // What was read can be written and read back to the same members, weights, fusion and TTA.
    write_ensemble_manifest(e);
    const EnsembleFolder back = read_ensemble_folder(folder);
    fuzz::require(back.weights == e.weights && back.fusion == e.fusion && back.tta == e.tta, "manifest round trip");
    fuzz::require(back.models.size() == e.models.size(), "manifest round trip: members");
    for (size_t i = 0; i < e.models.size(); ++i)
      fuzz::require(fs::equivalent(back.models[i], e.models[i]), "manifest round trip: member files");
  });
  return 0;
}
