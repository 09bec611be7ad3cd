#include "fuzz_support.h"

#include <fstream>
#include <system_error>
#include <unistd.h>

namespace tomopick::fuzz {

namespace {
struct Scratch {
  fs::path dir;
  Scratch() {
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir = base / ("tomopick-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
Scratch& scratch() {
  static Scratch s;
  return s;
}
}  // namespace

fs::path scratch_dir() { return scratch().dir; }

void clear_scratch() {
  for (const auto& e : fs::directory_iterator(scratch_dir())) fs::remove_all(e.path());
}

fs::path write_input(const std::string& name, std::string_view bytes) {
  const fs::path p = scratch_dir() / name;
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  return p;
}

std::string_view part(std::string_view data, int index) {
  constexpr std::string_view sep = "\n--\n";
  for (int i = 0; i < index; ++i) {
    const size_t at = data.find(sep);
    if (at == std::string_view::npos) return {};
    data.remove_prefix(at + sep.size());
  }
  return data.substr(0, data.find(sep));
}

}  // namespace tomopick::fuzz
