#include <spdlog/spdlog.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <exception>
#include <iostream>
#include <optional>

#include "tomopick/cli/commands.h"
#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"

namespace tomopick::cli {

int run(int argc, char** argv) {
  CLI::App app{
      "tomopick: find particles in cryo-electron tomograms.\n"
      "Volumes are z, y, x in memory; coordinates are in Angstrom unless an option says voxels.",
      "tomopick"};
  app.set_version_flag("--version", std::string("tomopick ") + TOMOPICK_VERSION);
  app.require_subcommand(1);
  std::optional<int> threads;
  std::string log_level = "info";
  bool quiet = false;
  app.add_option("--threads", threads, "Worker threads (default: all cores, or TOMOPICK_THREADS)")
      ->check(CLI::PositiveNumber);
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_flag("-q,--quiet", quiet, "Print only errors (and the command's results)");
  app.parse_complete_callback([&] {
    auto logger = spdlog::stderr_color_mt("tomopick");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%^[%l]%$ %v");
    spdlog::set_level(quiet ? spdlog::level::err : spdlog::level::from_str(log_level));
    // LibTorch is told the same count when a command first loads it (torch_commands.h).
    configure_threads(threads);
  });

  add_info(app);
  add_convert(app);
  add_simulate(app);
  add_evaluate(app);
  add_tune(app);
  add_render(app);
  add_report(app);
  add_train(app);
  add_pick(app);
  add_demo(app);
  add_merge(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::cerr << "tomopick: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "tomopick: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tomopick::cli
