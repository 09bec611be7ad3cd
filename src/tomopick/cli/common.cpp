#include "tomopick/cli/common.h"

#include <sstream>
#include <vector>

#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"

namespace tomopick::cli {

bool is_picks_file(const fs::path& p) {
  const auto ext = p.extension().string();
  if (ext == ".csv" || ext == ".star") return true;
  return ext == ".json" && !CopickProject::is_project(p);
}

Shape3 parse_shape(const std::string& s, const std::string& option) {
  std::vector<int64_t> v;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    try {
      size_t pos = 0;
      const long long x = std::stoll(part, &pos);
      if (pos != part.size() || x <= 0) throw 0;
      v.push_back(x);
    } catch (...) {
      throw Error(option + ": '" + s + "' must be positive integers Z,Y,X (or one N for all axes)");
    }
  }
  if (v.size() == 1) return {v[0], v[0], v[0]};
  if (v.size() != 3) throw Error(option + ": '" + s + "' must be Z,Y,X (or one N for all axes)");
  return {v[0], v[1], v[2]};
}

Vec3 spacing_from_byu_labels(const fs::path& labels_csv, const fs::path& tomogram) {
  const std::string id = fs::path(tomogram).lexically_normal().filename().empty()
                             ? fs::path(tomogram).lexically_normal().parent_path().filename().string()
                             : fs::path(tomogram).lexically_normal().filename().string();
  for (const auto& l : read_byu_labels(labels_csv)) {
    if (l.tomo_id != id) continue;
    if (!(l.voxel_spacing > 0)) throw Error(labels_csv, "tomogram '" + id + "' has no voxel spacing");
    return {l.voxel_spacing, l.voxel_spacing, l.voxel_spacing};
  }
  throw Error(labels_csv, "no row for tomogram '" + id + "' (the folder's name)");
}

}  // namespace tomopick::cli
