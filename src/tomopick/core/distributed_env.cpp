#include "tomopick/core/distributed_env.h"

#include "tomopick/core/error.h"

namespace tomopick {

namespace {

bool set(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  return v && *v;
}

// Slurm writes tasks per node as "2", "2(x3)" or "2(x3),1": the first node's count is the one
// that matters for a job whose nodes run the same number of tasks.
int64_t leading_int(const EnvLookup& env, const char* name) {
  const std::string v = env(name);
  const auto end = v.find_first_not_of("0123456789");
  const std::string digits = v.substr(0, end);
  if (digits.empty() || digits.size() > 9) throw Error(name, "must start with a number of tasks, got '" + v + "'");
  return std::stoll(digits);
}

}  // namespace

DistributedEnv find_distributed_env(const EnvLookup& env) {
  DistributedEnv d;
  if (set(env, "RANK") && set(env, "WORLD_SIZE")) {
    d.source = "RANK";
    d.rank = env_int(env, "RANK"), d.world = env_int(env, "WORLD_SIZE");
    d.local_rank = set(env, "LOCAL_RANK") ? env_int(env, "LOCAL_RANK") : d.rank;
    d.local_world = set(env, "LOCAL_WORLD_SIZE") ? env_int(env, "LOCAL_WORLD_SIZE") : d.world;
    if (d.world > 1 && !set(env, "MASTER_ADDR"))
      throw Error("MASTER_ADDR", "not set: with WORLD_SIZE " + std::to_string(d.world) +
                                     " every rank needs rank 0's host name (torchrun sets it)");
  } else if (set(env, "SLURM_PROCID") && set(env, "SLURM_NTASKS")) {
    d.source = "SLURM_PROCID";
    d.rank = env_int(env, "SLURM_PROCID"), d.world = env_int(env, "SLURM_NTASKS");
    d.local_rank = set(env, "SLURM_LOCALID") ? env_int(env, "SLURM_LOCALID") : 0;
    d.local_world = set(env, "SLURM_NTASKS_PER_NODE")       ? leading_int(env, "SLURM_NTASKS_PER_NODE")
                    : set(env, "SLURM_STEP_TASKS_PER_NODE") ? leading_int(env, "SLURM_STEP_TASKS_PER_NODE")
                                                            : 1;
    const int64_t nodes = set(env, "SLURM_NNODES") ? env_int(env, "SLURM_NNODES") : 1;
    if (d.world > 1 && nodes > 1 && !set(env, "MASTER_ADDR"))
      throw Error("MASTER_ADDR", "not set: a job on " + std::to_string(nodes) +
                                     " nodes needs rank 0's host; in the batch script: export MASTER_ADDR=$(scontrol show "
                                     "hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)");
  } else {
    return d;
  }
  if (set(env, "MASTER_ADDR")) d.master_addr = env("MASTER_ADDR");
  if (set(env, "MASTER_PORT")) d.master_port = env_int(env, "MASTER_PORT");
  const char* rank_var = d.source == "RANK" ? "RANK" : "SLURM_PROCID";
  if (d.world < 1) throw Error(d.source == "RANK" ? "WORLD_SIZE" : "SLURM_NTASKS", "must be at least 1");
  if (d.rank >= d.world)
    throw Error(rank_var, std::to_string(d.rank) + " is not below the job's size " + std::to_string(d.world) +
                              " (ranks are 0-based)");
  if (d.local_world < 1 || d.local_rank >= d.local_world)
    d.local_world = std::max<int64_t>(d.local_world, d.local_rank + 1);
  if (d.master_port < 1 || d.master_port > 65535)
    throw Error("MASTER_PORT", "must be a TCP port (1-65535), got " + std::to_string(d.master_port));
  return d;
}

}  // namespace tomopick
