#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <system_error>

#include "tomopick/cli/torch_commands.h"
#include "tomopick/core/error.h"

namespace tomopick::cli {

namespace {

constexpr const char* kLibrary = "libtomopick-torch.so";

const TorchCommands& load() {
  namespace fs = std::filesystem;
  fs::path file;
  if (const char* env = std::getenv("TOMOPICK_TORCH_LIBRARY"); env && *env) {
    file = env;
  } else {
    // Beside the executable: the build folder, or an installed bin/ (then lib/ beside it).
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && fs::exists(exe.parent_path() / kLibrary, ec)) file = exe.parent_path() / kLibrary;
    else if (!ec && fs::exists(exe.parent_path().parent_path() / "lib" / kLibrary, ec))
      file = exe.parent_path().parent_path() / "lib" / kLibrary;
    else file = kLibrary;  // the dynamic linker's search path
  }
  // Local: LibTorch's symbols stay out of the binary's namespace; now: a missing symbol is an error
  // here, not a crash in the middle of a command.
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw Error(file, std::string("cannot load the neural-network commands (pick, train, demo, info on models): ") +
                          dlerror() + " (rebuild with scripts/setup.sh, or set TOMOPICK_TORCH_LIBRARY)");
  using Entry = const TorchCommands* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "tomopick_torch_commands"));
  if (!entry) throw Error(file, "is not tomopick's LibTorch library (no tomopick_torch_commands)");
  const TorchCommands* commands = entry();
  if (std::strcmp(commands->version, TOMOPICK_VERSION) != 0)
    throw Error(file, std::string("is version ") + commands->version + ", the binary " + TOMOPICK_VERSION +
                          ": rebuild both (scripts/setup.sh)");
  return *commands;
}

}  // namespace

const TorchCommands& torch_commands() {
  static const TorchCommands& commands = load();
  return commands;
}

}  // namespace tomopick::cli
