// Data-parallel training on loopback (c10d over Gloo, ranks as threads or processes): ranks stay
// bit-identical, N ranks of batch b follow one process of batch N·b, a resumed job continues exactly,
// and a rank that dies or never comes fails the others with a clear error instead of a hang.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/train/data_parallel.h"
#include "tomopick/train/train_config.h"
#include "tomopick/train/trainer.h"

using namespace tomopick;
using namespace tomopick::train;
using test::TempDir;

namespace {

// A port no one listens on now (the kernel's choice).
int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  close(s);
  return ntohs(a.sin_port);
}

TrainConfig tiny_config(int batch) {
  auto c = parse_train_config(R"(
model: {channels: [4, 8, 16], strides: [2, 2], num_res_units: 1}
data: {spacing_A: 10, crop: [16, 32, 32], workers: 1}
optim: {lr: 0.01, warmup_steps: 3, ema: 0.9}
train: {steps: 8, log_every: 2, checkpoint_every: 4, val_every: 0}
validation: {window: [16, 32, 32]}
augment: {mixup: 0.5}
)",
                              "tiny");
  c.train.batch = batch;
  return c;
}

// A tiny project of `runs` runs in dir/p and a request to train on it into dir/out.
TrainRequest tiny_request(const TempDir& dir, int runs, uint64_t seed, int batch) {
  test::make_project(dir / "p", runs, seed);
  TrainRequest r;
  r.config = tiny_config(batch);
  r.data = {dir / "p"};
  r.out = dir / "out";
  return r;
}

// Runs `requests` as the ranks of one job (threads of this process) and returns their summaries.
std::vector<TrainSummary> run_ranks(std::vector<TrainRequest> requests) {
  const int port = free_port();
  std::vector<std::future<TrainSummary>> ranks;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto& q = requests[i];
    q.dist.rank = int64_t(i), q.dist.world = int64_t(requests.size());
    q.dist.local_rank = q.dist.rank, q.dist.local_world = q.dist.world;
    q.dist.master_addr = "127.0.0.1", q.dist.master_port = port, q.dist.source = "test";
    q.dist_timeout_s = 60;
    ranks.push_back(std::async(std::launch::async, [q] { return tomopick::train::train(q); }));
  }
  std::vector<TrainSummary> out;
  for (auto& f : ranks) out.push_back(f.get());
  return out;
}

std::vector<torch::Tensor> weights(const fs::path& model) {
  std::vector<torch::Tensor> w;
  for (const auto& p : nn::load_model(model, "cpu").net->parameters()) w.push_back(p.detach().clone());
  return w;
}

}  // namespace

TEST(DataParallel, TwoRanksStayIdenticalAndFollowOneRankOfTwiceTheBatch) {
  ASSERT_TRUE(data_parallel_available()) << "built without c10d's Gloo headers (libgloo-dev)";
  TempDir dir;
  TrainRequest one = tiny_request(dir, 2, 5, 4);
  one.out = dir / "one";
  const auto alone = tomopick::train::train(one);

  TrainRequest half = one;
  half.config = tiny_config(2);
  half.out = dir / "two";
  const auto job = run_ranks({half, half});
  ASSERT_EQ(job.size(), 2u);
  EXPECT_EQ(job[0].ranks, 2);
  EXPECT_EQ(job[0].weights_digest, job[1].weights_digest) << "the ranks' weights differ";
  EXPECT_NE(job[0].weights_digest, alone.weights_digest) << "(floating-point sums in another order differ a little)";
  ASSERT_EQ(job[0].step_losses.size(), alone.step_losses.size());
  for (size_t i = 0; i < alone.step_losses.size(); ++i) {
    EXPECT_NEAR(job[0].step_losses[i], alone.step_losses[i], 1e-5 * std::abs(alone.step_losses[i])) << "step " << i;
    EXPECT_EQ(job[0].step_losses[i], job[1].step_losses[i]) << "step " << i;
  }
  // Rank 0 alone wrote the folder; the model is the one-process model within float tolerance.
  EXPECT_TRUE(fs::exists(dir / "two" / "model.pt"));
  EXPECT_TRUE(job[1].model.empty());
  const auto a = weights(dir / "one" / "model.pt"), b = weights(dir / "two" / "model.pt");
  ASSERT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  // (Adam's first steps divide by the gradients' own size, which magnifies float rounding a little.)
  EXPECT_LT(worst, 1e-3);
  // ...and not by accident: a different batch split (another seed) is far from it.
  TrainRequest other = one;
  other.config.train.seed = 99;
  other.out = dir / "other";
  tomopick::train::train(other);
  const auto c = weights(dir / "other" / "model.pt");
  double far = 0;
  for (size_t i = 0; i < a.size(); ++i) far = std::max(far, (a[i] - c[i]).abs().max().item<double>());
  EXPECT_GT(far, 30 * worst) << far << " vs " << worst;
}

TEST(DataParallel, AResumedJobContinuesExactlyWithValidationOnRankZero) {
  TempDir dir;
  TrainRequest r = tiny_request(dir, 3, 6, 2);
  r.config.train.val_every = 4;
  r.val_runs = {"run2"};
  r.out = dir / "whole";
  const auto whole = run_ranks({r, r});
  EXPECT_GE(whole[0].best_score, 0);
  EXPECT_EQ(whole[1].best_score, -1) << "only rank 0 validates";
  EXPECT_TRUE(fs::exists(dir / "whole" / "thresholds.json"));

  r.out = dir / "split";
  r.stop_after = 5;
  const auto first = run_ranks({r, r});
  EXPECT_EQ(first[0].weights_digest, first[1].weights_digest);
  TrainRequest again;
  again.out = dir / "split";
  again.resume = true;
  const auto rest = run_ranks({again, again});
  ASSERT_EQ(rest[0].step_losses.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(rest[0].step_losses[i], whole[0].step_losses[5 + i]) << i;
  EXPECT_EQ(rest[0].weights_digest, whole[0].weights_digest);
  EXPECT_EQ(rest[1].weights_digest, whole[0].weights_digest);
  // The log holds every step's row once, validations included, as the uninterrupted job's.
  auto steps_of = [](const std::string& csv) {
    std::vector<std::string> v;
    std::stringstream ss(csv);
    for (std::string line; std::getline(ss, line);) v.push_back(line.substr(0, line.find(',')));
    return v;
  };
  EXPECT_EQ(steps_of(read_file(dir / "split" / "train_log.csv")), steps_of(read_file(dir / "whole" / "train_log.csv")));
}

TEST(DataParallel, ARankThatNeverComesFailsTheOtherClearly) {
  TempDir dir;
  TrainRequest r = tiny_request(dir, 1, 7, 2);
  r.dist.world = 2, r.dist.master_port = free_port();
  r.dist_timeout_s = 2;
  const auto t0 = std::chrono::steady_clock::now();
  test::expect_error([&] { tomopick::train::train(r); }, "rank 0 of 2", "could not join the training job");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30);
  EXPECT_FALSE(fs::exists(dir / "out")) << "a job that never started writes nothing";
}

TEST(DataParallel, AKilledRankFailsTheOthersInsteadOfHanging) {
  TempDir dir;
  test::make_project(dir / "p", 1, 7);
  const std::string port = std::to_string(free_port());
  // Each rank's shell writes its own pid and becomes tomopick (exec), so the pid is tomopick's.
  auto launch = [&](int rank) {
    const std::string r = std::to_string(rank);
    const auto q = [&](const std::string& name) { return test::shell_quote((dir / name).string()); };
    const std::string train = test::tomopick_binary() + " --threads 1 train --data " + q("p") + " --out " + q("out") +
                              " --set model.channels=[4,8] --set model.strides=[2] --set data.crop=[16,32,32]"
                              " --set train.batch=1 --set train.steps=100000 --set train.checkpoint_every=2"
                              " --set data.spacing_A=10 --set validation.window=[16,32,32] --dist-timeout 600";
    const std::string cmd = "(RANK=" + r + " WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port + " sh -c " +
                            test::shell_quote("echo $$ > " + q("rank" + r + ".pid") + "; exec " + train) + " > " +
                            q("rank" + r + ".log") + " 2>&1; echo $? > " + q("rank" + r + ".rc") +
                            ") < /dev/null > /dev/null 2>&1 &";
    const auto res = test::run_command(cmd);
    EXPECT_EQ(res.exit_code, 0) << res.output;
  };
  // A file's content once a line is there (up to `seconds`), else "".
  auto line_of = [&](const std::string& name, int seconds) {
    const auto file = dir / name;
    for (int i = 0; i < seconds * 100; ++i) {
      if (fs::exists(file)) {
        const auto text = read_file(file);
        if (!text.empty() && text.back() == '\n') return text;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::string();
  };
  auto pid_of = [&](int rank) { return std::stoi(line_of("rank" + std::to_string(rank) + ".pid", 10)); };
  launch(0);
  launch(1);
  const int rank0 = pid_of(0), rank1 = pid_of(1);
  // Kill rank 1 once the job has checkpointed.
  bool started = false;
  for (int i = 0; i < 6000 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    started = fs::exists(dir / "out" / "last.pt");
  }
  if (!started) test::run_command("kill -9 " + std::to_string(rank0) + " " + std::to_string(rank1));
  ASSERT_TRUE(started) << read_file(dir / "rank0.log");
  const auto killed = test::run_command("kill -9 " + std::to_string(rank1));
  ASSERT_EQ(killed.exit_code, 0) << killed.output;
  // Rank 0 must end by itself, long before --dist-timeout, with an error that says what happened.
  const auto rc = line_of("rank0.rc", 60);
  if (rc.empty()) test::run_command("kill -9 " + std::to_string(rank0));
  ASSERT_FALSE(rc.empty()) << "rank 0 hangs after rank 1 was killed";
  EXPECT_NE(std::stoi(rc), 0);
  const auto log = read_file(dir / "rank0.log");
  EXPECT_NE(log.find("rank 0 of 2: lost contact with the other ranks"), std::string::npos) << log;
  EXPECT_NE(log.find("2 ranks (data-parallel"), std::string::npos) << log;
  EXPECT_EQ(line_of("rank1.rc", 10), "137\n") << "rank 1 was killed (128 + SIGKILL)";
  // What it had checkpointed is whole: the job can go on with --resume.
  EXPECT_NO_THROW(read_file(dir / "out" / "last.pt"));
}
