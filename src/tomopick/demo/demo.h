#pragma once
// `tomopick demo`: the first experience in one call. Simulates a small CZII-like run, picks it with
// a model (the built-in default unless told), scores the picks against the simulation's truth with
// the CZII metric and writes the HTML report, timing each stage. Torch-free: the network stays
// behind infer::Picker.
//
// The folder it writes (default ./tomopick-demo):
//   project/      copick project: the run's tomograms (removed unless `keep`), the truth (user
//                 "simulation") and the picks (user "tomopick")
//   picks.csv     the picks, CZII submission format plus a score column (Å)
//   report.html   the self-contained report
//   demo.json     what was run and what came out; it also marks the folder as a demo's, which a
//                 later demo may replace
//
// The BYU task (`task = "byu"`) simulates a few tomograms of bacteria in BYU's layout instead, picks
// them with the built-in motor model and scores the submission with the BYU F2:
//   byu/          train/<tomo_id>/slice_*.jpg (removed unless `keep`) and train_labels.csv (the truth)
//   picks.csv     each tomogram's best peak (Å, with its score), called a motor or not
//   submission.csv  BYU's submission: one motor or -1 per tomogram, voxels
//   report.html, demo.json
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/eval/byu_score.h"
#include "tomopick/eval/czii_score.h"

namespace tomopick::demo {

namespace fs = std::filesystem;

struct DemoOptions {
  std::string task = "czii";      // "czii" or "byu" (flagellar motors)
  fs::path out = "tomopick-demo";
  uint64_t seed = 0;
  fs::path model;                 // empty: infer::default_model_path()
  Shape3 shape{92, 315, 315};     // voxels (z, y, x) at `spacing_A`; particle counts scale with the volume
  // The CZII runs' spacing, like the default model's training data: the picker then resamples level 0
  // to the model's 20 Å exactly as training did.
  double spacing_A = 10.012444;
  bool keep = false;              // keep the simulated tomograms (otherwise only their picks stay)
  // byu: how many tomograms (about half hold a motor) and their box; each draws its spacing from BYU's.
  int tomograms = 8;
  Shape3 byu_shape{256, 512, 512};
  std::string command_line;       // shown in the report
};

struct StageTime {
  std::string name;  // simulate, pick, score, report
  double seconds = 0;
};

struct DemoResult {
  std::string task = "czii";
  fs::path dir, project, picks_csv, report;
  fs::path submission;   // byu
  fs::path model;
  std::string run;
  Shape3 shape;
  double spacing_A = 0;
  uint64_t seed = 0;
  int64_t particles = 0;  // truth points of the run
  int64_t picks = 0;      // byu: best peaks, one per tomogram
  CziiResult score;       // exactly what `tomopick evaluate --truth <project> --truth-user simulation --picks <csv>` gives
  // byu: exactly what `tomopick evaluate --metric byu --truth byu/train_labels.csv --picks submission.csv` gives
  ByuResult byu;
  int tomograms = 0, motors = 0;  // byu: simulated tomograms and motors in them
  double motor_threshold = 0;     // byu: the score a tomogram's best peak needs to call a motor
  std::vector<StageTime> stages;
  double total_seconds = 0;
  size_t report_images = 0;
  std::vector<std::string> report_notes;
  bool tomograms_kept = false;
};

// True if `dir` holds a demo's output (its demo.json marker).
bool is_demo_folder(const fs::path& dir);

// Runs the whole demo (the task o.task says) into o.out. An existing demo folder there is replaced; anything else there (a
// file, a folder that is not a demo's and not empty) is an Error naming it, left untouched. The
// project and picks are built beside o.out and renamed into place; the report follows.
DemoResult run_demo(const DemoOptions& o);

// The BYU task's demo (run_demo calls it for task "byu").
DemoResult run_byu_demo(const DemoOptions& o);

}  // namespace tomopick::demo
