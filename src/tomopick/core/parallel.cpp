#include "tomopick/core/parallel.h"

#include <omp.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "tomopick/core/distributed_env.h"
#include "tomopick/core/error.h"

namespace tomopick {

namespace {
int g_threads = 0;
}

int thread_count() {
  if (g_threads <= 0) g_threads = std::max(1, int(std::thread::hardware_concurrency()));
  return g_threads;
}

void set_thread_count(int n) {
  if (n < 1) throw Error("thread count must be at least 1, got " + std::to_string(n));
  g_threads = n;
  omp_set_num_threads(n);
}

int configure_threads(std::optional<int> from_cli) {
  int n = 0;
  if (from_cli) {
    n = *from_cli;
    if (n < 1) throw Error("--threads must be at least 1, got " + std::to_string(n));
  } else if (const char* env = std::getenv("TOMOPICK_THREADS"); env && *env) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (*end != '\0' || v < 1 || v > 4096)
      throw Error(std::string("TOMOPICK_THREADS must be a positive integer, got '") + env + "'");
    n = int(v);
  } else {
    n = std::max(1, int(std::thread::hardware_concurrency()));
    // Several ranks on one node share its cores rather than each taking all of them.
    try {
      if (const char* cpus = std::getenv("SLURM_CPUS_PER_TASK"); cpus && std::atoi(cpus) > 0) n = std::min(n, std::atoi(cpus));
      else n = std::max<int>(1, n / int(std::max<int64_t>(1, find_distributed_env().local_world)));
    } catch (const Error&) {
      // A malformed launcher variable is reported by the command that needs it, not here.
    }
  }
  set_thread_count(n);
  return n;
}

}  // namespace tomopick
