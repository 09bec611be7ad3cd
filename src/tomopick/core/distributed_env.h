#pragma once
// Which rank of a data-parallel training job this process is, as the launchers clusters run say it:
// torchrun (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), else srun
// (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, SLURM_NTASKS_PER_NODE / SLURM_STEP_TASKS_PER_NODE,
// SLURM_NNODES). No LibTorch: the training side (train/data_parallel) joins the job it describes.
#include <cstdint>
#include <string>

#include "tomopick/core/shard.h"

namespace tomopick {

struct DistributedEnv {
  int64_t rank = 0, world = 1;              // this process and the job's size
  int64_t local_rank = 0, local_world = 1;  // the same on this node (which GPU; threads per rank)
  std::string master_addr = "127.0.0.1";    // where rank 0 listens for the others to join
  int64_t master_port = 29500;
  std::string source;                       // "RANK" (torchrun) or "SLURM_PROCID" (srun); empty: alone
  bool active() const { return world > 1; }
  std::string str() const { return "rank " + std::to_string(rank) + " of " + std::to_string(world); }
};

// Error naming the variable when one is malformed or inconsistent, and when a multi-node srun job
// has no MASTER_ADDR (the message says how to set it). One process when nothing is set.
DistributedEnv find_distributed_env(const EnvLookup& env = process_environment());

}  // namespace tomopick
