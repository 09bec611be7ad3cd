#include "tomopick/train/trainer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/log.h"
#include "tomopick/core/progress.h"
#include "tomopick/nn/autocast.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/nn/unet3d.h"
#include "tomopick/sim/random.h"
#include "tomopick/train/dataset.h"
#include "tomopick/train/losses.h"
#include "tomopick/train/optimizer.h"
#include "tomopick/train/validation.h"

namespace tomopick::train {

using json = nlohmann::json;

namespace {

std::string fmt_num(double v, int precision = 6) {
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

// The training log: one row per logged step; validation fills the val_* columns of its step's row.
struct Log {
  std::vector<std::string> columns{"step", "time_s", "lr", "loss", "val_score"};
  std::vector<std::map<std::string, std::string>> rows;

  void add(const std::map<std::string, std::string>& row) {
    for (const auto& [k, v] : row)
      if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
    if (!rows.empty() && rows.back().at("step") == row.at("step")) {
      for (const auto& [k, v] : row) rows.back()[k] = v;
    } else {
      rows.push_back(row);
    }
  }
  std::string csv() const {
    std::string s;
    for (size_t i = 0; i < columns.size(); ++i) s += (i ? "," : "") + columns[i];
    s += "\n";
    for (const auto& r : rows) {
      for (size_t i = 0; i < columns.size(); ++i) {
        auto it = r.find(columns[i]);
        s += (i ? "," : "") + (it == r.end() ? std::string() : it->second);
      }
      s += "\n";
    }
    return s;
  }
  // Rows of a previous run up to `step` (later ones belong to work the checkpoint does not have).
  void load(const fs::path& file, int64_t step) {
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line)) return;
    columns.clear();
    std::stringstream hs(line);
    for (std::string c; std::getline(hs, c, ',');) columns.push_back(c);
    while (std::getline(in, line)) {
      std::map<std::string, std::string> row;
      std::stringstream ls(line);
      size_t i = 0;
      for (std::string c; std::getline(ls, c, ',') && i < columns.size(); ++i)
        if (!c.empty()) row[columns[i]] = c;
      if (row.count("step") && std::stoll(row["step"]) <= step) rows.push_back(row);
    }
  }
};

torch::Device pick_device(const std::string& d) {
  if (d == "cpu") return torch::kCPU;
  if (d == "cuda") {
    if (!torch::cuda::is_available()) throw Error("--device", "cuda asked for, but LibTorch sees no CUDA device");
    return torch::kCUDA;
  }
  if (d != "auto") throw Error("--device", "must be auto, cpu or cuda, got '" + d + "'");
  return torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ",") + e;
  return s;
}

nn::ModelInfo model_info(const TrainConfig& c, const std::vector<ClassConfig>& classes, const json& training) {
  nn::ModelInfo m;
  m.model = c.model;
  for (const auto& k : classes) m.classes.push_back({k.name, k.radius_A, k.scored, std::nullopt});
  m.spacing_A = c.data.spacing_A;
  m.normalize = c.data.normalize;
  m.mean = c.data.mean;
  m.std = c.data.std;
  m.window = c.validation.window;
  m.overlap = c.validation.overlap;
  m.nms_fraction = c.validation.nms_fraction;
  m.training_json = training.dump();
  return m;
}

}  // namespace

TrainSummary train(const TrainRequest& req) {
  TrainRequest r = req;
  const fs::path run_file = r.out / "run.json", last_file = r.out / "last.pt";
  if (r.resume) {
    if (!fs::exists(run_file)) throw Error(r.out, "nothing to resume: no run.json (start a run with --out first)");
    r.config = read_train_config(r.out / "config.yaml");
    try {
      const json j = json::parse(read_file(run_file));
      r.data.clear();
      for (const auto& p : j.at("data")) r.data.emplace_back(p.get<std::string>());
      r.val_runs = j.at("val_runs").get<std::vector<std::string>>();
      r.train_runs = j.at("train_runs").get<std::vector<std::string>>();
    } catch (const json::exception& e) {
      throw Error(run_file, std::string("not a run description tomopick wrote: ") + e.what());
    }
  } else {
    if (fs::exists(run_file) && !r.overwrite)
      throw Error(r.out, "already holds a training run: use --resume to continue it or --overwrite to start afresh");
    if (r.data.empty()) throw Error("--data", "no training project given");
    fs::create_directories(r.out);
    json j{{"data", json::array()}, {"val_runs", r.val_runs}, {"train_runs", r.train_runs}};
    for (const auto& p : r.data) j["data"].push_back(fs::absolute(p).string());
    write_file_atomic(r.out / "config.yaml", to_yaml(r.config));
    write_file_atomic(run_file, j.dump(2) + "\n");
    fs::remove(last_file);
    fs::remove(r.out / "train_log.csv");
  }
  const TrainConfig& c = r.config;
  const auto device = pick_device(r.device);
  const auto classes = resolve_classes(c, r.data.front());
  const auto train_runs = load_runs(r.data, r.train_runs, r.val_runs, c, classes);
  if (train_runs.empty()) throw Error("--data", "no training runs left (all held out for validation?)");
  std::vector<TrainingRun> val_runs;
  if (!r.val_runs.empty()) {
    val_runs = load_runs(r.data, r.val_runs, {}, c, classes);
    if (val_runs.size() != r.val_runs.size())
      throw Error("--val-runs", "not every run was found in the projects (" + join(r.val_runs) + ")");
  }
  json training{{"config", to_yaml(c)}, {"val_runs", r.val_runs}};
  training["train_runs"] = json::array();
  for (const auto& t : train_runs) training["train_runs"].push_back(t.name);
  auto info = model_info(c, classes, training);

  torch::manual_seed(sim::derive_seed(c.train.seed, 0xfeed));
  nn::HeatmapNet net(c.model, int64_t(classes.size()));
  nn::HeatmapNet shadow(c.model, int64_t(classes.size()));
  net->to(device);
  shadow->to(device);
  Ema ema(*net, shadow.ptr(), c.optim.ema);
  Optimizer opt(net->parameters(), c.optim);
  TrainSummary sum;
  sum.parameters = nn::parameter_count(*net);
  log::info("model " + c.model.arch + " (" + c.model.head + " head), " + std::to_string(sum.parameters) +
            " parameters, " + std::to_string(classes.size()) + " classes, on " + device.str());

  int64_t start = 0;
  double best_score = -1;
  int64_t best_step = 0;
  Log log;
  if (r.resume && fs::exists(last_file)) {
    torch::serialize::InputArchive a;
    nn::load_archive(a, last_file);
    try {
      const json state = json::parse(nn::read_string(a, "state", last_file));
      start = state.at("step").get<int64_t>();
      best_score = state.at("best_score").get<double>();
      best_step = state.at("best_step").get<int64_t>();
      ema.set_updates(state.at("ema_updates").get<int64_t>());
    } catch (const json::exception& e) {
      throw Error(last_file, std::string("checkpoint state: ") + e.what());
    }
    torch::serialize::InputArchive m, e, o;
    a.read("model", m);
    net->load(m);
    a.read("ema", e);
    shadow->load(e);
    a.read("optim", o);
    opt.load(o);
    net->to(device), shadow->to(device);
    log.load(r.out / "train_log.csv", start);
    log::info("resuming " + r.out.string() + " at step " + std::to_string(start));
  }

  auto save_checkpoint = [&](int64_t step) {
    torch::serialize::OutputArchive a, m, e, o;
    nn::write_string(a, "info", nn::model_info_to_json(info));
    nn::write_string(a, "state", json{{"step", step}, {"best_score", best_score}, {"best_step", best_step},
                                      {"ema_updates", ema.updates()}}.dump());
    net->save(m), shadow->save(e), opt.save(o);
    a.write("model", m), a.write("ema", e), a.write("optim", o);
    nn::save_archive_atomic(a, last_file);
    write_file_atomic(r.out / "train_log.csv", log.csv());
  };

  LossSpec loss_spec;
  loss_spec.kind = c.loss.kind;
  for (const auto& k : classes) loss_spec.class_weights.push_back(k.weight);
  loss_spec.offset = c.loss.weighted_mse_offset;
  loss_spec.alpha = c.loss.tversky_alpha, loss_spec.beta = c.loss.tversky_beta;
  loss_spec.tversky_weight = c.loss.tversky_weight;

  const int64_t total = c.train.steps;
  const int64_t end = r.stop_after > 0 ? std::min(total, r.stop_after) : total;
  CropSampler sampler(train_runs, c, classes);
  BatchQueue queue(sampler, start, end, c.data.workers, c.data.prefetch);
  Progress bar("train", total, "step");
  const auto t0 = std::chrono::steady_clock::now();
  double interval_loss = 0;
  int64_t interval_n = 0;
  const bool seg = c.model.head == "segmentation";
  for (int64_t step = start; step < end; ++step) {
    Batch b = queue.next();
    const auto& s = b.crop;
    auto x = torch::from_blob(b.images.data(), {b.batch, 1, s.z, s.y, s.x}, torch::kFloat).to(device);
    torch::Tensor y = seg ? torch::from_blob(b.labels.data(), {b.batch, s.z, s.y, s.x}, torch::kUInt8).to(device)
                          : torch::from_blob(b.targets.data(), {b.batch, b.classes, s.z, s.y, s.x}, torch::kFloat).to(device);
    if (device.is_cpu()) x = x.clone(), y = y.clone();  // from_blob does not own the batch's memory
    // Dropout draws from the global generator: seeding it per step makes a resumed step identical.
    torch::manual_seed(sim::derive_seed(c.train.seed, uint64_t(step), 0xd0));
    const double lr = lr_at(c.optim, step, total);
    opt.set_lr(lr);
    net->train();
    torch::Tensor logits;
    {
      // Reduced precision for the forward pass only; the loss is computed in float32.
      nn::AutocastScope amp(device, c.optim.amp);
      logits = net->forward(x);
    }
    const auto loss = compute_loss(loss_spec, logits.to(torch::kFloat), y);
    const double lv = loss.item<double>();
    if (!std::isfinite(lv))
      throw Error(r.out, "the loss became " + fmt_num(lv) + " at step " + std::to_string(step) +
                             " (lower optim.lr, or check the data)");
    opt.zero_grad();
    loss.backward();
    clip_gradients(net->parameters(), c.optim.grad_clip);
    opt.step();
    ema.update();
    sum.step_losses.push_back(lv);
    interval_loss += lv, ++interval_n;
    const int64_t done = step + 1;
    bar.update(done, "loss " + fmt_num(interval_loss / double(interval_n), 4));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (done % c.train.log_every == 0 || done == total) {
      sum.last_loss = interval_loss / double(interval_n);
      log.add({{"step", std::to_string(done)}, {"time_s", fmt_num(elapsed, 5)}, {"lr", fmt_num(lr)},
               {"loss", fmt_num(sum.last_loss)}});
      interval_loss = 0, interval_n = 0;
    }
    const bool validate_now =
        !val_runs.empty() && ((c.train.val_every > 0 && done % c.train.val_every == 0) || done == total);
    if (validate_now) {
      const auto v = validate_model(shadow, info, val_runs, c.validation.min_score);
      std::map<std::string, std::string> row{{"step", std::to_string(done)}, {"val_score", fmt_num(v.score)}};
      for (const auto& [k, f] : v.f_beta) row["val_f4_" + k] = fmt_num(f);
      log.add(row);
      std::string per_class;
      for (const auto& [k, f] : v.f_beta) per_class += " " + k + " " + fmt_num(f, 3);
      log::info("step " + std::to_string(done) + ": validation score " + fmt_num(v.score, 4) + " (" +
                fmt_num(v.seconds, 3) + " s;" + per_class + ")");
      if (v.score > best_score) {
        best_score = v.score, best_step = done;
        auto best = info;
        for (auto& k : best.classes)
          if (auto it = v.thresholds.find(k.name); it != v.thresholds.end() && std::isfinite(it->second))
            k.threshold = it->second;
        auto tj = json::parse(best.training_json);
        tj["step"] = done, tj["val_score"] = v.score;
        best.training_json = tj.dump();
        nn::save_model(r.out / "best.pt", best, *shadow);
        write_thresholds(r.out / "thresholds.json", v.tuned);
      }
    }
    if (done % c.train.checkpoint_every == 0 || done == end) save_checkpoint(done);
  }
  bar.finish();
  sum.steps = end;
  sum.steps_this_run = end - start;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sum.best_score = best_score, sum.best_step = best_step;
  if (end == total) {
    // The model to pick with: the best validated weights, else the final EMA.
    sum.model = r.out / "model.pt";
    if (fs::exists(r.out / "best.pt")) {
      fs::copy_file(r.out / "best.pt", r.out / "model.pt.tmp", fs::copy_options::overwrite_existing);
      fs::rename(r.out / "model.pt.tmp", sum.model);
    } else {
      auto tj = json::parse(info.training_json);
      tj["step"] = end;
      info.training_json = tj.dump();
      nn::save_model(sum.model, info, *shadow);
    }
  }
  return sum;
}

}  // namespace tomopick::train
