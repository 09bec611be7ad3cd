// tomopick info on what needs LibTorch to read: model files, and the runtime (--system).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "tomopick/cli/torch_command_bodies.h"
#include "tomopick/core/runtime.h"
#include "tomopick/nn/model_file.h"

namespace tomopick::cli {

using json = nlohmann::json;

void info_system(bool as_json) {
  const RuntimeInfo r = runtime_info();
  if (as_json) {
    std::cout << json({{"tomopick", r.tomopick_version}, {"torch", r.torch_version}, {"cuda_available", r.cuda_available},
                       {"cuda_devices", r.cuda_devices}, {"threads", r.threads}, {"torch_threads", r.torch_threads},
                       {"blas", r.blas}, {"allocator", r.allocator}})
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "tomopick   " << r.tomopick_version << "\n"
            << "LibTorch   " << r.torch_version << "\n"
            << "devices    cpu" << (r.cuda_available ? fmt::format(", {} CUDA GPU(s)", r.cuda_devices) : "") << "\n"
            << "threads    " << r.threads << " (LibTorch intra-op " << r.torch_threads << ")\n"
            << "BLAS       " << r.blas << "\n"
            << "allocator  " << r.allocator << "\n";
  if (r.blas.find("openblas") == std::string::npos && r.blas.find("MKL") == std::string::npos)
    std::cout << "warning: LibTorch is not using OpenBLAS; convolutions run 10x slower (run scripts/setup.sh)\n";
  if (r.allocator != "tcmalloc") std::cout << "warning: tcmalloc is not linked; LibTorch allocations are slower\n";
}

// A model file or checkpoint: what it predicts, on which grid, and how it was made.
void info_model(const fs::path& p, bool as_json) {
  const auto m = nn::read_model_info(p);
  if (as_json) {
    std::cout << nn::model_info_to_json(m) << "\n";
    return;
  }
  std::cout << "tomopick model " << p.string() << "\n";
  std::cout << "  arch: " << m.model.arch << "\n";
  std::cout << "  network  " << m.model.head << " head, channels";
  for (auto c : m.model.channels) std::cout << " " << c;
  std::cout << ", " << m.model.norm << " norm\n";
  std::cout << "  grid     " << m.spacing_A << " Å, " << m.normalize << " normalisation, window " << m.window.str()
            << ", overlap " << m.overlap << ", TTA " << m.tta << "\n";
  std::cout << "  classes  (radius Å, threshold)\n";
  for (const auto& k : m.classes)
    std::cout << "    " << k.name << "  " << k.radius_A << "  "
              << (k.threshold ? std::to_string(*k.threshold) : std::string("-")) << (k.scored ? "" : "  (unscored)") << "\n";
  if (fs::exists(p.parent_path() / "thresholds.json"))
    std::cout << "  (the thresholds.json beside it replaces these thresholds when picking)\n";
}

}  // namespace tomopick::cli
