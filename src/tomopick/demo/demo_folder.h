#pragma once
// The demo's folder rules, shared by its tasks: where it goes and what it may replace.
#include <filesystem>

namespace tomopick::demo {

namespace fs = std::filesystem;

// The marker file every demo folder holds (demo.json).
inline constexpr const char* kDemoMarker = "demo.json";

// The folder `out` names ("tomopick-demo/" and "a/../tomopick-demo" alike); an Error for the current
// or a parent folder.
fs::path demo_folder_path(const fs::path& out);

// Only a missing path, an empty folder or an earlier demo's folder may be replaced: anything else is
// an Error naming it.
void check_demo_replaceable(const fs::path& dir);

}  // namespace tomopick::demo
