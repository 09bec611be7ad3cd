#pragma once
// The options `evaluate` and `tune` share: how picks are matched and scored, and which picks count.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "tomopick/core/error.h"

#include "tomopick/eval/inputs.h"

namespace tomopick::cli {

// A score for people: six decimals, or why it is undefined.
std::string format_score(double s);

void add_scoring_options(CLI::App* cmd, EvalRequest& req, std::optional<double>& spacing, std::string& extra_runs);

}  // namespace tomopick::cli
