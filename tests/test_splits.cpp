// k-fold splits by run (train/splits.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tomopick/core/error.h"
#include "tomopick/train/splits.h"

using namespace tomopick;

TEST(KFold, EveryRunIsHeldOutExactlyOnce) {
  const std::vector<std::string> runs = {"TS_99_9", "TS_5_4", "TS_69_2", "TS_6_4", "TS_6_6", "TS_73_6", "TS_86_3", "TS_5_4"};
  std::multiset<std::string> held_out;
  for (int fold = 0; fold < 3; ++fold) {
    const auto s = train::kfold_split(runs, 3, fold);
    EXPECT_EQ(s.train.size() + s.val.size(), 7u);  // the duplicate counted once
    for (const auto& v : s.val) {
      held_out.insert(v);
      EXPECT_EQ(std::count(s.train.begin(), s.train.end(), v), 0) << v;
    }
    EXPECT_GE(s.val.size(), 2u);
  }
  EXPECT_EQ(held_out, (std::multiset<std::string>{"TS_5_4", "TS_69_2", "TS_6_4", "TS_6_6", "TS_73_6", "TS_86_3", "TS_99_9"}));
  // sorted order, run j in fold j % k
  EXPECT_EQ(train::kfold_split(runs, 3, 0).val, (std::vector<std::string>{"TS_5_4", "TS_6_6", "TS_99_9"}));
}

TEST(KFold, BadFoldsAreErrors) {
  const std::vector<std::string> runs = {"a", "b", "c"};
  EXPECT_THROW(train::kfold_split(runs, 1, 0), Error);
  EXPECT_THROW(train::kfold_split(runs, 3, 3), Error);
  EXPECT_THROW(train::kfold_split(runs, 3, -1), Error);
  try {
    train::kfold_split(runs, 4, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("4 folds need at least 4 runs"), std::string::npos) << e.what();
  }
}
