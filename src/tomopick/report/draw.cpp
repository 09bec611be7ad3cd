#include "tomopick/report/draw.h"

#include <algorithm>
#include <cmath>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace tomopick {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Coverage of a pixel whose centre lies `d` px from the middle of a line `w` px wide: 1 inside,
// falling linearly to 0 over the pixel that straddles the edge.
double coverage(double d, double w) { return std::clamp(w / 2 + 0.5 - std::abs(d), 0.0, 1.0); }

}  // namespace

void draw_ring(RgbImage& img, double cx, double cy, double rx, double ry, double width_px, Rgb c, double dash_px) {
  if (!(rx > 0) || !(ry > 0) || !(width_px > 0)) return;
  const double pad = width_px / 2 + 1;
  const int64_t x0 = int64_t(std::floor(cx - rx - pad)), x1 = int64_t(std::ceil(cx + rx + pad));
  const int64_t y0 = int64_t(std::floor(cy - ry - pad)), y1 = int64_t(std::ceil(cy + ry + pad));
  int64_t dashes = 0;
  if (dash_px > 0) {
    // Ramanujan's perimeter; an even number of dash+gap periods, at least 4.
    const double h = (rx - ry) * (rx - ry) / ((rx + ry) * (rx + ry));
    const double perimeter = kPi * (rx + ry) * (1 + 3 * h / (10 + std::sqrt(4 - 3 * h)));
    dashes = std::max<int64_t>(4, 2 * std::llround(perimeter / (4 * dash_px)));
  }
  for (int64_t y = std::max<int64_t>(0, y0); y <= std::min(img.height - 1, y1); ++y)
    for (int64_t x = std::max<int64_t>(0, x0); x <= std::min(img.width - 1, x1); ++x) {
      const double dx = x - cx, dy = y - cy;
      const double nx = dx / rx, ny = dy / ry;
      const double rho = std::sqrt(nx * nx + ny * ny);
      const double dist = std::sqrt(dx * dx + dy * dy);
      // Distance to the ellipse along the ray from the centre (exact for circles).
      const double d = rho > 0 ? dist * (1 - 1 / rho) : std::min(rx, ry);
      const double a = coverage(d, width_px);
      if (a <= 0) continue;
      if (dashes > 0) {
        const double turn = std::atan2(ny, nx) / (2 * kPi) * double(dashes) + 0.25;
        if (turn - std::floor(turn) >= 0.5) continue;
      }
      img.blend(x, y, c, a);
    }
}

void fill_disc(RgbImage& img, double cx, double cy, double r, Rgb c) {
  if (!(r > 0)) return;
  for (int64_t y = std::max<int64_t>(0, int64_t(std::floor(cy - r - 1))); y <= std::min<int64_t>(img.height - 1, int64_t(std::ceil(cy + r + 1))); ++y)
    for (int64_t x = std::max<int64_t>(0, int64_t(std::floor(cx - r - 1))); x <= std::min<int64_t>(img.width - 1, int64_t(std::ceil(cx + r + 1))); ++x) {
      const double d = std::hypot(x - cx, y - cy);
      img.blend(x, y, c, std::clamp(r + 0.5 - d, 0.0, 1.0));
    }
}

void draw_cross(RgbImage& img, double cx, double cy, double arm_px, double width_px, Rgb c) {
  for (int64_t y = std::max<int64_t>(0, int64_t(std::floor(cy - arm_px - 1))); y <= std::min<int64_t>(img.height - 1, int64_t(std::ceil(cy + arm_px + 1))); ++y)
    for (int64_t x = std::max<int64_t>(0, int64_t(std::floor(cx - arm_px - 1))); x <= std::min<int64_t>(img.width - 1, int64_t(std::ceil(cx + arm_px + 1))); ++x) {
      const double dx = x - cx, dy = y - cy;
      const double along_h = std::clamp(arm_px + 0.5 - std::abs(dx), 0.0, 1.0) * coverage(dy, width_px);
      const double along_v = std::clamp(arm_px + 0.5 - std::abs(dy), 0.0, 1.0) * coverage(dx, width_px);
      img.blend(x, y, c, std::max(along_h, along_v));
    }
}

void fill_rect(RgbImage& img, int64_t x, int64_t y, int64_t w, int64_t h, Rgb c) {
  for (int64_t j = std::max<int64_t>(0, y); j < std::min(img.height, y + h); ++j)
    for (int64_t i = std::max<int64_t>(0, x); i < std::min(img.width, x + w); ++i) img.set(i, j, c);
}

void draw_text(RgbImage& img, int64_t x, int64_t y, const std::string& text, Rgb c, int scale) {
  struct Vertex {
    float x, y, z;
    unsigned char rgba[4];
  };
  std::vector<Vertex> buf(text.size() * 300 / sizeof(Vertex) * 4 + 64);
  std::string copy = text;  // stb takes char*
  const int quads = stb_easy_font_print(0, 0, copy.data(), nullptr, buf.data(), int(buf.size() * sizeof(Vertex)));
  for (int q = 0; q < quads; ++q) {
    const Vertex* v = &buf[size_t(q) * 4];
    const auto qx0 = int64_t(std::lround(v[0].x * scale)), qy0 = int64_t(std::lround(v[0].y * scale));
    const auto qx1 = int64_t(std::lround(v[2].x * scale)), qy1 = int64_t(std::lround(v[2].y * scale));
    fill_rect(img, x + std::min(qx0, qx1), y + std::min(qy0, qy1), std::abs(qx1 - qx0), std::abs(qy1 - qy0), c);
  }
}

int64_t text_width(const std::string& text, int scale) {
  std::string copy = text;
  return int64_t(stb_easy_font_width(copy.data())) * scale;
}

int64_t text_height(int scale) { return 7 * int64_t(scale); }

}  // namespace tomopick
