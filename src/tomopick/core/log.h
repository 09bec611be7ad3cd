#pragma once
// Logging for code that cannot include spdlog: LibTorch 2.x ships a newer fmt than Debian's
// spdlog is built for, so torch-using sources log through these (messages already formatted).
#include <string>

namespace tomopick::log {

void debug(const std::string& msg);
void info(const std::string& msg);
void warn(const std::string& msg);
void error(const std::string& msg);
bool debug_enabled();
bool info_enabled();
// From now on only warnings and errors (the ranks of a training job other than rank 0).
void warnings_only();

}  // namespace tomopick::log
