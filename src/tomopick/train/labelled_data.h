#pragma once
// Training data that is not a copick project: a tomogram file (MRC, OME-Zarr) with a pick file (CSV,
// RELION STAR, copick JSON) beside it, as `tomopick train --data TOMO --picks PICKS --object NAME`.
// Picks are checked against the tomogram before anything is trained: picks outside it, or picks
// that are plainly voxel indices where Å are expected, are errors naming the pick file.
//
// Also here: holding some picks of each run back for validation (partial labels: there are no
// held-out runs to score against when a user has one tomogram).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/train/dataset.h"

namespace tomopick::train {

namespace fs = std::filesystem;

struct LabelledTomogram {
  fs::path tomogram;   // MRC, OME-Zarr or a slice-stack folder
  fs::path picks;      // .csv, .star, .json (BYU's train_labels.csv too)
  std::string object;  // class of picks in files without an object column; also keeps only this class
  double spacing_A = 0;         // the tomogram's voxel spacing when the file has none (slice stacks); 0 = the file's
  bool may_lack_picks = false;  // a tomogram without picks is a negative (BYU: no motor), not an error
};

// The picks of `t` in Å, one set per object, run = tomogram_name(t.tomogram). `shape` and `spacing` are
// the tomogram's (level 0): they convert RELION's centred coordinates and bound the checks. A file
// with several runs keeps the run named like the tomogram (or its only run). Errors name the pick file.
std::vector<PickSet> read_labelled_picks(const LabelledTomogram& t, const Shape3& shape, const Vec3& spacing);

// Throws Error(file, ...) when a pick lies outside the tomogram (more than half a voxel beyond its
// outer voxel centres), or when every pick lies within [0, n] on each axis, with n the number of
// voxels and the spacing >= 2 Å: then the numbers are voxel indices, not Å (said so, with the factor).
void check_picks_inside(const std::vector<PickSet>& sets, const Shape3& shape, const Vec3& spacing,
                        const fs::path& file);

// The class names a list of labelled tomograms brings (their objects, in first-seen order).
std::vector<std::string> labelled_class_names(const std::vector<LabelledTomogram>& data);

// Reads each tomogram (the level nearest to, not coarser than, data.spacing_A), resamples and
// normalises it as load_run does, and reads its picks of `classes`.
//
// BYU's layout (a folder of slice-stack tomograms and train_labels.csv) gives one LabelledTomogram per
// tomogram: see byu_training_data.
std::vector<TrainingRun> load_labelled_runs(const std::vector<LabelledTomogram>& data, const TrainConfig& c,
                                            const std::vector<ClassConfig>& classes);

// Moves round(fraction x n) picks of each run and class (at least one when n >= 4, never all) from
// `picks` to `held_out`, chosen at random from `seed`: the same split every time.
void hold_out_picks(std::vector<TrainingRun>& runs, double fraction, uint64_t seed);

// The tomograms of a BYU folder (`folder`/<tomo_id>, slice stacks) listed in its labels file, with
// the labels' spacings; those without a motor are negatives. Error naming a tomogram the labels
// list but the folder lacks, or one the folder holds without labels.
std::vector<LabelledTomogram> byu_training_data(const fs::path& folder, const fs::path& labels);

}  // namespace tomopick::train
