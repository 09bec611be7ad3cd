#include "tomopick/infer/picker.h"

#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tomopick/core/appearance.h"
#include "tomopick/core/error.h"
#include "tomopick/core/intensity_normalisation.h"
#include "tomopick/core/log.h"
#include "tomopick/core/number_text.h"
#include "tomopick/core/resample.h"
#include "tomopick/core/resources.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/io/ensemble_folder.h"
#include "tomopick/infer/model_runner.h"
#include "tomopick/infer/sliding_window.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/pick/fusion.h"
#include "tomopick/pick/peaks.h"
#include "tomopick/pick/point_decode.h"
#include "tomopick/pick/score_mixture.h"

namespace tomopick::infer {

struct Picker::Impl {
  PickerOptions opts;
  std::string device;
  std::vector<nn::LoadedModel> models;
  std::vector<Member> members;
  WindowOptions window;
  std::vector<ClassPickSpec> specs;
  std::map<std::string, double> tuned;  // classes with an expected count: their threshold (specs hold a floor)
  std::vector<std::string> warnings;
};

namespace {

// With --expect, peaks are found down to this score before the expected count cuts them back.
constexpr float kExpectFloor = 0.01f;
// With --calibrate mixture, peaks are found down to the mixture's floor.
constexpr float kMixtureFloor = 0.05f;

// Training resamples unless a level is within 0.1 % of the model's spacing (dataset.cpp load_run); so
// does picking, so the network sees the same kind of input.
bool same_spacing(double a, double b) { return std::abs(a - b) <= 0.001 * b; }

// `offset`: where v starts in the volume the message names.
void check_finite(const Volume<float>& v, const std::string& what, const Index3& offset = {}) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v.data()[i])) {
      const int64_t k = int64_t(i), nx = v.shape().x, ny = v.shape().y;
      throw Error(what, "contains NaN or infinite voxels (first at z,y,x = " +
                            Index3{offset.z + k / (nx * ny), offset.y + (k / nx) % ny, offset.x + k % nx}.str() + ")");
    }
}

}  // namespace

PickerOptions resolve_model_folders(const PickerOptions& in) {
  PickerOptions o = in;
  if (std::none_of(in.models.begin(), in.models.end(), [](const fs::path& p) { return fs::is_directory(p); })) return o;
  if (!in.model_weights.empty() && in.model_weights.size() != in.models.size())
    throw Error("--model-weights", "one weight per --model is needed");
  o.models.clear();
  o.model_weights.clear();
  o.model_class_weights.clear();
  for (size_t i = 0; i < in.models.size(); ++i) {
    const double w = in.model_weights.empty() ? 1.0 : in.model_weights[i];
    if (!fs::is_directory(in.models[i])) {
      o.models.push_back(in.models[i]);
      o.model_weights.push_back(w);
      o.model_class_weights.push_back(i < in.model_class_weights.size() ? in.model_class_weights[i]
                                                                        : std::map<std::string, double>{});
      continue;
    }
    // A weight given for a folder scales its members' own weights.
    const auto e = read_ensemble_folder(in.models[i]);
    for (size_t k = 0; k < e.models.size(); ++k) {
      o.models.push_back(e.models[k]), o.model_weights.push_back(w * e.weights[k]);
      o.model_class_weights.push_back(k < e.class_weights.size() ? e.class_weights[k] : std::map<std::string, double>{});
    }
    if (in.models.size() == 1) {
      if (in.fusion == PickerOptions{}.fusion) o.fusion = e.fusion;
      if (in.tta.empty()) o.tta = e.tta;
      if (in.thresholds_folder.empty()) o.thresholds_folder = e.folder;
    }
  }
  return o;
}

Picker::Picker(const PickerOptions& given) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  const PickerOptions o = resolve_model_folders(given);
  m.opts = o;
  if (o.models.empty()) throw Error("--model", "no model given");
  if (!o.model_weights.empty() && o.model_weights.size() != o.models.size())
    throw Error("--model-weights", "one weight per --model is needed");
  m.device = resolve_device(o.device);
  for (size_t i = 0; i < o.models.size(); ++i) {
    m.models.push_back(nn::load_model(o.models[i], m.device));
    const auto& a = m.models.front().info;
    const auto& b = m.models.back().info;
    if (i > 0) {
      // Heatmaps are averaged voxel by voxel, so members must agree on the grid and the classes.
      if (!same_spacing(a.spacing_A, b.spacing_A))
        throw Error(o.models[i], "ensemble members must share the voxel spacing (" + std::to_string(a.spacing_A) +
                                     " vs " + std::to_string(b.spacing_A) + " Å)");
      bool same = a.classes.size() == b.classes.size();
      for (size_t k = 0; same && k < a.classes.size(); ++k) same = a.classes[k].name == b.classes[k].name;
      if (!same) throw Error(o.models[i], "ensemble members must predict the same classes in the same order");
      // One normalised input feeds every member.
      if (a.normalize != b.normalize || (a.normalize == "fixed" && (a.mean != b.mean || a.std != b.std)))
        throw Error(o.models[i], "ensemble members must normalise their input alike (data.normalize " + b.normalize +
                                     ", the first member's " + a.normalize + ")");
    }
    RunnerOptions ro;
    ro.precision = o.precision;
    const double w = o.model_weights.empty() ? 1.0 : o.model_weights[i];
    if (!(w > 0)) throw Error("--model-weights", "weights must be > 0");
    Member member{make_predictor(m.models.back().net, ro), w, b.model.head == "point", {}};
    if (i < o.model_class_weights.size() && !o.model_class_weights[i].empty()) {
      member.class_weights.assign(b.classes.size(), 1.0);
      for (const auto& [name, cw] : o.model_class_weights[i]) {
        size_t k = 0;
        while (k < b.classes.size() && b.classes[k].name != name) ++k;
        if (k == b.classes.size()) throw Error(o.models[i], "class_weights names '" + name + "', a class the model does not have");
        member.class_weights[k] = cw;
      }
    }
    m.members.push_back(std::move(member));
  }
  const auto& info = m.models.front().info;
  for (size_t k = 0; k < info.classes.size(); ++k) {
    double sum = 0;
    for (const auto& e : m.members) sum += e.weight * (e.class_weights.empty() ? 1.0 : e.class_weights[k]);
    if (!(sum > 0)) throw Error("ensemble", "class " + info.classes[k].name + " has weight 0 in every member");
  }
  validate(m.members);
  m.window.window = o.window.value_or(info.window);
  m.window.overlap = o.overlap.value_or(info.overlap);
  m.window.blend = o.blend;
  m.window.batch = o.batch;
  m.window.tta = parse_tta(o.tta.empty() ? info.tta : o.tta);
  if (o.fusion != "heatmap" && o.fusion != "wbf") throw Error("--fusion", "must be heatmap or wbf, got '" + o.fusion + "'");
  if (!o.normalize.empty()) check_normalisation_method(o.normalize, "--normalize");
  validate(m.window);
  for (const auto& [name, t] : o.thresholds) {
    bool known = false;
    for (const auto& k : info.classes) known |= k.name == name;
    if (!known) throw Error("--threshold", "the model has no class '" + name + "'");
  }
  // Thresholds tuned after training (`tomopick tune ... --out thresholds.json` beside the model file)
  // refine the ones stored in the model, which come from its validation runs.
  std::map<std::string, double> beside;
  const fs::path folder = o.thresholds_folder.empty() ? o.models.front().parent_path() : o.thresholds_folder;
  if (const auto file = folder / "thresholds.json"; fs::exists(file))
    beside = read_thresholds(file).min_scores();
  for (const auto& k : info.classes) {
    double t = o.default_threshold;
    if (auto it = o.thresholds.find(k.name); it != o.thresholds.end()) t = it->second;
    else if (auto b = beside.find(k.name); b != beside.end()) t = b->second;
    else if (k.threshold) t = *k.threshold;
    m.specs.push_back({k.name, k.radius_A, float(t), o.nms_fraction.value_or(info.nms_fraction)});
  }
  for (const auto& [name, n] : o.expected) {
    auto it = std::find_if(m.specs.begin(), m.specs.end(), [&](const auto& s) { return s.name == name; });
    if (it == m.specs.end()) throw Error("--expect", "the model has no class '" + name + "'");
    if (!(n >= 1)) throw Error("--expect", name + ": expect at least 1 particle");
    // Peaks are found down to a floor; apply_cuts cuts them back.
    m.tuned.emplace(name, o.thresholds.count(name) ? o.thresholds.at(name) : double(it->threshold));
    it->threshold = std::min(it->threshold, kExpectFloor);
  }
  if (o.calibrate != "none" && o.calibrate != "mixture")
    throw Error("--calibrate", "must be none or mixture, got '" + o.calibrate + "'");
  if (o.calibrate == "mixture")
    for (auto& s : m.specs) {
      m.tuned.emplace(s.name, o.thresholds.count(s.name) ? o.thresholds.at(s.name) : double(s.threshold));
      s.threshold = std::min(s.threshold, kMixtureFloor);
    }
}

Picker::~Picker() = default;

const nn::ModelInfo& Picker::info() const { return impl_->models.front().info; }
std::string Picker::device() const { return impl_->device; }

std::map<std::string, double> Picker::thresholds() const {
  std::map<std::string, double> t;
  for (const auto& s : impl_->specs) t[s.name] = s.threshold;
  for (const auto& [name, v] : impl_->tuned) t[name] = v;
  return t;
}

const std::vector<std::string>& Picker::warnings() const { return impl_->warnings; }

namespace {

// Per-class picks of a volume already at the models' spacing, delivered by `read_box` (normalised).
std::vector<PickSet> pick_members(Picker::Impl& m, const std::vector<Member>& members, const Shape3& shape,
                                  const Vec3& spacing, const ReadBox& read_box, int64_t read_bytes,
                                  const std::string& run, const PickProgress& progress) {
  std::vector<PickSet> out;
  for (const auto& s : m.specs) {
    PickSet set;
    set.object = s.name, set.run = run, set.user_id = m.opts.user_id, set.session_id = m.opts.session_id;
    set.voxel_spacing = spacing.x;
    out.push_back(set);
  }
  double max_r = 0;
  for (const auto& s : m.specs) max_r = std::max(max_r, s.radius_A * s.nms_fraction);
  StreamOptions so;
  so.max_memory_bytes = m.opts.max_memory_bytes;
  so.read_bytes = read_bytes;
  // Enough context beyond each slab for the peak suppression to see every neighbour.
  so.halo_vox = int64_t(std::ceil(max_r / spacing.z)) + 2;
  PickClassesOptions po;
  po.run = run, po.user_id = m.opts.user_id, po.session_id = m.opts.session_id, po.subvoxel = m.opts.subvoxel;
  po.centroid = m.opts.centroids;
  torch::NoGradGuard no_grad;
  predict_streaming(
      shape, spacing, read_box, members, m.window, so,
      [&](const std::vector<Volume<float>>& slab, const Index3& offset, const Box& core) {
        HeatmapGrid grid;
        grid.stride = 1;
        grid.input_spacing_A = spacing;
        grid.offset_vox = offset;
        const bool offsets = std::any_of(members.begin(), members.end(), [](const Member& e) { return e.offsets; });
        auto sets = pick_maps(slab, offsets, m.specs, grid, po, &core);
        for (size_t k = 0; k < sets.size(); ++k)
          out[k].points.insert(out[k].points.end(), sets[k].points.begin(), sets[k].points.end());
      },
      progress);
  for (auto& s : out) {
    std::stable_sort(s.points.begin(), s.points.end(), [](const Pick& a, const Pick& b) { return a.score > b.score; });
    for (size_t i = 0; i < s.points.size(); ++i) s.points[i].instance_id = int64_t(i);
  }
  return out;
}

std::vector<PickSet> pick_grid(Picker::Impl& m, const Shape3& shape, const Vec3& spacing, const ReadBox& read_box,
                               int64_t read_bytes, const std::string& run, const PickProgress& progress) {
  if (m.opts.fusion == "heatmap" || m.members.size() == 1)
    return pick_members(m, m.members, shape, spacing, read_box, read_bytes, run, progress);
  // WBF: every member picks alone, then each class's picks are fused within half its NMS radius.
  std::vector<std::vector<PickSet>> per_member;
  std::vector<double> weights;
  for (const auto& member : m.members) {
    per_member.push_back(pick_members(m, {member}, shape, spacing, read_box, read_bytes, run, progress));
    weights.push_back(member.weight);
  }
  std::vector<PickSet> out;
  for (size_t k = 0; k < m.specs.size(); ++k) {
    std::vector<PickSet> sets;
    for (const auto& p : per_member) sets.push_back(p[k]);
    FusionOptions fo;
    fo.match_radius_A = m.specs[k].radius_A * m.specs[k].nms_fraction;
    out.push_back(fuse_pick_sets(sets, weights, fo));
  }
  return out;
}

// The blocks a volume's statistics are summed in, in order: bands of windows (whose reading the
// memory budget counts when streaming). Summing in the same order whether the volume is in memory
// or streamed keeps the two bit-identical.
std::vector<Box> statistics_blocks(const Shape3& shape, const Shape3& window) {
  const int64_t bz = std::max<int64_t>(1, window.z), by = std::max<int64_t>(1, window.y);
  std::vector<Box> blocks;
  for (int64_t z = 0; z < shape.z; z += bz)
    for (int64_t y = 0; y < shape.y; y += by)
      blocks.push_back({{z, y, 0}, {std::min(bz, shape.z - z), std::min(by, shape.y - y), shape.x}});
  return blocks;
}

// The normalisation training applied (train/dataset.cpp normalize), unless the options ask for
// another method; fed the statistics blocks in order.
NormalisationStats normalisation_stats(const Picker::Impl& m, int64_t voxels) {
  const auto& info = m.models.front().info;
  return NormalisationStats(m.opts.normalize.empty() ? info.normalize : m.opts.normalize, voxels, info.mean, info.std);
}

// Classes whose peaks were found down to a floor are cut back: to the threshold the tomogram's own
// scores give (--calibrate mixture; the class's threshold when no mixture fits), and classes with an
// expected count keep at least their `expected` best peaks. Sets are sorted by descending score.
void apply_cuts(Picker::Impl& m, std::vector<PickSet>& sets, const std::string& run) {
  for (auto& s : sets) {
    const auto t = m.tuned.find(s.object);
    if (t == m.tuned.end()) continue;
    std::stable_sort(s.points.begin(), s.points.end(), [](const Pick& a, const Pick& b) { return a.score > b.score; });
    double cut = t->second;
    if (m.opts.calibrate == "mixture") {
      std::vector<double> scores;
      for (const auto& p : s.points) scores.push_back(p.score);
      if (const auto mt = mixture_threshold(scores, 4.0, kMixtureFloor)) {
        cut = mt->threshold;
        log::info(run + ": " + s.object + " threshold " + number_text(cut, 3) + " from its scores (~" +
                  std::to_string(std::llround(mt->mixture.particles())) + " particles among " +
                  std::to_string(mt->mixture.peaks) + " peaks; threshold " + number_text(t->second, 3) + " otherwise)");
      } else {
        log::info(run + ": " + s.object + ": too few peaks to calibrate on; threshold " + number_text(cut, 3));
      }
    }
    if (const auto e = m.opts.expected.find(s.object); e != m.opts.expected.end()) {
      const auto n = size_t(std::llround(e->second));
      if (s.points.size() >= n && n > 0) cut = std::min(cut, s.points[n - 1].score);
      else if (!s.points.empty()) cut = std::min(cut, s.points.back().score);
    }
    std::erase_if(s.points, [&](const Pick& p) { return p.score < cut; });
  }
}

// "[a, b)" voxels.
std::string range_str(int64_t a, int64_t b) { return "[" + std::to_string(a) + ", " + std::to_string(b) + ")"; }

// Picks made in a box of the tomogram, moved into the tomogram's frame (the box starts at origin_A).
std::vector<PickSet> shifted(std::vector<PickSet> sets, const Vec3& origin_A) {
  for (auto& s : sets)
    for (auto& p : s.points) p.z += origin_A.z, p.y += origin_A.y, p.x += origin_A.x;
  return sets;
}

// Warns when the tomogram (its normalised central box) looks unlike the model's training data.
void check_appearance(Picker::Impl& m, const Volume<float>& normalised_box, double source_spacing_A,
                      const std::string& what) {
  m.warnings.clear();
  const auto& range = m.models.front().info.appearance;
  m.warnings = appearance_mismatches(appearance(normalised_box, source_spacing_A), range);
  if (m.warnings.empty()) return;
  std::string list;
  for (const auto& w : m.warnings) list += (list.empty() ? "" : "; ") + w;
  log::warn(what + " looks unlike the model's training data: " + list +
            ". Scores may be lower than the model's thresholds expect: check the picks (tomopick render), "
            "give --expect NAME=N, or fine-tune on a few picks (tomopick train --init)");
}

}  // namespace

std::vector<PickSet> Picker::pick(const Volume<float>& tomogram, const std::string& run, PickProgress progress) {
  auto& m = *impl_;
  const auto& info = m.models.front().info;
  if (tomogram.shape().empty()) throw Error(run, "the tomogram is empty (" + tomogram.shape().str() + ")");
  const Vec3 sp = tomogram.spacing();
  if (!(sp.x > 0 && sp.y > 0 && sp.z > 0 && sp.x < 1e4))
    throw Error(run, "voxel spacing must be positive Å (got x " + std::to_string(sp.x) + "); give --spacing");
  check_finite(tomogram, run);
  const Vec3 target{info.spacing_A, info.spacing_A, info.spacing_A};
  Volume<float> v = (same_spacing(sp.x, target.x) && same_spacing(sp.y, target.y) && same_spacing(sp.z, target.z))
                        ? tomogram.crop({{}, tomogram.shape()})
                        : resample(tomogram, target);
  if (m.opts.invert)
    for (size_t i = 0; i < v.size(); ++i) v.data()[i] = -v.data()[i];
  auto stats = normalisation_stats(m, int64_t(v.size()));
  for (const Box& b : statistics_blocks(v.shape(), m.window.window))
    for (int64_t z = b.begin.z; z < b.end().z; ++z)
      for (int64_t y = b.begin.y; y < b.end().y; ++y) stats.add(&v(z, y, 0), b.shape.x);
  const Normalisation norm = stats.result();
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = norm.apply(v.data()[i]);
  check_appearance(m, v.crop(appearance_box(v.shape())), sp.x, run);
  const Vec3 grid_spacing = v.spacing();
  auto sets = pick_grid(m, v.shape(), grid_spacing, [&](const Box& b) { return v.crop(b); }, 0, run, progress);
  apply_cuts(m, sets, run);
  return sets;
}

std::vector<PickSet> Picker::pick(const fs::path& path, const std::string& run, PickProgress progress) {
  auto& m = *impl_;
  const auto& info = m.models.front().info;
  TomoReadOptions ro;
  ro.spacing = m.opts.spacing;
  const auto probe = probe_tomogram(path, ro);
  require_voxel_spacing(probe, "picking");
  // The finest level not finer than the models' grid needs the least resampling work; a level at
  // exactly the models' spacing is streamed straight from the file.
  const size_t level = level_for_spacing(probe, info.spacing_A);
  if (level > 0 && probe.levels.front().data_box().shape.empty())
    log::info(path.string() + ": level 0 holds no data; picking level " + std::to_string(level) + " (" +
              std::to_string(probe.levels[level].spacing.x) + " Å)");
  const auto& L = probe.levels[level];
  if (L.shape.empty()) throw Error(path, "the tomogram is empty (" + L.shape.str() + ")");
  // Only the part holding data is picked: a zarr fragment whose other chunks are missing (fill value),
  // or an MRC padded with a constant, would otherwise be normalised with, and padded by, that constant.
  const Box data = L.data_box();
  if (!(data.shape == L.shape))
    log::info(path.string() + ": only z " + range_str(data.begin.z, data.end().z) + ", y " +
              range_str(data.begin.y, data.end().y) + ", x " + range_str(data.begin.x, data.end().x) + " of level " +
              std::to_string(level) + " (" + L.shape.str() + ") holds data; the rest is " + L.outside_stored +
              ", so picking there");
  const Vec3 sp = L.spacing;
  if (!(sp.x > 0 && sp.y > 0 && sp.z > 0 && sp.x < 1e4))
    throw Error(path, "voxel spacing must be positive Å (got x " + std::to_string(sp.x) + "); give --spacing");
  ro.level = level;
  log::debug(path.string() + ": level " + std::to_string(level) + " " + L.shape.str() + " at " +
             std::to_string(sp.x) + " Å, model at " + std::to_string(info.spacing_A) + " Å");
  const bool direct = same_spacing(sp.x, info.spacing_A) && same_spacing(sp.y, info.spacing_A) &&
                      same_spacing(sp.z, info.spacing_A);
  const Vec3 target = direct ? sp : Vec3{info.spacing_A, info.spacing_A, info.spacing_A};
  const BoxResampler resampler(data.shape, sp, target);
  const Vec3 data_origin_A{double(data.begin.z) * sp.z, double(data.begin.y) * sp.y, double(data.begin.x) * sp.x};
  const Shape3 grid = resampler.output_shape();
  if (!direct && !m.opts.always_stream) {
    // Read once and resampled once when the level and its resampled copy fit: streaming reads each
    // source voxel about 2.5 times (a statistics pass, then overlapping rows of windows).
    const int64_t need = (data.shape.count() + grid.count()) * 4;
    const int64_t limit = m.opts.max_memory_bytes > 0 ? m.opts.max_memory_bytes : physical_memory_bytes() / 2;
    if (need <= limit) {
      TomoReadOptions r = ro;
      r.box = data;
      auto v = read_tomogram(path, r).to_float32();
      check_finite(v, path.string(), data.begin);
      return shifted(pick(v, run, progress), data_origin_A);
    }
  }
  // Streamed: boxes are read on demand, and when the level is not at the models' spacing each box is
  // resampled from just the source voxels it needs (the same values as resampling the whole level),
  // so no tomogram has to fit in memory.
  // The statistics pass and the rows of windows read each zarr chunk several times (a 256³ chunk
  // spans several bands), so decoded chunks are kept: two layers of chunks in z (a band may straddle
  // a boundary) serve every band of a layer, so each chunk is decoded once per pass or once in all.
  std::optional<ChunkCache> cache;
  int64_t cache_bytes = 0;
  if (!L.chunks.empty()) {
    const int64_t layers = std::min(L.shape.z, 2 * L.chunks.z) * L.shape.y * L.shape.x * int64_t(dtype_size(probe.dtype));
    const int64_t budget = m.opts.max_memory_bytes > 0 ? m.opts.max_memory_bytes / 8 : physical_memory_bytes() / 8;
    cache_bytes = std::min(layers, budget);
    cache.emplace(cache_bytes);
    ro.chunk_cache = &*cache;
  }
  auto read_grid_box = [&](const Box& b, bool check) {
    TomoReadOptions r = ro;
    r.box = direct ? b : resampler.source_box(b);
    r.box->begin = {r.box->begin.z + data.begin.z, r.box->begin.y + data.begin.y, r.box->begin.x + data.begin.x};
    auto v = read_tomogram(path, r).to_float32();
    if (check) check_finite(v, path.string(), r.box->begin);
    if (m.opts.invert)
      for (size_t i = 0; i < v.size(); ++i) v.data()[i] = -v.data()[i];
    return direct ? std::move(v) : resampler.resample(v, b);
  };
  int64_t read_bytes = 0;
  if (!direct) {
    // A band of windows read through the resampler: the source box (as read and as float) and the
    // results of the z and y passes.
    const Shape3 band{std::min(m.window.window.z, grid.z), std::min(m.window.window.y, grid.y), grid.x};
    const Box src = resampler.source_box({{(grid.z - band.z) / 2, (grid.y - band.y) / 2, 0}, band});
    read_bytes = (2 * src.shape.count() + band.z * src.shape.y * src.shape.x + band.z * band.y * src.shape.x) * 4;
  }
  read_bytes += cache_bytes;
  // One pass for the statistics (and NaNs), in the blocks and order a volume in memory is summed.
  auto stats = normalisation_stats(m, grid.count());
  for (const Box& b : statistics_blocks(grid, m.window.window)) {
    const auto v = read_grid_box(b, true);
    stats.add(v.data(), int64_t(v.size()));
  }
  const Normalisation norm = stats.result();
  auto read_normalised = [&](const Box& b) {
    auto v = read_grid_box(b, false);
    for (size_t i = 0; i < v.size(); ++i) v.data()[i] = norm.apply(v.data()[i]);
    return v;
  };
  check_appearance(m, read_normalised(appearance_box(grid)), sp.x, path.string());
  auto sets = pick_grid(m, grid, target, read_normalised, read_bytes, run, progress);
  apply_cuts(m, sets, run);
  return shifted(std::move(sets), data_origin_A);
}

fs::path default_model_path() {
  if (const char* env = std::getenv("TOMOPICK_MODEL"); env && *env) {
    if (!fs::exists(env)) throw Error(env, "TOMOPICK_MODEL names a file that does not exist");
    return env;
  }
  if (auto p = find_resource("models/default/model.pt")) return *p;
  throw Error("--model", "no model given and the built-in default (models/default/model.pt) was not found");
}

fs::path default_motor_model_path() {
  if (auto p = find_resource("models/byu/model.pt")) return *p;
  throw Error("--model", "no model given and the built-in motor model (models/byu/model.pt) was not found");
}

int64_t parse_bytes(const std::string& text, const std::string& option) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (...) {
    throw Error(option, "'" + text + "' is not a size (e.g. 4G, 512M)");
  }
  std::string unit = text.substr(pos);
  for (auto& ch : unit) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  double mult = 1;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB") mult = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TB" || unit == "TIB") mult = 1024.0 * 1024 * 1024 * 1024;
  else throw Error(option, "'" + text + "' has an unknown unit (use K, M, G or T)");
  if (!(v > 0) || !std::isfinite(v * mult)) throw Error(option, "'" + text + "' must be a positive size");
  return int64_t(v * mult);
}

}  // namespace tomopick::infer
