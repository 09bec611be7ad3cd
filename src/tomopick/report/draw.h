#pragma once
// Drawing on an RgbImage in pixel coordinates (pixel centres at integers), with anti-aliased edges.
#include <cstdint>
#include <string>

#include "tomopick/report/image.h"

namespace tomopick {

// The outline of an ellipse centred at (cx, cy) with semi-axes rx (along columns) and ry (along rows),
// `width_px` wide and centred on the ellipse. dash_px > 0 makes it dashed: dashes and gaps of about
// that length, a dash centred on the point at angle 0 (cx + rx, cy).
void draw_ring(RgbImage& img, double cx, double cy, double rx, double ry, double width_px, Rgb c, double dash_px = 0);

// A filled disc of radius r px.
void fill_disc(RgbImage& img, double cx, double cy, double r, Rgb c);

// A "+" with arms `arm_px` long and `width_px` wide.
void draw_cross(RgbImage& img, double cx, double cy, double arm_px, double width_px, Rgb c);

// Whole pixels [x, x + w) x [y, y + h), clipped.
void fill_rect(RgbImage& img, int64_t x, int64_t y, int64_t w, int64_t h, Rgb c);

// ASCII text with its top-left corner at (x, y), each font unit `scale` pixels (stb_easy_font: about
// 6 x 12 units a character).
void draw_text(RgbImage& img, int64_t x, int64_t y, const std::string& text, Rgb c, int scale);
int64_t text_width(const std::string& text, int scale);
int64_t text_height(int scale);

}  // namespace tomopick
