// Times full reads of a zarr array: bench_zarr_read ARRAY_PATH [REPEATS] [THREADS]
// Prints the best wall time in seconds (one line per repeat on stderr).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tomopick/core/error.h"
#include "tomopick/core/parallel.h"
#include "tomopick/io/zarr_array.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_zarr_read ARRAY_PATH [REPEATS] [THREADS]\n";
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  tomopick::configure_threads(argc > 3 ? std::optional<int>(std::atoi(argv[3])) : std::nullopt);
  try {
    const auto a = tomopick::ZarrArray::open(argv[1]);
    double best = 1e30;
    double checksum = 0;
    for (int i = 0; i < repeats; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto v = a.read_all();
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      checksum += static_cast<const unsigned char*>(v.raw_data())[v.bytes() / 2];
      std::cerr << "tomopick read " << i << ": " << s << " s\n";
      best = std::min(best, s);
    }
    std::printf("%.4f\n", best);
    return checksum < 0 ? 1 : 0;
  } catch (const tomopick::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
