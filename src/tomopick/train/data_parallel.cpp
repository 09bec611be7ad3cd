#include "tomopick/train/data_parallel.h"

#include <torch/torch.h>

#ifdef TOMOPICK_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include <unistd.h>

#include "tomopick/core/error.h"

namespace tomopick::train {

namespace {

std::string first_line(const std::string& s) {
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace

#ifdef TOMOPICK_HAVE_C10D_GLOO

bool data_parallel_available() { return true; }

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

namespace {

// A c10d failure, said as what it means for the job.
[[noreturn]] void lost(const DistributedEnv& env, const std::string& during, const std::exception& e,
                       std::chrono::milliseconds timeout) {
  throw Error(env.str(), "lost contact with the other ranks during " + during + " (" + first_line(e.what()) +
                             "): another rank stopped, failed or was killed, or took longer than --dist-timeout (" +
                             std::to_string(timeout.count() / 1000) + " s)");
}

template <class F>
auto collective(const DistributedEnv& env, const std::string& during, std::chrono::milliseconds timeout, F&& f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    lost(env, during, e, timeout);
  }
}

}  // namespace

DataParallel::DataParallel(const DistributedEnv& env, std::chrono::milliseconds timeout)
    : env_(env), timeout_(timeout), group_(std::make_unique<Group>()) {
  try {
    c10d::TCPStoreOptions o;
    o.port = uint16_t(env.master_port);
    o.isServer = env.rank == 0;
    o.numWorkers = size_t(env.world);
    o.waitWorkers = true;
    o.timeout = timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
    auto opts = c10d::ProcessGroupGloo::Options::create();
    opts->timeout = timeout;
    // GLOO_SOCKET_IFNAME picks the network interface, as in PyTorch; else the host name's address.
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, int(env.rank), int(env.world), opts);
  } catch (const std::exception& e) {
    throw Error(env.str(), "could not join the training job at " + env.master_addr + ":" +
                               std::to_string(env.master_port) + " (" + first_line(e.what()) + "): are all " +
                               std::to_string(env.world) + " ranks started, with the same MASTER_ADDR and MASTER_PORT?");
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::broadcast(std::vector<at::Tensor> tensors, const std::string& what) {
  collective(env_, "the broadcast of " + what, timeout_, [&] {
    for (auto& t : tensors) {
      std::vector<at::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
      group_->pg->broadcast(one)->wait(timeout_);
      if (!t.is_contiguous()) t.copy_(one[0]);
    }
    return 0;
  });
}

std::vector<double> DataParallel::broadcast_values(std::vector<double> values, const std::string& what) {
  if (values.empty()) return values;
  auto t = torch::from_blob(values.data(), {int64_t(values.size())}, torch::kFloat64).clone();
  broadcast({t}, what);
  std::memcpy(values.data(), t.data_ptr<double>(), values.size() * sizeof(double));
  return values;
}

double DataParallel::average_gradients(const std::vector<at::Tensor>& parameters, double value) {
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  // One flat buffer, one all-reduce: per-tensor calls would pay the latency once per parameter.
  std::vector<at::Tensor> parts;
  for (const auto& g : grads) parts.push_back(g.reshape({-1}).to(torch::kFloat));
  const auto device = grads.empty() ? torch::Device(torch::kCPU) : grads.front().device();
  parts.push_back(torch::full({1}, value, torch::TensorOptions().dtype(torch::kFloat).device(device)));
  std::vector<at::Tensor> flat{torch::cat(parts)};
  collective(env_, "the gradient all-reduce", timeout_, [&] {
    group_->pg->allreduce(flat)->wait(timeout_);
    return 0;
  });
  flat[0].div_(double(env_.world));
  int64_t offset = 0;
  for (auto& g : grads) {
    const int64_t n = g.numel();
    g.copy_(flat[0].slice(0, offset, offset + n).view(g.sizes()));
    offset += n;
  }
  return flat[0][offset].item<double>();
}

void DataParallel::barrier(const std::string& what) {
  collective(env_, what, timeout_, [&] {
    group_->pg->barrier()->wait(timeout_);
    return 0;
  });
}

#else

bool data_parallel_available() { return false; }

struct DataParallel::Group {};

DataParallel::DataParallel(const DistributedEnv& env, std::chrono::milliseconds timeout) : env_(env), timeout_(timeout) {
  throw Error(env.str(), "this tomopick was built against a LibTorch without c10d's Gloo backend headers, so it "
                         "cannot train on several ranks (on Debian: apt install libgloo-dev, then rebuild)");
}
DataParallel::~DataParallel() = default;
void DataParallel::broadcast(std::vector<at::Tensor>, const std::string&) {}
std::vector<double> DataParallel::broadcast_values(std::vector<double> values, const std::string&) { return values; }
double DataParallel::average_gradients(const std::vector<at::Tensor>&, double value) { return value; }
void DataParallel::barrier(const std::string&) {}

#endif

}  // namespace tomopick::train
