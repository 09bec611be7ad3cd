// tomopick simulate: writes a copick project of simulated runs (tomograms, noiseless density,
// labels, picks) from a physical model of the specimen, the microscope and the reconstruction.
#include <spdlog/spdlog.h>

#include <optional>
#include <sstream>
#include <tuple>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/common.h"
#include "tomopick/core/error.h"
#include "tomopick/sim/byu_dataset.h"
#include "tomopick/sim/simulate.h"

namespace tomopick::cli {

namespace {

struct SimulateCliOptions {
  std::string out, preset = "czii", shape, dose, defocus, tilt_range, ctf_correction;
  int runs = 1;
  uint64_t seed = 0;
  std::optional<double> spacing, snr, tilt_step, slab, denoise_sigma, tilt_weight;
  bool save_density = false, save_labels = false, overwrite = false;
};

// "A" or "A,B" -> (A, A) or (A, B); Error naming the option otherwise.
std::pair<double, double> parse_range(const std::string& s, const std::string& option) {
  std::vector<double> v;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    try {
      size_t pos = 0;
      v.push_back(std::stod(part, &pos));
      if (pos != part.size()) throw 0;
    } catch (...) {
      throw Error(option + ": '" + s + "' must be a number or MIN,MAX");
    }
  }
  if (v.size() == 1) return {v[0], v[0]};
  if (v.size() != 2) throw Error(option + ": '" + s + "' must be a number or MIN,MAX");
  return {v[0], v[1]};
}

void run_simulate(const SimulateCliOptions& o) {
  sim::SimConfig c = sim::sim_preset(o.preset);
  if (!o.shape.empty()) c.shape = parse_shape(o.shape, "--shape");
  if (o.spacing) c.spacing = *o.spacing;
  if (o.slab) c.slab_thickness = *o.slab;
  if (!o.dose.empty()) std::tie(c.dose_min, c.dose_max) = parse_range(o.dose, "--dose");
  if (!o.defocus.empty()) std::tie(c.defocus_min_um, c.defocus_max_um) = parse_range(o.defocus, "--defocus");
  if (!o.tilt_range.empty()) std::tie(c.tilt_min, c.tilt_max) = parse_range(o.tilt_range, "--tilt-range");
  if (o.tilt_step) c.tilt_step = *o.tilt_step;
  if (o.snr) c.snr = *o.snr;
  if (o.denoise_sigma) c.denoise_sigma = *o.denoise_sigma;
  if (!o.ctf_correction.empty()) c.ctf_correction = sim::parse_ctf_correction(o.ctf_correction);
  if (o.tilt_weight) c.tilt_weight_power = *o.tilt_weight;
  if (c.specimen == "bacteria") {
    // The BYU task's own layout: JPEG slices and train_labels.csv, a spacing and shape per tomogram.
    if (o.save_density || o.save_labels) throw Error("--save-density/--save-labels", "not available with --preset byu");
    sim::ByuSimOptions bo;
    bo.out = o.out, bo.tomograms = o.runs, bo.seed = o.seed, bo.overwrite = o.overwrite;
    if (!o.shape.empty()) bo.shape = c.shape;
    bo.spacing = o.spacing;
    const auto labels = sim::simulate_byu_dataset(c, bo);
    size_t motors = 0;
    for (const auto& l : labels) motors += l.has_motor();
    spdlog::info("wrote {} simulated tomogram(s) with {} motor(s) (byu preset, seed {}) to {}", o.runs, motors, o.seed, o.out);
    return;
  }
  sim::SimulateOptions so;
  so.out = o.out;
  so.runs = o.runs;
  so.seed = o.seed;
  so.save_density = o.save_density;
  so.save_labels = o.save_labels;
  so.overwrite = o.overwrite;
  const auto names = sim::simulate_project(c, so);
  spdlog::info("wrote {} simulated run(s) ({} preset, seed {}) to {}", names.size(), o.preset, o.seed, o.out);
}

}  // namespace

void add_simulate(CLI::App& app) {
  auto o = std::make_shared<SimulateCliOptions>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Simulate cryo-ET runs (particles, membranes, CTF, dose, WBP) into a copick project with ground-truth picks");
  cmd->add_option("--out", o->out, "Project folder to write (copick layout; byu: train/<tomo_id>/slice_*.jpg and train_labels.csv)")->required();
  cmd->add_option("--runs", o->runs, "Number of runs (sim_000, sim_001, ...)")->check(CLI::Range(1, 100000));
  cmd->add_option("--preset", o->preset,
                  "czii (like the CZII challenge runs), czii-real (its imaging matched to real data), easy (small, bright, "
                  "fast) or byu (bacteria with flagellar motors, in the BYU Kaggle layout)");
  cmd->add_option("--seed", o->seed, "Random seed: the same seed gives identical files");
  cmd->add_option("--shape", o->shape, "Box Z,Y,X in voxels (default: the preset's, byu: drawn per tomogram; counts scale with the slab volume)");
  cmd->add_option("--spacing", o->spacing, "Voxel spacing in Å (byu: drawn per tomogram from BYU's)");
  cmd->add_option("--slab", o->slab, "Ice slab thickness in Å");
  cmd->add_option("--dose", o->dose, "Total dose in e/Å², a value or MIN,MAX drawn per run");
  cmd->add_option("--defocus", o->defocus, "Underfocus in µm, a value or MIN,MAX drawn per run");
  cmd->add_option("--tilt-range", o->tilt_range, "MIN,MAX tilt angles in degrees (about y)");
  cmd->add_option("--tilt-step", o->tilt_step, "Tilt increment in degrees");
  cmd->add_option("--snr", o->snr, "Noise knob: the shot noise's standard deviation is divided by this (1 = physical)");
  cmd->add_option("--ctf-correction", o->ctf_correction,
                  "What the reconstruction does about the CTF: none, phase-flip or wiener (czii: wiener)");
  cmd->add_option("--tilt-weight", o->tilt_weight, "Each tilt is back-projected with weight cos(tilt)^this (czii: 1.5)");
  cmd->add_option("--denoise-sigma", o->denoise_sigma, "Sigma (voxels) of the Gaussian that makes the `denoised` tomogram");
  cmd->add_flag("--save-density", o->save_density, "Also write the noiseless potential as tomogram type `density`");
  cmd->add_flag("--save-labels", o->save_labels, "Also write uint8 class labels (copick label numbers) as type `labels`");
  cmd->add_flag("--overwrite", o->overwrite, "Replace an existing project at --out");
  cmd->callback([o] { run_simulate(*o); });
}

}  // namespace tomopick::cli
