#pragma once
// copick-style projects: copick_config.json (the pickable objects), tomograms at
// <static_root>/ExperimentRuns/<run>/VoxelSpacing<s>/<tomo_type>.zarr and picks at
// <overlay_root>/ExperimentRuns/<run>/Picks/*.json. The CZII layout (static/ and overlay/ folders
// beside the config) and a single-root layout are both understood.
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/io/picks.h"

namespace tomopick {

namespace fs = std::filesystem;

struct PickableObject {
  std::string name;
  int label = 0;
  double radius = 0;  // Å
  std::array<int, 4> color{128, 128, 128, 255};
  bool is_particle = true;
  std::string pdb_id;
  std::string emdb_id;
};

struct CopickConfig {
  std::string name = "tomopick project";
  std::string description;
  std::string version = "0.5.0";
  std::vector<PickableObject> objects;
  std::string static_root;   // as written in the file ("local:///abs" or a path); empty = project folder
  std::string overlay_root;

  const PickableObject* find(const std::string& object) const;
};

// The six CZII particle types with their radii (Å), labels and colours (the challenge's config).
CopickConfig czii_config();

CopickConfig read_copick_config(const fs::path& file);
void write_copick_config(const fs::path& file, const CopickConfig& cfg);

// "VoxelSpacing10.012" for 10.012444 (copick writes three decimals).
std::string voxel_spacing_folder(double spacing_A);

struct TomogramEntry {
  std::string run;
  double spacing = 0;     // Å, from the folder name
  std::string type;       // e.g. "denoised", "wbp"
  fs::path path;
};

struct PickFileEntry {
  std::string run;
  fs::path path;
};

class CopickProject {
public:
  // `path` is the project folder (holding copick_config.json or copick.config) or the config file.
  static CopickProject open(const fs::path& path);
  // A new single-root project at `root` (folder created; config written atomically).
  static CopickProject create(const fs::path& root, const CopickConfig& cfg);
  // True if `path` looks like a copick project (a config file, or a folder holding one).
  static bool is_project(const fs::path& path);

  const CopickConfig& config() const { return cfg_; }
  const fs::path& root() const { return root_; }
  const fs::path& static_root() const { return static_root_; }
  const fs::path& overlay_root() const { return overlay_root_; }

  // Run names found under either root, sorted.
  std::vector<std::string> runs() const;
  // Tomograms of one run (all runs if empty), sorted by run, spacing, type.
  std::vector<TomogramEntry> tomograms(const std::string& run = "") const;
  // The tomogram of `run` with `type` at `spacing` (within 0.01 Å; any spacing if not given, the
  // finest first). Error naming the run and what exists if none matches.
  TomogramEntry find_tomogram(const std::string& run, const std::string& type,
                              std::optional<double> spacing = std::nullopt) const;
  // Where a new tomogram goes.
  fs::path tomogram_path(const std::string& run, double spacing, const std::string& type) const;

  // Pick files of one run (all runs if empty).
  std::vector<PickFileEntry> pick_files(const std::string& run = "") const;
  // All picks, optionally filtered by run, object, user and session; grouped by (run, object).
  std::vector<PickSet> read_picks(const std::string& run = "", const std::string& object = "",
                                  const std::string& user_id = "", const std::string& session_id = "") const;
  // Writes <overlay>/ExperimentRuns/<run>/Picks/<user>_<session>_<object>.json (copick's naming),
  // atomically. Returns the path.
  fs::path write_picks(const PickSet& set) const;

private:
  CopickConfig cfg_;
  fs::path root_, config_file_, static_root_, overlay_root_;
};

}  // namespace tomopick
