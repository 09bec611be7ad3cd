#include "tomopick/io/ensemble_folder.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"

namespace tomopick {

namespace {

using manifest_json = nlohmann::ordered_json;

constexpr const char* kEnsembleManifest = "ensemble.json";
constexpr const char* kEnsembleFormat = "tomopick-ensemble";

std::string read_manifest_text(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) throw Error(file, "cannot read: " + ec.message());
  if (size > (1u << 20)) throw Error(file, "an ensemble manifest of " + std::to_string(size) + " bytes (limit 1 MiB)");
  return read_file(file);
}

EnsembleFolder parse_ensemble_manifest(const fs::path& folder, const fs::path& file) {
  manifest_json j;
  try {
    j = manifest_json::parse(read_manifest_text(file));
  } catch (const manifest_json::exception& e) {
    throw Error(file, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", manifest_json()) != kEnsembleFormat)
    throw Error(file, std::string("not a tomopick ensemble (no \"format\": \"") + kEnsembleFormat + "\")");
  if (!j.contains("members") || !j["members"].is_array() || j["members"].empty())
    throw Error(file, "'members' must be a non-empty list of {\"model\": FILE, \"weight\": W}");
  EnsembleFolder e;
  e.folder = folder;
  for (size_t i = 0; i < j["members"].size(); ++i) {
    const auto& m = j["members"][i];
    const std::string where = "members[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("model") || !m["model"].is_string())
      throw Error(file, where + ": needs \"model\": the member's model file, relative to the folder");
    const std::string name = m["model"].get<std::string>();
    if (name.empty() || name.find('\0') != std::string::npos)
      throw Error(file, where + ": model must be a file name (empty, or with a NUL character)");
    const fs::path model = folder / name;
    if (!fs::is_regular_file(model)) throw Error(file, where + ": model file " + model.string() + " does not exist");
    double w = 1;
    if (m.contains("weight")) {
      if (!m["weight"].is_number()) throw Error(file, where + ": weight must be a number");
      w = m["weight"].get<double>();
    }
    if (!(w > 0) || !std::isfinite(w)) throw Error(file, where + ": weight must be > 0");
    std::map<std::string, double> per_class;
    if (m.contains("class_weights")) {
      if (!m["class_weights"].is_object()) throw Error(file, where + ": class_weights must be {\"class\": weight, ...}");
      for (const auto& [name, v] : m["class_weights"].items()) {
        if (!v.is_number() || !(v.get<double>() >= 0) || !std::isfinite(v.get<double>()))
          throw Error(file, where + ": class_weights of '" + name + "' must be a number >= 0");
        per_class[name] = v.get<double>();
      }
    }
    e.models.push_back(model);
    e.weights.push_back(w);
    e.class_weights.push_back(std::move(per_class));
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
  if (const auto file = folder / kEnsembleManifest; fs::exists(file)) return parse_ensemble_manifest(folder, file);
  if (const auto model = folder / "model.pt"; fs::is_regular_file(model)) {
    EnsembleFolder e;
    e.folder = folder;
    e.models = {model};
    e.weights = {1.0};
    e.class_weights = {{}};
    return e;
  }
  throw Error(folder, std::string("a model folder holds ") + kEnsembleManifest + " (an ensemble) or model.pt; this one has neither");
}

void write_ensemble_manifest(const EnsembleFolder& e) {
  if (e.models.empty()) throw Error(e.folder / kEnsembleManifest, "an ensemble needs at least one member");
  if (!e.weights.empty() && e.weights.size() != e.models.size())
    throw Error(e.folder / kEnsembleManifest, "one weight per member is needed");
  manifest_json members = manifest_json::array();
  for (size_t i = 0; i < e.models.size(); ++i) {
    const fs::path rel = e.models[i].is_absolute() ? e.models[i].lexically_relative(fs::absolute(e.folder)) : e.models[i];
    manifest_json m = {{"model", rel.generic_string()}, {"weight", e.weights.empty() ? 1.0 : e.weights[i]}};
    if (i < e.class_weights.size() && !e.class_weights[i].empty()) m["class_weights"] = e.class_weights[i];
    members.push_back(std::move(m));
  }
  manifest_json j = {{"format", kEnsembleFormat}, {"members", members}, {"fusion", e.fusion}};
  if (!e.tta.empty()) j["tta"] = e.tta;
  write_file_atomic(e.folder / kEnsembleManifest, j.dump(2) + "\n");
}

}  // namespace tomopick
