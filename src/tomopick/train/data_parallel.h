#pragma once
// Data-parallel training over LibTorch's own c10d: every rank runs the same network on its own
// crops; after each backward pass the gradients are summed over the ranks (Gloo's all-reduce; on
// CUDA tensors too) and divided by their number, so every rank takes the same optimiser step and the
// weights stay bit-identical. The ranks find each other through a TCPStore at rank 0's
// MASTER_ADDR:MASTER_PORT, as torchrun's ranks do.
//
// Every call is a collective: all ranks make the same calls in the same order. A rank that dies or
// stalls makes the others' next call fail with an Error (a closed connection is seen at once; a stall
// after `timeout`), never hang.
#include <ATen/core/Tensor.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tomopick/core/distributed_env.h"

namespace tomopick::train {

// False when this build's LibTorch came without c10d's Gloo backend (its headers).
bool data_parallel_available();

class DataParallel {
public:
  // Joins the job; Error when the other ranks do not all come within `timeout`.
  DataParallel(const DistributedEnv& env, std::chrono::milliseconds timeout);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  const DistributedEnv& env() const { return env_; }
  bool is_root() const { return env_.rank == 0; }

  // Rank 0's values into every rank's tensors, in place (the initial weights).
  void broadcast(std::vector<at::Tensor> tensors, const std::string& what);
  // Rank 0's numbers to every rank (what rank 0 alone computed, e.g. a validation's estimates).
  std::vector<double> broadcast_values(std::vector<double> values, const std::string& what);
  // The mean over ranks of each parameter's gradient, in place (parameters without one are skipped:
  // the same on every rank), and the mean of `value` (the step's loss), returned.
  double average_gradients(const std::vector<at::Tensor>& parameters, double value);
  // Waits until every rank is here.
  void barrier(const std::string& what);

private:
  struct Group;
  DistributedEnv env_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Group> group_;
};

}  // namespace tomopick::train
