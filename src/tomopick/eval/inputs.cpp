#include "tomopick/eval/inputs.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "tomopick/core/ascii.h"
#include "tomopick/core/error.h"
#include "tomopick/eval/particle_types.h"

namespace tomopick {

namespace {

bool is_pick_file_name(const fs::path& p) {
  const std::string ext = ascii_lower(p.extension().string());
  return ext == ".csv" || ext == ".json" || ext == ".star";
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part.erase(0, part.find_first_not_of(" \t"));
    part.erase(part.find_last_not_of(" \t") + 1);
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace

PickSource load_pick_source(const fs::path& path, const SourceOptions& opts) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file or folder");
  PickSource src;
  if (CopickProject::is_project(path)) {
    const CopickProject p = CopickProject::open(path);
    src.sets = p.read_picks("", "", opts.user_id, opts.session_id);
    src.runs = p.runs();
    src.config = p.config();
    src.description = "copick project";
    return src;
  }
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(path))
      if (e.is_regular_file() && is_pick_file_name(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
      throw Error(path, "neither a copick project (no copick_config.json) nor a folder of pick files (.csv, .json, .star)");
    for (const auto& f : files) {
      auto sets = read_picks(f, opts.read);
      src.sets.insert(src.sets.end(), std::make_move_iterator(sets.begin()), std::make_move_iterator(sets.end()));
    }
    src.sets = group_pick_sets(std::move(src.sets));
    src.description = "folder of " + std::to_string(files.size()) + " pick file" + (files.size() == 1 ? "" : "s");
    return src;
  }
  src.sets = group_pick_sets(read_picks(path, opts.read));
  src.description = "pick file";
  return src;
}

EvalSetup prepare_evaluation(const EvalRequest& req) {
  if (req.metric != "czii" && req.metric != "byu") throw Error("--metric: '" + req.metric + "' is not czii, byu or pr");
  EvalSetup s;
  SourceOptions truth_opts = req.truth_source;
  if (req.spacing_A > 0) {
    truth_opts.read.voxel_spacing_A = req.spacing_A;
    truth_opts.read.csv.voxel_spacing = req.spacing_A;
  }
  s.truth = load_pick_source(req.truth, truth_opts);

  SourceOptions pick_opts = req.picks_source;
  if (req.spacing_A > 0) {
    pick_opts.read.voxel_spacing_A = req.spacing_A;
    pick_opts.read.csv.voxel_spacing = req.spacing_A;
  }
  // A BYU submission has voxel coordinates and no spacing column: use the truth's spacing of each
  // tomogram (STAR files are left alone: their geometry needs tomogram sizes, which this lacks).
  if (ascii_lower(req.picks.extension().string()) == ".csv" && pick_opts.read.star.tomograms.empty())
    for (const auto& t : s.truth.sets)
      if (t.voxel_spacing > 0) pick_opts.read.star.tomograms[t.run].spacing_A = t.voxel_spacing;
  s.picks = load_pick_source(req.picks, pick_opts);

  const CopickConfig* cfg = s.truth.config ? &*s.truth.config : s.picks.config ? &*s.picks.config : nullptr;
  const auto radius = parse_name_values(req.radius, "--radius");
  const auto weights = parse_name_values(req.weights, "--weights");
  for (const auto& [name, r] : radius)
    if (!(r > 0)) throw Error("--radius: " + name + " must be > 0");
  if (req.beta && !(*req.beta > 0)) throw Error("--beta must be > 0");
  if (!(req.distance_multiplier > 0)) throw Error("--distance-multiplier must be > 0");

  s.czii.types = resolve_particle_types(cfg, radius, weights);
  s.czii.beta = req.beta.value_or(4);
  s.czii.distance_multiplier = req.distance_multiplier;
  s.czii.matching = parse_matching(req.matching);
  s.czii.scored_types = split_list(req.types);
  s.czii.truth_runs = s.truth.runs;
  s.czii.ignore_unknown = req.ignore_unknown;
  s.czii.extra_runs_are_fp = req.extra_runs_are_fp;

  if (!(req.distance_A > 0)) throw Error("--distance must be > 0 (Å)");
  s.byu.distance_A = req.distance_A;
  s.byu.beta = req.beta.value_or(2);
  s.byu.fallback_spacing_A = req.spacing_A;
  s.byu.object = req.object;
  s.byu.truth_runs = s.truth.runs;
  return s;
}

}  // namespace tomopick
