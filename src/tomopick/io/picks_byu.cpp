// BYU flagellar-motor CSVs (Kaggle "BYU - Locating Bacterial Flagellar Motors 2025"): train_labels.csv
// and the submission format. Coordinates are voxel indices, axis 0 = z, 1 = y, 2 = x; -1 on all three
// axes marks a tomogram without a motor.
#include <algorithm>
#include <map>
#include <set>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/picks_text.h"

namespace tomopick {

using namespace picks_detail;

namespace {

std::vector<MotorLabel> read_byu(const fs::path& path) {
  const CsvTable t = read_csv_table(path);
  const int ctomo = t.column({"tomo_id"}, "tomogram id");
  const int ca[3] = {t.column({"Motor axis 0"}, "motor axis 0"), t.column({"Motor axis 1"}, "motor axis 1"),
                     t.column({"Motor axis 2"}, "motor axis 2")};
  if (ctomo < 0 || ca[0] < 0 || ca[1] < 0 || ca[2] < 0)
    throw Error(path, "line " + std::to_string(t.header_line) +
                          ": not a BYU motor file (needs columns tomo_id, Motor axis 0, Motor axis 1, Motor axis 2)");
  const int cs[3] = {t.column({"Array shape (axis 0)"}, "array shape (axis 0)"),
                     t.column({"Array shape (axis 1)"}, "array shape (axis 1)"),
                     t.column({"Array shape (axis 2)"}, "array shape (axis 2)")};
  const int cspacing = t.column({"Voxel spacing"}, "voxel spacing");
  const int ccount = t.column({"Number of motors"}, "number of motors");
  std::vector<MotorLabel> out;
  out.reserve(t.rows.size());
  for (const CsvRecord& r : t.rows) {
    MotorLabel m;
    m.tomo_id = t.text(r, ctomo);
    m.z = t.number(r, ca[0]);
    m.y = t.number(r, ca[1]);
    m.x = t.number(r, ca[2]);
    if (m.has_motor() && (m.z < 0 || m.y < 0 || m.x < 0))
      throw Error(path, "line " + std::to_string(r.line) +
                            ": motor coordinates must be all -1 (no motor) or all >= 0, found (" + r.fields[size_t(ca[0])] +
                            ", " + r.fields[size_t(ca[1])] + ", " + r.fields[size_t(ca[2])] + ")");
    int64_t* shape[3] = {&m.shape_z, &m.shape_y, &m.shape_x};
    for (int a = 0; a < 3; ++a)
      if (cs[a] >= 0) {
        *shape[a] = t.integer(r, cs[a]);
        if (*shape[a] <= 0) t.fail(r, cs[a], "'" + r.fields[size_t(cs[a])] + "' is not a positive size");
      }
    if (cspacing >= 0) {
      m.voxel_spacing = t.number(r, cspacing);
      if (!(m.voxel_spacing > 0)) t.fail(r, cspacing, "'" + r.fields[size_t(cspacing)] + "' is not a positive spacing");
    }
    if (ccount >= 0) {
      m.motor_count = t.integer(r, ccount);
      if (m.motor_count < 0) t.fail(r, ccount, "'" + r.fields[size_t(ccount)] + "' is negative");
    } else {
      m.motor_count = m.has_motor() ? 1 : 0;
    }
    out.push_back(std::move(m));
  }
  if (ccount < 0) {  // without the column, count the motors of each tomogram
    std::map<std::string, int64_t> n;
    for (const auto& m : out) n[m.tomo_id] += m.has_motor() ? 1 : 0;
    for (auto& m : out) m.motor_count = n[m.tomo_id];
  }
  return out;
}

std::string coord(const MotorLabel& m, double v, const char* axis) {
  if (v < 0)
    throw Error("tomogram '" + m.tomo_id + "': motor axis " + axis + " is negative (" + format_double(v) +
                "); only all -1 (no motor) may be negative");
  return format_double(v, "tomogram '" + m.tomo_id + "': motor axis " + axis);
}

}  // namespace

std::vector<MotorLabel> read_byu_labels(const fs::path& path) { return read_byu(path); }

std::vector<MotorLabel> read_byu_submission(const fs::path& path) { return read_byu(path); }

void write_byu_labels(const fs::path& path, const std::vector<MotorLabel>& labels) {
  std::string out =
      "row_id,tomo_id,Motor axis 0,Motor axis 1,Motor axis 2,Array shape (axis 0),Array shape (axis 1),"
      "Array shape (axis 2),Voxel spacing,Number of motors\n";
  try {
    size_t row = 0;
    for (const MotorLabel& m : labels) {
      if (m.shape_z <= 0 || m.shape_y <= 0 || m.shape_x <= 0)
        throw Error("tomogram '" + m.tomo_id + "': array shape unknown (give its size)");
      if (!(m.voxel_spacing > 0)) throw Error("tomogram '" + m.tomo_id + "': voxel spacing unknown");
      const bool has = m.has_motor();
      out += std::to_string(row++) + ',' + csv_field(m.tomo_id) + ',' + (has ? coord(m, m.z, "0") : "-1") + ',' +
             (has ? coord(m, m.y, "1") : "-1") + ',' + (has ? coord(m, m.x, "2") : "-1") + ',' +
             std::to_string(m.shape_z) + ',' + std::to_string(m.shape_y) + ',' + std::to_string(m.shape_x) + ',' +
             format_double(m.voxel_spacing, "voxel spacing") + ',' + std::to_string(m.motor_count) + '\n';
    }
  } catch (const Error& e) {
    throw Error(path, e.what());
  }
  write_file_atomic(path, out);
}

void write_byu_submission(const fs::path& path, const std::vector<MotorLabel>& labels) {
  std::string out = "tomo_id,Motor axis 0,Motor axis 1,Motor axis 2\n";
  std::set<std::string> seen;
  try {
    for (const MotorLabel& m : labels) {
      if (!seen.insert(m.tomo_id).second)
        throw Error("tomogram '" + m.tomo_id + "' appears twice; a BYU submission has one row per tomogram");
      const bool has = m.has_motor();
      out += csv_field(m.tomo_id) + ',' + (has ? coord(m, m.z, "0") : "-1") + ',' + (has ? coord(m, m.y, "1") : "-1") +
             ',' + (has ? coord(m, m.x, "2") : "-1") + '\n';
    }
  } catch (const Error& e) {
    throw Error(path, e.what());
  }
  write_file_atomic(path, out);
}

std::vector<PickSet> motor_labels_to_picks(const std::vector<MotorLabel>& labels, double fallback_spacing_A,
                                           TomoGeometryMap* geometry) {
  std::map<std::string, PickSet> sets;
  for (const MotorLabel& m : labels) {
    const double sp = m.voxel_spacing > 0 ? m.voxel_spacing : fallback_spacing_A;
    if (!(sp > 0)) throw Error("tomogram '" + m.tomo_id + "': voxel spacing unknown (the coordinates are in voxels)");
    auto it = sets.find(m.tomo_id);
    if (it == sets.end()) {
      PickSet s;
      s.run = m.tomo_id;
      s.object = kMotorObject;
      s.voxel_spacing = sp;
      it = sets.emplace(m.tomo_id, std::move(s)).first;
    } else if (it->second.voxel_spacing != sp) {
      throw Error("tomogram '" + m.tomo_id + "': rows disagree on the voxel spacing (" +
                  format_double(it->second.voxel_spacing) + " and " + format_double(sp) + ")");
    }
    if (geometry) {
      TomoGeometry& g = (*geometry)[m.tomo_id];
      g.spacing_A = sp;
      if (m.shape_x > 0) g.nx = m.shape_x;
      if (m.shape_y > 0) g.ny = m.shape_y;
      if (m.shape_z > 0) g.nz = m.shape_z;
    }
    if (m.has_motor()) {
      Pick p;
      p.x = m.x * sp;
      p.y = m.y * sp;
      p.z = m.z * sp;
      p.score = m.score;
      it->second.points.push_back(p);
    }
  }
  std::vector<PickSet> out;
  out.reserve(sets.size());
  for (auto& [k, s] : sets) out.push_back(std::move(s));
  return out;
}

std::vector<MotorLabel> picks_to_motor_labels(const std::vector<PickSet>& sets, const TomoGeometryMap& tomograms) {
  // Runs in order of first appearance; all objects of a run together.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const PickSet*>> by_run;
  for (const PickSet& s : sets) {
    auto& v = by_run[s.run];
    if (v.empty()) order.push_back(s.run);
    v.push_back(&s);
  }
  std::vector<MotorLabel> out;
  for (const std::string& run : order) {
    const TomoGeometry* geo = find_tomo_geometry(tomograms, run);
    int64_t count = 0;
    for (const PickSet* s : by_run[run]) count += int64_t(s->points.size());
    auto base = [&](double sp) {
      MotorLabel m;
      m.tomo_id = run;
      m.voxel_spacing = sp;
      m.motor_count = count;
      if (geo) {
        m.shape_z = geo->nz;
        m.shape_y = geo->ny;
        m.shape_x = geo->nx;
      }
      return m;
    };
    double run_spacing = 0;
    for (const PickSet* s : by_run[run]) {
      const double sp = s->voxel_spacing > 0 ? s->voxel_spacing : geo ? geo->spacing_A : 0;
      if (!s->points.empty() && !(sp > 0))
        throw Error("run '" + run + "': voxel spacing unknown (BYU coordinates are in voxels)");
      if (run_spacing == 0) run_spacing = sp;
      for (const Pick& p : s->points) {
        MotorLabel m = base(sp);
        m.z = p.z / sp;
        m.y = p.y / sp;
        m.x = p.x / sp;
        m.score = p.score;
        out.push_back(std::move(m));
      }
    }
    if (count == 0) {
      if (run_spacing == 0 && geo) run_spacing = geo->spacing_A;
      out.push_back(base(run_spacing));
    }
  }
  return out;
}

std::vector<MotorLabel> best_motor_per_tomogram(const std::vector<MotorLabel>& labels) {
  std::vector<MotorLabel> out;
  std::map<std::string, size_t> index;
  for (const MotorLabel& m : labels) {
    auto it = index.find(m.tomo_id);
    if (it == index.end()) {
      index.emplace(m.tomo_id, out.size());
      out.push_back(m);
      continue;
    }
    MotorLabel& best = out[it->second];
    if (m.has_motor() && (!best.has_motor() || m.score > best.score)) best = m;
  }
  return out;
}

}  // namespace tomopick
