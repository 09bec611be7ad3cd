#include "tomopick/demo/demo_support.h"

#include <nlohmann/json.hpp>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/demo/demo.h"

namespace tomopick::demo {

// "tomopick-demo/" and "a/../tomopick-demo" name the folder itself, which AtomicDir needs to build a
// sibling of.
fs::path demo_folder_path(const fs::path& out) {
  fs::path p = out.lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  const auto name = p.filename().string();
  if (p.empty() || name == "." || name == "..")
    throw Error("--out", "'" + out.string() + "' is the current or a parent folder; give a folder of its own (e.g. tomopick-demo)");
  return p;
}

// Refuses to touch anything that is not ours: only a missing path, an empty folder or an earlier
// demo's folder may be replaced.
void check_demo_replaceable(const fs::path& dir) {
  std::error_code ec;
  const auto st = fs::symlink_status(dir, ec);
  if (!fs::exists(st)) return;
  if (fs::is_directory(st)) {
    if (fs::is_empty(dir, ec) || is_demo_folder(dir)) return;
    throw Error(dir, "exists and is not a tomopick demo folder; give another --out or remove it");
  }
  throw Error(dir, "exists and is not a folder; give another --out");
}

bool is_demo_folder(const fs::path& dir) {
  std::error_code ec;
  const fs::path marker = dir / kDemoMarker;
  if (!fs::is_directory(dir, ec) || !fs::is_regular_file(marker, ec)) return false;
  try {
    const auto j = nlohmann::json::parse(read_file(marker));
    return j.is_object() && j.contains("tomopick_demo");
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace tomopick::demo
