#include "tomopick/eval/particle_types.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "tomopick/core/ascii.h"
#include "tomopick/core/error.h"
#include "tomopick/io/copick_project.h"

namespace tomopick {

namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<ParticleType>& czii_particle_types() {
  static const std::vector<ParticleType> types = {
      {"apo-ferritin", 60, 1},  {"beta-amylase", 65, 0},   {"beta-galactosidase", 90, 2},
      {"ribosome", 150, 1},     {"thyroglobulin", 130, 2}, {"virus-like-particle", 135, 1},
  };
  return types;
}

double default_weight(const std::string& name) {
  for (const auto& t : czii_particle_types())
    if (t.name == name) return t.weight;
  return 1.0;
}

std::map<std::string, double> parse_name_values(const std::string& text, const std::string& option) {
  std::map<std::string, double> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const size_t eq = part.find('=');
    const std::string name = trim(part.substr(0, eq));
    if (eq == std::string::npos || name.empty())
      throw Error(option + ": '" + part + "' is not name=value (expected e.g. ribosome=150,apo-ferritin=60)");
    const std::string value = trim(part.substr(eq + 1));
    double v = 0;
    try {
      size_t pos = 0;
      v = std::stod(value, &pos);
      if (pos != value.size()) throw 0;
    } catch (...) {
      throw Error(option + ": '" + value + "' (for " + name + ") is not a number");
    }
    if (!(v >= 0) || !std::isfinite(v)) throw Error(option + ": " + name + " must be a finite number >= 0");
    if (!out.emplace(name, v).second) throw Error(option + ": " + name + " is given twice");
  }
  return out;
}

std::vector<ParticleType> resolve_particle_types(const CopickConfig* config, const std::map<std::string, double>& radius,
                                                 const std::map<std::string, double>& weight) {
  std::map<std::string, ParticleType> types;
  for (const auto& t : czii_particle_types()) types[t.name] = t;
  if (config)
    for (const auto& o : config->objects) {
      auto [it, added] = types.try_emplace(o.name, ParticleType{o.name, o.radius, default_weight(o.name)});
      if (!added) it->second.radius_A = o.radius;
    }
  for (const auto& [name, r] : radius) {
    auto [it, added] = types.try_emplace(name, ParticleType{name, r, default_weight(name)});
    it->second.radius_A = r;
  }
  for (const auto& [name, w] : weight) {
    auto [it, added] = types.try_emplace(name, ParticleType{name, 0, w});
    it->second.weight = w;
  }
  std::vector<ParticleType> out;
  for (auto& [name, t] : types) out.push_back(t);
  return out;
}

const ParticleType* find_particle_type(const std::vector<ParticleType>& types, const std::string& name) {
  for (const auto& t : types)
    if (t.name == name) return &t;
  return nullptr;
}

std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string key = ascii_lower(name);
  std::string best;
  size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::string lc = ascii_lower(c);
    // A plural, a missing hyphen or a prefix ("ribo") counts as close too.
    const size_t d = lc.rfind(key, 0) == 0 && key.size() >= 3 ? 1 : edit_distance(key, lc);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

}  // namespace tomopick
