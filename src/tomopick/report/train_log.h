#pragma once
// The training log `tomopick train` writes: DIR/train_log.csv, a header row whose first column is
// `step`, then numeric columns (epoch, time_s, lr, loss, val_score, val_f4_<class>, ...); an empty
// cell is a missing value (validation runs only on some steps).
#include <filesystem>
#include <string>
#include <vector>

namespace tomopick {

struct TrainLog {
  std::vector<std::string> columns;         // columns[0] == "step"
  std::vector<std::vector<double>> values;  // one per column, one value per row; NaN = missing

  const std::vector<double>* column(const std::string& name) const;
  // Whether the column holds at least one value.
  bool has_values(const std::string& name) const;
};

// Errors name the file and the line (and column) at fault: no header, a first column other than
// `step`, a duplicate column, a row with the wrong number of cells, a cell that is not a number.
TrainLog read_train_log(const std::filesystem::path& csv);

}  // namespace tomopick
