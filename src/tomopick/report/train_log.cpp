#include "tomopick/report/train_log.h"

#include <cmath>
#include <set>
#include <sstream>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"

namespace tomopick {

namespace {

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::stringstream ss(line);
  while (std::getline(ss, cell, ',')) {
    cell.erase(0, cell.find_first_not_of(" \t\""));
    cell.erase(cell.find_last_not_of(" \t\"") + 1);
    cells.push_back(cell);
  }
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

const std::vector<double>* TrainLog::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return &values[i];
  return nullptr;
}

bool TrainLog::has_values(const std::string& name) const {
  const auto* c = column(name);
  if (!c) return false;
  for (double v : *c)
    if (!std::isnan(v)) return true;
  return false;
}

TrainLog read_train_log(const std::filesystem::path& csv) {
  std::string text = read_file(csv);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::stringstream ss(text);
  std::string line;
  TrainLog log;
  size_t line_no = 0;
  while (std::getline(ss, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto cells = split_cells(line);
    if (log.columns.empty()) {
      if (cells.empty() || cells[0] != "step")
        throw Error(csv, "line " + std::to_string(line_no) + ": the header's first column must be 'step', not '" +
                             (cells.empty() ? "" : cells[0]) + "'");
      std::set<std::string> seen;
      for (const auto& c : cells) {
        if (c.empty()) throw Error(csv, "line " + std::to_string(line_no) + ": an empty column name");
        if (!seen.insert(c).second) throw Error(csv, "line " + std::to_string(line_no) + ": column '" + c + "' appears twice");
      }
      log.columns = cells;
      log.values.resize(cells.size());
      continue;
    }
    if (cells.size() != log.columns.size())
      throw Error(csv, "line " + std::to_string(line_no) + ": " + std::to_string(cells.size()) + " cells, the header has " +
                           std::to_string(log.columns.size()));
    for (size_t i = 0; i < cells.size(); ++i) {
      double v = NAN;
      if (!cells[i].empty() && cells[i] != "nan" && cells[i] != "NaN") {
        try {
          size_t pos = 0;
          v = std::stod(cells[i], &pos);
          if (pos != cells[i].size()) throw std::invalid_argument("trailing");
        } catch (const std::exception&) {
          throw Error(csv, "line " + std::to_string(line_no) + ", column '" + log.columns[i] + "': '" + cells[i] +
                               "' is not a number");
        }
      }
      if (i == 0 && std::isnan(v)) throw Error(csv, "line " + std::to_string(line_no) + ": the step is missing");
      log.values[i].push_back(v);
    }
  }
  if (log.columns.empty()) throw Error(csv, "empty (no header row)");
  return log;
}

}  // namespace tomopick
