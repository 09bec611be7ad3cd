#include "tomopick/report/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <functional>

#include "tomopick/report/html_text.h"

namespace tomopick {

namespace {

constexpr double kCharWidth = 6.6;  // px per character at font-size 11, for layout estimates

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return !(lo <= hi); }
};

std::string num(double v) { return fmt::format("{:.1f}", v); }

// Linear axes: widened to the ticks around the data. Log axes (values already log10): whole decades.
std::vector<double> axis_ticks(Range& r, bool log_axis, bool fixed_lo, bool fixed_hi) {
  if (r.empty()) r = {0, 1};
  if (r.hi - r.lo < 1e-12 * std::max(1.0, std::abs(r.hi))) {
    const double pad = log_axis ? 0.5 : std::max(0.5, std::abs(r.hi) * 0.1);
    if (!fixed_lo) r.lo -= pad;
    if (!fixed_hi) r.hi += pad;
  }
  std::vector<double> ticks;
  if (log_axis) {
    if (!fixed_lo) r.lo = std::floor(r.lo + 1e-9);
    if (!fixed_hi) r.hi = std::ceil(r.hi - 1e-9);
    const bool minor = r.hi - r.lo <= 2.01;
    for (int e = int(std::floor(r.lo)); e <= int(std::ceil(r.hi)); ++e)
      for (double m : {1.0, 2.0, 5.0}) {
        if (m != 1 && !minor) continue;
        const double t = e + std::log10(m);
        if (t >= r.lo - 1e-9 && t <= r.hi + 1e-9) ticks.push_back(t);
      }
    return ticks;
  }
  ticks = nice_ticks(r.lo, r.hi);
  if (ticks.size() >= 2) {
    const double step = ticks[1] - ticks[0];
    if (!fixed_lo) r.lo = std::floor(r.lo / step + 1e-9) * step;
    if (!fixed_hi) r.hi = std::ceil(r.hi / step - 1e-9) * step;
    ticks = nice_ticks(r.lo, r.hi);
  }
  return ticks;
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double digit = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  const double step = digit * mag;
  // Ticks below 1 as (k * digit) / 10^n: 6 / 10 is 0.6, where 3 * 0.2 is 0.6000000000000001.
  const double inv_mag = mag < 1 ? std::round(1 / mag) : 0;
  std::vector<double> t;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) {
    const double v = inv_mag > 0 ? k * digit / inv_mag : k * step;
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  }
  return t;
}

std::string tick_label(double v) {
  std::string s = fmt::format("{:.6g}", v);
  if (s == "-0") s = "0";
  return s;
}

std::string svg_line_plot(const PlotSpec& spec) {
  // Points in plot space (y in log10 on a log axis); non-finite and, on log axes, y <= 0 skipped.
  auto to_y = [&](double y) { return spec.log_y ? (y > 0 ? std::log10(y) : NAN) : y; };
  std::vector<std::vector<std::pair<double, double>>> pts(spec.series.size());
  Range xr, yr;
  for (size_t s = 0; s < spec.series.size(); ++s) {
    const auto& se = spec.series[s];
    for (size_t i = 0; i < std::min(se.x.size(), se.y.size()); ++i) {
      const double x = se.x[i], y = to_y(se.y[i]);
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      pts[s].emplace_back(x, y);
      xr.add(x);
      yr.add(y);
    }
  }
  for (const auto& m : spec.marks)
    if (std::isfinite(m.x) && std::isfinite(to_y(m.y))) xr.add(m.x), yr.add(to_y(m.y));
  const bool has_data = !xr.empty();
  if (spec.x_min) xr.lo = *spec.x_min;
  if (spec.x_max) xr.hi = *spec.x_max;
  if (spec.y_min) yr.lo = to_y(*spec.y_min);
  if (spec.y_max) yr.hi = to_y(*spec.y_max);
  const auto xt = axis_ticks(xr, false, bool(spec.x_min), bool(spec.x_max));
  const auto yt = axis_ticks(yr, spec.log_y, bool(spec.y_min), bool(spec.y_max));

  const bool legend = spec.legend && spec.series.size() > 1;
  size_t longest = 0;
  for (const auto& se : spec.series) longest = std::max(longest, se.name.size());
  size_t widest_tick = 1;
  for (double t : yt) widest_tick = std::max(widest_tick, tick_label(spec.log_y ? std::pow(10.0, t) : t).size());
  const double left = 22 + kCharWidth * double(widest_tick) + (spec.y_label.empty() ? 0 : 16);
  const double right = legend ? 30 + kCharWidth * double(longest) + 12 : 16;
  const double top = spec.title.empty() ? 12 : 32, bottom = spec.x_label.empty() ? 28 : 46;
  const double W = spec.width, H = spec.height;
  const double pw = std::max(10.0, W - left - right), ph = std::max(10.0, H - top - bottom);
  auto px = [&](double x) { return left + (x - xr.lo) / (xr.hi - xr.lo) * pw; };
  auto py = [&](double y) { return top + ph - (y - yr.lo) / (yr.hi - yr.lo) * ph; };

  std::string o;
  o += fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
                   "role=\"img\" aria-label=\"{}\" font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\" "
                   "font-size=\"11\">\n",
                   spec.width, spec.height, spec.width, spec.height, html_escape(spec.title));
  o += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", spec.width, spec.height);
  if (!spec.title.empty())
    o += fmt::format("<text x=\"{}\" y=\"20\" font-size=\"13\" font-weight=\"600\" fill=\"#1f2328\">{}</text>\n", num(left),
                     html_escape(spec.title));
  // Grid and tick labels.
  o += "<g stroke=\"#e6e8eb\" stroke-width=\"1\">\n";
  for (double t : xt)
    if (t >= xr.lo - 1e-9 && t <= xr.hi + 1e-9) o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", num(px(t)), num(top), num(top + ph));
  for (double t : yt)
    if (t >= yr.lo - 1e-9 && t <= yr.hi + 1e-9) o += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\"/>\n", num(py(t)), num(left), num(left + pw));
  o += "</g>\n";
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"1\"/>\n",
                   num(left), num(top), num(pw), num(ph));
  o += "<g fill=\"#57606a\">\n";
  for (double t : xt)
    if (t >= xr.lo - 1e-9 && t <= xr.hi + 1e-9)
      o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", num(px(t)), num(top + ph + 15), tick_label(t));
  for (double t : yt)
    if (t >= yr.lo - 1e-9 && t <= yr.hi + 1e-9)
      o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", num(left - 6), num(py(t) + 4),
                       tick_label(spec.log_y ? std::pow(10.0, t) : t));
  o += "</g>\n";
  if (!spec.x_label.empty())
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1f2328\">{}</text>\n", num(left + pw / 2),
                     num(H - 10), html_escape(spec.x_label));
  if (!spec.y_label.empty())
    o += fmt::format("<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f2328\">{}</text>\n",
                     num(top + ph / 2), html_escape(spec.y_label + (spec.log_y ? " (log scale)" : "")));
  if (!has_data)
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#8c959f\">no data</text>\n", num(left + pw / 2),
                     num(top + ph / 2));

  // Series, clipped to the plot area. Long series keep, per pixel column, the first, lowest, highest
  // and last point: the drawn line looks the same with far fewer points.
  // The clip id only has to differ between plots whose clip rectangles differ.
  const size_t clip_id = std::hash<std::string>{}(
      fmt::format("{}|{}|{}|{}|{}|{}|{}", spec.title, spec.x_label, spec.y_label, left, top, pw, ph));
  o += fmt::format("<clipPath id=\"clip{:x}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>\n", clip_id,
                   num(left - 4), num(top - 4), num(pw + 8), num(ph + 8));
  o += fmt::format("<g clip-path=\"url(#clip{:x})\">\n", clip_id);
  for (size_t s = 0; s < spec.series.size(); ++s) {
    const auto& se = spec.series[s];
    std::vector<std::pair<double, double>> p;
    for (const auto& [x, y] : pts[s]) p.emplace_back(px(x), py(y));
    if (p.size() > size_t(4 * pw)) {
      std::vector<std::pair<double, double>> kept;
      size_t i = 0;
      while (i < p.size()) {
        size_t j = i;
        const long col = std::lround(p[i].first);
        size_t lo = i, hi = i;
        while (j < p.size() && std::lround(p[j].first) == col) {
          if (p[j].second < p[lo].second) lo = j;
          if (p[j].second > p[hi].second) hi = j;
          ++j;
        }
        std::vector<size_t> idx = {i, lo, hi, j - 1};
        std::sort(idx.begin(), idx.end());
        idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
        for (size_t k : idx) kept.push_back(p[k]);
        i = j;
      }
      p.swap(kept);
    }
    const std::string colour = hex_colour(se.colour);
    if (p.size() >= 2) {
      o += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" stroke-linejoin=\"round\"{} points=\"", colour,
                       se.dashed ? " stroke-dasharray=\"5 3\"" : "");
      for (size_t i = 0; i < p.size(); ++i) o += fmt::format("{}{},{}", i ? " " : "", num(p[i].first), num(p[i].second));
      o += "\"/>\n";
    }
    if (se.markers || p.size() == 1)
      for (const auto& [x, y] : p) o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>\n", num(x), num(y), colour);
  }
  o += "</g>\n";
  for (const auto& m : spec.marks) {
    const double y = to_y(m.y);
    if (!std::isfinite(m.x) || !std::isfinite(y)) continue;
    const double x0 = px(m.x), y0 = py(y);
    o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", num(x0), num(y0),
                     hex_colour(m.colour));
    if (!m.label.empty()) {
      // Label inside the plot, beside the point (left of it in the right half), above it unless
      // that leaves the plot; a white halo keeps it readable over lines.
      const bool left_side = x0 > left + pw / 2;
      const double ly = y0 - 9 >= top + 12 ? y0 - 9 : std::min(y0 + 18, top + ph - 4);
      o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" fill=\"#1f2328\" stroke=\"#ffffff\" stroke-width=\"3\" "
                       "paint-order=\"stroke\">{}</text>\n",
                       num(x0 + (left_side ? -8 : 8)), num(ly), left_side ? "end" : "start", html_escape(m.label));
    }
  }
  if (legend) {
    double ly = top + 6;
    for (const auto& se : spec.series) {
      const double lx = left + pw + 12;
      o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2.5\"{}/>\n", num(lx), num(ly),
                       num(lx + 18), num(ly), hex_colour(se.colour), se.dashed ? " stroke-dasharray=\"5 3\"" : "");
      o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#1f2328\">{}</text>\n", num(lx + 24), num(ly + 4), html_escape(se.name));
      ly += 17;
    }
  }
  o += "</svg>\n";
  return o;
}

}  // namespace tomopick
