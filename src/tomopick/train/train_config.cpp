#include "tomopick/train/train_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

#include "tomopick/core/atomic_file.h"
#include "tomopick/eval/particle_types.h"

namespace tomopick::train {

namespace {

// One table of every option drives parsing, --set overrides and writing, so they cannot disagree.
struct Field {
  std::string key;  // "section.name"
  std::function<void(TrainConfig&, const YAML::Node&)> set;
  std::function<YAML::Node(const TrainConfig&)> get;
};

std::string describe(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

template <class T>
T scalar_as(const YAML::Node& n, const char* what) {
  if (!n.IsScalar()) throw std::invalid_argument(std::string("expected ") + what + ", got " + describe(n));
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    throw std::invalid_argument(std::string("expected ") + what + ", got " + describe(n));
  }
}

template <class T>
T convert(const YAML::Node& n) {
  if constexpr (std::is_same_v<T, bool>) return scalar_as<bool>(n, "true or false");
  else if constexpr (std::is_same_v<T, std::string>) return scalar_as<std::string>(n, "a string");
  else if constexpr (std::is_floating_point_v<T>) {
    const double v = scalar_as<double>(n, "a number");
    if (!std::isfinite(v)) throw std::invalid_argument("expected a finite number, got " + describe(n));
    return static_cast<T>(v);
  } else if constexpr (std::is_integral_v<T>) return scalar_as<T>(n, "an integer");
  else if constexpr (std::is_same_v<T, Shape3>) {
    if (n.IsScalar()) {
      const auto v = scalar_as<int64_t>(n, "an integer or [z, y, x]");
      return Shape3{v, v, v};
    }
    if (!n.IsSequence() || n.size() != 3) throw std::invalid_argument("expected [z, y, x] or one integer, got " + describe(n));
    return Shape3{scalar_as<int64_t>(n[0], "an integer"), scalar_as<int64_t>(n[1], "an integer"),
                  scalar_as<int64_t>(n[2], "an integer")};
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    if (!n.IsSequence()) throw std::invalid_argument("expected a list of integers, got " + describe(n));
    std::vector<int64_t> v;
    for (const auto& e : n) v.push_back(scalar_as<int64_t>(e, "an integer"));
    return v;
  } else {
    static_assert(sizeof(T) == 0, "unsupported option type");
  }
}

template <class T>
YAML::Node emit(const T& v) {
  if constexpr (std::is_same_v<T, Shape3>) {
    YAML::Node n;
    n.push_back(v.z), n.push_back(v.y), n.push_back(v.x);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (auto e : v) n.push_back(e);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  } else {
    return YAML::Node(v);
  }
}

template <class S, class T>
Field field(const std::string& key, S TrainConfig::*section, T S::*member) {
  return {key, [=](TrainConfig& c, const YAML::Node& n) { (c.*section).*member = convert<T>(n); },
          [=](const TrainConfig& c) { return emit((c.*section).*member); }};
}

std::vector<ClassConfig> convert_classes(const YAML::Node& n) {
  if (!n.IsSequence()) throw std::invalid_argument("expected a list of class names or {name, radius_A, weight, scored}");
  std::vector<ClassConfig> out;
  for (const auto& e : n) {
    ClassConfig c;
    if (e.IsScalar()) {
      c.name = e.Scalar();
    } else if (e.IsMap()) {
      for (const auto& kv : e) {
        const auto k = kv.first.as<std::string>();
        if (k == "name") c.name = convert<std::string>(kv.second);
        else if (k == "radius_A") c.radius_A = convert<double>(kv.second);
        else if (k == "weight") c.weight = convert<double>(kv.second);
        else if (k == "scored") c.scored = convert<bool>(kv.second);
        else if (k == "expected") c.expected = convert<double>(kv.second);
        else throw std::invalid_argument("unknown class key '" + k + "' (name, radius_A, weight, scored, expected)");
      }
    } else {
      throw std::invalid_argument("expected a class name or {name, radius_A, weight, scored}, got " + describe(e));
    }
    out.push_back(c);
  }
  return out;
}

const std::vector<Field>& fields() {
  using C = TrainConfig;
  static const std::vector<Field> f = [] {
    std::vector<Field> v = {
        field("model.arch", &C::model, &nn::ModelConfig::arch),
        field("model.head", &C::model, &nn::ModelConfig::head),
        field("model.channels", &C::model, &nn::ModelConfig::channels),
        field("model.strides", &C::model, &nn::ModelConfig::strides),
        field("model.num_res_units", &C::model, &nn::ModelConfig::num_res_units),
        field("model.norm", &C::model, &nn::ModelConfig::norm),
        field("model.dropout", &C::model, &nn::ModelConfig::dropout),
        field("model.slices", &C::model, &nn::ModelConfig::slices),
        field("model.block", &C::model, &nn::ModelConfig::block),
        field("model.head_upscale", &C::model, &nn::ModelConfig::head_upscale),
        field("model.blocks_down", &C::model, &nn::ModelConfig::blocks_down),
        field("model.blocks_up", &C::model, &nn::ModelConfig::blocks_up),
        field("model.groups", &C::model, &nn::ModelConfig::groups),
        field("model.fpn_channels", &C::model, &nn::ModelConfig::fpn_channels),
        field("model.out_stride", &C::model, &nn::ModelConfig::out_stride),
        field("model.growth", &C::model, &nn::ModelConfig::growth),
        field("model.stem_channels", &C::model, &nn::ModelConfig::stem_channels),
        field("model.backbone_classes", &C::model, &nn::ModelConfig::backbone_classes),
        field("data.spacing_A", &C::data, &DataConfig::spacing_A),
        field("data.tomo_type", &C::data, &DataConfig::tomo_type),
        field("data.user_id", &C::data, &DataConfig::user_id),
        field("data.session_id", &C::data, &DataConfig::session_id),
        field("data.normalize", &C::data, &DataConfig::normalize),
        field("data.mean", &C::data, &DataConfig::mean),
        field("data.std", &C::data, &DataConfig::std),
        field("data.invert", &C::data, &DataConfig::invert),
        field("data.crop", &C::data, &DataConfig::crop),
        field("data.particle_fraction", &C::data, &DataConfig::particle_fraction),
        field("data.val_fraction", &C::data, &DataConfig::val_fraction),
        field("data.picks_share", &C::data, &DataConfig::picks_share),
        field("data.workers", &C::data, &DataConfig::workers),
        field("data.prefetch", &C::data, &DataConfig::prefetch),
        field("targets.kind", &C::targets, &TargetConfig::kind),
        field("targets.sigma_fraction", &C::targets, &TargetConfig::sigma_fraction),
        field("targets.sphere_fraction", &C::targets, &TargetConfig::sphere_fraction),
        field("targets.ignore_fraction", &C::targets, &TargetConfig::ignore_fraction),
        field("augment.flips", &C::augment, &AugmentConfig::flips),
        field("augment.flip_z", &C::augment, &AugmentConfig::flip_z),
        field("augment.rot90", &C::augment, &AugmentConfig::rot90),
        field("augment.intensity_scale", &C::augment, &AugmentConfig::intensity_scale),
        field("augment.intensity_shift", &C::augment, &AugmentConfig::intensity_shift),
        field("augment.noise", &C::augment, &AugmentConfig::noise),
        field("augment.mixup", &C::augment, &AugmentConfig::mixup),
        field("augment.blur", &C::augment, &AugmentConfig::blur),
        field("augment.noise_colour", &C::augment, &AugmentConfig::noise_colour),
        field("augment.contrast", &C::augment, &AugmentConfig::contrast),
        field("loss.kind", &C::loss, &LossConfig::kind),
        field("loss.weighted_mse_offset", &C::loss, &LossConfig::weighted_mse_offset),
        field("loss.tversky_alpha", &C::loss, &LossConfig::tversky_alpha),
        field("loss.tversky_beta", &C::loss, &LossConfig::tversky_beta),
        field("loss.tversky_weight", &C::loss, &LossConfig::tversky_weight),
        field("loss.pu_negative_weight", &C::loss, &LossConfig::pu_negative_weight),
        field("loss.pu_gamma", &C::loss, &LossConfig::pu_gamma),
        field("loss.point_alpha", &C::loss, &LossConfig::point_alpha),
        field("loss.point_gamma", &C::loss, &LossConfig::point_gamma),
        field("loss.point_offset_weight", &C::loss, &LossConfig::point_offset_weight),
        field("optim.optimizer", &C::optim, &OptimConfig::optimizer),
        field("optim.lr", &C::optim, &OptimConfig::lr),
        field("optim.weight_decay", &C::optim, &OptimConfig::weight_decay),
        field("optim.beta1", &C::optim, &OptimConfig::beta1),
        field("optim.beta2", &C::optim, &OptimConfig::beta2),
        field("optim.warmup_steps", &C::optim, &OptimConfig::warmup_steps),
        field("optim.schedule", &C::optim, &OptimConfig::schedule),
        field("optim.min_lr_fraction", &C::optim, &OptimConfig::min_lr_fraction),
        field("optim.grad_clip", &C::optim, &OptimConfig::grad_clip),
        field("optim.ema", &C::optim, &OptimConfig::ema),
        field("optim.amp", &C::optim, &OptimConfig::amp),
        field("train.steps", &C::train, &ScheduleConfig::steps),
        field("train.batch", &C::train, &ScheduleConfig::batch),
        field("train.seed", &C::train, &ScheduleConfig::seed),
        field("train.log_every", &C::train, &ScheduleConfig::log_every),
        field("train.checkpoint_every", &C::train, &ScheduleConfig::checkpoint_every),
        field("train.val_every", &C::train, &ScheduleConfig::val_every),
        field("validation.window", &C::validation, &ValidationConfig::window),
        field("validation.overlap", &C::validation, &ValidationConfig::overlap),
        field("validation.blend", &C::validation, &ValidationConfig::blend),
        field("validation.nms_fraction", &C::validation, &ValidationConfig::nms_fraction),
        field("validation.min_score", &C::validation, &ValidationConfig::min_score),
        field("validation.tta", &C::validation, &ValidationConfig::tta),
        field("validation.pu_tolerance", &C::validation, &ValidationConfig::pu_tolerance),
    };
    v.push_back({"data.classes", [](C& c, const YAML::Node& n) { c.data.classes = convert_classes(n); },
                 [](const C& c) {
                   YAML::Node n(YAML::NodeType::Sequence);
                   for (const auto& k : c.data.classes) {
                     YAML::Node e;
                     e["name"] = k.name, e["radius_A"] = k.radius_A, e["weight"] = k.weight, e["scored"] = k.scored;
                     if (k.expected > 0) e["expected"] = k.expected;
                     e.SetStyle(YAML::EmitterStyle::Flow);
                     n.push_back(e);
                   }
                   return n;
                 }});
    return v;
  }();
  return f;
}

const Field* find_field(const std::string& key) {
  for (const auto& f : fields())
    if (f.key == key) return &f;
  return nullptr;
}

std::string unknown_key(const std::string& key) {
  std::vector<std::string> names;
  for (const auto& f : fields()) names.push_back(f.key);
  return key + ": unknown option" + did_you_mean(key, names);
}

void set_field(TrainConfig& c, const std::string& key, const YAML::Node& value, const std::string& source) {
  const Field* f = find_field(key);
  if (!f) throw Error(source, unknown_key(key));
  try {
    f->set(c, value);
    if (std::find(c.given_keys.begin(), c.given_keys.end(), key) == c.given_keys.end()) c.given_keys.push_back(key);
  } catch (const std::invalid_argument& e) {
    throw Error(source, key + ": " + e.what());
  } catch (const YAML::Exception& e) {  // e.g. a mapping where a class key should be
    throw Error(source, key + ": " + e.what());
  }
}

// A key of the config as text; YAML allows lists and mappings as keys, the config does not.
std::string key_text(const YAML::Node& key, const std::string& source, const std::string& where) {
  if (!key.IsScalar()) throw Error(source, where + "keys must be plain names, got " + describe(key));
  return key.Scalar();
}

void require(bool ok, const std::string& source, const std::string& key, const std::string& problem) {
  if (!ok) throw Error(source, key + ": " + problem);
}

template <class T>
void one_of(const T& v, std::initializer_list<const char*> allowed, const std::string& source, const std::string& key) {
  std::string list;
  for (auto a : allowed) {
    if (v == a) return;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw Error(source, key + ": must be one of " + list + ", got '" + v + "'");
}

}  // namespace

TrainConfig parse_train_config(const std::string& yaml, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw Error(source, std::string("not valid YAML: ") + e.what());
  }
  TrainConfig c;
  if (root.IsNull()) return validate(c, source), c;
  if (!root.IsMap()) throw Error(source, "expected a mapping of sections (model, data, targets, ...)");
  for (const auto& section : root) {
    const auto name = key_text(section.first, source, "");
    if (!section.second.IsMap()) {
      bool known = false;
      for (const auto& f : fields()) known |= f.key.rfind(name + ".", 0) == 0;
      if (!known) throw Error(source, unknown_key(name));
      throw Error(source, name + ": expected a mapping of options");
    }
    for (const auto& kv : section.second)
      set_field(c, name + "." + key_text(kv.first, source, name + ": "), kv.second, source);
  }
  validate(c, source);
  return c;
}

TrainConfig read_train_config(const fs::path& file) {
  return parse_train_config(read_file(file), file.string());
}

void apply_overrides(TrainConfig& c, const std::vector<std::string>& overrides, const std::string& source) {
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) throw Error(source, "'" + o + "': expected section.key=value");
    YAML::Node value;
    try {
      value = YAML::Load(o.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw Error(source, o.substr(0, eq) + ": value is not valid YAML");
    }
    set_field(c, o.substr(0, eq), value, source);
  }
  validate(c, source);
}

void validate(const TrainConfig& c, const std::string& s) {
  const auto& m = c.model;
  one_of(m.arch, {"unet3d", "unet25d", "segresnet", "resnet3d_fpn", "unet2e3d", "voxresnet", "densevnet", "voxhrnet"}, s,
         "model.arch");
  one_of(m.head, {"heatmap", "segmentation", "point"}, s, "model.head");
  one_of(m.norm, {"instance", "batch", "group"}, s, "model.norm");
  require(m.norm != "group" || m.arch == "segresnet" || m.arch == "resnet3d_fpn" || m.arch == "voxresnet" ||
              m.arch == "densevnet" || m.arch == "voxhrnet",
          s, "model.norm", "group goes with model.arch: segresnet, resnet3d_fpn, voxresnet, densevnet or voxhrnet");
  if (m.arch == "segresnet") {
    require(m.blocks_down.size() == m.channels.size(), s, "model.blocks_down", "needs one entry per model.channels entry");
    require(m.blocks_up.size() + 1 == m.channels.size(), s, "model.blocks_up", "needs one entry fewer than model.channels");
    for (auto b : m.blocks_down) require(b >= 0 && b <= 16, s, "model.blocks_down", "each must be in 0..16");
    for (auto b : m.blocks_up) require(b >= 0 && b <= 16, s, "model.blocks_up", "each must be in 0..16");
    if (m.norm == "group")
      for (auto ch : m.channels) require(ch % 8 == 0, s, "model.channels", "must be multiples of 8 with model.norm: group");
  }
  if (m.arch == "voxresnet") {
    require(m.channels.size() <= 8, s, "model.channels", "at most 8 levels");
    require(m.blocks_down.size() == m.channels.size(), s, "model.blocks_down", "needs one entry per model.channels entry");
    for (auto b : m.blocks_down) require(b >= 0 && b <= 16, s, "model.blocks_down", "each must be in 0..16");
    if (m.norm == "group")
      for (auto ch : m.channels) require(ch % 8 == 0, s, "model.channels", "must be multiples of 8 with model.norm: group");
  }
  if (m.arch == "voxhrnet") {
    require(m.channels.size() <= 6, s, "model.channels", "at most 6 branches");
    require(m.blocks_down.size() == m.channels.size(), s, "model.blocks_down", "needs one entry per model.channels entry (stage)");
    for (auto b : m.blocks_down) require(b >= 0 && b <= 16, s, "model.blocks_down", "each must be in 0..16");
    require(m.num_res_units >= 1 && m.num_res_units <= 8, s, "model.num_res_units", "(modules per stage) must be in 1..8");
    require(m.out_stride == 1 || m.out_stride == 2, s, "model.out_stride", "(the stem's stride) must be 1 or 2");
    require(m.stem_channels >= 1 && m.stem_channels <= 4096, s, "model.stem_channels", "must be in 1..4096");
    if (m.norm == "group") {
      for (auto ch : m.channels) require(ch % 8 == 0, s, "model.channels", "must be multiples of 8 with model.norm: group");
      require(m.stem_channels % 8 == 0, s, "model.stem_channels", "must be a multiple of 8 with model.norm: group");
    }
  }
  if (m.arch == "densevnet") {
    require(m.channels.size() <= 8, s, "model.channels", "at most 8 stacks");
    require(m.blocks_down.size() == m.channels.size(), s, "model.blocks_down", "needs one entry per model.channels entry (stack)");
    require(m.growth.size() == m.channels.size(), s, "model.growth", "needs one entry per model.channels entry (stack)");
    for (auto b : m.blocks_down) require(b >= 1 && b <= 16, s, "model.blocks_down", "each must be in 1..16");
    for (auto g : m.growth) require(g >= 1 && g <= 1024, s, "model.growth", "each must be in 1..1024");
    require(m.stem_channels >= 1 && m.stem_channels <= 4096, s, "model.stem_channels", "must be in 1..4096");
  }
  if (m.arch == "resnet3d_fpn") {
    one_of(m.block, {"resnet", "resnext"}, s, "model.block");
    require(m.blocks_down.size() == m.channels.size(), s, "model.blocks_down", "needs one entry per model.channels entry");
    for (auto b : m.blocks_down) require(b >= 1 && b <= 16, s, "model.blocks_down", "each must be in 1..16");
    require(m.fpn_channels >= 1 && m.fpn_channels <= 4096, s, "model.fpn_channels", "must be in 1..4096");
    const int64_t total = int64_t(1) << std::min<size_t>(m.channels.size() - 1, 16);
    require(m.out_stride >= 1 && (m.out_stride & (m.out_stride - 1)) == 0 && m.out_stride <= total, s,
            "model.out_stride", "must be a power of two no larger than 2^(levels - 1)");
    if (m.block == "resnext")
      for (auto ch : m.channels)
        require(m.groups >= 1 && ch % 2 == 0 && (ch / 2) % m.groups == 0, s, "model.groups",
                "must divide half of every model.channels entry (the bottleneck width)");
    if (m.norm == "group") {
      for (auto ch : m.channels)
        require(ch % (m.block == "resnext" ? 16 : 8) == 0, s, "model.channels",
                "must be multiples of 8 with model.norm: group (16 with resnext blocks: their bottlenecks are half as wide)");
      require(m.fpn_channels % 8 == 0, s, "model.fpn_channels", "must be a multiple of 8 with model.norm: group");
    }
  } else {
    one_of(m.block, {"resnet", "convnext"}, s, "model.block");
  }
  if (m.arch == "unet2e3d") {
    require(m.norm != "group", s, "model.norm", "unet2e3d takes batch or instance");
    require(m.num_res_units >= 1, s, "model.num_res_units", "unet2e3d needs at least one block per level");
  }
  require(!m.channels.empty(), s, "model.channels", "must not be empty");
  for (auto ch : m.channels) require(ch > 0 && ch <= 4096, s, "model.channels", "each must be in 1..4096");
  if (m.arch == "unet3d") {
    require(m.strides.size() + 1 == m.channels.size(), s, "model.strides", "needs one entry fewer than model.channels");
    for (auto st : m.strides) require(st >= 1 && st <= 4, s, "model.strides", "each must be in 1..4");
  }
  require(m.num_res_units >= 0 && m.num_res_units <= 8, s, "model.num_res_units", "must be in 0..8");
  require(m.dropout >= 0 && m.dropout < 1, s, "model.dropout", "must be in [0, 1)");
  require(m.slices >= 1 && m.slices % 2 == 1, s, "model.slices", "must be odd and >= 1");
  require(m.head_upscale >= 1 && m.head_upscale <= 4, s, "model.head_upscale", "must be in 1..4");
  require(m.backbone_classes >= 0 && m.backbone_classes <= 1000, s, "model.backbone_classes", "must be in 0..1000");

  const auto& d = c.data;
  require(d.spacing_A > 0, s, "data.spacing_A", "must be > 0");
  require(!d.tomo_type.empty(), s, "data.tomo_type", "must not be empty");
  one_of(d.normalize, {"zscore", "robust", "fixed"}, s, "data.normalize");
  require(d.std > 0, s, "data.std", "must be > 0");
  require(d.crop.z >= 8 && d.crop.y >= 8 && d.crop.x >= 8 && d.crop.count() <= int64_t(512) * 512 * 512, s,
          "data.crop", "each side must be >= 8 voxels and the crop at most 512^3");
  require(d.particle_fraction >= 0 && d.particle_fraction <= 1, s, "data.particle_fraction", "must be in [0, 1]");
  require(d.val_fraction >= 0 && d.val_fraction < 1, s, "data.val_fraction", "must be in [0, 1)");
  require(d.picks_share == -1 || (d.picks_share >= 0 && d.picks_share <= 1), s, "data.picks_share",
          "must be in [0, 1], or -1 (every run equally likely)");
  require(d.workers >= 1 && d.workers <= 64, s, "data.workers", "must be in 1..64");
  require(d.prefetch >= 1 && d.prefetch <= 64, s, "data.prefetch", "must be in 1..64");
  std::set<std::string> names;
  for (const auto& k : d.classes) {
    require(!k.name.empty(), s, "data.classes", "a class has no name");
    require(names.insert(k.name).second, s, "data.classes", "'" + k.name + "' is listed twice");
    require(k.radius_A >= 0, s, "data.classes", k.name + ": radius_A must be >= 0");
    require(k.weight >= 0, s, "data.classes", k.name + ": weight must be >= 0");
    require(k.expected >= 0, s, "data.classes", k.name + ": expected must be >= 0");
  }

  const auto& t = c.targets;
  one_of(t.kind, {"gaussian", "sphere", "labels"}, s, "targets.kind");
  require(t.sigma_fraction > 0 && t.sigma_fraction <= 2, s, "targets.sigma_fraction", "must be in (0, 2]");
  require(t.sphere_fraction > 0 && t.sphere_fraction <= 2, s, "targets.sphere_fraction", "must be in (0, 2]");
  require(t.ignore_fraction == 0 || t.ignore_fraction > t.sphere_fraction, s, "targets.ignore_fraction",
          "must be 0 or larger than targets.sphere_fraction");
  require((t.kind == "labels") == (m.head == "segmentation"), s, "targets.kind",
          "labels go with model.head: segmentation, gaussian/sphere with model.head: heatmap or point");

  const auto& a = c.augment;
  require(a.intensity_scale >= 0 && a.intensity_scale < 1, s, "augment.intensity_scale", "must be in [0, 1)");
  require(a.intensity_shift >= 0, s, "augment.intensity_shift", "must be >= 0");
  require(a.noise >= 0, s, "augment.noise", "must be >= 0");
  require(a.mixup >= 0 && a.mixup <= 1, s, "augment.mixup", "must be in [0, 1]");
  require(a.blur >= 0 && a.blur <= 5, s, "augment.blur", "must be in [0, 5] voxels");
  require(a.noise_colour >= 0 && a.noise_colour <= 5, s, "augment.noise_colour", "must be in [0, 5] voxels");
  require(a.contrast >= 0 && a.contrast < 1, s, "augment.contrast", "must be in [0, 1)");
  require(!a.rot90 || d.crop.y == d.crop.x, s, "augment.rot90", "needs a square crop in y and x (data.crop)");

  const auto& l = c.loss;
  one_of(l.kind, {"weighted_mse", "balanced_mse", "bce", "ce_tversky", "nnpu", "point"}, s, "loss.kind");
  require((l.kind == "point") == (m.head == "point"), s, "loss.kind", "point goes with model.head: point, and only it");
  require(m.head != "point" || c.augment.mixup == 0, s, "augment.mixup",
          "must be 0 with model.head: point (a blend of two crops has no one offset per voxel)");
  require(m.head != "point" || m.backbone_classes == 0, s, "model.backbone_classes", "must be 0 with model.head: point");
  require(l.point_alpha >= 0, s, "loss.point_alpha", "must be >= 0");
  require(l.point_gamma >= 0, s, "loss.point_gamma", "must be >= 0");
  require(l.point_offset_weight >= 0, s, "loss.point_offset_weight", "must be >= 0");
  require(l.kind != "nnpu" || c.train.batch >= 2, s, "loss.kind",
          "nnpu needs train.batch >= 2 (crops alternate: one near a labelled particle, one anywhere)");
  require(l.pu_negative_weight > 0, s, "loss.pu_negative_weight", "must be > 0");
  require(l.pu_gamma >= 0, s, "loss.pu_gamma", "must be >= 0");
  require((l.kind == "ce_tversky") == (m.head == "segmentation"), s, "loss.kind",
          "ce_tversky goes with model.head: segmentation; point with point; the others with heatmap");
  require(l.weighted_mse_offset > 0, s, "loss.weighted_mse_offset", "must be > 0");
  require(l.tversky_alpha >= 0 && l.tversky_beta >= 0 && l.tversky_alpha + l.tversky_beta > 0, s, "loss.tversky_alpha",
          "alpha and beta must be >= 0, not both 0");
  require(l.tversky_weight >= 0, s, "loss.tversky_weight", "must be >= 0");

  const auto& o = c.optim;
  one_of(o.optimizer, {"adamw", "lion"}, s, "optim.optimizer");
  require(o.lr > 0 && o.lr < 10, s, "optim.lr", "must be in (0, 10)");
  require(o.weight_decay >= 0, s, "optim.weight_decay", "must be >= 0");
  require(o.beta1 >= 0 && o.beta1 < 1, s, "optim.beta1", "must be in [0, 1)");
  require(o.beta2 >= 0 && o.beta2 < 1, s, "optim.beta2", "must be in [0, 1)");
  require(o.warmup_steps >= 0, s, "optim.warmup_steps", "must be >= 0");
  one_of(o.schedule, {"cosine", "constant"}, s, "optim.schedule");
  require(o.min_lr_fraction >= 0 && o.min_lr_fraction <= 1, s, "optim.min_lr_fraction", "must be in [0, 1]");
  require(o.grad_clip >= 0, s, "optim.grad_clip", "must be >= 0");
  require(o.ema >= 0 && o.ema < 1, s, "optim.ema", "must be in [0, 1)");
  one_of(o.amp, {"none", "bf16", "fp16"}, s, "optim.amp");

  const auto& r = c.train;
  require(r.steps >= 1, s, "train.steps", "must be >= 1");
  require(r.batch >= 1 && r.batch <= 1024, s, "train.batch", "must be in 1..1024");
  require(r.log_every >= 1, s, "train.log_every", "must be >= 1");
  require(r.checkpoint_every >= 1, s, "train.checkpoint_every", "must be >= 1");
  require(r.val_every >= 0, s, "train.val_every", "must be >= 0");

  const auto& v = c.validation;
  require(v.window.z >= 8 && v.window.y >= 8 && v.window.x >= 8, s, "validation.window", "each side must be >= 8");
  require(v.overlap >= 0 && v.overlap < 1, s, "validation.overlap", "must be in [0, 1)");
  one_of(v.blend, {"gaussian", "pyramid", "constant"}, s, "validation.blend");
  require(v.nms_fraction > 0 && v.nms_fraction <= 2, s, "validation.nms_fraction", "must be in (0, 2]");
  require(v.min_score >= 0 && v.min_score < 1, s, "validation.min_score", "must be in [0, 1)");
  require(v.pu_tolerance >= 0 && v.pu_tolerance < 1, s, "validation.pu_tolerance", "must be in [0, 1)");
}

std::string to_yaml(const TrainConfig& c) {
  YAML::Node root;
  for (const auto& f : fields()) {
    const auto dot = f.key.find('.');
    root[f.key.substr(0, dot)][f.key.substr(dot + 1)] = f.get(c);
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace tomopick::train
