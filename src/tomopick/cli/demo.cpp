// tomopick demo: simulate a small CZII-like run, pick it with the built-in model, score it and write
// the report, all in one folder, with a table of what came out and how long each stage took. The
// work is done in libtomopick-torch.so (torch_demo.cpp).
#include "tomopick/cli/commands.h"
#include "tomopick/cli/torch_commands.h"

namespace tomopick::cli {

namespace {

// The command as the options make it (shown in the report; explicit, so it can be re-run).
std::string command_line(const DemoCliOptions& o) {
  std::string s = "tomopick demo" + (o.task == "czii" ? "" : " --task " + o.task) + " --out " + o.out + " --seed " +
                  std::to_string(o.seed);
  if (o.task == "byu") s += " --tomograms " + std::to_string(o.tomograms);
  if (!o.model.empty()) s += " --model " + o.model;
  if (!o.shape.empty()) s += " --shape " + o.shape;
  if (o.keep) s += " --keep";
  return s;
}

}  // namespace

void add_demo(CLI::App& app) {
  auto o = std::make_shared<DemoCliOptions>();
  auto* cmd = app.add_subcommand(
      "demo", "Try tomopick in one go: simulate a small CZII-like run, pick it, score it and write an HTML report");
  cmd->add_option("--task", o->task,
                  "czii (default: particles, the CZII score) or byu (flagellar motors in BYU's layout, the BYU F2)")
      ->check(CLI::IsMember({"czii", "byu"}));
  cmd->add_option("--tomograms", o->tomograms, "byu: tomograms to simulate (default 8; about half hold a motor)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--out", o->out, "Folder to write (default tomopick-demo; an earlier demo there is replaced)");
  cmd->add_option("--seed", o->seed, "Random seed of the simulation");
  cmd->add_option("-m,--model", o->model, "Model file to pick with (default: the built-in one, models/byu for --task byu)");
  cmd->add_flag("--keep", o->keep,
                "Keep the simulated tomograms (OUT/project, about 75 MB; byu: OUT/byu/train) to try other commands on");
  // For tests: a smaller box than the default 92 x 315 x 315 voxels (byu: 256 x 512 x 512).
  cmd->add_option("--shape", o->shape, "Box Z,Y,X in voxels")->group("");
  cmd->callback([o] {
    o->command_line = command_line(*o);
    torch_commands().demo(*o);
  });
}

}  // namespace tomopick::cli
