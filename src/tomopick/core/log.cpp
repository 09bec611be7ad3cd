#include "tomopick/core/log.h"

#include <spdlog/spdlog.h>

namespace tomopick::log {

void debug(const std::string& msg) { spdlog::debug("{}", msg); }
void info(const std::string& msg) { spdlog::info("{}", msg); }
void warn(const std::string& msg) { spdlog::warn("{}", msg); }
void error(const std::string& msg) { spdlog::error("{}", msg); }
bool debug_enabled() { return spdlog::should_log(spdlog::level::debug); }
bool info_enabled() { return spdlog::should_log(spdlog::level::info); }
void warnings_only() {
  if (spdlog::should_log(spdlog::level::info)) spdlog::set_level(spdlog::level::warn);
}

}  // namespace tomopick::log
