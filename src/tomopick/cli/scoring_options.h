#pragma once
// The options `evaluate` and `tune` share: how picks are matched and scored, and which picks count.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "tomopick/core/error.h"

#include "tomopick/eval/inputs.h"

namespace tomopick::cli {

// Runs f; a scoring error that names no file concerns the picks (or says "truth" itself), so it is
// reported against the picks' path.
template <class F>
auto about_picks(const std::string& picks, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.file().empty()) throw;
    throw Error(std::filesystem::path(picks), e.what());
  }
}

// A score for people: six decimals, or why it is undefined.
std::string format_score(double s);

void add_scoring_options(CLI::App* cmd, EvalRequest& req, std::optional<double>& spacing, std::string& extra_runs);

}  // namespace tomopick::cli
