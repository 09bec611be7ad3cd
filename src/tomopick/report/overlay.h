#pragma once
// Picks drawn on a slice: each particle within its radius of the plane is a circle of its cross-
// section there (sqrt(r^2 - d^2) for a centre d Å from the plane), coloured by class. Predictions are
// solid thick rings with a centre dot; truth is a thin dashed ring with a centre "+", so a matched
// pair shows both. A legend strip can be added under the picture.
#include <map>
#include <string>
#include <vector>

#include "tomopick/io/picks.h"
#include "tomopick/report/image.h"
#include "tomopick/report/slice_image.h"

namespace tomopick {

struct CopickConfig;

struct ClassStyle {
  std::string name;
  Rgb colour;
  double radius_A = 0;
};
using ClassStyles = std::vector<ClassStyle>;

// Ten well-separated colours that stand out on grey.
const std::vector<Rgb>& distinct_palette();

// The radius used for classes that neither the config, the overrides nor the CZII list know.
inline constexpr double kFallbackRadiusA = 100;

// One style per name (sorted, duplicates dropped). Colour: the config object's, else the palette in
// name order. Radius: `radius_A` override, else the config's (when > 0), else the CZII default, else
// kFallbackRadiusA.
ClassStyles make_class_styles(std::vector<std::string> names, const CopickConfig* config,
                              const std::map<std::string, double>& radius_A = {});
// The object names of some pick sets, sorted and unique.
std::vector<std::string> object_names(const std::vector<PickSet>& sets);
const ClassStyle* find_style(const ClassStyles& styles, const std::string& name);

enum class PickRole { prediction, truth };

// Line widths and marks, in image pixels.
struct MarkStyle {
  double ring_px = 2.0, dot_px = 2.0;          // prediction
  double truth_ring_px = 1.5, dash_px = 5.0, cross_px = 4.0;  // truth
};

// Draws the picks of `sets` near the plane of `frame`. Returns how many were drawn. A class without a
// style is an Error naming it.
int64_t draw_picks(RgbImage& img, const SliceFrame& frame, const std::vector<PickSet>& sets, PickRole role,
                   const ClassStyles& styles, const MarkStyle& mark = {});

// The picture with a dark strip below it naming each class in its colour and showing the truth and
// prediction marks (those that `truth` / `predictions` say are drawn).
RgbImage with_legend(const RgbImage& img, const ClassStyles& styles, bool truth, bool predictions,
                     const MarkStyle& mark = {});

}  // namespace tomopick
