#include "tomopick/cli/scoring_options.h"

#include <fmt/format.h>

#include <cmath>

namespace tomopick::cli {

std::string format_score(double s) {
  return std::isnan(s) ? "undefined (the scored types' weights sum to 0)" : fmt::format("{:.6f}", s);
}

void add_scoring_options(CLI::App* cmd, EvalRequest& req, std::optional<double>& spacing, std::string& extra_runs) {
  cmd->add_option("--matching", req.matching, "czii: kaggle (the metric), greedy or optimal (one-to-one)")
      ->check(CLI::IsMember({"kaggle", "greedy", "optimal", "hungarian"}));
  cmd->add_option("--beta", req.beta, "F-beta's beta (default 4 for czii, 2 for byu)");
  cmd->add_option("--distance-multiplier", req.distance_multiplier, "czii: a hit lies within this x radius (default 0.5)");
  cmd->add_option("--radius", req.radius, "czii: radii in Å, name=r,... (over copick_config.json and the CZII defaults)");
  cmd->add_option("--weights", req.weights, "czii: weights, name=w,... (default: CZII's, 1 for other types)");
  cmd->add_option("--types", req.types, "czii: score these types, a,b,... (default: the types the truth holds)");
  cmd->add_flag("--ignore-unknown", req.ignore_unknown, "czii: skip picks of unknown types instead of failing");
  cmd->add_option("--extra-runs", extra_runs, "czii: picks in runs without truth: ignore (the metric) or fp")
      ->check(CLI::IsMember({"ignore", "fp"}));
  cmd->add_option("--distance", req.distance_A, "byu: a motor counts within this many Å (default 1000)");
  cmd->add_option("--object", req.object, "byu: only picks and truth of this object (default: all)");
  cmd->add_option("--spacing", spacing, "Voxel spacing in Å for voxel coordinates without one (BYU files)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--truth-user", req.truth_source.user_id, "copick truth: only this user_id");
  cmd->add_option("--truth-session", req.truth_source.session_id, "copick truth: only this session_id");
  cmd->add_option("--picks-user", req.picks_source.user_id, "copick picks: only this user_id");
  cmd->add_option("--picks-session", req.picks_source.session_id, "copick picks: only this session_id");
}

}  // namespace tomopick::cli
