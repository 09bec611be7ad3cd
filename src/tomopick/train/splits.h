#pragma once
// Run-level splits for cross-validation: a run's tomogram and picks are never in both halves.
#include <string>
#include <vector>

namespace tomopick::train {

struct RunSplit {
  std::vector<std::string> train, val;
};

// k-fold split of run names: the names are sorted (duplicates merged) and run j goes to fold j % k;
// fold `fold` (0-based) is held out. Errors name --folds / --fold when k < 2, fold is out of range,
// or there are fewer runs than folds.
RunSplit kfold_split(std::vector<std::string> runs, int k, int fold);

}  // namespace tomopick::train
