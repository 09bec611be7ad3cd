#include "tomopick/nn/model_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <type_traits>

#include "tomopick/core/error.h"

namespace tomopick::nn {

using json = nlohmann::json;

namespace {

json config_json(const ModelConfig& m) {
  json j = {{"arch", m.arch},       {"head", m.head},   {"channels", m.channels},   {"strides", m.strides},
            {"num_res_units", m.num_res_units}, {"norm", m.norm}, {"dropout", m.dropout}, {"slices", m.slices},
            {"block", m.block},     {"head_upscale", m.head_upscale}};
  if (m.backbone_classes > 0) j["backbone_classes"] = m.backbone_classes;  // older readers never see it otherwise
  if (m.arch == "segresnet") j["blocks_down"] = m.blocks_down, j["blocks_up"] = m.blocks_up;
  if (m.arch == "voxresnet") j["blocks_down"] = m.blocks_down;
  if (m.arch == "voxhrnet")
    j["blocks_down"] = m.blocks_down, j["stem_channels"] = m.stem_channels, j["out_stride"] = m.out_stride;
  if (m.arch == "densevnet") j["blocks_down"] = m.blocks_down, j["growth"] = m.growth, j["stem_channels"] = m.stem_channels;
  if (m.arch == "resnet3d_fpn")
    j["blocks_down"] = m.blocks_down, j["groups"] = m.groups, j["fpn_channels"] = m.fpn_channels, j["out_stride"] = m.out_stride;
  return j;
}

template <class T>
void get(const json& j, const char* key, T& out, const std::string& source, const std::string& where) {
  if (!j.contains(key)) throw Error(source, "model description: missing '" + where + key + "'");
  // nlohmann converts 1e30 to an integer without complaint (undefined behaviour): integers must be integers.
  auto integral = [](const json& v) {
    if (!v.is_array()) return v.is_number_integer();
    for (const auto& e : v)
      if (!e.is_number_integer()) return false;
    return true;
  };
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (!integral(j.at(key))) throw Error(source, "model description: '" + where + key + "' must be an integer");
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    if (!j.at(key).is_array() || !integral(j.at(key)))
      throw Error(source, "model description: '" + where + key + "' must be a list of integers");
  }
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
  json j{{"format", "tomopick-model"},
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
  if (m.tta != "none") j["tta"] = m.tta;
  if (m.appearance.count > 0) j["appearance"] = json::parse(appearance_range_to_json(m.appearance));
  return j.dump(2);
}

namespace {
ModelInfo model_info_from(const json& j, const std::string& source);

// A description is read before the network is built from it: sizes no real model has are refused
// here rather than handed to the allocator (a file claiming 10^6 channels would ask for terabytes).
void check_sizes(const ModelInfo& m, const std::string& source) {
  auto bad = [&](const std::string& what) { throw Error(source, "model description: " + what); };
  const auto& mc = m.model;
  if (mc.channels.empty() || mc.channels.size() > 8) bad("model.channels must have 1 to 8 levels");
  for (auto c : mc.channels)
    if (c < 1 || c > 4096) bad("model.channels must be in 1..4096, got " + std::to_string(c));
  if (mc.strides.size() > 8) bad("model.strides has more than 8 levels");
  for (auto s : mc.strides)
    if (s < 1 || s > 4) bad("model.strides must be in 1..4, got " + std::to_string(s));
  if (mc.num_res_units < 0 || mc.num_res_units > 16) bad("model.num_res_units must be in 0..16");
  if (mc.slices < 1 || mc.slices > 63) bad("model.slices must be in 1..63");
  if (mc.head_upscale < 1 || mc.head_upscale > 8) bad("model.head_upscale must be in 1..8");
  if (mc.backbone_classes < 0 || mc.backbone_classes > 1000) bad("model.backbone_classes must be in 0..1000");
  if (mc.blocks_down.size() > 8 || mc.blocks_up.size() > 8) bad("model.blocks_down / blocks_up have more than 8 levels");
  for (auto b : mc.blocks_down)
    if (b < 0 || b > 16) bad("model.blocks_down must be in 0..16");
  for (auto b : mc.blocks_up)
    if (b < 0 || b > 16) bad("model.blocks_up must be in 0..16");
  if (mc.groups < 1 || mc.groups > 256) bad("model.groups must be in 1..256");
  if (mc.fpn_channels < 1 || mc.fpn_channels > 4096) bad("model.fpn_channels must be in 1..4096");
  if (mc.out_stride < 1 || mc.out_stride > 128) bad("model.out_stride must be in 1..128");
  if (mc.growth.size() > 8) bad("model.growth has more than 8 stacks");
  for (auto g : mc.growth)
    if (g < 1 || g > 1024) bad("model.growth must be in 1..1024");
  if (mc.stem_channels < 1 || mc.stem_channels > 4096) bad("model.stem_channels must be in 1..4096");
  if (m.classes.size() > 1000) bad("more than 1000 classes");
  if (m.window.z > 4096 || m.window.y > 4096 || m.window.x > 4096) bad("window larger than 4096 voxels");
  // A generous bound on the weights (the shipped model has 1.2 M parameters): 3^3 kernels between
  // consecutive levels, both ways, times the residual units.
  double params = 0;
  for (size_t i = 0; i < mc.channels.size(); ++i) {
    const double in = i ? double(mc.channels[i - 1]) : 1.0, out = double(mc.channels[i]);
    params += 2 * 27 * out * (in + out) * double(1 + mc.num_res_units);
  }
  // The top layers are as wide as the outputs (classes, or the backbone's when there is an adapter).
  const double outputs = double(std::max<int64_t>(int64_t(m.classes.size()), mc.backbone_classes)) + 1;
  params += 27 * outputs * (outputs + 2 * double(mc.channels.front())) * double(1 + mc.num_res_units);
  // segresnet, resnet3d_fpn: two 3^3 convolutions per residual block; the FPN neck and head.
  for (size_t i = 0; i < mc.channels.size() && i < mc.blocks_down.size(); ++i)
    params += 54 * double(mc.channels[i]) * double(mc.channels[i]) * double(mc.blocks_down[i] + 1);
  for (auto c : mc.channels) params += double(mc.fpn_channels) * (double(c) + 54 * double(mc.fpn_channels));
  // voxhrnet: every module fuses every branch into every other (3^3 kernels at most) and runs its
  // blocks; the stem.
  if (mc.arch == "voxhrnet") {
    double sum = 0;
    for (auto c : mc.channels) sum += double(c);
    params += (27 + 54 * 17) * sum * sum * double(mc.num_res_units) * double(mc.channels.size()) +
              27 * double(mc.stem_channels) * (1 + 2 * 17 * double(mc.stem_channels));
  }
  // densevnet: every unit of a stack reads the stem's width and the units before it.
  for (size_t i = 0; i < mc.growth.size() && i < mc.blocks_down.size(); ++i) {
    const double units = double(mc.blocks_down[i]), g = double(mc.growth[i]);
    params += 27 * units * g * (double(mc.stem_channels) + units * g) + 125 * double(mc.stem_channels);
  }
  if (params > 2e8) bad("the network would have about " + std::to_string(int64_t(params / 1e6)) + " M parameters (limit 200 M)");
}
}

ModelInfo model_info_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source, std::string("model description is not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != "tomopick-model")
    throw Error(source, "not a tomopick model (no 'format: tomopick-model' in its description)");
  try {
    return model_info_from(j, source);
  } catch (const json::exception& e) {  // a missing section or a value of the wrong type
    throw Error(source, std::string("model description: ") + e.what());
  }
}

namespace {
ModelInfo model_info_from(const json& j, const std::string& source) {
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
  if (mc.contains("backbone_classes")) get(mc, "backbone_classes", m.model.backbone_classes, source, "model.");
  if (m.model.arch == "segresnet") {
    get(mc, "blocks_down", m.model.blocks_down, source, "model.");
    get(mc, "blocks_up", m.model.blocks_up, source, "model.");
  }
  if (m.model.arch == "voxresnet") get(mc, "blocks_down", m.model.blocks_down, source, "model.");
  if (m.model.arch == "voxhrnet") {
    get(mc, "blocks_down", m.model.blocks_down, source, "model.");
    get(mc, "stem_channels", m.model.stem_channels, source, "model.");
    get(mc, "out_stride", m.model.out_stride, source, "model.");
  }
  if (m.model.arch == "densevnet") {
    get(mc, "blocks_down", m.model.blocks_down, source, "model.");
    get(mc, "growth", m.model.growth, source, "model.");
    get(mc, "stem_channels", m.model.stem_channels, source, "model.");
  }
  if (m.model.arch == "resnet3d_fpn") {
    get(mc, "blocks_down", m.model.blocks_down, source, "model.");
    get(mc, "groups", m.model.groups, source, "model.");
    get(mc, "fpn_channels", m.model.fpn_channels, source, "model.");
    get(mc, "out_stride", m.model.out_stride, source, "model.");
  }
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
  if (m.normalize != "zscore" && m.normalize != "robust" && m.normalize != "fixed")
    throw Error(source, "model description: normalize must be zscore, robust or fixed (got '" + m.normalize + "')");
  get(j, "mean", m.mean, source, "");
  get(j, "std", m.std, source, "");
  std::vector<int64_t> w;
  get(j, "window", w, source, "");
  if (w.size() != 3 || w[0] < 8 || w[1] < 8 || w[2] < 8) throw Error(source, "model description: bad window");
  m.window = {w[0], w[1], w[2]};
  get(j, "overlap", m.overlap, source, "");
  get(j, "nms_fraction", m.nms_fraction, source, "");
  if (j.contains("training")) m.training_json = j["training"].dump();
  if (j.contains("tta")) get(j, "tta", m.tta, source, "");
  if (j.contains("appearance")) m.appearance = appearance_range_from_json(j["appearance"].dump(), source);
  check_sizes(m, source);
  return m;
}
}  // namespace

}  // namespace tomopick::nn
