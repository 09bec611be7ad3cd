#include "tomopick/train/labelled_data.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <sstream>

#include "tomopick/core/error.h"
#include "tomopick/core/number_text.h"
#include "tomopick/core/log.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/sim/random.h"

namespace tomopick::train {

namespace {

std::string objects_in(const std::vector<PickSet>& sets) {
  std::string s;
  for (const auto& [name, n] : count_picks_by_object(sets)) s += (s.empty() ? "" : ", ") + name + " (" + std::to_string(n) + ")";
  return s.empty() ? "none" : s;
}

}  // namespace

void check_picks_inside(const std::vector<PickSet>& sets, const Shape3& shape, const Vec3& spacing,
                        const fs::path& file) {
  const double n[3] = {double(shape.x), double(shape.y), double(shape.z)};
  const double sp[3] = {spacing.x, spacing.y, spacing.z};
  size_t count = 0;
  bool all_within_voxel_range = true;
  for (const auto& s : sets)
    for (const auto& p : s.points) {
      ++count;
      const double c[3] = {p.x, p.y, p.z};
      for (int a = 0; a < 3; ++a) all_within_voxel_range &= c[a] >= -0.5 && c[a] <= n[a];
    }
  // Å picks all inside the first 1/spacing of every axis are very unlikely; voxel indices always are.
  if (count >= 3 && all_within_voxel_range && std::min({sp[0], sp[1], sp[2]}) >= 2)
    throw Error(file, "the picks look like voxel indices, not Å: all " + std::to_string(count) +
                          " lie within 0.." + std::to_string(shape.x) + " x 0.." + std::to_string(shape.y) + " x 0.." +
                          std::to_string(shape.z) + ", the tomogram's size in voxels (x, y, z); tomopick reads Å (voxel x " +
                          number_text(spacing.x, 4) + " Å): convert the file, e.g. multiply the coordinates by " + number_text(spacing.x, 4));
  for (const auto& s : sets)
    for (size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      const double c[3] = {p.x, p.y, p.z};
      for (int a = 0; a < 3; ++a) {
        const double lo = -0.5 * sp[a], hi = (n[a] - 0.5) * sp[a];
        if (!(c[a] >= lo && c[a] <= hi))
          throw Error(file, s.object + " pick " + std::to_string(i + 1) + " at (x, y, z) = (" + number_text(p.x, 6) + ", " +
                                number_text(p.y, 6) + ", " + number_text(p.z, 6) + ") Å lies outside the tomogram (" + number_text(n[0] * sp[0], 6) +
                                " x " + number_text(n[1] * sp[1], 6) + " x " + number_text(n[2] * sp[2], 6) + " Å, x y z)");
      }
    }
}

std::vector<PickSet> read_labelled_picks(const LabelledTomogram& t, const Shape3& shape, const Vec3& spacing) {
  const std::string run = tomogram_name(t.tomogram);
  PickReadOptions ro;
  ro.csv.run = run;
  if (!t.object.empty()) ro.csv.object = t.object, ro.star.object = t.object;
  ro.star.run = run;
  ro.star.tomograms[kAnyRun] = {shape.x, shape.y, shape.z, spacing.x};
  ro.star.pixel_spacing_A = spacing.x;
  ro.voxel_spacing_A = spacing.x;
  auto sets = read_picks(t.picks, ro);
  // A file of several runs: the one named like the tomogram, or else its only run.
  std::vector<std::string> runs;
  for (const auto& s : sets)
    if (std::find(runs.begin(), runs.end(), s.run) == runs.end()) runs.push_back(s.run);
  std::string use = run;
  if (std::find(runs.begin(), runs.end(), run) == runs.end()) {
    if (runs.size() != 1) {
      std::string list;
      for (const auto& r : runs) list += (list.empty() ? "" : ", ") + r;
      throw Error(t.picks, "holds picks of several runs (" + list + ") and none is named '" + run +
                               "' like the tomogram " + t.tomogram.string());
    }
    use = runs.front();
  }
  std::vector<PickSet> out;
  for (auto& s : sets) {
    if (s.run != use || s.points.empty()) continue;
    if (!t.object.empty() && s.object != t.object) continue;
    s.run = run;
    out.push_back(std::move(s));
  }
  if (out.empty() && t.may_lack_picks) return out;
  if (out.empty())
    throw Error(t.picks, t.object.empty() ? "holds no picks"
                                          : "holds no picks of '" + t.object + "' (it has: " + objects_in(sets) + ")");
  check_picks_inside(out, shape, spacing, t.picks);
  return out;
}

std::vector<std::string> labelled_class_names(const std::vector<LabelledTomogram>& data) {
  std::vector<std::string> names;
  for (const auto& t : data) {
    std::vector<std::string> objects;
    if (!t.object.empty()) {
      objects.push_back(t.object);
    } else {
      PickReadOptions ro;
      ro.csv.run = tomogram_name(t.tomogram);
      ro.star.pixel_spacing_A = 1;  // only the names matter here
      ro.star.tomograms[kAnyRun] = {1, 1, 1, 1};
      ro.voxel_spacing_A = 1;
      for (const auto& s : read_picks(t.picks, ro)) objects.push_back(s.object);
    }
    for (const auto& o : objects)
      if (std::find(names.begin(), names.end(), o) == names.end()) names.push_back(o);
  }
  return names;
}

std::vector<TrainingRun> load_labelled_runs(const std::vector<LabelledTomogram>& data, const TrainConfig& c,
                                            const std::vector<ClassConfig>& classes) {
  std::vector<TrainingRun> out;
  for (const auto& t : data) {
    TomoReadOptions ro;
    if (t.spacing_A > 0) ro.spacing = Vec3{t.spacing_A, t.spacing_A, t.spacing_A};
    const auto info = probe_tomogram(t.tomogram, ro);
    require_voxel_spacing(info, "training (to place the picks in Å and resample to the model's grid)");
    const auto picks = read_labelled_picks(t, info.levels[0].shape, info.levels[0].spacing);
    TrainingRun r;
    r.project = t.tomogram.string();
    r.name = tomogram_name(t.tomogram);
    r.from_pick_file = true;
    for (const auto& s : picks) {
      bool wanted = false;
      for (const auto& k : classes) wanted |= k.name == s.object;
      if (wanted) r.picks.push_back(s);
    }
    std::optional<Vec3> part;
    r.image = load_training_image(t.tomogram, c, &r.source_spacing_A, t.spacing_A, &part);
    move_into_stored_part(r, part, t.tomogram);
    log::info("loaded " + t.tomogram.string() + ": " + r.image.shape().str() + " voxels at " + number_text(c.data.spacing_A, 4) +
              " Å, " + std::to_string(count_picks(r.picks)) + " picks from " + t.picks.string());
    out.push_back(std::move(r));
  }
  return out;
}

void hold_out_picks(std::vector<TrainingRun>& runs, double fraction, uint64_t seed) {
  if (!(fraction > 0)) return;
  for (size_t r = 0; r < runs.size(); ++r) {
    auto& run = runs[r];
    for (size_t k = 0; k < run.picks.size(); ++k) {
      auto& set = run.picks[k];
      const int64_t n = int64_t(set.points.size());
      int64_t take = std::llround(fraction * double(n));
      if (n >= 4) take = std::max<int64_t>(take, 1);
      take = std::min(take, n - 1);
      if (take <= 0) continue;
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), 0);
      sim::Rng rng(sim::derive_seed(sim::derive_seed(seed, 0x401d), r, k));
      for (int64_t i = n - 1; i > 0; --i) std::swap(order[size_t(i)], order[size_t(rng.uniform_int(0, i))]);
      std::vector<bool> held(static_cast<size_t>(n), false);
      for (int64_t i = 0; i < take; ++i) held[size_t(order[size_t(i)])] = true;
      PickSet kept = set, back = set;
      kept.points.clear(), back.points.clear();
      for (int64_t i = 0; i < n; ++i) (held[size_t(i)] ? back : kept).points.push_back(set.points[size_t(i)]);
      set = std::move(kept);
      run.held_out.push_back(std::move(back));
    }
  }
}

std::vector<LabelledTomogram> byu_training_data(const fs::path& folder, const fs::path& labels) {
  const auto rows = read_byu_labels(labels);
  std::vector<LabelledTomogram> out;
  std::set<std::string> listed;
  for (const auto& l : rows) {
    if (!listed.insert(l.tomo_id).second) continue;
    const fs::path t = folder / l.tomo_id;
    if (!fs::is_directory(t)) throw Error(labels, "lists tomogram " + l.tomo_id + ", which " + folder.string() + " lacks");
    if (!(l.voxel_spacing > 0)) throw Error(labels, "gives tomogram " + l.tomo_id + " no voxel spacing");
    out.push_back({t, labels, kMotorObject, l.voxel_spacing, true});
  }
  for (const auto& e : fs::directory_iterator(folder))
    if (e.is_directory() && !listed.count(e.path().filename().string()))
      throw Error(labels, "has no row for tomogram " + e.path().filename().string() + " of " + folder.string() +
                              " (a tomogram without a motor still has one, with -1s)");
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tomogram < b.tomogram; });
  return out;
}

}  // namespace tomopick::train
