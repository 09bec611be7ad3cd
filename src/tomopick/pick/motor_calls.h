#pragma once
// The BYU flagellar-motor decision: each tomogram gets at most one motor (its best-scoring pick) or
// none ("-1"), and the score a motor needs comes from a tuned threshold or from the quantile rule the
// 1st and 3rd places used: rank the tomograms of a set by their best score and call no motor in the
// lowest share q of them (the share of tomograms expected to hold none).
#include <string>
#include <vector>

#include "tomopick/io/picks.h"

namespace tomopick {

// The best score of each run's `object` picks (-infinity for a run without any), in `runs` order.
std::vector<double> best_scores(const std::vector<PickSet>& sets, const std::vector<std::string>& runs,
                                const std::string& object = kMotorObject);

// The score below which the lowest share `q` (0..1) of `scores` falls: calling a motor only from this
// score on leaves about q of the tomograms without one. Error when q is outside [0, 1].
double quantile_threshold(std::vector<double> scores, double q);

// One label per run, in `runs` order: its best `object` pick in voxels of its tomogram (Å / the
// spacing `geometry` gives the run; Error when it gives none) when that pick scores >= min_score,
// else "-1". Shapes and spacings come from `geometry`; motor_count is 1 or 0.
std::vector<MotorLabel> call_motors(const std::vector<PickSet>& sets, const std::vector<std::string>& runs,
                                    const TomoGeometryMap& geometry, double min_score,
                                    const std::string& object = kMotorObject);

}  // namespace tomopick
