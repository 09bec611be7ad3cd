#pragma once
// `tomopick train`: the training loop with validation, logging and checkpoints that resume exactly.
//
// The output folder holds config.yaml (the complete config), run.json (data and split), train_log.csv
// (step, time_s, lr, loss, and val_* columns when validating), last.pt (everything needed to resume:
// weights, EMA, optimiser, step, best score), best.pt (the best validated EMA weights), model.pt (the
// model to pick with: best.pt's weights, or the final EMA without validation) and thresholds.json
// (per-class thresholds tuned on the validation runs).
//
// Data-parallel: see TrainRequest::dist.
//
// Validation: with --val-runs, the CZII score on those runs; else, when data.val_fraction holds picks
// back, the partial-label estimate (validate_partial) on the training tomograms. The
// positive-unlabelled loss (loss.kind nnpu) needs each class's share of a tomogram (its prior): from
// data.classes' `expected` counts, else the count estimated from held-back picks (at step 0 with the
// initial model, then at each validation), else four times the labelled picks.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tomopick/core/distributed_env.h"
#include "tomopick/train/labelled_data.h"
#include "tomopick/train/train_config.h"

namespace tomopick::train {

namespace fs = std::filesystem;

struct TrainRequest {
  TrainConfig config;
  std::vector<fs::path> data;             // copick projects
  std::vector<LabelledTomogram> labelled; // tomogram files with their pick files (with or without projects)
  // Fine-tuning: start from this model's weights. Its architecture, spacing and normalisation are
  // kept (a config that contradicts them is an Error); classes are matched by name, a new one gets a
  // fresh head channel.
  fs::path init;
  std::vector<std::string> classes;       // learn these (default: data.classes, else the data's own)
  std::vector<std::string> val_runs;      // held out for validation (run names)
  std::vector<std::string> train_runs;    // empty: every run not held out
  fs::path out;
  bool resume = false;                    // continue the run in `out` (its config and data)
  bool overwrite = false;                 // start afresh even if `out` holds a run
  std::string device = "auto";            // auto | cpu | cuda
  int64_t stop_after = 0;                 // stop (checkpointed) after this many steps: for tests
  // Data-parallel training (train/data_parallel): this process's rank; one process when world is 1.
  // Rank r trains on crops r·batch … r·batch + batch − 1 of each step's world·batch, so N ranks of
  // batch b see exactly the crops one process of batch N·b would; rank 0 alone validates, logs and
  // writes the output folder (every rank reads it on --resume, so it must be shared).
  DistributedEnv dist;
  double dist_timeout_s = 1800;           // a rank silent this long fails the job (torch's default)
};

struct TrainSummary {
  int64_t steps = 0;           // steps done in total
  int64_t steps_this_run = 0;
  double seconds = 0;
  double last_loss = 0;        // mean loss of the last logged interval
  double best_score = -1;      // best validation score (-1: no validation)
  int64_t best_step = 0;
  int64_t parameters = 0;
  fs::path model;              // model.pt (empty when stopped early)
  std::vector<double> step_losses;  // the loss of every step run now, averaged over the ranks
  int64_t ranks = 1;
  uint64_t weights_digest = 0;     // a hash of the trained weights' bytes: equal on every rank
};

TrainSummary train(const TrainRequest& r);

}  // namespace tomopick::train
