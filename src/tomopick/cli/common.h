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

}  // namespace tomopick::cli
