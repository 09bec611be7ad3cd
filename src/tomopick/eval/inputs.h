#pragma once
// What `evaluate` and `tune` read: truth and picks from a copick project, a folder of pick files (the
// CZII ground truth is a folder of FiveParticlesData<run>.csv), or one pick file; and the scoring
// options built from the request (radii from the truth's copick_config.json, CZII weights by name,
// overrides).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/error.h"
#include "tomopick/eval/byu_score.h"
#include "tomopick/eval/czii_score.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"

namespace tomopick {

namespace fs = std::filesystem;

struct PickSource {
  std::vector<PickSet> sets;           // grouped by (run, object)
  std::vector<std::string> runs;       // a project's runs (with or without picks); empty otherwise
  std::optional<CopickConfig> config;  // a project's config
  std::string description;             // "copick project", "folder of 7 pick files", "pick file"
};

struct SourceOptions {
  std::string user_id, session_id;  // copick projects: only these picks (empty: all)
  PickReadOptions read;             // pick files
};

// A copick project (folder or config file), a folder of .csv / .json / .star pick files (read in name
// order, non-recursively), or one pick file. Errors name the path.
PickSource load_pick_source(const fs::path& path, const SourceOptions& opts = {});

// A request in the words of the command line.
struct EvalRequest {
  fs::path truth, picks;
  std::string metric = "czii";  // "czii" or "byu"
  SourceOptions truth_source, picks_source;
  std::string radius, weights;   // "name=value,..." overrides
  std::string types;             // "a,b,c": the scored types (empty: those with truth)
  std::optional<double> beta;    // default 4 (czii) or 2 (byu)
  double distance_multiplier = 0.5;
  double distance_A = 1000;      // byu
  std::string matching = "kaggle";
  double spacing_A = 0;          // voxel spacing for files whose coordinates are voxels (BYU)
  std::string object;            // byu: only this object
  bool ignore_unknown = false;
  bool extra_runs_are_fp = false;
};

struct EvalSetup {
  PickSource truth, picks;
  CziiOptions czii;
  ByuOptions byu;
};

// Runs f; a scoring error that names no file concerns the picks (or says "truth" itself), so it is
// reported against the picks' path.
template <class F>
auto about_picks(const fs::path& picks, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.file().empty()) throw;
    throw Error(picks, e.what());
  }
}

// Reads truth, then picks (a BYU submission without spacings takes the truth's), and builds the
// options. Errors name the file or the option at fault.
EvalSetup prepare_evaluation(const EvalRequest& req);

}  // namespace tomopick
