#pragma once
// A model folder: what `pick -m FOLDER` reads. Either an ensemble, described by FOLDER/ensemble.json
//   {"format": "tomopick-ensemble",
//    "members": [{"model": "unet3d.pt", "weight": 1}, {"model": "segresnet.pt", "weight": 2}],
//    "fusion": "heatmap", "tta": "identity,rot180"}
// (member paths relative to the folder; weight default 1; fusion heatmap | wbf, default heatmap; tta
// as pick's --tta, default: the first member's; a member may also give "class_weights": {"NAME": W,
// ...}, multiplying its weight for those classes' maps, W >= 0, e.g. 0 to leave a class to the
// members that find it better),
// or a single model kept as FOLDER/model.pt (as `train --out` writes it). Either way the folder's
// thresholds.json, when present, holds the thresholds tuned for what the folder picks with.
// No LibTorch here: the light commands can describe a folder without loading it.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tomopick {

namespace fs = std::filesystem;

struct EnsembleFolder {
  fs::path folder;
  std::vector<fs::path> models;  // the members' files, resolved against the folder
  std::vector<double> weights;   // one per member, > 0
  std::vector<std::map<std::string, double>> class_weights;  // one per member (maybe empty), each >= 0
  std::string fusion = "heatmap";
  std::string tta;               // empty: the first member's
};

// Error naming FOLDER/ensemble.json (or the folder) and the problem: not JSON, not a tomopick
// ensemble, no members, a member file that does not exist, a weight that is not > 0, an unknown fusion.
EnsembleFolder read_ensemble_folder(const fs::path& folder);

// Writes FOLDER/ensemble.json (atomically) for members given relative to the folder.
void write_ensemble_manifest(const EnsembleFolder& e);

}  // namespace tomopick
