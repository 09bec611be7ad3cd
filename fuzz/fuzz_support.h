#pragma once
// Shared by every fuzz target. Inputs reach the parsers the way users' files do: written to a file
// and opened by path. The only acceptable failure is a tomopick::Error whose message names the file;
// anything else (another exception type, a crash, a sanitizer report, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "tomopick/core/error.h"

namespace tomopick {
namespace fs = std::filesystem;
}

namespace tomopick::fuzz {

// A folder private to this process (in /dev/shm where there is one: a file per input, thousands
// per second), emptied at exit.
fs::path scratch_dir();

// Writes `bytes` to scratch_dir()/name (creating parent folders) and returns the path.
fs::path write_input(const std::string& name, std::string_view bytes);

// Removes everything in scratch_dir(), so one input's files never leak into the next.
void clear_scratch();

// Splits an input into `n` parts at the separator "\n--\n" (missing parts are empty), so one fuzz
// input can hold several files (a .zattrs, a .zarray, a chunk).
std::string_view part(std::string_view data, int index);

// Runs `f`; a tomopick::Error that does not mention `name` aborts (the user could not tell which file
// is wrong), any other exception escapes to libFuzzer, which reports it.
template <class F>
void expect_clear_errors(const std::string& name, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    if (std::string_view(e.what()).find(name) == std::string_view::npos) {
      std::fprintf(stderr, "error message does not name '%s': %s\n", name.c_str(), e.what());
      std::abort();
    }
  }
}

// Aborts with a message when a property that must hold does not.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

// For text formats tomopick also writes: `data` is the text of file `name`; whatever parses must
// survive write -> parse -> write unchanged.
template <class Parse, class Write>
void text_round_trip(const uint8_t* data, size_t size, const std::string& name, Parse parse, Write write,
                     const char* what) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  expect_clear_errors(name, [&] {
    const std::string once = write(parse(text, name));
    require(write(parse(once, name)) == once, what);
  });
}

}  // namespace tomopick::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
