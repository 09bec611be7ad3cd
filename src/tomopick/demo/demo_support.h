#pragma once
// What the demo's tasks share: where the folder goes, what it may replace, and the stages' clock.
#include <chrono>
#include <filesystem>
#include <vector>

#include "tomopick/demo/demo.h"

namespace tomopick::demo {

namespace fs = std::filesystem;

// The marker file every demo folder holds (demo.json).
inline constexpr const char* kDemoMarker = "demo.json";

// The folder `out` names ("tomopick-demo/" and "a/../tomopick-demo" alike); an Error for the current
// or a parent folder.
fs::path demo_folder_path(const fs::path& out);

// Only a missing path, an empty folder or an earlier demo's folder may be replaced: anything else is
// an Error naming it.
void check_demo_replaceable(const fs::path& dir);

// Times a demo: each stage from start() to stop(name), appended to `stages`; total() since it was made.
class StageClock {
public:
  explicit StageClock(std::vector<StageTime>& stages) : stages_(stages) {}
  void start() { stage_ = Clock::now(); }
  void stop(const char* name) { stages_.push_back({name, since(stage_)}); }
  double total() const { return since(begin_); }

private:
  using Clock = std::chrono::steady_clock;
  static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
  std::vector<StageTime>& stages_;
  Clock::time_point begin_ = Clock::now(), stage_ = begin_;
};

}  // namespace tomopick::demo
