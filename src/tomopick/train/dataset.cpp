#include "tomopick/train/dataset.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "tomopick/core/intensity_normalisation.h"
#include "tomopick/core/log.h"
#include "tomopick/core/resample.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/sim/random.h"

namespace tomopick::train {

using sim::Rng;

std::vector<ClassConfig> resolve_classes(const TrainConfig& c, const fs::path& project) {
  return resolve_classes(c, {project}, {}, {}, nullptr);
}

std::vector<ClassConfig> resolve_classes(const TrainConfig& c, const std::vector<fs::path>& projects,
                                         const std::vector<std::string>& labelled_names,
                                         const std::vector<std::string>& requested, const nn::ModelInfo* init) {
  std::optional<CopickConfig> cfg;
  if (!projects.empty()) cfg = CopickProject::open(projects.front()).config();
  const std::string where = projects.empty() ? std::string("training data") : projects.front().string();
  auto listed = [&](const std::string& name) -> const ClassConfig* {
    for (const auto& k : c.data.classes)
      if (k.name == name) return &k;
    return nullptr;
  };
  std::vector<ClassConfig> out;
  auto add = [&](ClassConfig k) {
    for (const auto& o : out)
      if (o.name == k.name) return;
    out.push_back(std::move(k));
  };
  if (!requested.empty()) {
    for (const auto& name : requested) add(listed(name) ? *listed(name) : ClassConfig{name});
  } else if (!c.data.classes.empty()) {
    for (const auto& k : c.data.classes) add(k);
  } else {
    if (cfg)
      for (const auto& o : cfg->objects)
        if (o.is_particle) add({o.name, o.radius, 1, default_weight(o.name) > 0});
    for (const auto& name : labelled_names) add(ClassConfig{name});
  }
  if (out.empty()) throw Error(where, "no classes to learn: the copick config lists no particle objects and none were named");
  for (auto& k : out) {
    if (k.radius_A > 0) continue;
    if (init)
      for (const auto& m : init->classes)
        if (m.name == k.name && m.radius_A > 0) k.radius_A = m.radius_A;
    if (k.radius_A > 0) continue;
    if (const auto* o = cfg ? cfg->find(k.name) : nullptr; o && o->radius > 0) {
      k.radius_A = o->radius;
    } else if (const auto* t = find_particle_type(czii_particle_types(), k.name)) {
      k.radius_A = t->radius_A;
    } else if (k.name == kMotorObject) {
      k.radius_A = 250;  // the flagellar motor's C-ring, ~45 nm across
    } else {
      throw Error(where, "class '" + k.name + "' has no radius: it is not a CZII particle" +
                             std::string(cfg ? " nor in the copick config" : "") + (init ? " nor in the initial model" : "") +
                             "; give it with --radius " + k.name + "=Å");
    }
  }
  return out;
}

TargetSpec target_spec(const TrainConfig& c, const std::vector<ClassConfig>& classes) {
  TargetSpec s;
  for (const auto& k : classes) s.classes.push_back({k.name, k.radius_A, c.targets.sigma_fraction * k.radius_A, k.scored});
  s.stride = c.model.head == "point" ? nn::kPointStride : 1;
  s.sphere_fraction = c.targets.sphere_fraction;
  s.ignore_fraction = c.targets.ignore_fraction;
  s.ignore_unscored = false;
  validate_target_spec(s);
  return s;
}

void normalize(Volume<float>& v, const DataConfig& d) {
  if (d.invert)
    for (size_t i = 0; i < v.size(); ++i) v.data()[i] = -v.data()[i];
  NormalisationStats stats(d.normalize, int64_t(v.size()), d.mean, d.std);
  stats.add(v.data(), int64_t(v.size()));
  const Normalisation n = stats.result();
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = n.apply(v.data()[i]);
}

Volume<float> load_training_image(const fs::path& tomogram, const TrainConfig& c, double* source_spacing_A,
                                  double spacing_A, std::optional<Vec3>* part_origin_A) {
  TomoReadOptions ro;
  if (spacing_A > 0) ro.spacing = Vec3{spacing_A, spacing_A, spacing_A};
  const auto info = probe_tomogram(tomogram, ro);
  ro.level = level_for_spacing(info, c.data.spacing_A);
  // Only the part that holds data: the rest of a zarr fragment is fill value, of a padded MRC a
  // constant, not background.
  const TomoLevel& L = info.levels[ro.level];
  ro.box = L.data_box();
  if (part_origin_A && !(ro.box->shape == L.shape))
    *part_origin_A = Vec3{double(ro.box->begin.z) * L.spacing.z, double(ro.box->begin.y) * L.spacing.y,
                          double(ro.box->begin.x) * L.spacing.x};
  auto vol = read_tomogram(tomogram, ro).to_float32();
  if (source_spacing_A) *source_spacing_A = vol.spacing().x;
  for (size_t i = 0; i < vol.size(); ++i)
    if (!std::isfinite(vol.data()[i])) throw Error(tomogram, "contains NaN or infinite voxels");
  const Vec3 target{c.data.spacing_A, c.data.spacing_A, c.data.spacing_A};
  auto image = vol.spacing() == target ? std::move(vol) : resample(vol, target);
  normalize(image, c.data);
  return image;
}

namespace {

// Picks moved by -origin_A into `image`, keeping those inside it; returns how many were dropped.
int64_t move_picks_into(std::vector<PickSet>& sets, const Vec3& origin_A, const Volume<float>& image) {
  const Shape3 s = image.shape();
  const Vec3 sp = image.spacing();
  const auto inside = [](double v, int64_t n) { return v >= -0.5 && v < double(n) - 0.5; };
  int64_t dropped = 0;
  for (auto& set : sets) {
    std::vector<Pick> kept;
    for (Pick p : set.points) {
      p.z -= origin_A.z, p.y -= origin_A.y, p.x -= origin_A.x;
      if (inside(p.z / sp.z, s.z) && inside(p.y / sp.y, s.y) && inside(p.x / sp.x, s.x)) kept.push_back(p);
      else ++dropped;
    }
    set.points = std::move(kept);
  }
  return dropped;
}

}  // namespace

void move_into_stored_part(TrainingRun& r, const std::optional<Vec3>& part_origin_A, const fs::path& tomogram) {
  if (!part_origin_A) return;
  const int64_t dropped = move_picks_into(r.picks, *part_origin_A, r.image);
  if (dropped > 0)
    log::info(tomogram.string() + ": " + std::to_string(dropped) + " picks lie outside the part that holds data; not used");
  std::erase_if(r.picks, [](const PickSet& s) { return s.points.empty(); });
}

TrainingRun load_run(const fs::path& project, const std::string& run, const TrainConfig& c,
                     const std::vector<ClassConfig>& classes) {
  const auto proj = CopickProject::open(project);
  TrainingRun r;
  r.project = project.string();
  r.name = run;
  std::optional<Vec3> part;
  const fs::path tomogram = proj.find_tomogram(run, c.data.tomo_type).path;
  r.image = load_training_image(tomogram, c, &r.source_spacing_A, 0, &part);
  for (const auto& k : classes) {
    for (auto& set : proj.read_picks(run, k.name, c.data.user_id, c.data.session_id))
      if (!set.points.empty()) r.picks.push_back(std::move(set));
  }
  move_into_stored_part(r, part, tomogram);
  return r;
}

std::vector<TrainingRun> load_runs(const std::vector<fs::path>& projects, const std::vector<std::string>& only,
                                   const std::vector<std::string>& exclude, const TrainConfig& c,
                                   const std::vector<ClassConfig>& classes) {
  std::vector<TrainingRun> out;
  for (const auto& p : projects) {
    const auto proj = CopickProject::open(p);
    for (const auto& run : proj.runs()) {
      if (!only.empty() && std::find(only.begin(), only.end(), run) == only.end()) continue;
      if (std::find(exclude.begin(), exclude.end(), run) != exclude.end()) continue;
      out.push_back(load_run(p, run, c, classes));
      int64_t n = 0;
      for (const auto& s : out.back().picks) n += int64_t(s.points.size());
      log::info("loaded " + p.string() + " run " + run + ": " + out.back().image.shape().str() + " voxels, " +
                std::to_string(n) + " picks");
    }
  }
  return out;
}

namespace {

// Where output voxel (z, y, x) of a transformed crop reads from: quarter turns in the x-y plane,
// then flips. Image and targets use the same map, so they stay aligned.
template <class T>
void transform_one(T* data, const Shape3& s, int k, bool fz, bool fy, bool fx, std::vector<T>& tmp) {
  tmp.assign(data, data + s.count());
  const int64_t n = s.x;  // y == x when k is odd
  for (int64_t z = 0; z < s.z; ++z) {
    const int64_t sz = fz ? s.z - 1 - z : z;
    for (int64_t y = 0; y < s.y; ++y) {
      for (int64_t x = 0; x < s.x; ++x) {
        const int64_t fy_ = fy ? s.y - 1 - y : y, fx_ = fx ? s.x - 1 - x : x;
        int64_t sy = fy_, sx = fx_;
        switch (k & 3) {
          case 1: sy = fx_, sx = n - 1 - fy_; break;
          case 2: sy = s.y - 1 - fy_, sx = s.x - 1 - fx_; break;
          case 3: sy = n - 1 - fx_, sx = fy_; break;
          default: break;
        }
        data[(z * s.y + y) * s.x + x] = tmp[(sz * s.y + sy) * s.x + sx];
      }
    }
  }
}

template <class T>
void transform_all(T* data, int channels, const Shape3& s, int k, bool fz, bool fy, bool fx) {
  if ((k & 1) && s.y != s.x) throw Error("transform_crop: quarter turns need a square crop in y and x, got " + s.str());
  if ((k & 3) == 0 && !fz && !fy && !fx) return;
  std::vector<T> tmp;
  for (int c = 0; c < channels; ++c) transform_one(data + c * s.count(), s, k, fz, fy, fx, tmp);
}

// A separable Gaussian blur of σ voxels in place (edges clamped).
void blur_in_place(float* v, const Shape3& s, double sigma) {
  if (!(sigma > 0.05)) return;
  const int r = int(std::ceil(3 * sigma));
  std::vector<float> k(size_t(2 * r + 1));
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[size_t(i + r)] = float(std::exp(-0.5 * i * i / (sigma * sigma)));
  for (auto& w : k) w = float(w / sum);
  const int64_t n[3] = {s.z, s.y, s.x}, stride[3] = {s.y * s.x, s.x, 1};
  std::vector<float> line;
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t len = n[axis], st = stride[axis];
    line.resize(size_t(len));
    for (int64_t base = 0; base < s.count(); ++base) {
      // Each line starts where its axis index is 0.
      if ((base / st) % len != 0) continue;
      for (int64_t i = 0; i < len; ++i) line[size_t(i)] = v[base + i * st];
      for (int64_t i = 0; i < len; ++i) {
        float acc = 0;
        for (int j = -r; j <= r; ++j) acc += k[size_t(j + r)] * line[size_t(std::clamp<int64_t>(i + j, 0, len - 1))];
        v[base + i * st] = acc;
      }
    }
  }
}

// λ ~ U(0.5, 1): the crop keeps the upper hand, so its particles stay the strongest peaks.
double mixup_lambda(Rng& rng) { return 0.5 + 0.5 * rng.uniform(); }

}  // namespace

Vec3 transform_point(const Vec3& p, const Shape3& s, int k, bool fz, bool fy, bool fx) {
  // transform_one's map inverted: output (y, x) reads source (sy, sx) = R(fy_, fx_), so the source
  // point p lands at (fy_, fx_) = R^-1(p), then the flips.
  const double n = double(s.x), ny = double(s.y), nx = double(s.x);
  double fy_ = p.y, fx_ = p.x;
  switch (k & 3) {
    case 1: fx_ = p.y, fy_ = n - 1 - p.x; break;
    case 2: fy_ = ny - 1 - p.y, fx_ = nx - 1 - p.x; break;
    case 3: fy_ = p.x, fx_ = n - 1 - p.y; break;
    default: break;
  }
  return {fz ? double(s.z) - 1 - p.z : p.z, fy ? ny - 1 - fy_ : fy_, fx ? nx - 1 - fx_ : fx_};
}

void transform_crop(float* data, int channels, const Shape3& s, int k, bool fz, bool fy, bool fx) {
  transform_all(data, channels, s, k, fz, fy, fx);
}
void transform_crop(uint8_t* data, int channels, const Shape3& s, int k, bool fz, bool fy, bool fx) {
  transform_all(data, channels, s, k, fz, fy, fx);
}

CropSampler::CropSampler(const std::vector<TrainingRun>& runs, const TrainConfig& c,
                         const std::vector<ClassConfig>& classes, int64_t first_crop)
    : runs_(runs), cfg_(c), spec_(target_spec(c, classes)), first_crop_(first_crop) {
  if (runs_.empty()) throw Error("training data", "no runs to train on");
  for (size_t i = 0; i < runs_.size(); ++i) (runs_[i].from_pick_file ? from_pick_files_ : from_projects_).push_back(i);
}

const TrainingRun& CropSampler::draw_run(Rng& rng) const {
  const double share = cfg_.data.picks_share;
  // Without a share, or with only one kind of data, every run is equally likely (the same draws as always).
  if (share < 0 || from_projects_.empty() || from_pick_files_.empty())
    return runs_[size_t(rng.uniform_int(0, int64_t(runs_.size()) - 1))];
  const auto& group = rng.uniform() < share ? from_pick_files_ : from_projects_;
  return runs_[group[size_t(rng.uniform_int(0, int64_t(group.size()) - 1))]];
}

void CropSampler::make_crop(uint64_t seed, Placement where, float* image, float* target, uint8_t* labels) const {
  Rng rng(seed);
  const auto& crop = cfg_.data.crop;
  const auto& run = draw_run(rng);
  const auto shape = run.image.shape();
  const Vec3 sp = run.image.spacing();
  auto random_begin = [&](int64_t n, int64_t c) { return n > c ? rng.uniform_int(0, n - c) : -(c - n) / 2; };
  Index3 begin{random_begin(shape.z, crop.z), random_begin(shape.y, crop.y), random_begin(shape.x, crop.x)};
  std::vector<const PickSet*> with_picks;
  for (const auto& s : run.picks)
    if (!s.points.empty()) with_picks.push_back(&s);
  const bool near_particle = !with_picks.empty() && rng.uniform() < cfg_.data.particle_fraction;
  const bool centre = where == Placement::particle || (where == Placement::by_fraction && near_particle);
  if (!with_picks.empty() && centre) {
    // A class first, then one of its particles, so rare classes are seen as often as common ones;
    // the particle lands anywhere in the crop's central 3/4.
    const auto& set = *with_picks[size_t(rng.uniform_int(0, int64_t(with_picks.size()) - 1))];
    const auto& p = set.points[size_t(rng.uniform_int(0, int64_t(set.points.size()) - 1))];
    auto place = [&](double pos_A, double spacing, int64_t n, int64_t c) {
      const int64_t v = int64_t(std::lround(pos_A / spacing));
      const int64_t m = c / 8;
      int64_t b = v - rng.uniform_int(m, c - 1 - m);
      return n > c ? std::clamp<int64_t>(b, 0, n - c) : -(c - n) / 2;
    };
    begin = {place(p.z, sp.z, shape.z, crop.z), place(p.y, sp.y, shape.y, crop.y), place(p.x, sp.x, shape.x, crop.x)};
  }
  const Box box{begin, crop};
  const auto img = run.image.crop(box, 0.0f);  // 0 = the normalised mean outside the tomogram
  std::copy_n(img.data(), crop.count(), image);
  const int nc = int(spec_.classes.size());
  const bool point = cfg_.model.head == "point";
  if (target && !point) {
    const auto maps = cfg_.targets.kind == "sphere" ? sphere_masks(box, sp, run.picks, spec_)
                                                    : gaussian_heatmaps(box, sp, run.picks, spec_);
    for (int c = 0; c < nc; ++c) std::copy_n(maps[size_t(c)].data(), crop.count(), target + c * crop.count());
  }
  if (labels) {
    const auto lab = label_volume(box, sp, run.picks, spec_);
    std::copy_n(lab.data(), crop.count(), labels);
  }

  const auto& a = cfg_.augment;
  const int k = a.rot90 ? int(rng.uniform_int(0, 3)) : 0;
  const bool fz = a.flips && rng.uniform() < 0.5 && a.flip_z, fy = a.flips && rng.uniform() < 0.5, fx = a.flips && rng.uniform() < 0.5;
  transform_crop(image, 1, crop, k, fz, fy, fx);
  if (target && !point) transform_crop(target, nc, crop, k, fz, fy, fx);
  if (target && point) {
    // Offsets are vectors: the picks are moved with the crop and the targets made afterwards.
    std::vector<PickSet> moved;
    // Picks farther outside the crop than any assignment reaches (targets.h) assign no voxel.
    double margin = 2.0 * nn::kPointStride;
    for (const auto& c : spec_.classes)
      margin = std::max(margin, spec_.sphere_fraction * c.radius_A / std::min({sp.z, sp.y, sp.x}) + 2.0 * nn::kPointStride);
    for (const auto& set : run.picks) {
      PickSet m;
      m.object = set.object;
      for (const Pick& p : set.points) {
        const Vec3 v{p.z / sp.z - double(begin.z), p.y / sp.y - double(begin.y), p.x / sp.x - double(begin.x)};
        if (v.z < -margin || v.y < -margin || v.x < -margin || v.z > double(crop.z) + margin ||
            v.y > double(crop.y) + margin || v.x > double(crop.x) + margin)
          continue;
        const Vec3 w = transform_point(v, crop, k, fz, fy, fx);
        Pick q = p;
        q.z = w.z * sp.z, q.y = w.y * sp.y, q.x = w.x * sp.x;
        m.points.push_back(q);
      }
      if (!m.points.empty()) moved.push_back(std::move(m));
    }
    const auto t = point_targets({{0, 0, 0}, crop}, sp, moved, spec_);
    const int64_t n = t.dz.shape().count();
    for (int c = 0; c < nc; ++c) std::copy_n(t.quality[size_t(c)].data(), n, target + c * n);
    std::copy_n(t.dz.data(), n, target + nc * n);
    std::copy_n(t.dy.data(), n, target + (nc + 1) * n);
    std::copy_n(t.dx.data(), n, target + (nc + 2) * n);
  }
  if (labels) transform_crop(labels, 1, crop, k, fz, fy, fx);
  const float scale = float(1 + rng.uniform(-a.intensity_scale, a.intensity_scale));
  const float shift = float(rng.uniform(-a.intensity_shift, a.intensity_shift));
  const float noise = float(a.noise);
  // Domain randomisation draws come from their own stream, so configs without it crop exactly as before.
  Rng dr(sim::derive_seed(seed, 0xd0a1));
  if (a.blur > 0 && dr.uniform() < 0.5) blur_in_place(image, crop, dr.uniform(0, a.blur));
  if (a.contrast > 0) {
    double mean = 0;
    for (int64_t i = 0; i < crop.count(); ++i) mean += image[i];
    mean /= double(crop.count());
    const float c = float(dr.uniform(1 - a.contrast, 1 + a.contrast)), m = float(mean);
    for (int64_t i = 0; i < crop.count(); ++i) image[i] = m + c * (image[i] - m);
  }
  if (a.noise_colour > 0 && noise > 0) {
    // Coloured noise: smoothed, then scaled back to the asked-for standard deviation.
    std::vector<float> nz(static_cast<size_t>(crop.count()));
    for (auto& x : nz) x = float(dr.normal());
    const double sigma = dr.uniform(0, a.noise_colour);
    blur_in_place(nz.data(), crop, sigma);
    double s2 = 0;
    for (float x : nz) s2 += double(x) * x;
    const float norm = s2 > 0 ? float(std::sqrt(double(crop.count()) / s2)) : 0.0f;
    for (int64_t i = 0; i < crop.count(); ++i) image[i] = image[i] * scale + shift + noise * norm * nz[size_t(i)];
    return;
  }
  for (int64_t i = 0; i < crop.count(); ++i) {
    float v = image[i] * scale + shift;
    if (noise > 0) v += noise * float(rng.normal());
    image[i] = v;
  }
}

Batch CropSampler::make_batch(int64_t step) const {
  Batch b;
  b.step = step;
  b.batch = cfg_.train.batch;
  b.classes = int(spec_.classes.size());
  b.crop = cfg_.data.crop;
  const int64_t n = b.crop.count();
  const bool seg = cfg_.model.head == "segmentation";
  const bool point = cfg_.model.head == "point";
  b.target_channels = point ? b.classes + 3 : b.classes;
  b.target_shape = point ? target_shape({{0, 0, 0}, b.crop}, spec_.stride) : b.crop;
  const int64_t tn = b.target_shape.count();
  b.images.resize(size_t(b.batch * n));
  b.marginal.assign(size_t(b.batch), 0.0f);
  const bool pu = cfg_.loss.kind == "nnpu";
  if (seg) b.labels.resize(size_t(b.batch * n));
  else b.targets.resize(size_t(b.batch * b.target_channels * tn));
  for (int i = 0; i < b.batch; ++i) {
    const int64_t crop_index = first_crop_ + i;  // in the step's whole batch, over every rank
    const uint64_t seed = sim::derive_seed(cfg_.train.seed, uint64_t(step), uint64_t(crop_index));
    float* img = b.images.data() + i * n;
    float* tgt = seg ? nullptr : b.targets.data() + i * b.target_channels * tn;
    uint8_t* lab = seg ? b.labels.data() + i * n : nullptr;
    // Positive-unlabelled training alternates crops centred on labels with uniform ones.
    const auto where = !pu ? Placement::by_fraction : crop_index % 2 == 0 ? Placement::particle : Placement::uniform;
    if (where == Placement::uniform) b.marginal[size_t(i)] = 1;
    make_crop(seed, where, img, tgt, lab);
    Rng rng(sim::derive_seed(seed, 1));
    // Mixup blends images and soft targets; labels are hard, so segmentation keeps them unmixed.
    if (!seg && cfg_.augment.mixup > 0 && rng.uniform() < cfg_.augment.mixup) {
      std::vector<float> img2(static_cast<size_t>(n)), tgt2(static_cast<size_t>(b.classes * n));
      make_crop(sim::derive_seed(seed, 2), where, img2.data(), tgt2.data(), nullptr);
      const float lam = float(mixup_lambda(rng));
      for (int64_t j = 0; j < n; ++j) img[j] = lam * img[j] + (1 - lam) * img2[size_t(j)];
      for (int64_t j = 0; j < b.classes * n; ++j) tgt[j] = lam * tgt[j] + (1 - lam) * tgt2[size_t(j)];
    }
  }
  return b;
}

BatchQueue::BatchQueue(const CropSampler& sampler, int64_t first, int64_t last, int workers, int prefetch)
    : sampler_(sampler), next_to_make_(first), next_to_give_(first), last_(last), prefetch_(std::max(1, prefetch)) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { work(); });
}

BatchQueue::~BatchQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void BatchQueue::work() {
  for (;;) {
    int64_t step;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || next_to_make_ >= last_ || next_to_make_ < next_to_give_ + prefetch_; });
      if (stop_ || next_to_make_ >= last_) return;
      step = next_to_make_++;
    }
    try {
      Batch b = sampler_.make_batch(step);
      std::lock_guard<std::mutex> lock(mu_);
      ready_.emplace(step, std::move(b));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    cv_.notify_all();
  }
}

Batch BatchQueue::next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (next_to_give_ >= last_) throw Error("BatchQueue::next: no batches left");
  cv_.wait(lock, [&] { return error_ || ready_.count(next_to_give_); });
  if (error_) std::rethrow_exception(error_);
  auto it = ready_.find(next_to_give_);
  Batch b = std::move(it->second);
  ready_.erase(it);
  ++next_to_give_;
  lock.unlock();
  cv_.notify_all();
  return b;
}

}  // namespace tomopick::train
