#include "tomopick/train/splits.h"

#include <algorithm>

#include "tomopick/core/error.h"

namespace tomopick::train {

RunSplit kfold_split(std::vector<std::string> runs, int k, int fold) {
  std::sort(runs.begin(), runs.end());
  runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
  if (k < 2) throw Error("--folds", "needs at least 2 folds, got " + std::to_string(k));
  if (fold < 0 || fold >= k)
    throw Error("--fold", "must be in 0.." + std::to_string(k - 1) + " for " + std::to_string(k) + " folds, got " +
                              std::to_string(fold));
  if (runs.size() < size_t(k))
    throw Error("--folds", std::to_string(k) + " folds need at least " + std::to_string(k) + " runs, the data has " +
                               std::to_string(runs.size()));
  RunSplit s;
  for (size_t j = 0; j < runs.size(); ++j) (int(j % size_t(k)) == fold ? s.val : s.train).push_back(runs[j]);
  return s;
}

}  // namespace tomopick::train
