// tomopick train: learns a heatmap (or segmentation) network from copick projects or tomograms with
// pick files, from scratch or from a model (fine-tuning); see train/trainer.h for what the output
// folder holds.
#include "tomopick/cli/commands.h"
#include "tomopick/cli/torch_commands.h"

namespace tomopick::cli {

void add_train(CLI::App& app) {
  auto o = std::make_shared<TrainCliOptions>();
  auto& r = o->req;
  auto* cmd = app.add_subcommand("train", "Train a particle-picking network on copick projects or tomograms with picks");
  cmd->add_option("--config", o->config,
                  "YAML config (configs/*.yaml); every option has a default (with --init: configs/finetune.yaml)");
  cmd->add_option("--data", o->data, "Copick project(s), or tomogram files (MRC, OME-Zarr) each with a --picks file")
      ->delimiter(',');
  cmd->add_option("--picks", o->picks, "Pick file (CSV, STAR, copick JSON; Å) of each tomogram in --data, in order");
  cmd->add_option("--labels", o->labels,
                  "BYU train_labels.csv: each --data folder of slice-stack tomograms (BYU's train/) is learned from it");
  cmd->add_option("--object", o->objects, "Class of the picks in files without an object column (one, or one per --picks)");
  cmd->add_option("--init", r.init, "Start from this model's weights (fine-tuning): same network and spacing");
  cmd->add_option("--classes", r.classes, "Learn these classes (default: the data's); matched by name with --init")
      ->delimiter(',');
  cmd->add_option("--expect", o->expect, "Particles per training tomogram, name=N,... (default: estimated)");
  cmd->add_option("--radius", o->radius, "Particle radius in Å of classes the model and data do not know, name=Å,...");
  cmd->add_option("--val-runs", r.val_runs, "Runs held out for validation (scored with the CZII metric)")->delimiter(',');
  cmd->add_option("--train-runs", r.train_runs, "Only these runs for training (default: all not held out)")
      ->delimiter(',');
  cmd->add_option("--folds", o->folds, "k-fold cross-validation: split the runs (sorted by name) into K folds...")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--fold", o->fold, "...and hold out fold I (0-based) for validation; run j is in fold j % K")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", r.out, "Output folder: config.yaml, train_log.csv, last.pt, best.pt, model.pt");
  cmd->add_option("--resume", o->resume, "Continue the run in this folder (after a crash or kill)");
  cmd->add_option("--set", o->set, "Override a config option: section.key=value (repeatable)");
  cmd->add_option("--steps", o->steps, "Override train.steps")->check(CLI::PositiveNumber);
  cmd->add_flag("--invert", o->invert,
                "Negate the tomograms first (data.invert): for data saved with dense particles bright; pick them with --invert too");
  cmd->add_option("--device", r.device, "auto (CUDA if present), cpu or cuda");
  cmd->add_flag("--overwrite", r.overwrite, "Start afresh even if --out holds a run");
  cmd->add_option("--dist-timeout", r.dist_timeout_s,
                  "Data-parallel (launched by torchrun or srun): seconds a rank may wait for the others before the job fails")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o] { torch_commands().train(*o); });
}

}  // namespace tomopick::cli
