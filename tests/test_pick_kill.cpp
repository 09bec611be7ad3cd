// `tomopick pick` over a copick project, SIGKILLed mid-run and started again: the finished runs are
// kept, the rest are picked, and the project and the CSV end up exactly as an uninterrupted pick's.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/atomic_file.h"

using namespace tomopick;
using test::TempDir;

namespace {

// The default model on runs claimed to be at 40 Å (upsampled 2x to its 20 Å grid) with all 8 test-time
// transforms: about a second per run, slow enough to be killed between runs.
std::string pick_cmd(const fs::path& project, const fs::path& csv) {
  return test::tomopick_binary() + " -q --threads 1 pick " + test::shell_quote(project.string()) +
         " --spacing 40 --tta all8 --default-threshold 0.05 --threshold ribosome=0.05,apo-ferritin=0.05,"
         "beta-amylase=0.05,beta-galactosidase=0.05,thyroglobulin=0.05,virus-like-particle=0.05 --user-id kill --out " +
         test::shell_quote(csv.string());
}

// Every pick file of the project (relative path -> content).
std::map<std::string, std::string> pick_files(const fs::path& project) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(project / "ExperimentRuns"))
    if (e.is_regular_file() && e.path().parent_path().filename() == "Picks" &&
        e.path().filename().string().find(".tmp-") == std::string::npos)  // a write the kill cut short
      out[fs::relative(e.path(), project).string()] = read_file(e.path());
  return out;
}

}  // namespace

TEST(PickKill, KilledProjectPickResumesToTheSameResult) {
  TempDir dir;
  constexpr int kRuns = 5;
  test::make_project(dir / "whole", kRuns, 8);
  test::make_project(dir / "killed", kRuns, 8);
  auto r = test::run_command(pick_cmd(dir / "whole", dir / "whole.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto whole = pick_files(dir / "whole");
  // every run has one file per class of the default model, picks or not, and the recipe that made them
  ASSERT_EQ(whole.size() - pick_files(dir / "killed").size(), size_t(kRuns) * 7);

  // Kill once the first run's picks exist and before the last run's do.
  const auto pid_file = dir / "pid";
  r = test::run_command("(" + pick_cmd(dir / "killed", dir / "killed.csv") + " > /dev/null 2>&1 & echo $! > " +
                        test::shell_quote(pid_file.string()) + ")");
  ASSERT_EQ(r.exit_code, 0);
  const auto pid = std::stoi(read_file(pid_file));
  const auto before = pick_files(dir / "killed").size();
  // Generous: under the sanitizers on a busy machine the first run took more than 30 s to appear.
  bool started = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!started && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    started = pick_files(dir / "killed").size() > before;
  }
  ASSERT_TRUE(started) << "no run's picks after 5 minutes";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the run's other files, not the next run
  test::run_command("kill -9 " + std::to_string(pid));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto partial = pick_files(dir / "killed");
  EXPECT_LT(partial.size(), whole.size()) << "the pick ended before it was killed; kill it sooner";
  EXPECT_FALSE(fs::exists(dir / "killed.csv"));
  // What exists is complete: each pick file is one of the uninterrupted run's, byte for byte.
  for (const auto& [name, content] : partial)
    if (whole.count(name)) EXPECT_EQ(content, whole.at(name)) << name;

  // Runs whose recipe (written after their six class files) exists before the kill count as finished.
  auto run_of = [](const std::string& name) { return (++fs::path(name).begin())->string(); };
  std::set<std::string> done;
  for (const auto& [name, content] : partial)
    if (fs::path(name).filename() == ".tomopick_kill_0.recipe") done.insert(run_of(name));
  std::map<std::string, fs::file_time_type> finished;
  for (const auto& [name, content] : partial)
    if (done.count(run_of(name)) && name.find("kill_") != std::string::npos)
      finished[name] = fs::last_write_time(dir / "killed" / name);
  EXPECT_FALSE(finished.empty());

  r = test::run_command(pick_cmd(dir / "killed", dir / "killed.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(pick_files(dir / "killed"), whole);
  // finished runs were not picked again
  for (const auto& [name, t] : finished) EXPECT_EQ(fs::last_write_time(dir / "killed" / name), t) << name;
  EXPECT_EQ(read_file(dir / "killed.csv"), read_file(dir / "whole.csv"));
}
