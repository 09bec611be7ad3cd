// tomopick pick: the main job — tomograms (files or a copick project's runs) in, picks out. The
// work is done in libtomopick-torch.so (torch_pick.cpp).
#include "tomopick/cli/commands.h"
#include "tomopick/cli/torch_commands.h"

namespace tomopick::cli {

void add_pick(CLI::App& app) {
  auto o = std::make_shared<PickCliOptions>();
  auto* cmd = app.add_subcommand("pick", "Find particles: tomograms (MRC, OME-Zarr) or a copick project in, picks (Å) out");
  cmd->add_option("inputs", o->inputs,
                  "Tomogram files, or one copick project, or folders of slice-stack tomograms (BYU: train/)")->required();
  cmd->add_option("-m,--model", o->models, "Model file(s), checkpoints or model folders (ensemble.json or model.pt inside); several = an ensemble (default: built-in)");
  cmd->add_option("--model-weights", o->model_weights, "Ensemble weights, one per --model")->delimiter(',');
  cmd->add_option("-o,--out", o->out,
                  "Picks to write: .csv (CZII submission + score), .star (RELION 5), or a folder (copick). "
                  "Projects also get copick picks in place");
  cmd->add_option("--fusion", o->fusion, "Ensembles: heatmap (average the heatmaps) or wbf (fuse each model's picks)");
  cmd->add_flag("--centroids", o->centroids, "Connected-component centroids instead of max-pool peaks");
  cmd->add_option("--runs", o->runs, "Only these runs of a project")->delimiter(',');
  cmd->add_option("--tomo-type", o->tomo_type, "Tomogram type of a project's runs");
  cmd->add_option("--thresholds", o->thresholds_file, "thresholds.json from `tomopick tune` (per-class scores)");
  cmd->add_option("--threshold", o->threshold, "Per-class thresholds name=value,... (override the rest)");
  cmd->add_option("--default-threshold", o->default_threshold, "For classes the model has no tuned threshold for");
  cmd->add_option("--expect", o->expect,
                  "About how many particles each tomogram holds, name=N,...: a class keeps at least its N best peaks");
  cmd->add_option("--calibrate", o->calibrate,
                  "none, or mixture: each class's threshold from this tomogram's own peak scores (for thresholds tuned on unlike data)")
      ->check(CLI::IsMember({"none", "mixture"}));
  cmd->add_option("--tta", o->tta, "Test-time augmentation: none, flips, rot90, all8, all9 or a list (default: the model's)");
  cmd->add_option("--window", o->window, "Sliding window Z,Y,X in model voxels (default: the model's)");
  cmd->add_option("--overlap", o->overlap, "Window overlap fraction (default: the model's)");
  cmd->add_option("--blend", o->blend, "Window blending: gaussian, pyramid or constant");
  cmd->add_option("--batch", o->batch, "Windows per network call")->check(CLI::PositiveNumber);
  cmd->add_option("--nms-fraction", o->nms_fraction, "Peak suppression radius as a fraction of the particle radius");
  cmd->add_option("--spacing", o->spacing, "Voxel spacing in Å (overrides the file's)");
  cmd->add_option("--normalize", o->normalize,
                  "Intensity normalisation: zscore, robust (median/MAD) or fixed (default: the model's training)");
  cmd->add_flag("--invert", o->invert,
                "Negate the intensities first: for tomograms whose dense particles are bright (the models learn them dark)");
  cmd->add_option("--device", o->device, "auto (CUDA if present), cpu, cuda");
  cmd->add_option("--precision", o->precision, "fp32, bf16 (autocast) or fp16 (CUDA)");
  cmd->add_option("--max-memory", o->max_memory, "Memory budget for inference, e.g. 4G (error if a window cannot fit)");
  cmd->add_option("--user-id", o->user_id, "copick user of the written picks");
  cmd->add_option("--session-id", o->session_id, "copick session of the written picks");
  cmd->add_flag("--overwrite", o->overwrite, "Re-pick runs of a project that already have picks");
  cmd->add_option("--format", o->format,
                  "auto (from --out; a motor model's .csv is the BYU submission), csv, star, copick or byu-submission");
  cmd->add_option("--labels", o->labels,
                  "BYU train_labels.csv: the tomograms' voxel spacings and shapes (slice stacks carry none)");
  cmd->add_option("--quantile", o->quantile,
                  "BYU: call no motor in this share of the tomograms, those whose best score is lowest (instead of a "
                  "threshold)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--shard", o->shard,
                  "Pick only share I of N (0-based) of the runs, sorted by name: run j goes to shard j % N. Default: "
                  "from Slurm arrays (SLURM_ARRAY_TASK_ID/COUNT), torchrun (RANK, WORLD_SIZE), MPI or srun; "
                  "--out then gets .shard-I-of-N before its extension (gather with tomopick merge)");
  cmd->callback([o] { torch_commands().pick(*o); });
}

}  // namespace tomopick::cli
