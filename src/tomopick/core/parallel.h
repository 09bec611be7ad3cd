#pragma once
// Thread count for the whole process (OpenMP, which also drives OpenBLAS and LibTorch), and a
// parallel loop that carries exceptions out of worker threads.
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>

namespace tomopick {

// Number of threads tomopick uses. Default: all cores.
int thread_count();
// Sets OpenMP's (and so OpenBLAS's) thread count. LibTorch's is set by set_torch_threads (runtime.h).
void set_thread_count(int n);
// Resolves the thread count from --threads (if given), else TOMOPICK_THREADS, else
// SLURM_CPUS_PER_TASK, else all cores shared among the ranks on this node (LOCAL_WORLD_SIZE,
// SLURM_NTASKS_PER_NODE), applies it and returns it. Throws Error on a bad value.
int configure_threads(std::optional<int> from_cli);

// Runs f(i) for i in [0, n) on thread_count() threads; the first exception is rethrown.
template <class F>
void parallel_for(int64_t n, F&& f) {
  std::exception_ptr err;
  std::mutex mu;
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count())
  for (int64_t i = 0; i < n; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (err) continue;
    }
    try {
      f(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!err) err = std::current_exception();
    }
  }
  if (err) std::rethrow_exception(err);
}

}  // namespace tomopick
