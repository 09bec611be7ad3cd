// `tomopick train` from the command line: one-line errors, and a run killed with SIGKILL that resumes
// to exactly the log an uninterrupted run writes.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/atomic_file.h"

using namespace tomopick;
using test::TempDir;

namespace {

std::string train_cmd(const fs::path& project, const fs::path& out) {
  return test::tomopick_binary() + " -q --threads 1 train --data " + test::shell_quote(project.string()) + " --out " +
         test::shell_quote(out.string()) +
         " --steps 120 --set model.channels=[4,8] --set model.strides=[2] --set data.crop=[16,32,32]"
         " --set train.log_every=10 --set train.checkpoint_every=20 --set train.val_every=0 --set data.workers=1";
}

// The log's rows without the time column (which differs between runs).
std::string losses(const fs::path& log) {
  std::string out;
  std::stringstream in(read_file(log));
  for (std::string line; std::getline(in, line);) {
    const auto a = line.find(','), b = line.find(',', a + 1);
    out += line.substr(0, a) + line.substr(b) + "\n";
  }
  return out;
}

}  // namespace

TEST(TrainCli, KilledRunResumesToTheSameLog) {
  TempDir dir;
  test::make_project(dir / "p", 1, 4);
  auto r = test::run_command(train_cmd(dir / "p", dir / "whole"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("trained 120 steps"), std::string::npos) << r.output;

  // Start the same run, SIGKILL it once a checkpoint exists but before it ends.
  const auto killed = dir / "killed";
  const auto pid_file = dir / "pid";
  r = test::run_command("(" + train_cmd(dir / "p", killed) + " > /dev/null 2>&1 & echo $! > " +
                        test::shell_quote(pid_file.string()) + ")");
  ASSERT_EQ(r.exit_code, 0);
  const auto pid = std::stoi(read_file(pid_file));
  bool checkpointed = false;
  for (int i = 0; i < 600 && !checkpointed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    checkpointed = fs::exists(killed / "last.pt");
  }
  ASSERT_TRUE(checkpointed);
  test::run_command("kill -9 " + std::to_string(pid));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(fs::exists(killed / "model.pt")) << "the run ended before it was killed; kill it sooner";
  // No partial files: only complete outputs or temporaries that the next write replaces.
  const std::set<std::string> complete{"config.yaml", "run.json", "last.pt", "train_log.csv"};
  for (const auto& e : fs::directory_iterator(killed)) {
    const auto name = e.path().filename().string();
    EXPECT_TRUE(name.find(".tmp-") != std::string::npos || complete.count(name)) << name;
  }

  r = test::run_command(test::tomopick_binary() + " -q --threads 1 train --resume " + test::shell_quote(killed.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(losses(killed / "train_log.csv"), losses(dir / "whole" / "train_log.csv"));
  EXPECT_TRUE(fs::exists(killed / "model.pt"));
}

TEST(TrainCli, ErrorsAreOneLine) {
  TempDir dir;
  write_file(dir / "bad.yaml", "optim:\n  lr: fast\n");
  auto r = test::run_command(test::tomopick_binary() + " train --config " + test::shell_quote((dir / "bad.yaml").string()) +
                             " --data x --out " + test::shell_quote((dir / "o").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("bad.yaml: optim.lr: expected a number, got 'fast'"), std::string::npos) << r.output;
  r = test::run_command(test::tomopick_binary() + " train --resume " + test::shell_quote((dir / "nothing").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("nothing to resume"), std::string::npos) << r.output;
  r = test::run_command(test::tomopick_binary() + " train --data " + test::shell_quote((dir / "none").string()) +
                        " --out " + test::shell_quote((dir / "o").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(fs::exists(dir / "o" / "last.pt"));
  test::make_project(dir / "p", 2, 4);
  r = test::run_command(test::tomopick_binary() + " train --data " + test::shell_quote((dir / "p").string()) +
                        " --folds 3 --fold 0 --out " + test::shell_quote((dir / "o").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--folds: 3 folds need at least 3 runs, the data has 2"), std::string::npos) << r.output;
}
