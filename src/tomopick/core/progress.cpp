#include "tomopick/core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "tomopick/core/log.h"

namespace tomopick {

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), enabled_(log::info_enabled()),
      tty_(isatty(fileno(stderr)) != 0), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() {
  if (enabled_ && tty_ && !finished_ && done_ > 0) std::fputc('\n', stderr);
}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::format_duration(double s) {
  char buf[32];
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) std::snprintf(buf, sizeof buf, "%.1fs", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(s) % 60);
  else std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(s / 60) % 60);
  return buf;
}

void Progress::update(int64_t done, const std::string& extra) {
  if (start_done_ < 0) start_done_ = done > 0 ? done - 1 : 0;  // a resumed count measures its own rate
  done_ = done;
  extra_ = extra;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  // A terminal redraws often; a log gets a line every 10 s so it stays readable.
  if (done >= total_ || since < (tty_ ? 0.2 : 10.0)) return;  // the end is finish()'s line
  last_draw_ = now;
  draw(false);
}

void Progress::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  if (!extra.empty()) extra_ = extra;
  if (enabled_) draw(true);
}

void Progress::draw(bool final) {
  const double t = elapsed_s();
  const double rate = t > 0 ? double(done_ - std::max<int64_t>(0, start_done_)) / t : 0;
  const double eta = rate > 0 ? double(total_ - done_) / rate : NAN;
  const double frac = total_ > 0 ? double(done_) / double(total_) : 1;
  char stats[160];
  std::snprintf(stats, sizeof stats, "%lld/%lld %s, %.2f %s/s, %s %s", (long long)done_, (long long)total_,
                unit_.c_str(), rate, unit_.c_str(), final ? "took" : "ETA",
                format_duration(final ? t : eta).c_str());
  std::string line = label_ + " ";
  if (tty_) {
    const int width = 24, fill = int(std::lround(frac * width));
    line += "[" + std::string(size_t(fill), '#') + std::string(size_t(width - fill), '.') + "] ";
  }
  char pct[16];
  std::snprintf(pct, sizeof pct, "%3d%% ", int(frac * 100));
  line += pct;
  line += stats;
  if (!extra_.empty()) line += ", " + extra_;
  if (tty_) std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  else std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace tomopick
