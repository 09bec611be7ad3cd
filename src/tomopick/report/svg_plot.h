#pragma once
// Line plots as inline SVG (no scripts, no external resources): axes with round-number ticks, grid,
// one polyline per series, highlighted points, and a legend beside the plot.
#include <optional>
#include <string>
#include <vector>

#include "tomopick/report/image.h"

namespace tomopick {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;  // points with a non-finite coordinate (missing values) are skipped
  Rgb colour;
  bool markers = false;  // a dot on every point (for sparse series)
  bool dashed = false;
};

// A highlighted point, drawn as a ring with a label beside it.
struct PlotMark {
  double x = 0, y = 0;
  std::string label;
  Rgb colour;
};

struct PlotSpec {
  std::string title, x_label, y_label;
  std::vector<PlotSeries> series;
  std::vector<PlotMark> marks;
  int width = 480, height = 300;  // px, the whole figure
  std::optional<double> x_min, x_max, y_min, y_max;  // fixed limits; else the data's, widened to ticks
  bool log_y = false;  // log10 axis; points with y <= 0 are skipped
  bool legend = true;  // beside the plot when there is more than one series
};

std::string svg_line_plot(const PlotSpec& spec);

// About `target` round tick values (1, 2 or 5 x 10^k steps) spanning [lo, hi], lo and hi included
// when they are multiples of the step.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// A tick label: up to 6 significant digits, no trailing zeros, no "-0".
std::string tick_label(double v);

}  // namespace tomopick
