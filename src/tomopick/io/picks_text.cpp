#include "tomopick/io/picks_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "tomopick/core/ascii.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"

namespace tomopick {

// ---- helpers declared in picks.h ---------------------------------------------------------------------

std::vector<PickSet> group_pick_sets(std::vector<PickSet> sets) {
  std::map<std::pair<std::string, std::string>, size_t> index;
  std::vector<PickSet> out;
  for (PickSet& s : sets) {
    auto key = std::make_pair(s.run, s.object);
    auto it = index.find(key);
    if (it == index.end()) {
      index.emplace(std::move(key), out.size());
      out.push_back(std::move(s));
    } else {
      auto& dst = out[it->second].points;
      dst.insert(dst.end(), s.points.begin(), s.points.end());
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PickSet& a, const PickSet& b) {
    return std::tie(a.run, a.object) < std::tie(b.run, b.object);
  });
  return out;
}

size_t count_picks(const std::vector<PickSet>& sets) {
  size_t n = 0;
  for (const auto& s : sets) n += s.points.size();
  return n;
}

std::map<std::string, size_t> count_picks_by_object(const std::vector<PickSet>& sets) {
  std::map<std::string, size_t> out;
  for (const auto& s : sets) out[s.object] += s.points.size();
  return out;
}

const PickSet* find_pick_set(const std::vector<PickSet>& sets, const std::string& run, const std::string& object) {
  for (const auto& s : sets)
    if (s.run == run && s.object == object) return &s;
  return nullptr;
}

const TomoGeometry* find_tomo_geometry(const TomoGeometryMap& tomograms, const std::string& run) {
  auto it = tomograms.find(run);
  if (it == tomograms.end()) it = tomograms.find(kAnyRun);
  return it == tomograms.end() ? nullptr : &it->second;
}

namespace picks_detail {

std::string format_double(double v, const std::string& what) {
  if (!std::isfinite(v)) throw Error(what + " is not a finite number (" + std::to_string(v) + ")");
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return std::string(s.substr(b, e - b));
}

bool parse_double(std::string_view s, double& out) {
  std::string t = trim(s);
  std::string_view v = t;
  if (!v.empty() && v[0] == '+') v.remove_prefix(1);
  if (v.empty() || v[0] == '+') return false;
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  return r.ec == std::errc() && r.ptr == v.data() + v.size();
}

bool parse_int64(std::string_view s, int64_t& out) {
  std::string t = trim(s);
  std::string_view v = t;
  if (!v.empty() && v[0] == '+') v.remove_prefix(1);
  if (v.empty() || v[0] == '+') return false;
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec == std::errc() && r.ptr == v.data() + v.size()) return true;
  // "3.0" and "3e2" are integers written as floats (pandas does that); accept exact ones.
  double d;
  if (parse_double(v, d) && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
    out = int64_t(d);
    return true;
  }
  return false;
}

std::string csv_field(std::string_view s) {
  const bool needs = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t'));
  if (!needs) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<CsvRecord> parse_csv(const fs::path& path, std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  std::vector<CsvRecord> out;
  size_t i = 0, line = 1;
  const size_t n = s.size();
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    bool any_quoted = false;
    for (;;) {
      std::string field;
      size_t j = i;
      while (j < n && blank(s[j])) ++j;
      if (j < n && s[j] == '"') {
        any_quoted = true;
        const size_t open_line = line;
        i = j + 1;
        for (;;) {
          if (i >= n) throw Error(path, "line " + std::to_string(open_line) + ": unterminated quoted field");
          const char c = s[i];
          if (c == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        while (i < n && blank(s[i])) ++i;
        if (i < n && s[i] != ',' && s[i] != '\r' && s[i] != '\n')
          throw Error(path, "line " + std::to_string(line) + ": unexpected '" + std::string(1, s[i]) +
                                "' after a closing quote");
      } else {
        while (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r') field += s[i++];
        field = trim(field);
      }
      rec.fields.push_back(std::move(field));
      if (i >= n) break;
      if (s[i] == ',') {
        ++i;
        continue;
      }
      if (s[i] == '\r') {
        ++i;
        if (i < n && s[i] == '\n') ++i;
      } else {
        ++i;
      }
      ++line;
      break;
    }
    if (rec.fields.size() == 1 && rec.fields[0].empty() && !any_quoted) continue;  // blank line
    out.push_back(std::move(rec));
  }
  return out;
}

CsvTable read_csv_table(const fs::path& path) {
  const std::string text = read_file(path);
  auto records = parse_csv(path, text);
  if (records.empty()) throw Error(path, "empty file (expected a CSV header line)");
  CsvTable t;
  t.path = path;
  t.header_line = records[0].line;
  for (auto& h : records[0].fields) t.header.push_back(trim(h));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != t.header.size())
      throw Error(path, "line " + std::to_string(records[r].line) + ": expected " + std::to_string(t.header.size()) +
                            " columns (as in the header), found " + std::to_string(records[r].fields.size()));
    t.rows.push_back(std::move(records[r]));
  }
  return t;
}

int CsvTable::column(std::initializer_list<std::string_view> names, const std::string& role) const {
  int found = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string h = ascii_lower(header[c]);
    for (auto name : names) {
      if (h == ascii_lower(name)) {
        if (found >= 0)
          throw Error(path, "line " + std::to_string(header_line) + ": columns '" + header[size_t(found)] + "' and '" +
                                header[c] + "' both give the " + role);
        found = int(c);
        break;
      }
    }
  }
  return found;
}

void CsvTable::fail(const CsvRecord& r, int col, const std::string& problem) const {
  throw Error(path, "line " + std::to_string(r.line) + ": column " + header[size_t(col)] + ": " + problem);
}

double CsvTable::number(const CsvRecord& r, int col) const {
  const std::string& v = r.fields[size_t(col)];
  double d;
  if (!parse_double(v, d)) fail(r, col, "'" + v + "' is not a number");
  if (!std::isfinite(d)) fail(r, col, "'" + v + "' is not a finite number");
  return d;
}

int64_t CsvTable::integer(const CsvRecord& r, int col) const {
  const std::string& v = r.fields[size_t(col)];
  int64_t i;
  if (!parse_int64(v, i)) fail(r, col, "'" + v + "' is not an integer");
  return i;
}

const std::string& CsvTable::text(const CsvRecord& r, int col) const {
  const std::string& v = r.fields[size_t(col)];
  if (v.empty()) fail(r, col, "is empty");
  return v;
}

}  // namespace picks_detail
}  // namespace tomopick
