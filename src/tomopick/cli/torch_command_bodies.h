#pragma once
// Inside libtomopick-torch.so: the commands' bodies that torch_commands.cpp hands to the binary.
#include "tomopick/cli/torch_commands.h"

namespace tomopick::cli {

namespace fs = std::filesystem;

void run_pick(const PickCliOptions& o);
void run_train(TrainCliOptions& o);
void run_demo(const DemoCliOptions& o);
void info_model(const fs::path& p, bool as_json);
void info_system(bool as_json);

}  // namespace tomopick::cli
