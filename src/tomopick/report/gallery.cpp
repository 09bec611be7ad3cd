#include "tomopick/report/gallery.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "tomopick/core/error.h"
#include "tomopick/core/log.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/report/png.h"
#include "tomopick/report/render.h"

namespace tomopick {

std::vector<int64_t> gallery_slices(const std::vector<PickSet>& sets, double spacing_z_A, int64_t depth, int count) {
  std::vector<int64_t> out;
  if (depth <= 0 || count <= 0) return out;
  std::vector<double> z;
  for (const auto& s : sets)
    for (const auto& p : s.points)
      if (std::isfinite(p.z)) z.push_back(p.z / spacing_z_A);
  std::sort(z.begin(), z.end());
  // Quantiles of the particles' z; where they coincide (few particles), evenly spaced over the
  // particles' z range; where that is too thin, evenly spaced over the depth.
  auto spaced = [&](auto position) {
    std::vector<int64_t> v;
    for (int k = 0; k < count; ++k) v.push_back(std::clamp<int64_t>(std::llround(position((k + 1.0) / (count + 1.0))), 0, depth - 1));
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  if (!z.empty()) {
    out = spaced([&](double q) { return z[size_t(std::lround(q * double(z.size() - 1)))]; });
    if (out.size() == size_t(count)) return out;
    if (z.back() - z.front() + 1 >= count) {
      out = spaced([&](double q) { return z.front() + q * (z.back() - z.front()); });
      if (out.size() == size_t(count)) return out;
    }
  }
  return spaced([&](double q) { return q * double(depth) - 0.5; });
}

Gallery make_gallery(const std::vector<std::filesystem::path>& projects, const std::vector<PickSet>& truth,
                     const std::vector<PickSet>& predictions, const ClassStyles& styles, const GalleryOptions& opts) {
  Gallery g;
  std::vector<CopickProject> open;
  for (const auto& p : projects) open.push_back(CopickProject::open(p));
  std::set<std::string> runs;
  for (const auto* sets : {&truth, &predictions})
    for (const auto& s : *sets) runs.insert(s.run);
  std::vector<std::string> without;
  for (const auto& run : runs) {
    std::optional<TomogramEntry> entry;
    for (const auto& p : open) {
      try {
        entry = p.find_tomogram(run, opts.tomo_type);
        break;
      } catch (const Error&) {
      }
    }
    if (!entry) {
      without.push_back(run);
      continue;
    }
    if (g.runs.size() >= opts.max_runs) {
      g.notes.push_back("run " + run + " not shown (at most " + std::to_string(opts.max_runs) + " runs)");
      continue;
    }
    GalleryRun gr;
    gr.run = run;
    gr.tomogram = entry->path;
    const TomogramInfo info = probe_tomogram(entry->path);
    gr.shape = info.levels.at(0).shape;
    gr.spacing_A = info.levels.at(0).spacing.z;
    RenderLayers layers;
    layers.truth = sets_of_run(truth, run);
    layers.predictions = sets_of_run(predictions, run);
    layers.styles = styles;
    RenderOptions ro;
    ro.axis = SliceAxis::z;
    ro.slab = opts.slab;
    ro.size_px = opts.size_px;
    ro.legend = false;
    const auto& where = layers.truth.empty() || count_picks(layers.truth) == 0 ? layers.predictions : layers.truth;
    for (int64_t z : gallery_slices(where, info.levels[0].spacing.z, gr.shape.z, opts.slices_per_run)) {
      ro.index = z;
      const RenderedSlice r = render_tomogram(entry->path, ro, layers);
      GalleryImage im;
      im.png = encode_png(r.image);
      im.width = r.image.width;
      im.height = r.image.height;
      im.z_index = z;
      im.z_A = r.frame.plane_A;
      im.truth_drawn = r.truth_drawn;
      im.predictions_drawn = r.predictions_drawn;
      gr.images.push_back(std::move(im));
    }
    log::info("report: drew " + std::to_string(gr.images.size()) + " slices of run " + run);
    g.runs.push_back(std::move(gr));
  }
  if (!without.empty()) {
    std::string list;
    for (size_t i = 0; i < without.size() && i < 8; ++i) list += (i ? ", " : "") + without[i];
    if (without.size() > 8) list += ", … (" + std::to_string(without.size()) + " in all)";
    g.notes.push_back("no '" + opts.tomo_type + "' tomogram for run" + (without.size() == 1 ? " " : "s ") + list);
  }
  return g;
}

}  // namespace tomopick
