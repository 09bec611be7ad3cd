// tomopick train, the part that trains (in libtomopick-torch.so; the options are train.cpp's).
#include <algorithm>
#include <iostream>

#include "tomopick/cli/common.h"
#include "tomopick/cli/torch_command_bodies.h"
#include "tomopick/core/distributed_env.h"
#include "tomopick/core/error.h"
#include "tomopick/core/log.h"
#include "tomopick/core/progress.h"
#include "tomopick/core/resources.h"
#include "tomopick/eval/particle_types.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/slice_stack.h"
#include "tomopick/train/labelled_data.h"
#include "tomopick/train/splits.h"
#include "tomopick/train/trainer.h"

namespace tomopick::cli {

namespace {

// A folder's slice files, or none (a folder of tomograms, as BYU's train/).
std::vector<fs::path> list_slice_files_or_none(const fs::path& folder) {
  try {
    return list_slice_files(folder);
  } catch (const Error&) {
    return {};
  }
}

// --data entries that are not copick projects are tomograms; each takes the next --picks file
// (with --labels, a folder of BYU tomograms takes its labels from that file).
void split_data(TrainCliOptions& o) {
  std::vector<std::string> tomograms;
  for (const auto& d : o.data) {
    if (CopickProject::is_project(d)) o.req.data.emplace_back(d);
    else if (!o.labels.empty() && fs::is_directory(d) && list_slice_files_or_none(d).empty())
      for (auto& t : train::byu_training_data(d, o.labels)) o.req.labelled.push_back(std::move(t));
    else if (!fs::exists(d)) throw Error(d, "no such tomogram or copick project");
    else tomograms.push_back(d);
  }
  if (tomograms.size() != o.picks.size())
    throw Error("--picks", std::to_string(tomograms.size()) + " tomogram(s) in --data but " + std::to_string(o.picks.size()) +
                               " --picks file(s): give one pick file per tomogram, in the same order");
  if (!o.objects.empty() && o.objects.size() != 1 && o.objects.size() != o.picks.size())
    throw Error("--object", "give one name for all pick files, or one per --picks");
  for (size_t i = 0; i < tomograms.size(); ++i) {
    const std::string object = o.objects.empty() ? "" : o.objects[o.objects.size() == 1 ? 0 : i];
    o.req.labelled.push_back({tomograms[i], o.picks[i], object});
  }
}

// --expect / --radius name=value pairs go into the config's class list (added when missing).
void set_class_values(train::TrainConfig& c, const std::vector<std::string>& pairs, const std::string& option,
                      double train::ClassConfig::*member) {
  for (const auto& entry : pairs)
    for (const auto& [name, value] : parse_name_values(entry, option)) {
      if (!(value > 0)) throw Error(option, name + ": must be > 0");
      auto it = std::find_if(c.data.classes.begin(), c.data.classes.end(), [&](const auto& k) { return k.name == name; });
      if (it == c.data.classes.end()) {
        c.data.classes.push_back({name});
        it = c.data.classes.end() - 1;
      }
      (*it).*member = value;
    }
}

}  // namespace

void run_train(TrainCliOptions& o) {
  auto& r = o.req;
  if (!o.resume.empty()) {
    if (!o.config.empty() || !o.data.empty() || !o.set.empty() || !r.init.empty())
      throw Error("--resume", "continues a run with its recorded config and data; drop --config/--data/--set/--init");
    r.resume = true;
    r.out = o.resume;
  } else {
    if (r.out.empty()) throw Error("--out", "required (the folder for checkpoints, logs and the model)");
    if (o.data.empty()) throw Error("--data", "required: copick projects, or tomograms with --picks");
    std::string config = o.config;
    if (config.empty() && !r.init.empty()) {
      // Fine-tuning has its own defaults: few steps, partial labels, the positive-unlabelled loss.
      const auto found = find_resource("configs/finetune.yaml");
      if (!found) throw Error("--config", "fine-tuning's default configs/finetune.yaml was not found; give --config");
      config = found->string();
    }
    r.config = config.empty() ? train::TrainConfig{} : train::read_train_config(config);
    auto set = o.set;
    if (o.steps > 0) set.push_back("train.steps=" + std::to_string(o.steps));
    if (o.invert) set.push_back("data.invert=true");
    if (!set.empty()) train::apply_overrides(r.config, set, "--set");
    set_class_values(r.config, o.expect, "--expect", &train::ClassConfig::expected);
    set_class_values(r.config, o.radius, "--radius", &train::ClassConfig::radius_A);
    split_data(o);
    if (o.folds > 0) {
      if (!r.val_runs.empty() || !r.train_runs.empty())
        throw Error("--folds", "chooses the validation runs itself; drop --val-runs/--train-runs");
      std::vector<std::string> runs;
      for (const auto& d : r.data)
        for (const auto& run : CopickProject::open(d).runs()) runs.push_back(run);
      const auto split = train::kfold_split(runs, o.folds, o.fold);
      r.val_runs = split.val;
      r.train_runs = split.train;
    }
  }
  // Launched by torchrun or srun: one rank of a data-parallel job, whose rank 0 speaks for it.
  r.dist = find_distributed_env();
  if (r.dist.rank != 0) log::warnings_only();
  const auto s = train::train(r);
  if (r.dist.rank != 0) return;
  std::cout << "trained " << s.steps_this_run << " steps (" << s.steps << " in all) in "
            << Progress::format_duration(s.seconds) << "; last loss " << s.last_loss << "; " << s.parameters
            << " parameters\n";
  if (s.best_score >= 0)
    std::cout << "best validation score " << s.best_score << " at step " << s.best_step << "\n";
  if (!s.model.empty()) std::cout << "model: " << s.model.string() << "\n";
}

}  // namespace tomopick::cli
