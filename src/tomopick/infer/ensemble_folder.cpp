#include "tomopick/infer/ensemble_folder.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"

namespace tomopick::infer {

using json = nlohmann::ordered_json;

namespace {

constexpr const char* kManifest = "ensemble.json";
constexpr const char* kFormat = "tomopick-ensemble";

std::string read_text(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) throw Error(file, "cannot read: " + ec.message());
  if (size > (1u << 20)) throw Error(file, "an ensemble manifest of " + std::to_string(size) + " bytes (limit 1 MiB)");
  return read_file(file);
}

EnsembleFolder parse_manifest(const fs::path& folder, const fs::path& file) {
  json j;
  try {
    j = json::parse(read_text(file));
  } catch (const json::exception& e) {
    throw Error(file, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", json()) != kFormat)
    throw Error(file, std::string("not a tomopick ensemble (no \"format\": \"") + kFormat + "\")");
  if (!j.contains("members") || !j["members"].is_array() || j["members"].empty())
    throw Error(file, "'members' must be a non-empty list of {\"model\": FILE, \"weight\": W}");
  EnsembleFolder e;
  e.folder = folder;
  for (size_t i = 0; i < j["members"].size(); ++i) {
    const auto& m = j["members"][i];
    const std::string where = "members[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("model") || !m["model"].is_string())
      throw Error(file, where + ": needs \"model\": the member's model file, relative to the folder");
    const fs::path model = folder / m["model"].get<std::string>();
    if (!fs::is_regular_file(model)) throw Error(file, where + ": model file " + model.string() + " does not exist");
    double w = 1;
    if (m.contains("weight")) {
      if (!m["weight"].is_number()) throw Error(file, where + ": weight must be a number");
      w = m["weight"].get<double>();
    }
    if (!(w > 0) || !std::isfinite(w)) throw Error(file, where + ": weight must be > 0");
    e.models.push_back(model);
    e.weights.push_back(w);
  }
  if (j.contains("fusion")) {
    if (!j["fusion"].is_string()) throw Error(file, "fusion must be heatmap or wbf");
    e.fusion = j["fusion"].get<std::string>();
    if (e.fusion != "heatmap" && e.fusion != "wbf") throw Error(file, "fusion must be heatmap or wbf, got '" + e.fusion + "'");
  }
  if (j.contains("tta")) {
    if (!j["tta"].is_string()) throw Error(file, "tta must be a string, as pick's --tta");
    e.tta = j["tta"].get<std::string>();
  }
  return e;
}

}  // namespace

EnsembleFolder read_ensemble_folder(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw Error(folder, "is not a folder");
  if (const auto file = folder / kManifest; fs::exists(file)) return parse_manifest(folder, file);
  if (const auto model = folder / "model.pt"; fs::is_regular_file(model)) {
    EnsembleFolder e;
    e.folder = folder;
    e.models = {model};
    e.weights = {1.0};
    return e;
  }
  throw Error(folder, std::string("a model folder holds ") + kManifest + " (an ensemble) or model.pt; this one has neither");
}

void write_ensemble_manifest(const EnsembleFolder& e) {
  if (e.models.empty()) throw Error(e.folder / kManifest, "an ensemble needs at least one member");
  if (!e.weights.empty() && e.weights.size() != e.models.size())
    throw Error(e.folder / kManifest, "one weight per member is needed");
  json members = json::array();
  for (size_t i = 0; i < e.models.size(); ++i) {
    const fs::path rel = e.models[i].is_absolute() ? e.models[i].lexically_relative(fs::absolute(e.folder)) : e.models[i];
    members.push_back({{"model", rel.generic_string()}, {"weight", e.weights.empty() ? 1.0 : e.weights[i]}});
  }
  json j = {{"format", kFormat}, {"members", members}, {"fusion", e.fusion}};
  if (!e.tta.empty()) j["tta"] = e.tta;
  write_file_atomic(e.folder / kManifest, j.dump(2) + "\n");
}

}  // namespace tomopick::infer
