#pragma once
// What the process runs on: LibTorch version and devices, thread counts, and whether the measured
// CPU-speed fixes (OpenMP OpenBLAS, tcmalloc) are really loaded. `tomopick info --system` prints it.
#include <string>

namespace tomopick {

struct RuntimeInfo {
  std::string tomopick_version;
  std::string torch_version;
  bool cuda_available = false;
  int cuda_devices = 0;
  int threads = 0;         // tomopick's (OpenMP) thread count
  int torch_threads = 0;   // LibTorch intra-op threads
  std::string blas;        // the BLAS library mapped into the process (file name), or "none"
  std::string allocator;   // "tcmalloc" when linked, else "glibc malloc"
};

RuntimeInfo runtime_info();

// Sets LibTorch's intra-op thread count (its default on Debian's build is 1).
void set_torch_threads(int n);

}  // namespace tomopick
