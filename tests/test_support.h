#pragma once
// Helpers shared by the tests: scratch folders, the reference Python, the real data beside the repo.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"

namespace tomopick::test {

namespace fs = std::filesystem;

// A fresh, empty folder under the system temp dir, removed when the object dies.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& s) const { return path_ / s; }

private:
  fs::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command, capturing its output.
RunResult run_command(const std::string& cmd);

// Runs tests/py/<script> with Debian's python3 and the given arguments.
RunResult run_python(const std::string& script, const std::string& args);

// Path of the real data folder (../shared/data beside the repo), or empty if absent.
fs::path shared_data();

// Path of the built tomopick binary.
std::string tomopick_binary();

// Quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);
// For command lines: the tomopick binary, and a path, quoted for /bin/sh.
inline std::string tp() { return shell_quote(tomopick_binary()); }
inline std::string q(const fs::path& p) { return shell_quote(p.string()); }

// A pick set of `object` in `run` from {x, y, z (Å), score} rows.
PickSet pick_set(const std::string& run, const std::string& object, const std::vector<std::array<double, 4>>& xyzs);

// A volume's voxels as bytes, for bit-exact comparisons with reference dumps.
std::string raw_bytes(const AnyVolume& v);

// The message of the tomopick::Error `f` throws, or "(no error)".
std::string error_message(const std::function<void()>& f);

// Expects `f` to throw tomopick::Error whose message contains `name` (a file name) and `problem`.
// (A path converts implicitly to its string.)
void expect_error(const std::function<void()>& f, const std::string& name, const std::string& problem);

// Base of test suites that compare against reference files which tests/py/<Derived::kScript> makes
// once per suite (into a fresh folder, passed as its only argument).
template <class Derived>
class PythonReference : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    const auto r = run_python(Derived::kScript, shell_quote(dir_->path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static fs::path ref(const std::string& name) { return dir_->path() / name; }
  static inline std::unique_ptr<TempDir> dir_;
};

}  // namespace tomopick::test
