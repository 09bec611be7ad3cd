// tomopick train: learns a heatmap (or segmentation) network from copick projects; see
// train/trainer.h for what the output folder holds.
#include <iostream>

#include "tomopick/cli/commands.h"
#include "tomopick/core/error.h"
#include "tomopick/core/progress.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/train/splits.h"
#include "tomopick/train/trainer.h"

namespace tomopick::cli {

namespace {

struct TrainCliOptions {
  std::string config, out, resume, device = "auto";
  std::vector<std::string> data, val_runs, train_runs, set;
  int64_t steps = 0;
  int folds = 0, fold = 0;
  bool overwrite = false;
};

void run_train(const TrainCliOptions& o) {
  train::TrainRequest r;
  if (!o.resume.empty()) {
    if (!o.config.empty() || !o.data.empty() || !o.set.empty())
      throw Error("--resume", "continues a run with its recorded config and data; drop --config/--data/--set");
    r.resume = true;
    r.out = o.resume;
  } else {
    if (o.out.empty()) throw Error("--out", "required (the folder for checkpoints, logs and the model)");
    if (o.data.empty()) throw Error("--data", "required: one or more copick projects");
    r.config = o.config.empty() ? train::TrainConfig{} : train::read_train_config(o.config);
    auto set = o.set;
    if (o.steps > 0) set.push_back("train.steps=" + std::to_string(o.steps));
    if (!set.empty()) train::apply_overrides(r.config, set, "--set");
    r.out = o.out;
    for (const auto& d : o.data) r.data.emplace_back(d);
    r.val_runs = o.val_runs;
    r.train_runs = o.train_runs;
    if (o.folds > 0) {
      if (!o.val_runs.empty() || !o.train_runs.empty())
        throw Error("--folds", "chooses the validation runs itself; drop --val-runs/--train-runs");
      std::vector<std::string> runs;
      for (const auto& d : r.data)
        for (const auto& run : CopickProject::open(d).runs()) runs.push_back(run);
      const auto split = train::kfold_split(runs, o.folds, o.fold);
      r.val_runs = split.val;
      r.train_runs = split.train;
    }
    r.overwrite = o.overwrite;
  }
  r.device = o.device;
  const auto s = train::train(r);
  std::cout << "trained " << s.steps_this_run << " steps (" << s.steps << " in all) in "
            << Progress::format_duration(s.seconds) << "; last loss " << s.last_loss << "; " << s.parameters
            << " parameters\n";
  if (s.best_score >= 0)
    std::cout << "best validation score " << s.best_score << " at step " << s.best_step << "\n";
  if (!s.model.empty()) std::cout << "model: " << s.model.string() << "\n";
}

}  // namespace

void add_train(CLI::App& app) {
  auto o = std::make_shared<TrainCliOptions>();
  auto* cmd = app.add_subcommand("train", "Train a particle-picking network on copick projects (tomograms + picks)");
  cmd->add_option("--config", o->config, "YAML config (configs/*.yaml); every option has a default");
  cmd->add_option("--data", o->data, "Copick project(s) to learn from")->delimiter(',');
  cmd->add_option("--val-runs", o->val_runs, "Runs held out for validation (scored with the CZII metric)")->delimiter(',');
  cmd->add_option("--train-runs", o->train_runs, "Only these runs for training (default: all not held out)")
      ->delimiter(',');
  cmd->add_option("--folds", o->folds, "k-fold cross-validation: split the runs (sorted by name) into K folds...")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--fold", o->fold, "...and hold out fold I (0-based) for validation; run j is in fold j % K")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", o->out, "Output folder: config.yaml, train_log.csv, last.pt, best.pt, model.pt");
  cmd->add_option("--resume", o->resume, "Continue the run in this folder (after a crash or kill)");
  cmd->add_option("--set", o->set, "Override a config option: section.key=value (repeatable)");
  cmd->add_option("--steps", o->steps, "Override train.steps")->check(CLI::PositiveNumber);
  cmd->add_option("--device", o->device, "auto (CUDA if present), cpu or cuda");
  cmd->add_flag("--overwrite", o->overwrite, "Start afresh even if --out holds a run");
  cmd->callback([o] { run_train(*o); });
}

}  // namespace tomopick::cli
