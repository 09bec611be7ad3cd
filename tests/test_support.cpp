#include "test_support.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <random>

namespace tomopick::test {

TempDir::TempDir() {
  static std::atomic<int> n{0};
  std::random_device rd;
  path_ = fs::temp_directory_path() /
          ("tomopick-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

RunResult run_command(const std::string& cmd) {
  RunResult r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

RunResult run_python(const std::string& script, const std::string& args) {
  return run_command(shell_quote(TOMOPICK_PYTHON) + " " + shell_quote(std::string(TOMOPICK_TEST_PY_DIR) + "/" + script) +
                     " " + args);
}

fs::path shared_data() {
  fs::path p = fs::path(TOMOPICK_SHARED_DATA);
  std::error_code ec;
  if (fs::exists(p / "README.md", ec)) return fs::weakly_canonical(p);
  return {};
}

std::string tomopick_binary() { return TOMOPICK_BINARY; }

PickSet pick_set(const std::string& run, const std::string& object, const std::vector<std::array<double, 4>>& xyzs) {
  PickSet s;
  s.run = run;
  s.object = object;
  for (const auto& [x, y, z, score] : xyzs) {
    Pick p;
    p.x = x, p.y = y, p.z = z, p.score = score;
    s.points.push_back(p);
  }
  return s;
}

std::string raw_bytes(const AnyVolume& v) { return std::string(static_cast<const char*>(v.raw_data()), v.bytes()); }

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_error(const std::function<void()>& f, const std::string& name, const std::string& problem) {
  try {
    f();
    ADD_FAILURE() << "no Error thrown; expected one naming '" << name << "' and containing '" << problem << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << msg;
  }
}

}  // namespace tomopick::test
