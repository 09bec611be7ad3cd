// copick JSON: one file holds the picks of one object type in one run.
#include <cmath>
#include <nlohmann/json.hpp>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/picks_text.h"

namespace tomopick {

namespace {

using nlohmann::json;

// Reads fields with type checks; every problem is an Error naming the file and the JSON path.
struct Reader {
  const fs::path& path;

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw Error(path, where + " " + problem);
  }
  static const char* type_name(const json& j) { return j.type_name(); }

  double number(const json& j, const std::string& where) const {
    if (!j.is_number()) fail(where, std::string("is not a number (it is ") + type_name(j) + ")");
    const double d = j.get<double>();
    if (!std::isfinite(d)) fail(where, "is not a finite number");
    return d;
  }
  // Missing or null -> `fallback`.
  double number_or(const json& obj, const char* key, const std::string& where, double fallback) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    return number(*it, where);
  }
  std::string string_or(const json& obj, const char* key, const std::string& where, std::string fallback,
                        bool allow_integer = false) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (it->is_string()) return it->get<std::string>();
    if (allow_integer && it->is_number_integer()) return it->dump();
    fail(where, std::string("is not a string (it is ") + type_name(*it) + ")");
  }
  int64_t integer_or(const json& obj, const char* key, const std::string& where, int64_t fallback) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (it->is_number_integer()) {
      if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(INT64_MAX)) fail(where, "is too large");
      return it->get<int64_t>();
    }
    if (it->is_number_float()) {
      const double d = it->get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return int64_t(d);
      fail(where, "is not an integer");
    }
    fail(where, std::string("is not an integer (it is ") + type_name(*it) + ")");
  }

  Pick point(const json& p, const std::string& where) const {
    if (!p.is_object()) fail(where, std::string("is not an object (it is ") + type_name(p) + ")");
    Pick out;
    auto loc = p.find("location");
    if (loc == p.end() || loc->is_null()) fail(where + ".location", "is missing");
    if (!loc->is_object()) fail(where + ".location", std::string("is not an object (it is ") + type_name(*loc) + ")");
    double* xyz[3] = {&out.x, &out.y, &out.z};
    const char* axes[3] = {"x", "y", "z"};
    for (int a = 0; a < 3; ++a) {
      const std::string w = where + ".location." + axes[a];
      auto v = loc->find(axes[a]);
      if (v == loc->end()) fail(w, "is missing");
      *xyz[a] = number(*v, w);
    }
    out.score = number_or(p, "score", where + ".score", 1.0);
    out.instance_id = integer_or(p, "instance_id", where + ".instance_id", 0);
    const char* tkey = p.contains("transformation_") ? "transformation_" : "transformation";
    auto t = p.find(tkey);
    if (t != p.end() && !t->is_null()) {
      const std::string w = where + "." + tkey;
      if (!t->is_array() || t->size() != 4) fail(w, "is not a 4x4 array");
      for (size_t r = 0; r < 4; ++r) {
        const json& row = (*t)[r];
        if (!row.is_array() || row.size() != 4) fail(w + "[" + std::to_string(r) + "]", "is not an array of 4 numbers");
        for (size_t c = 0; c < 4; ++c)
          out.transformation[r * 4 + c] =
              number(row[c], w + "[" + std::to_string(r) + "][" + std::to_string(c) + "]");
      }
    }
    return out;
  }
};

}  // namespace

PickSet read_copick_json(const fs::path& path) {
  const std::string text = read_file(path);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(path, "malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const json::exception& e) {  // e.g. a number too large for a double
    throw Error(path, std::string("malformed JSON: ") + e.what());
  }
  const Reader rd{path};
  if (!j.is_object()) rd.fail("the top level", std::string("is not an object (it is ") + j.type_name() + ")");
  PickSet s;
  s.object = rd.string_or(j, "pickable_object_name", "pickable_object_name", "");
  s.user_id = rd.string_or(j, "user_id", "user_id", s.user_id, true);
  s.session_id = rd.string_or(j, "session_id", "session_id", s.session_id, true);
  s.run = rd.string_or(j, "run_name", "run_name", "");
  s.voxel_spacing = rd.number_or(j, "voxel_spacing", "voxel_spacing", 0.0);
  const std::string unit = rd.string_or(j, "unit", "unit", "angstrom");
  if (unit != "angstrom") rd.fail("unit", "is '" + unit + "', only 'angstrom' is supported");
  auto pts = j.find("points");
  if (pts != j.end() && !pts->is_null()) {
    if (!pts->is_array()) rd.fail("points", std::string("is not an array (it is ") + pts->type_name() + ")");
    s.points.reserve(pts->size());
    for (size_t i = 0; i < pts->size(); ++i) s.points.push_back(rd.point((*pts)[i], "points[" + std::to_string(i) + "]"));
  }
  return s;
}

void write_copick_json(const fs::path& path, const PickSet& set) {
  using ojson = nlohmann::ordered_json;
  auto finite = [&](double v, const std::string& what) {
    if (!std::isfinite(v)) throw Error(path, what + " is not a finite number");
    return v;
  };
  ojson j;
  j["pickable_object_name"] = set.object;
  j["user_id"] = set.user_id;
  j["session_id"] = set.session_id;
  j["run_name"] = set.run;
  if (set.voxel_spacing != 0)
    j["voxel_spacing"] = finite(set.voxel_spacing, "voxel_spacing");
  else
    j["voxel_spacing"] = nullptr;
  j["unit"] = "angstrom";
  ojson pts = ojson::array();
  for (size_t i = 0; i < set.points.size(); ++i) {
    const Pick& p = set.points[i];
    const std::string w = "points[" + std::to_string(i) + "]";
    ojson q;
    q["location"] = {{"x", finite(p.x, w + ".location.x")},
                     {"y", finite(p.y, w + ".location.y")},
                     {"z", finite(p.z, w + ".location.z")}};
    ojson t = ojson::array();
    for (int r = 0; r < 4; ++r) {
      ojson row = ojson::array();
      for (int c = 0; c < 4; ++c) row.push_back(finite(p.transformation[size_t(r * 4 + c)], w + ".transformation_"));
      t.push_back(std::move(row));
    }
    q["transformation_"] = std::move(t);
    q["instance_id"] = p.instance_id;
    q["score"] = finite(p.score, w + ".score");
    pts.push_back(std::move(q));
  }
  j["points"] = std::move(pts);
  j["trust_orientation"] = true;
  // nlohmann prints doubles with a shortest round-trip representation (Grisu2 + fallback), so every
  // coordinate reads back bit-exactly.
  write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace tomopick
