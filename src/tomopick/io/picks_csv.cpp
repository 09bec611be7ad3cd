// CSV picks: the CZII submission format (id,experiment,particle_type,x,y,z[,score]), the CZII ground
// truth (x,y,z,Class), and plain x_A,y_A,z_A tables.
#include <map>
#include <utility>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/picks_text.h"

namespace tomopick {

using namespace picks_detail;

namespace {

// "FiveParticlesDataTS_6_4" -> "TS_6_4"; any other stem is the run itself.
std::string run_from_stem(const fs::path& path) {
  const std::string stem = path.stem().string();
  const std::string prefix = "FiveParticlesData";
  if (stem.size() > prefix.size() && stem.compare(0, prefix.size(), prefix) == 0) return stem.substr(prefix.size());
  return stem;
}

}  // namespace

std::vector<PickSet> read_picks_csv(const fs::path& path, const CsvReadOptions& opts) {
  const CsvTable t = read_csv_table(path);
  const int cx = t.column({"x", "x_A", "x_angst", "x_angstrom"}, "x coordinate");
  const int cy = t.column({"y", "y_A", "y_angst", "y_angstrom"}, "y coordinate");
  const int cz = t.column({"z", "z_A", "z_angst", "z_angstrom"}, "z coordinate");
  if (cx < 0 || cy < 0 || cz < 0) {
    std::string h;
    for (const auto& c : t.header) h += (h.empty() ? "" : ",") + c;
    throw Error(path, "line " + std::to_string(t.header_line) + ": no x, y, z columns in the header '" + h +
                          "' (expected x,y,z or x_A,y_A,z_A)");
  }
  const int crun = t.column({"experiment", "run", "run_name", "tomo", "tomo_id", "tomo_name", "tomogram", "rlnTomoName"},
                            "run name");
  const int cobj = t.column({"particle_type", "object", "pickable_object_name", "object_name", "type"}, "object name");
  const int ccls = t.column({"class"}, "class");
  const int cscore = t.column({"score", "confidence"}, "score");
  const int cinst = t.column({"instance_id"}, "instance id");

  const std::string default_run = !opts.run.empty() ? opts.run : run_from_stem(path);
  const std::string default_object = !opts.object.empty() ? opts.object : "particle";

  std::map<std::pair<std::string, std::string>, PickSet> sets;
  for (const CsvRecord& r : t.rows) {
    std::string run = crun >= 0 ? t.text(r, crun) : default_run;
    std::string object;
    if (cobj >= 0) {
      object = t.text(r, cobj);
    } else if (ccls >= 0) {
      const std::string& v = t.text(r, ccls);
      int64_t k;
      if (parse_int64(v, k)) {
        auto it = k >= INT32_MIN && k <= INT32_MAX ? opts.class_names.find(int(k)) : opts.class_names.end();
        if (it == opts.class_names.end()) {
          std::string known;
          for (const auto& [num, name] : opts.class_names)
            known += (known.empty() ? "" : ", ") + std::to_string(num) + " " + name;
          t.fail(r, ccls, "class " + v + " has no name (known: " + (known.empty() ? "none" : known) + ")");
        }
        object = it->second;
      } else {
        object = v;  // a class column holding names
      }
    } else {
      object = default_object;
    }
    Pick p;
    p.x = t.number(r, cx);
    p.y = t.number(r, cy);
    p.z = t.number(r, cz);
    if (cscore >= 0) p.score = t.number(r, cscore);
    if (cinst >= 0) p.instance_id = t.integer(r, cinst);
    auto key = std::make_pair(run, object);
    auto it = sets.find(key);
    if (it == sets.end()) {
      PickSet s;
      s.run = std::move(run);
      s.object = std::move(object);
      s.voxel_spacing = opts.voxel_spacing;
      it = sets.emplace(std::move(key), std::move(s)).first;
    }
    it->second.points.push_back(p);
  }
  std::vector<PickSet> out;
  out.reserve(sets.size());
  for (auto& [k, s] : sets) out.push_back(std::move(s));
  return out;  // the map keeps them sorted by run, then object
}

void write_picks_csv(const fs::path& path, const std::vector<PickSet>& sets) {
  std::string out = "id,experiment,particle_type,x,y,z,score\n";
  size_t id = 0;
  try {
    for (const PickSet& s : sets) {
      const std::string run = csv_field(s.run), object = csv_field(s.object);
      for (const Pick& p : s.points) {
        const std::string w = "pick " + std::to_string(id) + " (" + s.run + ", " + s.object + ")";
        out += std::to_string(id++) + ',' + run + ',' + object + ',' + format_double(p.x, w + " x") + ',' +
               format_double(p.y, w + " y") + ',' + format_double(p.z, w + " z") + ',' +
               format_double(p.score, w + " score") + '\n';
      }
    }
  } catch (const Error& e) {
    throw Error(path, e.what());
  }
  write_file_atomic(path, out);
}

}  // namespace tomopick
