#pragma once
// Progress of a long step: a bar with rate and ETA redrawn in place on a terminal, a plain line every
// few seconds otherwise (logs, CI), nothing when info messages are off (--quiet). Writes to stderr.
#include <chrono>
#include <cstdint>
#include <string>

namespace tomopick {

class Progress {
public:
  // `unit` names what is counted ("step", "window", "run").
  Progress(std::string label, int64_t total, std::string unit = "it");
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  // `done` of `total` finished; `extra` is shown after the rate (e.g. "loss 0.0123").
  void update(int64_t done, const std::string& extra = "");
  // Final line with the total time.
  void finish(const std::string& extra = "");
  double elapsed_s() const;

  // "1h02m", "3m05s", "12.3s"
  static std::string format_duration(double seconds);

private:
  void draw(bool final);
  std::string label_, unit_, extra_;
  int64_t total_, done_ = 0, start_done_ = -1;
  bool enabled_, tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace tomopick
