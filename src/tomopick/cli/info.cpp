#include "tomopick/cli/commands.h"
namespace tomopick::cli {
void add_info(CLI::App& app) { app.add_subcommand("info", "Describe a tomogram, project or picks file"); }
void add_convert(CLI::App& app) { app.add_subcommand("convert", "Convert tomograms or picks"); }
}
