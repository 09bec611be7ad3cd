#include "tomopick/nn/model_file.h"

#include <nlohmann/json.hpp>

#include "tomopick/core/error.h"

namespace tomopick::nn {

using json = nlohmann::json;

namespace {

json config_json(const ModelConfig& m) {
  return {{"arch", m.arch},       {"head", m.head},   {"channels", m.channels},   {"strides", m.strides},
          {"num_res_units", m.num_res_units}, {"norm", m.norm}, {"dropout", m.dropout}, {"slices", m.slices},
          {"block", m.block},     {"head_upscale", m.head_upscale}};
}

template <class T>
void get(const json& j, const char* key, T& out, const std::string& source, const std::string& where) {
  if (!j.contains(key)) throw Error(source, "model description: missing '" + where + key + "'");
  try {
    out = j.at(key).get<T>();
  } catch (const json::exception&) {
    throw Error(source, "model description: '" + where + key + "' has the wrong type");
  }
}

}  // namespace

std::string model_info_to_json(const ModelInfo& m) {
  json classes = json::array();
  for (const auto& c : m.classes) {
    json k{{"name", c.name}, {"radius_A", c.radius_A}, {"scored", c.scored}};
    if (c.threshold) k["threshold"] = *c.threshold;
    classes.push_back(k);
  }
  json training;
  try {
    training = json::parse(m.training_json);
  } catch (const json::exception&) {
    training = m.training_json;
  }
  const json j{{"format", "tomopick-model"},
               {"version", 1},
               {"model", config_json(m.model)},
               {"classes", classes},
               {"spacing_A", m.spacing_A},
               {"normalize", m.normalize},
               {"mean", m.mean},
               {"std", m.std},
               {"window", {m.window.z, m.window.y, m.window.x}},
               {"overlap", m.overlap},
               {"nms_fraction", m.nms_fraction},
               {"training", training}};
  return j.dump(2);
}

ModelInfo model_info_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source, std::string("model description is not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != "tomopick-model")
    throw Error(source, "not a tomopick model (no 'format: tomopick-model' in its description)");
  ModelInfo m;
  const auto& mc = j.at("model");
  get(mc, "arch", m.model.arch, source, "model.");
  get(mc, "head", m.model.head, source, "model.");
  get(mc, "channels", m.model.channels, source, "model.");
  get(mc, "strides", m.model.strides, source, "model.");
  get(mc, "num_res_units", m.model.num_res_units, source, "model.");
  get(mc, "norm", m.model.norm, source, "model.");
  get(mc, "dropout", m.model.dropout, source, "model.");
  get(mc, "slices", m.model.slices, source, "model.");
  get(mc, "block", m.model.block, source, "model.");
  get(mc, "head_upscale", m.model.head_upscale, source, "model.");
  if (!j.contains("classes") || !j["classes"].is_array() || j["classes"].empty())
    throw Error(source, "model description: 'classes' must be a non-empty list");
  for (const auto& k : j["classes"]) {
    ModelClass c;
    get(k, "name", c.name, source, "classes[].");
    get(k, "radius_A", c.radius_A, source, "classes[].");
    get(k, "scored", c.scored, source, "classes[].");
    if (k.contains("threshold") && !k["threshold"].is_null()) c.threshold = k["threshold"].get<double>();
    if (!(c.radius_A > 0)) throw Error(source, "model description: class '" + c.name + "' has no positive radius");
    m.classes.push_back(c);
  }
  get(j, "spacing_A", m.spacing_A, source, "");
  if (!(m.spacing_A > 0)) throw Error(source, "model description: spacing_A must be > 0");
  get(j, "normalize", m.normalize, source, "");
  get(j, "mean", m.mean, source, "");
  get(j, "std", m.std, source, "");
  std::vector<int64_t> w;
  get(j, "window", w, source, "");
  if (w.size() != 3 || w[0] < 8 || w[1] < 8 || w[2] < 8) throw Error(source, "model description: bad window");
  m.window = {w[0], w[1], w[2]};
  get(j, "overlap", m.overlap, source, "");
  get(j, "nms_fraction", m.nms_fraction, source, "");
  if (j.contains("training")) m.training_json = j["training"].dump();
  return m;
}

}  // namespace tomopick::nn
