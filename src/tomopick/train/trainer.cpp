#include "tomopick/train/trainer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/core/number_text.h"
#include "tomopick/core/log.h"
#include "tomopick/core/progress.h"
#include "tomopick/nn/autocast.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/nn/transfer.h"
#include "tomopick/nn/unet3d.h"
#include "tomopick/sim/random.h"
#include "tomopick/train/data_parallel.h"
#include "tomopick/train/dataset.h"
#include "tomopick/train/losses.h"
#include "tomopick/train/optimizer.h"
#include "tomopick/train/validation.h"
#include "tomopick/infer/tta.h"

namespace tomopick::train {

using json = nlohmann::json;

namespace {

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
  m.tta = c.validation.tta;
  m.training_json = training.dump();
  return m;
}

bool given(const TrainConfig& c, const std::string& key_or_section) {
  for (const auto& k : c.given_keys)
    if (k == key_or_section || k.rfind(key_or_section + ".", 0) == 0) return true;
  return false;
}

// Fine-tuning keeps what the initial model's weights mean: its architecture, grid and normalisation
// (and, unless the config says otherwise, its inference window). A config that sets them otherwise is
// refused rather than silently overridden.
void adopt_initial_model(TrainConfig& c, const nn::ModelInfo& m, const fs::path& init) {
  TrainConfig with_model = c;
  with_model.model = m.model;
  if (given(c, "model") && to_yaml(with_model) != to_yaml(c))
    throw Error(init, "the config's model section (" + c.model.arch + ") is not this model's architecture (" + m.model.arch +
                          "): fine-tuning keeps the initial model's network; drop the model section");
  if (given(c, "data.spacing_A") && std::abs(c.data.spacing_A - m.spacing_A) > 1e-6 * m.spacing_A)
    throw Error(init, "the model works at " + number_text(m.spacing_A, 6) + " Å; data.spacing_A " + number_text(c.data.spacing_A, 6) +
                          " would change what its weights mean (drop it; tomograms are resampled to the model's grid)");
  if (given(c, "data.normalize") && c.data.normalize != m.normalize)
    throw Error(init, "the model was trained with data.normalize " + m.normalize + ", the config asks for " + c.data.normalize);
  if (m.model.head == "point" && c.loss.kind != "point") {
    // The heatmap losses (finetune.yaml's) cannot train a point head, nor can mixed crops.
    log::info(init.string() + " has a point head: fine-tuning with loss.kind point (not " + c.loss.kind + ") and no mixup");
    c.loss.kind = "point";
    c.augment.mixup = 0;
  }
  c.model = m.model;
  c.data.spacing_A = m.spacing_A;
  c.data.normalize = m.normalize, c.data.mean = m.mean, c.data.std = m.std;
  if (!given(c, "validation.window")) c.validation.window = m.window;
  if (!given(c, "validation.overlap")) c.validation.overlap = m.overlap;
  if (!given(c, "validation.nms_fraction")) c.validation.nms_fraction = m.nms_fraction;
}

// Heatmap mass (sum over voxels) one particle of each class puts in its target: what a prior is
// counted in.
std::vector<double> particle_masses(const TrainConfig& c, const std::vector<ClassConfig>& classes) {
  const auto spec = target_spec(c, classes);
  std::vector<double> out;
  for (size_t k = 0; k < classes.size(); ++k) {
    const double h = classes[k].radius_A / c.data.spacing_A * 3 + 2;
    const int64_t n = 2 * int64_t(std::ceil(h)) + 1;
    const Box box{{0, 0, 0}, {n, n, n}};
    const double centre = double(n / 2) * c.data.spacing_A;
    PickSet one;
    one.object = classes[k].name;
    one.points.push_back({centre, centre, centre});
    const Vec3 sp{c.data.spacing_A, c.data.spacing_A, c.data.spacing_A};
    const auto maps = c.targets.kind == "sphere" ? sphere_masks(box, sp, {one}, spec) : gaussian_heatmaps(box, sp, {one}, spec);
    double sum = 0;
    for (size_t i = 0; i < maps[k].size(); ++i) sum += maps[k].data()[i];
    out.push_back(sum);
  }
  return out;
}

// FNV-1a over the parameters' bytes: ranks compare their weights without shipping them.
uint64_t weights_digest(torch::nn::Module& net) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& p : net.parameters()) {
    const auto t = p.detach().to(torch::kCPU).contiguous();
    const auto* bytes = static_cast<const unsigned char*>(t.data_ptr());
    for (size_t i = 0; i < size_t(t.nbytes()); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  }
  return h;
}

std::vector<json> labelled_to_json(const std::vector<LabelledTomogram>& v) {
  std::vector<json> out;
  for (const auto& t : v)
    out.push_back({{"tomogram", fs::absolute(t.tomogram).string()}, {"picks", fs::absolute(t.picks).string()}, {"object", t.object},
                   {"spacing_A", t.spacing_A}, {"may_lack_picks", t.may_lack_picks}});
  return out;
}

}  // namespace

TrainSummary train(const TrainRequest& req) {
  TrainRequest r = req;
  const fs::path run_file = r.out / "run.json", last_file = r.out / "last.pt";
  std::optional<nn::ModelInfo> init_info;
  if (r.resume) {
    if (!fs::exists(run_file)) throw Error(r.out, "nothing to resume: no run.json (start a run with --out first)");
    r.config = read_train_config(r.out / "config.yaml");
    try {
      const json j = json::parse(read_file(run_file));
      r.data.clear();
      for (const auto& p : j.at("data")) r.data.emplace_back(p.get<std::string>());
      r.val_runs = j.at("val_runs").get<std::vector<std::string>>();
      r.train_runs = j.at("train_runs").get<std::vector<std::string>>();
      r.labelled.clear();
      for (const auto& t : j.value("labelled", json::array()))
        r.labelled.push_back({t.at("tomogram").get<std::string>(), t.at("picks").get<std::string>(), t.at("object").get<std::string>(),
                              t.value("spacing_A", 0.0), t.value("may_lack_picks", false)});
      r.init = j.value("init", std::string());
      r.classes.clear();
    } catch (const json::exception& e) {
      throw Error(run_file, std::string("not a run description tomopick wrote: ") + e.what());
    }
    if (!r.init.empty()) init_info = nn::read_model_info(r.init);
  } else {
    if (r.dist.rank == 0 && fs::exists(run_file) && !r.overwrite)
      throw Error(r.out, "already holds a training run: use --resume to continue it or --overwrite to start afresh");
    if (r.data.empty() && r.labelled.empty()) throw Error("--data", "no training data given (copick projects or tomograms with --picks)");
    if (!r.init.empty()) {
      init_info = nn::read_model_info(r.init);
      adopt_initial_model(r.config, *init_info, r.init);
      validate(r.config, r.init.string());
    }
  }
  auto device = pick_device(r.device);
  // Join the other ranks before the (slow) data loading, so a rank that cannot come is said early.
  std::unique_ptr<DataParallel> dp;
  if (r.dist.active()) {
    dp = std::make_unique<DataParallel>(
        r.dist, std::chrono::milliseconds(int64_t(std::max(1.0, r.dist_timeout_s) * 1000)));
    if (device.is_cuda()) device = torch::Device(torch::kCUDA, int(r.dist.local_rank % torch::cuda::device_count()));
  }
  const bool root = r.dist.rank == 0;
  auto say = [&](const std::string& msg) {
    if (root) log::info(msg);
  };
  try {
    infer::parse_tta(r.config.validation.tta);
  } catch (const Error& e) {
    throw Error("validation.tta", e.what());
  }
  const auto classes = resolve_classes(r.config, r.data, labelled_class_names(r.labelled), r.classes,
                                       init_info ? &*init_info : nullptr);
  // Fine-tuning: where each class comes from in the initial model (-1: new).
  std::vector<int64_t> class_map;
  if (init_info)
    for (const auto& k : classes) {
      int64_t from = -1;
      for (size_t i = 0; i < init_info->classes.size(); ++i)
        if (init_info->classes[i].name == k.name) from = int64_t(i);
      class_map.push_back(from);
    }
  const TrainConfig& c = r.config;
  auto train_runs = load_runs(r.data, r.train_runs, r.val_runs, c, classes);
  for (auto& run : load_labelled_runs(r.labelled, c, classes)) train_runs.push_back(std::move(run));
  if (train_runs.empty()) throw Error("--data", "no training runs left (all held out for validation?)");
  std::vector<TrainingRun> val_runs;
  if (!r.val_runs.empty()) {
    val_runs = load_runs(r.data, r.val_runs, {}, c, classes);
    if (val_runs.size() != r.val_runs.size())
      throw Error("--val-runs", "not every run was found in the projects (" + join(r.val_runs) + ")");
  }
  // A class asked for by name must have something to learn from (a project's own objects may be
  // absent from a run: they are learned as background there).
  for (const auto& k : classes) {
    if (std::find(r.classes.begin(), r.classes.end(), k.name) == r.classes.end()) continue;
    int64_t n = 0;
    for (const auto& run : train_runs)
      for (const auto& s : run.picks) n += s.object == k.name ? int64_t(s.points.size()) : 0;
    if (n == 0) throw Error("--classes", "class '" + k.name + "' has no picks in the training data");
  }
  // Only now, with the data read and checked, does the run's folder get written: bad input leaves none.
  if (!r.resume && root) {
    // The resolved classes (radii included) and the network they need go into config.yaml, so a
    // resumed run learns the same.
    r.config.data.classes = classes;
    if (init_info)
      r.config.model = nn::fine_tuned_config(init_info->model, int64_t(init_info->classes.size()), class_map);
    fs::create_directories(r.out);
    json j{{"data", json::array()}, {"val_runs", r.val_runs}, {"train_runs", r.train_runs},
           {"labelled", labelled_to_json(r.labelled)}, {"init", r.init.empty() ? std::string() : fs::absolute(r.init).string()}};
    for (const auto& p : r.data) j["data"].push_back(fs::absolute(p).string());
    write_file_atomic(r.out / "config.yaml", to_yaml(r.config));
    write_file_atomic(run_file, j.dump(2) + "\n");
    // --overwrite: nothing of the previous run may pass for this one's.
    for (const char* f : {"last.pt", "train_log.csv", "best.pt", "model.pt", "thresholds.json"}) fs::remove(r.out / f);
  }
  hold_out_picks(train_runs, c.data.val_fraction, c.train.seed);
  const bool partial = val_runs.empty() && c.data.val_fraction > 0;
  json training{{"config", to_yaml(c)}, {"val_runs", r.val_runs}};
  training["train_runs"] = json::array();
  for (const auto& t : train_runs) training["train_runs"].push_back(t.name);
  if (!r.init.empty()) training["init"] = r.init.string();
  if (partial) training["partial_labels"] = true;
  auto info = model_info(c, classes, training);
  for (const auto& run : train_runs) {
    const Appearance a = appearance(run.image.crop(appearance_box(run.image.shape())), run.source_spacing_A);
    include(info.appearance, a);
    // Fine-tuning a model on data of the opposite contrast would first have to unlearn it; say so.
    // (Other differences from the initial model's data are what fine-tuning is for.)
    if (init_info)
      for (const auto& w : appearance_mismatches(a, init_info->appearance))
        if (w.find("contrast looks inverted") != std::string::npos)
          log::warn(run.name + ": " +
                    (c.data.invert ? "negated (data.invert, --invert), its contrast looks inverted against the initial "
                                     "model's training data: it may not need inverting"
                                   : w + " (fine-tuning from " + r.init.filename().string() + ")"));
  }

  // The initial weights come from LibTorch's one global generator: seeding it and drawing them is
  // one step, so trainings in threads of one process (ranks in tests, a library user's parallel
  // runs) each get the weights their seed gives.
  static std::mutex init_mutex;
  std::unique_lock<std::mutex> init_lock(init_mutex);
  torch::manual_seed(sim::derive_seed(c.train.seed, 0xfeed));
  nn::HeatmapNet net(c.model, int64_t(classes.size()));
  nn::HeatmapNet shadow(c.model, int64_t(classes.size()));
  init_lock.unlock();
  if (init_info) {
    const auto src = nn::load_model(r.init, "cpu");
    try {
      nn::transfer_weights(*net, *src.net, class_map);
    } catch (const Error& e) {
      throw Error(r.init, e.what());
    }
    std::string fresh;
    for (size_t k = 0; k < classes.size(); ++k)
      if (class_map[k] < 0) fresh += " " + classes[k].name;
    say("initialised from " + r.init.string() + (fresh.empty() ? "" : "; new classes:" + fresh));
  }
  net->to(device);
  shadow->to(device);
  Ema ema(*net, shadow.ptr(), c.optim.ema);
  Optimizer opt(net->parameters(), c.optim);
  TrainSummary sum;
  sum.parameters = nn::parameter_count(*net);
  sum.ranks = r.dist.world;
  say("model " + c.model.arch + " (" + c.model.head + " head), " + std::to_string(sum.parameters) + " parameters, " +
      std::to_string(classes.size()) + " classes, on " + device.str() +
      (dp ? ", " + std::to_string(r.dist.world) + " ranks (data-parallel, " + std::to_string(r.dist.world * c.train.batch) +
                " crops a step)"
          : ""));

  // Positive-unlabelled loss: particles per training tomogram, per class (see trainer.h).
  std::map<std::string, double> counts, given_counts;
  for (const auto& k : classes) {
    if (k.expected > 0) {
      counts[k.name] = k.expected;
      given_counts[k.name] = k.expected * double(train_runs.size());
    } else {
      int64_t n = 0;
      for (const auto& run : train_runs) {
        for (const auto& s : run.picks) n += s.object == k.name ? int64_t(s.points.size()) : 0;
        for (const auto& s : run.held_out) n += s.object == k.name ? int64_t(s.points.size()) : 0;
      }
      counts[k.name] = 4.0 * double(n) / double(train_runs.size());
    }
  }
  const auto masses = particle_masses(c, classes);
  double mean_voxels = 0;
  for (const auto& run : train_runs) mean_voxels += double(run.image.size()) / double(train_runs.size());

  int64_t start = 0;
  double best_score = -1;
  int64_t best_step = 0;
  Log log;
  bool resumed_state = false;
  if (r.resume && fs::exists(last_file)) {
    torch::serialize::InputArchive a;
    nn::load_archive(a, last_file);
    try {
      const json state = json::parse(nn::read_string(a, "state", last_file));
      start = state.at("step").get<int64_t>();
      best_score = state.at("best_score").get<double>();
      best_step = state.at("best_step").get<int64_t>();
      ema.set_updates(state.at("ema_updates").get<int64_t>());
      if (state.contains("pu_counts")) counts = state.at("pu_counts").get<std::map<std::string, double>>();
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
    resumed_state = true;
    say("resuming " + r.out.string() + " at step " + std::to_string(start));
  }
  if (dp) {
    // The same start everywhere, whatever each rank read or drew.
    std::vector<at::Tensor> state;
    for (auto* m : {&*net, &*shadow}) {
      for (const auto& p : m->parameters()) state.push_back(p.data());
      for (const auto& b : m->buffers()) state.push_back(b);
    }
    dp->broadcast(state, "the initial weights");
  }

  auto save_checkpoint = [&](int64_t step) {
    if (!root) return;
    torch::serialize::OutputArchive a, m, e, o;
    nn::write_string(a, "info", nn::model_info_to_json(info));
    nn::write_string(a, "state", json{{"step", step}, {"best_score", best_score}, {"best_step", best_step},
                                      {"ema_updates", ema.updates()}, {"pu_counts", counts}}.dump());
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
  loss_spec.negative_weight = c.loss.pu_negative_weight, loss_spec.gamma = c.loss.pu_gamma;
  loss_spec.point_alpha = c.loss.point_alpha, loss_spec.point_gamma = c.loss.point_gamma;
  loss_spec.point_offset_weight = c.loss.point_offset_weight;
  auto set_priors = [&] {
    loss_spec.priors.clear();
    for (size_t k = 0; k < classes.size(); ++k)
      loss_spec.priors.push_back(std::min(0.5, counts[classes[k].name] * masses[k] / std::max(1.0, mean_voxels)));
  };
  set_priors();

  // Validation (the thresholds and best model come from it); with partial labels it also counts
  // the particles the loss's priors need.
  auto validate_at = [&](int64_t done) {
    const auto v = partial ? validate_partial(shadow, info, train_runs, c.validation.min_score, given_counts, 4,
                                              c.validation.pu_tolerance)
                           : validate_model(shadow, info, val_runs, c.validation.min_score);
    std::map<std::string, std::string> row{{"step", std::to_string(done)}, {"val_score", number_text(v.score, 6)}};
    for (const auto& [k, f] : v.f_beta) row["val_f4_" + k] = number_text(f, 6);
    std::string per_class;
    for (const auto& [k, f] : v.f_beta) per_class += " " + k + " " + number_text(f, 3);
    for (const auto& [k, e] : v.pu) {
      const double held_recall = v.held_out_recall.at(k);
      row["val_threshold_" + k] = e.threshold ? number_text(*e.threshold, 6) : "";
      row["val_recall_" + k] = number_text(held_recall, 6);
      row["val_count_" + k] = number_text(e.count, 6);
      row["val_learned_shift_" + k] = number_text(e.learned_shift, 6);
      per_class += " (threshold " + (e.threshold ? number_text(*e.threshold, 3) : "-") + " finds " +
                   number_text(100 * held_recall, 3) + " % of held-back picks; ~" + number_text(std::round(e.count), 6) +
                   " particles)";
      if (!e.count_given && e.count > 0) counts[k] = e.count / double(train_runs.size());
    }
    log.add(row);
    log::info("step " + std::to_string(done) + ": validation score " + number_text(v.score, 4) +
              (partial ? " (estimated from held-back picks; " : " (") + number_text(v.seconds, 3) + " s;" + per_class + ")");
    set_priors();
    return v;
  };

  // Rank 0 validates; the particle counts it estimates (what the loss's priors come from) go to all.
  auto share_counts = [&] {
    if (!dp) return;
    std::vector<double> v;
    for (const auto& k : classes) v.push_back(counts[k.name]);
    v = dp->broadcast_values(v, "the validation's particle counts");
    for (size_t k = 0; k < classes.size(); ++k) counts[classes[k].name] = v[k];
    set_priors();
  };
  const int64_t total = c.train.steps;
  const int64_t end = r.stop_after > 0 ? std::min(total, r.stop_after) : total;
  if (partial && init_info && !resumed_state && start == 0) {
    // Where the initial model stands, and (from it) how many particles there are to learn.
    if (root) validate_at(0);
    share_counts();
  }
  CropSampler sampler(train_runs, c, classes, r.dist.rank * c.train.batch);
  BatchQueue queue(sampler, start, end, c.data.workers, c.data.prefetch);
  std::optional<Progress> bar;
  if (root) bar.emplace("train", total, "step");
  const auto t0 = std::chrono::steady_clock::now();
  double interval_loss = 0, allreduce_s = 0;
  int64_t interval_n = 0;
  const bool seg = c.model.head == "segmentation";
  for (int64_t step = start; step < end; ++step) {
    Batch b = queue.next();
    const auto& s = b.crop;
    auto x = torch::from_blob(b.images.data(), {b.batch, 1, s.z, s.y, s.x}, torch::kFloat).to(device);
    torch::Tensor y = seg ? torch::from_blob(b.labels.data(), {b.batch, s.z, s.y, s.x}, torch::kUInt8).to(device)
                          : torch::from_blob(b.targets.data(),
                                             {b.batch, b.target_channels, b.target_shape.z, b.target_shape.y, b.target_shape.x},
                                             torch::kFloat)
                                .to(device);
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
    const auto loss = compute_loss(loss_spec, logits.to(torch::kFloat), y, b.marginal);
    double lv = loss.item<double>();
    if (!std::isfinite(lv))
      throw Error(r.out, "the loss became " + number_text(lv, 6) + " at step " + std::to_string(step) +
                             (dp ? " on " + r.dist.str() : std::string()) + " (lower optim.lr, or check the data)");
    opt.zero_grad();
    loss.backward();
    if (dp) {
      const auto c0 = std::chrono::steady_clock::now();
      lv = dp->average_gradients(net->parameters(), lv);
      allreduce_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    }
    clip_gradients(net->parameters(), c.optim.grad_clip);
    opt.step();
    ema.update();
    sum.step_losses.push_back(lv);
    interval_loss += lv, ++interval_n;
    const int64_t done = step + 1;
    if (bar) bar->update(done, "loss " + number_text(interval_loss / double(interval_n), 4));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (done % c.train.log_every == 0 || done == total) {
      sum.last_loss = interval_loss / double(interval_n);
      log.add({{"step", std::to_string(done)}, {"time_s", number_text(elapsed, 5)}, {"lr", number_text(lr, 6)},
               {"loss", number_text(sum.last_loss, 6)}});
      interval_loss = 0, interval_n = 0;
    }
    const bool validate_now = (!val_runs.empty() || partial) &&
                              ((c.train.val_every > 0 && done % c.train.val_every == 0) || done == total);
    if (validate_now && !root) share_counts();
    if (validate_now && root) {
      const auto v = validate_at(done);
      share_counts();
      if (v.score > best_score) {
        best_score = v.score, best_step = done;
        auto best = info;
        for (auto& k : best.classes)
          if (auto it = v.thresholds.find(k.name); it != v.thresholds.end() && std::isfinite(it->second))
            k.threshold = it->second;
        auto tj = json::parse(best.training_json);
        tj["step"] = done, tj["val_score"] = v.score;
        if (partial) tj["estimated_counts"] = counts;
        best.training_json = tj.dump();
        nn::save_model(r.out / "best.pt", best, *shadow);
        write_thresholds(r.out / "thresholds.json", v.tuned);
      }
    }
    if (done % c.train.checkpoint_every == 0 || done == end) save_checkpoint(done);
  }
  if (bar) bar->finish();
  if (dp && end > start)
    // What scaling out costs: the all-reduce's share (waiting for the slowest rank included).
    say("data-parallel: the gradient all-reduce (" + number_text(double(sum.parameters) * 4 / 1e6, 3) + " MB a step) took " +
        number_text(1000 * allreduce_s / double(end - start), 3) + " ms a step, " +
        number_text(100 * allreduce_s / std::max(1e-9, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()), 3) +
        " % of the time");
  sum.steps = end;
  sum.steps_this_run = end - start;
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sum.best_score = best_score, sum.best_step = best_step;
  sum.weights_digest = weights_digest(*net);
  if (end == total && root) {
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
