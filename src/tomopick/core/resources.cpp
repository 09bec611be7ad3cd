#include "tomopick/core/resources.h"

#include <vector>

namespace tomopick {

std::optional<std::filesystem::path> find_resource(const std::string& relative) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path() / relative);
    candidates.push_back(exe.parent_path().parent_path() / "share/tomopick" / relative);
  }
#ifdef TOMOPICK_SOURCE_DIR
  candidates.push_back(fs::path(TOMOPICK_SOURCE_DIR) / relative);
#endif
  for (const auto& c : candidates)
    if (fs::exists(c, ec)) return c;
  return std::nullopt;
}

}  // namespace tomopick
