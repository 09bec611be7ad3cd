#pragma once
// Training data: tomograms of copick projects resampled to the model's spacing and normalised, their
// picks, and random crops (biased to particles, augmented) with their targets, prepared ahead of the
// network by worker threads. No LibTorch: batches are plain float/uint8 arrays.
//
// Determinism: crop `i` of step `s` draws everything from derive_seed(seed, s, i), so a resumed run
// sees exactly the crops an uninterrupted one would, whatever the number of workers.
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/targets/targets.h"
#include "tomopick/train/train_config.h"

namespace tomopick::sim {
class Rng;
}

namespace tomopick::train {

namespace fs = std::filesystem;

struct TrainingRun {
  std::string project;       // where it came from
  std::string name;          // run name
  Volume<float> image;       // normalised, at the model's spacing
  std::vector<PickSet> picks;  // Å: the labels training sees
  std::vector<PickSet> held_out;  // Å: labels kept back for validation (hold_out_picks)
  double source_spacing_A = 0;    // the file's spacing before resampling
  bool from_pick_file = false;    // a tomogram given with --picks (not a copick project's run)
};

// The classes a run learns: the config's, with radii filled from the project (or CZII defaults);
// if the config lists none, every particle object of the first project's copick config.
std::vector<ClassConfig> resolve_classes(const TrainConfig& c, const fs::path& project);

// The same for any mix of data, in order: the `requested` names, else the config's data.classes,
// else every particle object of the first project and the classes of `labelled_names` (from pick
// files). Each class takes radius, weight, scored and expected from data.classes when listed there;
// a radius still missing comes from `init` (the model fine-tuned from), else the first project's copick
// config, else the CZII values; a class with none is an Error saying how to give it.
std::vector<ClassConfig> resolve_classes(const TrainConfig& c, const std::vector<fs::path>& projects,
                                         const std::vector<std::string>& labelled_names,
                                         const std::vector<std::string>& requested, const nn::ModelInfo* init);

// The target spec for those classes (σ and sphere fractions from the config).
TargetSpec target_spec(const TrainConfig& c, const std::vector<ClassConfig>& classes);

// Negated first when d.invert; then z-score (mean 0, std 1 over the volume), median/MAD or the
// config's fixed constants, in place.
void normalize(Volume<float>& v, const DataConfig& d);

// Reads a tomogram file at the level nearest to (not coarser than) data.spacing_A, resamples it to
// data.spacing_A and normalises it: what every training image goes through.
// `source_spacing_A` (if given) receives the spacing of the level read.
// `spacing_A` > 0 is the tomogram's spacing when the file has none (slice stacks).
// Only the part of the level that stores data is read (a zarr fragment's stored chunks); when that is
// not the whole level, `part_origin_A` (if given) receives where its first voxel lies in the
// tomogram's frame (Å), for move_picks_into.
Volume<float> load_training_image(const fs::path& tomogram, const TrainConfig& c, double* source_spacing_A = nullptr,
                                  double spacing_A = 0, std::optional<Vec3>* part_origin_A = nullptr);

// With a part_origin_A from load_training_image: the run's picks moved into its image, those outside
// it (within half a voxel of its edge voxels) dropped with a log line naming `tomogram`.
void move_into_stored_part(TrainingRun& r, const std::optional<Vec3>& part_origin_A, const fs::path& tomogram);

// Reads one run's tomogram (data.tomo_type, the finest spacing), resamples it to data.spacing_A,
// normalises it, and reads its picks (data.user_id / session_id filter) for the given classes.
TrainingRun load_run(const fs::path& project, const std::string& run, const TrainConfig& c,
                     const std::vector<ClassConfig>& classes);

// Runs of several projects: `runs` empty means all runs; the split helpers pick names.
std::vector<TrainingRun> load_runs(const std::vector<fs::path>& projects, const std::vector<std::string>& only,
                                   const std::vector<std::string>& exclude, const TrainConfig& c,
                                   const std::vector<ClassConfig>& classes);

// One batch, z,y,x contiguous: images [batch, 1, crop], targets [batch, target_channels,
// target_shape] (heatmap heads: the classes on the crop's grid; point heads: the classes' qualities
// then dz, dy, dx on the stride-2 grid, targets/targets.h point_targets) or labels [batch, crop]
// (segmentation heads).
struct Batch {
  int64_t step = 0;
  int batch = 0, classes = 0;
  Shape3 crop;
  int target_channels = 0;
  Shape3 target_shape;
  std::vector<float> images;
  std::vector<float> targets;
  std::vector<uint8_t> labels;
  // Per crop: 1 when it was drawn uniformly from a tomogram (not centred on a pick), a sample of the
  // data as it is: what the positive-unlabelled loss scores as unlabelled.
  std::vector<float> marginal;
};

// Crops, targets and augmentation.
class CropSampler {
public:
  // `first_crop`: the index in the step's whole batch of this sampler's first crop (data-parallel
  // ranks take consecutive slices of it).
  CropSampler(const std::vector<TrainingRun>& runs, const TrainConfig& c, const std::vector<ClassConfig>& classes,
              int64_t first_crop = 0);
  Batch make_batch(int64_t step) const;

  // Where a crop is placed: near a labelled particle with probability data.particle_fraction, or
  // always near one, or uniformly (the positive-unlabelled loss alternates the last two).
  enum class Placement { by_fraction, particle, uniform };

private:
  void make_crop(uint64_t seed, Placement where, float* image, float* target, uint8_t* labels) const;
  const TrainingRun& draw_run(sim::Rng& rng) const;
  const std::vector<TrainingRun>& runs_;
  std::vector<size_t> from_projects_, from_pick_files_;  // runs_ indices, for data.picks_share
  TrainConfig cfg_;
  TargetSpec spec_;
  int64_t first_crop_;
};

// Batches for steps [first, last) prepared by worker threads, handed out in step order. The first
// exception a worker throws is rethrown by next().
class BatchQueue {
public:
  BatchQueue(const CropSampler& sampler, int64_t first, int64_t last, int workers, int prefetch);
  ~BatchQueue();
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;
  Batch next();

private:
  void work();
  const CropSampler& sampler_;
  int64_t next_to_make_, next_to_give_, last_;
  int prefetch_;
  std::map<int64_t, Batch> ready_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
};

// Applies a random geometric transform to a crop of shape s (z,y,x), in place on `channels`
// consecutive volumes: k quarter turns in the x-y plane (needs y == x when k is odd), then flips.
void transform_crop(float* data, int channels, const Shape3& s, int quarter_turns, bool flip_z, bool flip_y, bool flip_x);
// Where the point at crop voxel coordinates `p` (z, y, x; voxel i's centre at i) lands under the same
// transform: what a point head's targets, computed after the transform, need.
Vec3 transform_point(const Vec3& p, const Shape3& s, int quarter_turns, bool flip_z, bool flip_y, bool flip_x);
void transform_crop(uint8_t* data, int channels, const Shape3& s, int quarter_turns, bool flip_z, bool flip_y,
                    bool flip_x);

}  // namespace tomopick::train
