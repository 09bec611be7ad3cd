#pragma once
// An 8-bit RGB raster (row-major, 3 bytes per pixel): what slices are drawn on and PNGs hold.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tomopick/core/error.h"

namespace tomopick {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// "#rrggbb", for HTML and SVG.
inline std::string hex_colour(Rgb c) {
  static const char* digits = "0123456789abcdef";
  std::string s = "#";
  for (uint8_t v : {c.r, c.g, c.b}) {
    s += digits[v >> 4];
    s += digits[v & 15];
  }
  return s;
}

struct RgbImage {
  int64_t width = 0, height = 0;
  std::vector<uint8_t> pixels;  // height * width * 3

  RgbImage() = default;
  RgbImage(int64_t w, int64_t h, Rgb fill = {}) : width(w), height(h) {
    if (w < 0 || h < 0 || (w > 0 && h > (int64_t(1) << 40) / w))
      throw Error("image of " + std::to_string(w) + " x " + std::to_string(h) + " pixels is too large");
    pixels.resize(size_t(w * h * 3));
    for (size_t i = 0; i < pixels.size(); i += 3) {
      pixels[i] = fill.r;
      pixels[i + 1] = fill.g;
      pixels[i + 2] = fill.b;
    }
  }
  bool contains(int64_t x, int64_t y) const { return x >= 0 && y >= 0 && x < width && y < height; }
  Rgb at(int64_t x, int64_t y) const {
    const uint8_t* p = &pixels[size_t((y * width + x) * 3)];
    return {p[0], p[1], p[2]};
  }
  void set(int64_t x, int64_t y, Rgb c) {
    uint8_t* p = &pixels[size_t((y * width + x) * 3)];
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
  }
  // Mixes `c` over the pixel with opacity `alpha` in [0, 1] (anti-aliased edges); outside: ignored.
  void blend(int64_t x, int64_t y, Rgb c, double alpha) {
    if (!contains(x, y) || !(alpha > 0)) return;
    if (alpha >= 1) return set(x, y, c);
    uint8_t* p = &pixels[size_t((y * width + x) * 3)];
    const uint8_t src[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; ++k) p[k] = uint8_t(std::lround(p[k] + (src[k] - p[k]) * alpha));
  }
};

}  // namespace tomopick
