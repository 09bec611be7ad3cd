#pragma once
// Each subcommand registers itself on the root CLI11 app; the work happens in the library.
#include <CLI/CLI.hpp>

namespace tomopick::cli {

// Parses argv and runs the chosen subcommand; returns the process exit code. Errors are printed as
// one line ("tomopick: <file>: <problem>").
int run(int argc, char** argv);

void add_info(CLI::App& app);
void add_convert(CLI::App& app);
void add_simulate(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_tune(CLI::App& app);
void add_render(CLI::App& app);
void add_report(CLI::App& app);
void add_train(CLI::App& app);
void add_pick(CLI::App& app);
void add_demo(CLI::App& app);
void add_merge(CLI::App& app);

}  // namespace tomopick::cli
