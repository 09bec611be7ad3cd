// RELION STAR particle files (RELION 5 centred Ångström coordinates, and RELION <= 4.1 pixels).
//
// Centre convention (RELION 5 sources, github.com/3dem/relion):
//   src/jaz/tomography/tomogram_set.cpp, TomogramSet::loadTomogram:
//       out.centre = d3Vector(out.w0/2.0, out.h0/2.0, out.d0/2.0);   // w0,h0,d0 = rlnTomoSize{X,Y,Z}
//   src/jaz/tomography/particle_set.cpp, ParticleSet::getParticleCoordDecenteredPixel:
//       out = rlnCenteredCoordinate{X,Y,Z}Angst;  out /= tiltSeriesPixelSize;  out += tomo_centre;
//   and setParticleCoordDecenteredPixel does the reverse. Decentred pixel p is voxel index p (RELION
//   4.1 dropped the old "+1", see the comments in ParticleSet::getPosition).
// So, in Å from the centre of voxel 0 (our frame):  x_A = centred_x_A + nx * spacing / 2. The product
// nx * spacing is the tomogram's physical width, the same at every binning.
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "tomopick/core/ascii.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/picks_text.h"

namespace tomopick {

using namespace picks_detail;

namespace {

struct StarTable {
  std::string block;  // name after "data_"
  size_t line = 0;    // where the loop_ (or first key) is
  std::vector<std::string> labels;  // without the leading '_'
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> row_lines;
  int column(const std::string& label) const {
    for (size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == label) return int(i);
    return -1;
  }
};

bool starts_with_ci(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && ascii_lower(s.substr(0, p.size())) == p;
}

// Splits one line into STAR tokens: whitespace-separated, '...' or "..." quoted (a quote closes only
// when followed by whitespace or the line's end), '#' at a token start begins a comment.
struct Token {
  std::string s;
  bool quoted = false;
};

std::vector<Token> tokenize(const fs::path& path, std::string_view s, size_t line) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = s.size();
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (i < n) {
    while (i < n && ws(s[i])) ++i;
    if (i >= n || s[i] == '#') break;
    if (s[i] == '\'' || s[i] == '"') {
      const char q = s[i];
      size_t j = i + 1;
      for (;;) {
        if (j >= n) throw Error(path, "line " + std::to_string(line) + ": unterminated quoted value");
        if (s[j] == q && (j + 1 >= n || ws(s[j + 1]))) break;
        ++j;
      }
      out.push_back({std::string(s.substr(i + 1, j - i - 1)), true});
      i = j + 1;
    } else {
      size_t j = i;
      while (j < n && !ws(s[j])) ++j;
      out.push_back({std::string(s.substr(i, j - i)), false});
      i = j;
    }
  }
  return out;
}

std::vector<StarTable> parse_star(const fs::path& path, const std::string& text) {
  std::vector<StarTable> tables;
  std::string block;
  // Items before any "data_" line belong to an unnamed block (tolerated).
  // State: 0 = between items, 1 = reading loop labels, 2 = reading loop rows.
  int state = 0;
  long pairs = -1;  // index of the key-value table of the current block
  size_t pos = 0, line = 0;
  std::string_view all = text;
  if (all.substr(0, 3) == "\xEF\xBB\xBF") all.remove_prefix(3);
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view ln = all.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!ln.empty() && ln[0] == ';')
      throw Error(path, "line " + std::to_string(line) + ": multi-line text fields (';') are not supported");
    auto tok = tokenize(path, ln, line);
    if (tok.empty()) continue;
    const std::string first = tok[0].quoted ? std::string() : tok[0].s;
    if (starts_with_ci(first, "data_") || starts_with_ci(first, "global_") || starts_with_ci(first, "save_")) {
      if (tok.size() > 1) throw Error(path, "line " + std::to_string(line) + ": unexpected '" + tok[1].s + "' after " + first);
      block = starts_with_ci(first, "data_") ? first.substr(5) : first;
      state = 0;
      pairs = -1;
      continue;
    }
    if (ascii_lower(first) == "loop_") {
      if (tok.size() > 1) throw Error(path, "line " + std::to_string(line) + ": unexpected '" + tok[1].s + "' after loop_");
      tables.push_back(StarTable{block, line, {}, {}, {}});
      pairs = -1;
      state = 1;
      continue;
    }
    if (ascii_lower(first) == "stop_") {
      state = 0;
      continue;
    }
    if (!first.empty() && first[0] == '_') {
      if (state == 1) {
        if (tok.size() > 1)
          throw Error(path, "line " + std::to_string(line) + ": unexpected '" + tok[1].s + "' after loop label " + first);
        auto& t = tables.back();
        if (t.column(first.substr(1)) >= 0)
          throw Error(path, "line " + std::to_string(line) + ": label " + first + " appears twice in one loop");
        t.labels.push_back(first.substr(1));
        continue;
      }
      // A key-value item (ends any loop).
      state = 0;
      if (tok.size() != 2)
        throw Error(path, "line " + std::to_string(line) + ": expected one value after " + first + ", found " +
                              std::to_string(tok.size() - 1));
      if (pairs < 0) {
        tables.push_back(StarTable{block, line, {}, {{}}, {line}});
        pairs = long(tables.size()) - 1;
      }
      StarTable& kv = tables[size_t(pairs)];
      if (kv.column(first.substr(1)) >= 0)
        throw Error(path, "line " + std::to_string(line) + ": label " + first + " appears twice in data_" + block);
      kv.labels.push_back(first.substr(1));
      kv.rows[0].push_back(tok[1].s);
      continue;
    }
    if (state == 0)
      throw Error(path, "line " + std::to_string(line) + ": unexpected '" + tok[0].s +
                            "' (expected data_, loop_ or a _label)");
    auto& t = tables.back();
    if (state == 1) {
      if (t.labels.empty()) throw Error(path, "line " + std::to_string(line) + ": loop_ without labels");
      state = 2;
    }
    if (tok.size() != t.labels.size())
      throw Error(path, "line " + std::to_string(line) + ": expected " + std::to_string(t.labels.size()) +
                            " values (one per loop label), found " + std::to_string(tok.size()));
    std::vector<std::string> row;
    row.reserve(tok.size());
    for (auto& k : tok) row.push_back(std::move(k.s));
    t.rows.push_back(std::move(row));
    t.row_lines.push_back(line);
  }
  return tables;
}

bool has_coordinates(const StarTable& t) {
  const bool centred = t.column("rlnCenteredCoordinateXAngst") >= 0 && t.column("rlnCenteredCoordinateYAngst") >= 0 &&
                       t.column("rlnCenteredCoordinateZAngst") >= 0;
  const bool pixels = t.column("rlnCoordinateX") >= 0 && t.column("rlnCoordinateY") >= 0 && t.column("rlnCoordinateZ") >= 0;
  return centred || pixels;
}

// A STAR value: quoted when it would otherwise not read back as one token.
std::string star_value(const std::string& v, const std::string& what) {
  if (v.find_first_of("\n\r") != std::string::npos) throw Error(what + " holds a line break: '" + v + "'");
  bool plain = !v.empty() && v.find_first_of(" \t\v\f") == std::string::npos && v[0] != '#' && v[0] != '_' &&
               v[0] != '\'' && v[0] != '"' && v[0] != ';' && !starts_with_ci(v, "data_") &&
               !starts_with_ci(v, "loop_") && !starts_with_ci(v, "save_") && !starts_with_ci(v, "global_") &&
               !starts_with_ci(v, "stop_");
  if (plain) return v;
  auto closes = [&](char q) {  // would q inside v close the quote early?
    for (size_t i = 0; i + 1 < v.size(); ++i)
      if (v[i] == q && (v[i + 1] == ' ' || v[i + 1] == '\t' || v[i + 1] == '\v' || v[i + 1] == '\f')) return true;
    return false;
  };
  if (!closes('"')) return "\"" + v + "\"";
  if (!closes('\'')) return "'" + v + "'";
  throw Error(what + " cannot be written as a STAR value: '" + v + "'");
}

}  // namespace

std::vector<PickSet> read_picks_star(const fs::path& path, const StarOptions& opts) {
  const auto tables = parse_star(path, read_file(path));
  const StarTable* t = nullptr;
  for (const auto& tb : tables)
    if (tb.block == "particles" && has_coordinates(tb)) {
      t = &tb;
      break;
    }
  if (!t)
    for (const auto& tb : tables)
      if (has_coordinates(tb)) {
        t = &tb;
        break;
      }
  if (!t)
    throw Error(path, "no table with _rlnCenteredCoordinate{X,Y,Z}Angst or _rlnCoordinate{X,Y,Z} columns");

  const bool centred = t->column("rlnCenteredCoordinateXAngst") >= 0 && t->column("rlnCenteredCoordinateYAngst") >= 0 &&
                       t->column("rlnCenteredCoordinateZAngst") >= 0;
  const int c[3] = {t->column(centred ? "rlnCenteredCoordinateXAngst" : "rlnCoordinateX"),
                    t->column(centred ? "rlnCenteredCoordinateYAngst" : "rlnCoordinateY"),
                    t->column(centred ? "rlnCenteredCoordinateZAngst" : "rlnCoordinateZ")};
  const int ctomo = t->column("rlnTomoName");
  const int cmic = t->column("rlnMicrographName");
  const int cobj = t->column("tomopickObject");
  const int ccls = t->column("rlnClassNumber");
  const int cscore = t->column("tomopickScore");
  const std::string default_run = !opts.run.empty() ? opts.run : path.stem().string();

  std::map<std::pair<std::string, std::string>, PickSet> sets;
  for (size_t r = 0; r < t->rows.size(); ++r) {
    const auto& row = t->rows[r];
    const std::string at = "line " + std::to_string(t->row_lines[r]) + ": ";
    auto num = [&](int col) {
      double d;
      if (!parse_double(row[size_t(col)], d) || !std::isfinite(d))
        throw Error(path, at + "_" + t->labels[size_t(col)] + ": '" + row[size_t(col)] + "' is not a number");
      return d;
    };
    std::string run = ctomo >= 0 ? row[size_t(ctomo)]
                      : cmic >= 0 ? fs::path(row[size_t(cmic)]).stem().string()
                                  : default_run;
    if (run.empty()) throw Error(path, at + "empty tomogram name");
    std::string object;
    if (cobj >= 0) {
      object = row[size_t(cobj)];
    } else {
      std::optional<int64_t> cls;
      if (ccls >= 0) {
        int64_t k;
        if (!parse_int64(row[size_t(ccls)], k))
          throw Error(path, at + "_rlnClassNumber: '" + row[size_t(ccls)] + "' is not an integer");
        cls = k;
      }
      auto it = cls && *cls >= INT32_MIN && *cls <= INT32_MAX ? opts.class_names.find(int(*cls)) : opts.class_names.end();
      if (it != opts.class_names.end()) object = it->second;
      else if (!opts.object.empty()) object = opts.object;
      else if (cls) object = "class" + std::to_string(*cls);
      else object = "particle";
    }
    if (object.empty()) throw Error(path, at + "empty object name");

    Pick p;
    double v[3] = {num(c[0]), num(c[1]), num(c[2])};
    double spacing = 0;
    const TomoGeometry* geo = find_tomo_geometry(opts.tomograms, run);
    if (centred) {
      if (!geo)
        throw Error(path, at + "tomogram '" + run +
                              "' has no known size; its size and spacing are needed to convert RELION 5 centred "
                              "coordinates");
      const TomoGeometry& g = *geo;
      if (g.nx <= 0 || g.ny <= 0 || g.nz <= 0 || !(g.spacing_A > 0))
        throw Error(path, at + "tomogram '" + run + "' has an invalid size or spacing");
      spacing = g.spacing_A;
      p.x = v[0] + double(g.nx) * g.spacing_A / 2.0;
      p.y = v[1] + double(g.ny) * g.spacing_A / 2.0;
      p.z = v[2] + double(g.nz) * g.spacing_A / 2.0;
    } else {
      spacing = geo && geo->spacing_A > 0 ? geo->spacing_A : opts.pixel_spacing_A;
      if (!(spacing > 0))
        throw Error(path, at + "coordinates are in pixels but the pixel size of tomogram '" + run + "' is unknown");
      p.x = v[0] * spacing;
      p.y = v[1] * spacing;
      p.z = v[2] * spacing;
    }
    if (cscore >= 0) p.score = num(cscore);

    auto key = std::make_pair(run, object);
    auto it = sets.find(key);
    if (it == sets.end()) {
      PickSet s;
      s.run = run;
      s.object = object;
      s.voxel_spacing = spacing;
      it = sets.emplace(std::move(key), std::move(s)).first;
    }
    it->second.points.push_back(p);
  }
  std::vector<PickSet> out;
  for (auto& [k, s] : sets) out.push_back(std::move(s));
  return out;
}

void write_picks_star(const fs::path& path, const std::vector<PickSet>& sets, const StarOptions& opts) {
  std::string out =
      "# version 50001 (tomopick: RELION 5 centred coordinates; _tomopick* columns are ignored by RELION)\n\n"
      "data_particles\n\n"
      "loop_\n"
      "_rlnTomoName #1\n"
      "_rlnCenteredCoordinateXAngst #2\n"
      "_rlnCenteredCoordinateYAngst #3\n"
      "_rlnCenteredCoordinateZAngst #4\n"
      "_tomopickObject #5\n"
      "_tomopickScore #6\n";
  try {
    for (const PickSet& s : sets) {
      if (s.points.empty()) continue;
      const TomoGeometry* geo = find_tomo_geometry(opts.tomograms, s.run);
      if (!geo)
        throw Error("tomogram '" + s.run + "' has no known size; its size and spacing are needed for RELION 5 centred "
                    "coordinates");
      const TomoGeometry& g = *geo;
      if (g.nx <= 0 || g.ny <= 0 || g.nz <= 0 || !(g.spacing_A > 0))
        throw Error("tomogram '" + s.run + "' has an invalid size or spacing");
      const double cx = double(g.nx) * g.spacing_A / 2.0, cy = double(g.ny) * g.spacing_A / 2.0,
                   cz = double(g.nz) * g.spacing_A / 2.0;
      const std::string run = star_value(s.run, "run name"), object = star_value(s.object, "object name");
      for (const Pick& p : s.points) {
        const std::string w = "a pick of " + s.run + "/" + s.object;
        out += run + ' ' + format_double(p.x - cx, w + ": x") + ' ' + format_double(p.y - cy, w + ": y") + ' ' +
               format_double(p.z - cz, w + ": z") + ' ' + object + ' ' + format_double(p.score, w + ": score") + '\n';
      }
    }
  } catch (const Error& e) {
    throw Error(path, e.what());
  }
  out += "\n";
  write_file_atomic(path, out);
}

}  // namespace tomopick
