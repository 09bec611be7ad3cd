#pragma once
// The simulator's driver: one run (sample -> potential -> tilt series -> recorded images -> WBP ->
// denoised), and a whole copick project of runs. See README "tomopick simulate" for the physics.
//
// Determinism: everything random derives from (seed, run index) through derive_seed, parallel work
// uses per-task generators and fixed summation orders, FFTW plans are FFTW_ESTIMATE: the same seed
// and config give the same bytes, whatever the thread count.
#include <filesystem>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"
#include "tomopick/sim/imaging.h"
#include "tomopick/sim/sample.h"
#include "tomopick/sim/sim_config.h"

namespace tomopick::sim {

namespace fs = std::filesystem;

struct SimulatedRun {
  std::string name;
  uint64_t seed = 0;  // this run's own seed
  Exposure exposure;  // the defocus and dose drawn for it
  std::vector<double> angles_deg;
  Sample sample;
  Volume<float> denoised, wbp;
  Volume<float> density;   // the noiseless potential (V above ice), when asked for
  Volume<uint8_t> labels;  // class label per voxel, when asked for
  Volume<uint16_t> instances;  // particle instance id per voxel (the picks' instance_id), with labels
  std::vector<PickSet> picks;  // one set per particle type of the config (empty sets kept), Å
};

struct RunOutputs {
  bool density = false;
  bool labels = false;
};

// Simulates run number `index` of a project with seed `seed`. Validates the config first.
SimulatedRun simulate_run(const SimConfig& c, uint64_t seed, int index, const std::string& name,
                          const RunOutputs& want = {});

// The particles of a sample as picks (user "simulation", session "0"), one set per type in config order.
std::vector<PickSet> sample_picks(const Sample& s, const SimConfig& c, const std::string& run);

struct SimulateOptions {
  fs::path out;
  int runs = 1;
  uint64_t seed = 0;
  bool save_density = false;  // tomogram type "density": the noiseless potential
  bool save_labels = false;   // tomogram types "labels": uint8 class labels (copick label numbers), and
                              // "instances": uint16 particle instance ids (the picks' instance_id)
  bool overwrite = false;     // replace an existing project at `out`
  std::string run_prefix = "sim_";
};

// Writes a copick project: copick_config.json (the CZII objects), per run the OME-Zarr tomograms
// `denoised` and `wbp` (3 levels, float32) at VoxelSpacing<s>, optional `density` / `labels`, picks
// JSON per particle type (user "simulation", session "0") and simulation.json (the run's drawn
// parameters). The project is built beside `out` and renamed into place at the end (atomic).
// Returns the run names.
std::vector<std::string> simulate_project(const SimConfig& c, const SimulateOptions& o);

// "sim_000", "sim_001", ... (more digits past 1000 runs).
std::string run_name(const std::string& prefix, int index, int runs);

}  // namespace tomopick::sim
