#pragma once
// Files that ship with tomopick (the built-in model, training configs), found beside the executable
// (an installed tree or a build folder inside the source tree) or in the source tree it was built
// from.
#include <filesystem>
#include <optional>
#include <string>

namespace tomopick {

// `relative` (e.g. "configs/finetune.yaml") under <exe>/../, <exe>/../share/tomopick/, or the source
// tree; nullopt when none holds it.
std::optional<std::filesystem::path> find_resource(const std::string& relative);

}  // namespace tomopick
