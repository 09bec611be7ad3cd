// tomopick merge FILES... --out OUT: gathers the pick files of a sharded `tomopick pick` (one per
// shard: picks.shard-I-of-N.csv) into one, as a single process would have written it; BYU
// submissions (a motor model's shards) into one submission.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "tomopick/cli/commands.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"

namespace tomopick::cli {

namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
};

// A BYU submission's header: tomo_id and the motor axes, without the labels' shape columns.
bool is_byu_submission(const fs::path& p) {
  std::ifstream in(p);
  std::string header;
  std::getline(in, header);
  return header.find("Motor axis 0") != std::string::npos && header.find("Array shape") == std::string::npos;
}

// Shards of a motor model's pick: one row per tomogram, each tomogram in one shard.
void merge_byu_submissions(const MergeOptions& o) {
  std::vector<MotorLabel> all;
  std::map<std::string, std::string> owner;  // tomo_id -> the file it came from
  for (const auto& in : o.inputs)
    for (auto& m : read_byu_submission(in)) {
      const auto [it, fresh] = owner.emplace(m.tomo_id, in);
      if (!fresh)
        throw Error(in, "tomogram '" + m.tomo_id + "' is in " + it->second + " too: the files overlap (are they shards of one job?)");
      all.push_back(std::move(m));
    }
  // A single process writes tomograms in name order.
  std::stable_sort(all.begin(), all.end(), [](const MotorLabel& a, const MotorLabel& b) { return a.tomo_id < b.tomo_id; });
  write_byu_submission(o.out, all);
  int64_t motors = 0;
  for (const auto& m : all) motors += m.has_motor() ? 1 : 0;
  std::cout << "merged " << o.inputs.size() << " BYU submission(s): " << all.size() << " tomograms, " << motors
            << " with a motor, into " << o.out << "\n";
}

void run_merge(const MergeOptions& o) {
  const fs::path out(o.out);
  if (out.extension() != ".csv")
    throw Error(out, "merge writes a .csv (CZII or BYU submission); use tomopick convert for other formats afterwards");
  size_t byu = 0;
  for (const auto& in : o.inputs) byu += fs::path(in).extension() == ".csv" && is_byu_submission(in) ? 1 : 0;
  if (byu == o.inputs.size()) return merge_byu_submissions(o);
  if (byu > 0) throw Error(o.out, "some inputs are BYU submissions and some are not: merge one kind at a time");
  std::vector<PickSet> all;
  std::map<std::pair<std::string, std::string>, std::string> owner;  // (run, object) -> the file it came from
  for (const auto& in : o.inputs) {
    for (auto& s : read_picks(in)) {
      const auto [it, fresh] = owner.emplace(std::make_pair(s.run, s.object), in);
      // Shards split runs, so a run's picks of one class come from one file; twice means the files
      // overlap (mixed jobs, or a shard run twice with different settings).
      if (!fresh)
        throw Error(in, "run '" + s.run + "' has " + s.object + " picks in " + it->second +
                            " too: the files overlap (are they shards of one job?)");
      all.push_back(std::move(s));
    }
  }
  // A single process writes runs in name order, each run's classes in the model's (name) order.
  std::stable_sort(all.begin(), all.end(), [](const PickSet& a, const PickSet& b) {
    return std::tie(a.run, a.object) < std::tie(b.run, b.object);
  });
  write_picks(out, all);
  size_t n = 0;
  for (const auto& s : all) n += s.points.size();
  std::cout << "merged " << o.inputs.size() << " file(s): " << n << " picks of " << owner.size()
            << " (run, class) sets into " << out.string() << "\n";
}

}  // namespace

void add_merge(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  auto* cmd = app.add_subcommand("merge", "Gather the pick files of a sharded pick (one per shard) into one CSV");
  cmd->add_option("inputs", o->inputs, "Pick files (CSV, copick JSON), e.g. picks.shard-*.csv")->required();
  cmd->add_option("-o,--out", o->out, "The merged .csv")->required();
  cmd->callback([o] { run_merge(*o); });
}

}  // namespace tomopick::cli
