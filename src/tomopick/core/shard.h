#pragma once
// Which share of a job this process does, as the engines clusters already run say it: an explicit
// --shard I/N, else a Slurm job array, else torchrun / torch.distributed, else MPI, else srun's
// tasks. Work items (runs) are sorted by name and item j goes to shard j % N, so the shards of one
// job never overlap and together do everything, whatever launched them.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace tomopick {

struct Shard {
  int64_t index = 0, count = 1;
  std::string source;  // what set it: "--shard", "SLURM_ARRAY_TASK_ID", "RANK", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID"; empty: none
  bool active() const { return count > 1; }
  std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// Reads an environment variable (null when unset); tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;
EnvLookup process_environment();

// The variable as a non-negative integer; Error naming it when it is not one.
int64_t env_int(const EnvLookup& env, const char* name);

// `option` is --shard's value ("I/N", 0-based; empty: not given). Error naming the option or the
// variable when a value is not a number or the index is not below the count.
Shard find_shard(const std::string& option, const EnvLookup& env = process_environment());

// The items of this shard, in sorted order: item j of the sorted list when j % count == index.
std::vector<std::string> shard_items(std::vector<std::string> items, const Shard& shard);

// Where a sharded process writes a file output: picks.csv -> picks.shard-1-of-3.csv (unchanged
// when not sharded), so shards sharing one --out do not overwrite each other.
std::filesystem::path shard_output(const std::filesystem::path& out, const Shard& shard);

}  // namespace tomopick
