#pragma once
// The options `evaluate` and `tune` share: how picks are matched and scored, and which picks count.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "tomopick/eval/inputs.h"

namespace tomopick::cli {

void add_scoring_options(CLI::App* cmd, EvalRequest& req, std::optional<double>& spacing, std::string& extra_runs);

}  // namespace tomopick::cli
