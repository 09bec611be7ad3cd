// Sharding a pick over the engines clusters run: which share a process takes (--shard, Slurm arrays,
// torchrun, MPI, srun), and that the shards' outputs, merged, are exactly one process's.
#include <gtest/gtest.h>

#include <map>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/distributed_env.h"
#include "tomopick/core/shard.h"
#include "tomopick/io/picks.h"

using namespace tomopick;
using test::TempDir;

namespace {

EnvLookup fake(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    const auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

void expect_shard(const Shard& s, int64_t index, int64_t count, const std::string& source) {
  EXPECT_EQ(s.index, index);
  EXPECT_EQ(s.count, count);
  EXPECT_EQ(s.source, source);
}

// Every pick file of a project (relative path -> content).
std::map<std::string, std::string> pick_files(const fs::path& project) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(project / "ExperimentRuns"))
    if (e.is_regular_file() && e.path().parent_path().filename() == "Picks")
      out[fs::relative(e.path(), project).string()] = read_file(e.path());
  return out;
}

}  // namespace

TEST(Shard, ComesFromTheOptionOrTheLauncher) {
  expect_shard(find_shard("", fake({})), 0, 1, "");
  EXPECT_FALSE(find_shard("", fake({})).active());
  expect_shard(find_shard("1/3", fake({})), 1, 3, "--shard");
  // the option wins over any launcher
  expect_shard(find_shard("0/2", fake({{"RANK", "1"}, {"WORLD_SIZE", "4"}})), 0, 2, "--shard");
  // Slurm arrays: IDs need not start at 0 (--array=4-6) or be consecutive (--array=0-4:2)
  expect_shard(find_shard("", fake({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "4"},
                                    {"SLURM_ARRAY_TASK_COUNT", "3"}})),
               1, 3, "SLURM_ARRAY_TASK_ID");
  expect_shard(find_shard("", fake({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                                    {"SLURM_ARRAY_TASK_STEP", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}})),
               2, 3, "SLURM_ARRAY_TASK_ID");
  // an array task also has srun's variables: the array decides
  expect_shard(find_shard("", fake({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"}, {"SLURM_PROCID", "0"},
                                    {"SLURM_NTASKS", "1"}})),
               0, 2, "SLURM_ARRAY_TASK_ID");
  expect_shard(find_shard("", fake({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}})), 3,
               4, "RANK");
  expect_shard(find_shard("", fake({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}})), 1, 2,
               "OMPI_COMM_WORLD_RANK");
  expect_shard(find_shard("", fake({{"SLURM_PROCID", "2"}, {"SLURM_NTASKS", "3"}})), 2, 3, "SLURM_PROCID");
  expect_shard(find_shard("", fake({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}})), 0, 1, "SLURM_PROCID");

  test::expect_error([] { find_shard("3/3", fake({})); }, "--shard", "not below");
  test::expect_error([] { find_shard("1", fake({})); }, "--shard", "must be I/N");
  test::expect_error([] { find_shard("a/2", fake({})); }, "--shard", "must be I/N");
  test::expect_error([] { find_shard("0/0", fake({})); }, "--shard", "at least 1");
  test::expect_error([] { find_shard("", fake({{"RANK", "x"}, {"WORLD_SIZE", "2"}})); }, "RANK", "non-negative integer");
  test::expect_error([] { find_shard("", fake({{"RANK", "2"}, {"WORLD_SIZE", "2"}})); }, "RANK", "not below");
  test::expect_error(
      [] {
        find_shard("", fake({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_STEP", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}}));
      },
      "SLURM_ARRAY_TASK_ID", "not in the array");
}

TEST(DistributedEnv, ComesFromTorchrunOrSrun) {
  EXPECT_FALSE(find_distributed_env(fake({})).active());
  EXPECT_EQ(find_distributed_env(fake({})).source, "");
  auto d = find_distributed_env(fake({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
                                      {"MASTER_ADDR", "node07"}, {"MASTER_PORT", "29411"}}));
  EXPECT_TRUE(d.active());
  EXPECT_EQ(d.source, "RANK");
  EXPECT_EQ(d.rank, 3);
  EXPECT_EQ(d.world, 8);
  EXPECT_EQ(d.local_rank, 1);
  EXPECT_EQ(d.local_world, 2);
  EXPECT_EQ(d.master_addr, "node07");
  EXPECT_EQ(d.master_port, 29411);
  EXPECT_EQ(d.str(), "rank 3 of 8");
  // torchrun's variables win over the srun job it may run in
  d = find_distributed_env(fake({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}));
  EXPECT_EQ(d.source, "RANK");
  EXPECT_EQ(d.rank, 1);
  EXPECT_EQ(d.master_port, 29500);
  // srun on one node: rank 0 is on this host
  d = find_distributed_env(fake({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "4"}, {"SLURM_LOCALID", "1"},
                                 {"SLURM_STEP_TASKS_PER_NODE", "4"}, {"SLURM_NNODES", "1"}}));
  EXPECT_EQ(d.source, "SLURM_PROCID");
  EXPECT_EQ(d.rank, 1);
  EXPECT_EQ(d.world, 4);
  EXPECT_EQ(d.local_world, 4);
  EXPECT_EQ(d.master_addr, "127.0.0.1");
  d = find_distributed_env(fake({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "6"}, {"SLURM_LOCALID", "2"},
                                 {"SLURM_STEP_TASKS_PER_NODE", "3(x2)"}, {"SLURM_NNODES", "2"}, {"MASTER_ADDR", "n1"}}));
  EXPECT_EQ(d.local_rank, 2);
  EXPECT_EQ(d.local_world, 3);
  EXPECT_EQ(d.master_addr, "n1");
  // a lone batch task is one process
  EXPECT_FALSE(find_distributed_env(fake({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}})).active());
}

TEST(DistributedEnv, BadVariablesAreNamed) {
  test::expect_error([] { find_distributed_env(fake({{"RANK", "0"}, {"WORLD_SIZE", "2"}})); }, "MASTER_ADDR",
                     "torchrun sets it");
  test::expect_error([] { find_distributed_env(fake({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}})); }, "RANK",
                     "not below the job's size 2");
  test::expect_error([] { find_distributed_env(fake({{"RANK", "x"}, {"WORLD_SIZE", "2"}})); }, "RANK",
                     "non-negative integer");
  test::expect_error(
      [] { find_distributed_env(fake({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_NNODES", "2"}})); },
      "MASTER_ADDR", "scontrol show hostnames");
  test::expect_error(
      [] { find_distributed_env(fake({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}})); },
      "MASTER_PORT", "must be a TCP port");
}

TEST(Shard, SplitsSortedItemsWithoutOverlapOrGap) {
  const std::vector<std::string> items = {"TS_99_9", "TS_5_4", "TS_6_4", "TS_69_2", "TS_6_6", "TS_73_6", "TS_86_3"};
  std::vector<std::string> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  std::map<std::string, int> seen;
  for (int64_t i = 0; i < 3; ++i) {
    const auto mine = shard_items(items, {i, 3, "--shard"});
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    for (const auto& m : mine) {
      ++seen[m];
      const auto j = std::find(sorted.begin(), sorted.end(), m) - sorted.begin();
      EXPECT_EQ(j % 3, i) << m;  // run j of the sorted list goes to shard j % N
    }
  }
  EXPECT_EQ(seen.size(), items.size());
  for (const auto& [k, n] : seen) EXPECT_EQ(n, 1) << k;
  EXPECT_EQ(shard_items(items, {}), sorted);  // unsharded: everything
  EXPECT_TRUE(shard_items({"a"}, {2, 3, "--shard"}).empty());

  EXPECT_EQ(shard_output("out/picks.csv", {1, 3, "RANK"}), fs::path("out/picks.shard-1-of-3.csv"));
  EXPECT_EQ(shard_output("out/picks.csv", {}), fs::path("out/picks.csv"));
  EXPECT_EQ(shard_output("out/folder", {1, 3, "RANK"}), fs::path("out/folder"));
}

// The acceptance check of the issue: three Slurm-array shards (and --shard) pick exactly what one
// process picks, in the project and, merged, in the CSV.
TEST(ShardedPick, ShardsTogetherEqualOneProcess) {
  TempDir dir;
  constexpr int kRuns = 5;
  test::make_project(dir / "one", kRuns, 8);
  test::make_project(dir / "sharded", kRuns, 8);
  const std::string bin = test::shell_quote(test::tomopick_binary());
  // One pass per window (the built-in model would average four turns): sharding is what is tested.
  const std::string args = " --spacing 40 --tta none --default-threshold 0.05 --threshold ribosome=0.05,apo-ferritin=0.05,"
                           "beta-amylase=0.05,beta-galactosidase=0.05,thyroglobulin=0.05,virus-like-particle=0.05";
  auto r = test::run_command(bin + " -q --threads 1 pick " + test::shell_quote((dir / "one").string()) + args + " --out " +
                             test::shell_quote((dir / "one.csv").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int i = 0; i < 3; ++i) {
    // shard 1 as a Slurm array task (--array=1-3), the others by option
    const std::string env = i == 1 ? "SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3 " : "";
    const std::string shard = i == 1 ? "" : " --shard " + std::to_string(i) + "/3";
    r = test::run_command(env + bin + " --threads 1 pick " + test::shell_quote((dir / "sharded").string()) + args + shard +
                          " --out " + test::shell_quote((dir / "picks.csv").string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("shard " + std::to_string(i) + "/3"), std::string::npos) << r.output;
    EXPECT_TRUE(fs::exists(dir / ("picks.shard-" + std::to_string(i) + "-of-3.csv")));
  }
  EXPECT_FALSE(fs::exists(dir / "picks.csv"));
  // the project: the same pick files, byte for byte
  const auto one = pick_files(dir / "one"), sharded = pick_files(dir / "sharded");
  EXPECT_GT(one.size(), size_t(kRuns) * 2);
  EXPECT_EQ(one, sharded);
  // the CSVs, merged: the single process's file, byte for byte
  r = test::run_command(bin + " merge " + test::shell_quote((dir / "picks.shard-0-of-3.csv").string()) + " " +
                        test::shell_quote((dir / "picks.shard-2-of-3.csv").string()) + " " +
                        test::shell_quote((dir / "picks.shard-1-of-3.csv").string()) + " --out " +
                        test::shell_quote((dir / "merged.csv").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(count_picks(read_picks(dir / "merged.csv")), 0u);
  EXPECT_EQ(read_file(dir / "merged.csv"), read_file(dir / "one.csv"));
  // files that overlap are not shards of one job
  r = test::run_command(bin + " merge " + test::shell_quote((dir / "one.csv").string()) + " " +
                        test::shell_quote((dir / "picks.shard-0-of-3.csv").string()) + " --out " +
                        test::shell_quote((dir / "bad.csv").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("overlap"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "bad.csv"));
}

TEST(ShardedPick, MergeGathersByuSubmissionShards) {
  TempDir dir;
  const auto bin = test::tomopick_binary();
  const std::string header = "tomo_id,Motor axis 0,Motor axis 1,Motor axis 2\n";
  write_file_atomic(dir / "s0.csv", header + "tomo_2,600,600,600\ntomo_0,100,100,100\n");
  write_file_atomic(dir / "s1.csv", header + "tomo_3,-1,-1,-1\ntomo_1,251,251,251\n");
  auto r = test::run_command(bin + " merge " + test::shell_quote((dir / "s1.csv").string()) + " " +
                             test::shell_quote((dir / "s0.csv").string()) + " --out " + test::shell_quote((dir / "sub.csv").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 tomograms, 3 with a motor"), std::string::npos) << r.output;
  // one submission, tomograms in name order, as one process writes it
  const auto merged = read_byu_submission(dir / "sub.csv");
  ASSERT_EQ(merged.size(), 4u);
  for (size_t i = 0; i < merged.size(); ++i) EXPECT_EQ(merged[i].tomo_id, "tomo_" + std::to_string(i));
  EXPECT_EQ(merged[1].z, 251);
  EXPECT_FALSE(merged[3].has_motor());
  // a tomogram in two files, or a submission with CZII picks: errors, nothing written
  r = test::run_command(bin + " merge " + test::shell_quote((dir / "s0.csv").string()) + " " +
                        test::shell_quote((dir / "s0.csv").string()) + " --out " + test::shell_quote((dir / "bad.csv").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("tomogram 'tomo_2' is in"), std::string::npos) << r.output;
  write_file_atomic(dir / "czii.csv", "experiment,particle_type,x,y,z\nTS_1,ribosome,1,2,3\n");
  r = test::run_command(bin + " merge " + test::shell_quote((dir / "s0.csv").string()) + " " +
                        test::shell_quote((dir / "czii.csv").string()) + " --out " + test::shell_quote((dir / "bad.csv").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("some inputs are BYU submissions and some are not"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "bad.csv"));
}
