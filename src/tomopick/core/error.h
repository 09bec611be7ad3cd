#pragma once
// One exception type for every user-facing failure: what() reads "<file>: <problem>" so the CLI can
// print it as one clear line.
#include <stdexcept>
#include <string>
#include <filesystem>

namespace tomopick {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
  Error(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem), file_(file.string()) {}
  const std::string& file() const { return file_; }

private:
  std::string file_;
};

}  // namespace tomopick
