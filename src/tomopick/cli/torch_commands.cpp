// The entry point of libtomopick-torch.so.
#include "tomopick/cli/torch_command_bodies.h"
#include "tomopick/core/parallel.h"
#include "tomopick/core/runtime.h"

extern "C" const tomopick::cli::TorchCommands* tomopick_torch_commands() {
  using namespace tomopick::cli;
  static const TorchCommands commands{TOMOPICK_VERSION, run_pick, run_train, run_demo, info_model, info_system};
  // The binary has chosen the thread count (--threads, TOMOPICK_THREADS) before any command runs;
  // LibTorch's own default on Debian's build is 1.
  tomopick::set_torch_threads(tomopick::thread_count());
  return &commands;
}
