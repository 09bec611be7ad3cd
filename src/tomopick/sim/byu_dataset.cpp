#include "tomopick/sim/byu_dataset.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/progress.h"
#include "tomopick/io/slice_stack.h"
#include "tomopick/sim/bacteria.h"
#include "tomopick/sim/random.h"
#include "tomopick/sim/simulate.h"

namespace tomopick::sim {

namespace {

// The voxel spacings of the BYU 2025 training tomograms cluster on a few microscope settings.
constexpr double kByuSpacings[] = {6.5, 9.9, 13.1, 15.6, 16.1, 16.8, 19.7};

}  // namespace

SimConfig byu_tomogram_config(const SimConfig& base, const ByuSimOptions& o, int index) {
  SimConfig c = base;
  Rng rng(derive_seed(o.seed, uint64_t(index), 0xb1c));
  const double spacing = kByuSpacings[rng.uniform_int(0, int64_t(std::size(kByuSpacings)) - 1)];
  const Shape3 shape{rng.uniform_int(300, 500), rng.uniform_int(560, 960), rng.uniform_int(560, 960)};
  c.spacing = o.spacing ? *o.spacing : spacing;
  c.shape = o.shape ? *o.shape : shape;
  c.slab_thickness = 0.85 * double(c.shape.z) * c.spacing;
  return c;
}

std::string byu_tomo_id(uint64_t seed, int index) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "tomo_%06llx",
                static_cast<unsigned long long>(derive_seed(seed, uint64_t(index), 0x1d) & 0xffffff));
  return buf;
}

Volume<uint8_t> quantise_8bit(const Volume<float>& v, double low, double high) {
  // Percentiles of a strided sample: exact enough for a contrast stretch, and fast on 300 M voxels.
  const size_t n = v.size(), step = std::max<size_t>(1, n / 2'000'000);
  std::vector<float> sample;
  for (size_t i = 0; i < n; i += step) sample.push_back(v.data()[i]);
  auto pct = [&](double q) {
    const size_t k = std::min(sample.size() - 1, size_t(q / 100 * double(sample.size() - 1)));
    std::nth_element(sample.begin(), sample.begin() + ptrdiff_t(k), sample.end());
    return double(sample[k]);
  };
  const double lo = pct(low), hi = pct(high);
  const double scale = hi > lo ? 255.0 / (hi - lo) : 0.0;
  Volume<uint8_t> out(v.shape(), v.spacing());
  for (size_t i = 0; i < n; ++i)
    out.data()[i] = uint8_t(std::clamp(std::lround((double(v.data()[i]) - lo) * scale), 0L, 255L));
  return out;
}

std::vector<MotorLabel> simulate_byu_dataset(const SimConfig& base, const ByuSimOptions& o) {
  if (base.specimen != "bacteria") throw Error("simulate: the BYU layout needs the byu preset (bacteria with motors)");
  if (o.tomograms < 1) throw Error("simulate: --runs must be at least 1 (got " + std::to_string(o.tomograms) + ")");
  if (o.out.empty()) throw Error("simulate: no output folder given");
  fs::path out = o.out.lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  std::error_code ec;
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec))) {
    if (!o.overwrite) throw Error(out, "already exists (pass --overwrite to replace it)");
    if (!fs::exists(out / "train_labels.csv")) throw Error(out, "exists and is not a BYU data set; refusing to replace it");
  }
  // Every tomogram's config is checked before the first is simulated.
  for (int i = 0; i < o.tomograms; ++i) validate(byu_tomogram_config(base, o, i));
  AtomicDir dir(out);
  std::vector<MotorLabel> labels;
  std::set<std::string> ids;
  std::optional<Progress> bar;
  if (o.tomograms > 1) bar.emplace("simulate", o.tomograms, "tomogram");
  for (int i = 0; i < o.tomograms; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const SimConfig c = byu_tomogram_config(base, o, i);
    std::string id = byu_tomo_id(o.seed, i);
    for (int k = 1; ids.count(id); ++k) id = byu_tomo_id(o.seed + uint64_t(k) * 0x9e3779b9ull, i);
    ids.insert(id);
    SimulatedRun r = simulate_run(c, o.seed, i, id);
    write_slice_stack(dir.path() / "train" / id, AnyVolume(quantise_8bit(r.denoised)), "jpg");
    std::vector<MotorLabel> mine;
    for (const auto& obj : r.sample.objects)
      if (obj.name == kMotorName) {
        MotorLabel m;
        m.tomo_id = id;
        m.z = obj.centre.z / c.spacing, m.y = obj.centre.y / c.spacing, m.x = obj.centre.x / c.spacing;
        mine.push_back(m);
      }
    if (mine.empty()) mine.push_back(MotorLabel{id});
    for (auto& m : mine) {
      m.shape_z = c.shape.z, m.shape_y = c.shape.y, m.shape_x = c.shape.x;
      m.voxel_spacing = c.spacing;
      m.motor_count = mine.front().has_motor() ? int64_t(mine.size()) : 0;
      labels.push_back(m);
    }
    spdlog::info("simulated {} ({} motor(s), {} at {} Å, defocus {:.1f} µm) in {:.1f} s", id,
                 mine.front().has_motor() ? mine.size() : 0, c.shape.str(), c.spacing, r.exposure.defocus_A / 1e4,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (bar) bar->update(i + 1);
  }
  if (bar) bar->finish();
  write_byu_labels(dir.path() / "train_labels.csv", labels);
  dir.commit();
  return labels;
}

}  // namespace tomopick::sim
