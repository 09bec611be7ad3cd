// `tomopick pick` on one tomogram, stage by stage (bench/pick_speed.sh runs it next to the whole
// command and the same work in python3-torch):
//   bench_pick TOMOGRAM MODEL [THREADS]
// Prints "key value" lines: read_s (the level the picker reads: the finest not finer than the model's
// spacing), resample_s (to the model's spacing), load_s (the model), windows_s (z-score, then every
// sliding window through the network with blending: until the last window is done), peaks_s (the
// rest: dividing by the blend weights and max-pool peak finding per class), total_s, and one
// "picks CLASS N" line per class. The same calls as Picker::pick(path), timed apart.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"
#include "tomopick/core/resample.h"
#include "tomopick/core/runtime.h"
#include "tomopick/infer/picker.h"
#include "tomopick/io/tomogram.h"

using namespace tomopick;

namespace {

using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_pick TOMOGRAM MODEL [THREADS]\n";
    return 2;
  }
  try {
    set_torch_threads(configure_threads(argc > 3 ? std::optional<int>(std::atoi(argv[3])) : std::nullopt));
    const auto t0 = Clock::now();
    infer::PickerOptions po;
    po.models.emplace_back(argv[2]);
    po.tta = "none";  // the Python reference runs the network once per window
    infer::Picker picker(po);
    const double spacing = picker.info().spacing_A;
    const auto t_load = Clock::now();

    const auto probe = probe_tomogram(argv[1]);
    size_t level = 0;
    for (size_t i = 1; i < probe.levels.size(); ++i)
      if (probe.levels[i].spacing.x <= spacing * 1.001) level = i;
    TomoReadOptions ro;
    ro.level = level;
    auto v = read_tomogram(argv[1], ro).to_float32();
    const auto t_read = Clock::now();
    const Vec3 target{spacing, spacing, spacing};
    if (std::abs(v.spacing().x - spacing) > 0.001 * spacing) v = resample(v, target);
    const auto t_resample = Clock::now();

    Clock::time_point t_last = t_resample;
    const auto sets = picker.pick(v, "run", [&](int64_t, int64_t) { t_last = Clock::now(); });
    const auto t_end = Clock::now();
    std::printf("level %zu\nread_s %.3f\nresample_s %.3f\nload_s %.3f\nwindows_s %.3f\npeaks_s %.3f\ntotal_s %.3f\n",
                level, seconds(t_load, t_read), seconds(t_read, t_resample), seconds(t0, t_load),
                seconds(t_resample, t_last), seconds(t_last, t_end), seconds(t0, t_end));
    for (const auto& s : sets) std::printf("picks %s %zu\n", s.object.c_str(), s.points.size());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
