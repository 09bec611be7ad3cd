#include "tomopick/core/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>

#include <fstream>

#include "tomopick/core/parallel.h"

namespace tomopick {

namespace {

// The first mapped shared object whose file name contains `needle` (from /proc/self/maps): this
// shows what the dynamic linker really chose, e.g. which libblas.so.3 alternative.
std::string mapped_library(const std::string& needle) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.rfind('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(line.find('/'));
    const std::string name = line.substr(slash + 1);
    if (name.find(needle) != std::string::npos) return path;
  }
  return {};
}

}  // namespace

RuntimeInfo runtime_info() {
  RuntimeInfo r;
  r.tomopick_version = TOMOPICK_VERSION;
  r.torch_version = TORCH_VERSION;
  r.cuda_available = at::hasCUDA();
  r.cuda_devices = r.cuda_available ? int(at::getNumGPUs()) : 0;
  r.threads = thread_count();
  r.torch_threads = at::get_num_threads();
  // A BLAS linked into LibTorch itself (MKL in the pip wheels) shows in its build configuration;
  // Debian's LibTorch calls libblas.so.3, whose alternative shows in the process's mappings.
  const std::string config = at::show_config();
  const auto pos = config.find("BLAS_INFO=");
  const std::string built_with = pos == std::string::npos ? "" : config.substr(pos + 10, config.find_first_of(", \n", pos + 10) - pos - 10);
  std::string blas = mapped_library("openblas");
  if (blas.empty()) blas = mapped_library("libmkl");
  if (blas.empty()) blas = mapped_library("libblas");
  if (blas.empty() && built_with == "mkl") blas = "MKL (inside LibTorch)";
  r.blas = blas.empty() ? (built_with.empty() ? "none" : built_with) : blas;
  r.allocator = mapped_library("tcmalloc").empty() ? "glibc malloc" : "tcmalloc";
  return r;
}

void set_torch_threads(int n) { at::set_num_threads(n); }

}  // namespace tomopick
