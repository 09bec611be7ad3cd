#pragma once
// Small helpers shared by the subcommands.
#include <filesystem>
#include <string>

#include "tomopick/core/volume.h"

namespace tomopick::cli {

namespace fs = std::filesystem;

// .json (not a copick config), .csv, .star files are picks.
bool is_picks_file(const fs::path& p);

// Parses "Z,Y,X" or a single "N" (all axes) into a shape; Error naming the option otherwise.
Shape3 parse_shape(const std::string& s, const std::string& option);

// The voxel spacing a BYU train_labels.csv gives the tomogram named like `tomogram`'s folder.
Vec3 spacing_from_byu_labels(const fs::path& labels_csv, const fs::path& tomogram);

}  // namespace tomopick::cli
