#include "tomopick/report/render.h"

namespace tomopick {

namespace {

RenderedSlice draw(const AnyVolume& v, const Box& box, int64_t first_index, int64_t index, const RenderOptions& opts,
                   const RenderLayers& layers) {
  RenderedSlice out;
  out.index = index;
  const GreySlice g = average_slab(v, opts.axis, box, first_index);
  out.image = grey_image(g, opts.low_percentile, opts.high_percentile, opts.size_px, out.frame);
  // Truth first, so a prediction on a particle lies on top and both marks stay visible.
  out.truth_drawn = draw_picks(out.image, out.frame, layers.truth, PickRole::truth, layers.styles, opts.marks);
  out.predictions_drawn = draw_picks(out.image, out.frame, layers.predictions, PickRole::prediction, layers.styles, opts.marks);
  if (opts.legend && !layers.styles.empty())
    out.image = with_legend(out.image, layers.styles, !layers.truth.empty(), !layers.predictions.empty(), opts.marks);
  return out;
}

int64_t along(const Index3& i, SliceAxis a) { return a == SliceAxis::z ? i.z : a == SliceAxis::y ? i.y : i.x; }

}  // namespace

RenderedSlice render_volume(const AnyVolume& v, const RenderOptions& opts, const RenderLayers& layers, const std::string& what) {
  const int64_t index = opts.index.value_or(extent(v.shape(), opts.axis) / 2);
  const Box box = slab_box(v.shape(), opts.axis, index, opts.slab, what);
  return draw(v, box, 0, index, opts, layers);
}

RenderedSlice render_tomogram(const std::filesystem::path& tomogram, const RenderOptions& opts, const RenderLayers& layers,
                              const TomoReadOptions& read) {
  TomoReadOptions r = read;
  r.box.reset();
  const TomogramInfo info = probe_tomogram(tomogram, r);
  if (r.level >= info.levels.size())
    throw Error(tomogram, "has no level " + std::to_string(r.level) + " (" + std::to_string(info.levels.size()) + " levels)");
  const Shape3 shape = info.levels[r.level].shape;
  const int64_t index = opts.index.value_or(extent(shape, opts.axis) / 2);
  const Box box = slab_box(shape, opts.axis, index, opts.slab, tomogram.string());
  r.box = box;
  const AnyVolume slab = read_tomogram(tomogram, r);
  return draw(slab, Box{{0, 0, 0}, slab.shape()}, along(box.begin, opts.axis), index, opts, layers);
}

std::vector<PickSet> sets_of_run(const std::vector<PickSet>& sets, const std::string& run) {
  std::vector<PickSet> out;
  for (const auto& s : sets)
    if (s.run == run) out.push_back(s);
  return out;
}

}  // namespace tomopick
