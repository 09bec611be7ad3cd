#include "tomopick/report/overlay.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "tomopick/core/error.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/report/draw.h"

namespace tomopick {

const std::vector<Rgb>& distinct_palette() {
  // Sasha Trubetskoy's "20 distinct colours", the ten that read best on mid grey.
  static const std::vector<Rgb> p = {{230, 25, 75},  {60, 180, 75},  {255, 225, 25}, {0, 130, 200},  {245, 130, 48},
                                     {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}, {250, 190, 212}};
  return p;
}

std::vector<std::string> object_names(const std::vector<PickSet>& sets) {
  std::set<std::string> names;
  for (const auto& s : sets) names.insert(s.object);
  return {names.begin(), names.end()};
}

ClassStyles make_class_styles(std::vector<std::string> names, const CopickConfig* config,
                              const std::map<std::string, double>& radius_A) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  ClassStyles out;
  size_t next_colour = 0;
  for (const auto& n : names) {
    ClassStyle s;
    s.name = n;
    const PickableObject* obj = config ? config->find(n) : nullptr;
    if (obj) {
      s.colour = {uint8_t(std::clamp(obj->color[0], 0, 255)), uint8_t(std::clamp(obj->color[1], 0, 255)),
                  uint8_t(std::clamp(obj->color[2], 0, 255))};
    } else {
      s.colour = distinct_palette()[next_colour++ % distinct_palette().size()];
    }
    if (auto it = radius_A.find(n); it != radius_A.end()) s.radius_A = it->second;
    else if (obj && obj->radius > 0) s.radius_A = obj->radius;
    else if (const auto* t = find_particle_type(czii_particle_types(), n)) s.radius_A = t->radius_A;
    else s.radius_A = kFallbackRadiusA;
    out.push_back(s);
  }
  return out;
}

const ClassStyle* find_style(const ClassStyles& styles, const std::string& name) {
  for (const auto& s : styles)
    if (s.name == name) return &s;
  return nullptr;
}

int64_t draw_picks(RgbImage& img, const SliceFrame& frame, const std::vector<PickSet>& sets, PickRole role,
                   const ClassStyles& styles, const MarkStyle& mark) {
  int64_t drawn = 0;
  for (const auto& set : sets) {
    const ClassStyle* st = find_style(styles, set.object);
    if (!st) throw Error("picks of run " + set.run + ": no colour or radius for class '" + set.object + "'");
    const double r = st->radius_A;
    for (const auto& p : set.points) {
      const auto pt = frame.project(p.x, p.y, p.z);
      if (!(std::abs(pt.offset_A) <= r)) continue;  // also skips NaN
      const double section_A = std::sqrt(r * r - pt.offset_A * pt.offset_A);
      const double rx = section_A / frame.col_spacing_A * frame.col_scale;
      const double ry = section_A / frame.row_spacing_A * frame.row_scale;
      // Off-image centres whose ring cannot reach the picture are not counted.
      if (pt.col + rx < -1 || pt.row + ry < -1 || pt.col - rx > img.width || pt.row - ry > img.height) continue;
      if (role == PickRole::prediction) {
        draw_ring(img, pt.col, pt.row, rx, ry, mark.ring_px, st->colour);
        fill_disc(img, pt.col, pt.row, mark.dot_px, st->colour);
      } else {
        draw_ring(img, pt.col, pt.row, rx, ry, mark.truth_ring_px, st->colour, mark.dash_px);
        draw_cross(img, pt.col, pt.row, mark.cross_px, mark.truth_ring_px, st->colour);
      }
      ++drawn;
    }
  }
  return drawn;
}

RgbImage with_legend(const RgbImage& img, const ClassStyles& styles, bool truth, bool predictions, const MarkStyle& mark) {
  const int s = img.width >= 360 ? 2 : 1;
  const Rgb background{28, 30, 34}, text{225, 228, 232}, neutral{235, 235, 235};
  const int64_t R = 5 * s, pad = 4 * s, gap = 3 * s, line_h = 2 * R + 2 * pad;
  struct Item {
    int kind;  // 0 class, 1 prediction, 2 truth
    std::string label;
    Rgb colour;
    int64_t width;
  };
  std::vector<Item> items;
  auto add = [&](int kind, const std::string& label, Rgb c) {
    items.push_back({kind, label, c, 2 * R + gap + text_width(label, s) + 3 * pad});
  };
  for (const auto& st : styles) add(0, st.name, st.colour);
  if (predictions) add(1, "pick", neutral);
  if (truth) add(2, "truth", neutral);

  // Greedy line filling.
  std::vector<std::vector<const Item*>> lines(1);
  int64_t used = pad;
  for (const auto& it : items) {
    if (used + it.width > img.width && !lines.back().empty()) {
      lines.emplace_back();
      used = pad;
    }
    lines.back().push_back(&it);
    used += it.width;
  }
  RgbImage out(img.width, img.height + int64_t(lines.size()) * line_h + pad, background);
  std::copy(img.pixels.begin(), img.pixels.end(), out.pixels.begin());
  MarkStyle m = mark;
  for (size_t l = 0; l < lines.size(); ++l) {
    int64_t x = pad;
    const double cy = double(img.height + pad / 2 + int64_t(l) * line_h + line_h / 2);
    for (const Item* it : lines[l]) {
      const double cx = double(x + R);
      if (it->kind == 0) {
        fill_disc(out, cx, cy, R + 1, neutral);  // a light rim, so dark class colours show on the strip
        fill_disc(out, cx, cy, R, it->colour);
      } else if (it->kind == 1) {
        draw_ring(out, cx, cy, R, R, m.ring_px, it->colour);
        fill_disc(out, cx, cy, m.dot_px, it->colour);
      } else {
        draw_ring(out, cx, cy, R, R, m.truth_ring_px, it->colour, std::max(2.0, R * 0.6));
        draw_cross(out, cx, cy, std::min<double>(m.cross_px, R - 1), m.truth_ring_px, it->colour);
      }
      draw_text(out, x + 2 * R + gap, int64_t(cy) - text_height(s) / 2 - s, it->label, text, s);
      x += it->width;
    }
  }
  return out;
}

}  // namespace tomopick
