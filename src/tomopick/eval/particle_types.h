#pragma once
// The particle types a score knows: each one's radius (Å, for the match distance) and weight (in the
// weighted mean of per-type F). copick configs give radii but no weights, so weights default to the
// CZII challenge's, by name.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tomopick {

struct CopickConfig;

struct ParticleType {
  std::string name;
  double radius_A = 0;
  double weight = 1;
  friend bool operator==(const ParticleType&, const ParticleType&) = default;
};

// The CZII challenge's six types (radius Å / weight): apo-ferritin 60/1, beta-amylase 65/0,
// beta-galactosidase 90/2, ribosome 150/1, thyroglobulin 130/2, virus-like-particle 135/1.
const std::vector<ParticleType>& czii_particle_types();

// The CZII weight of `name`, or 1 for any other type (the Kaggle metric's weights.get(type, 1.0)).
double default_weight(const std::string& name);

// Parses "a=1,b=2.5" (names may not contain '=' or ','); Error naming `option` on bad syntax, a
// non-number, a negative value or a name given twice.
std::map<std::string, double> parse_name_values(const std::string& text, const std::string& option);

// The known types: the CZII six, then the config's objects (their radii replace the CZII ones; new
// names weigh 1), then `radius` / `weight` overrides (an override of an unknown name adds the type;
// one with only a weight gets radius 0, which scoring rejects if the type is used). Sorted by name.
std::vector<ParticleType> resolve_particle_types(const CopickConfig* config, const std::map<std::string, double>& radius,
                                                 const std::map<std::string, double>& weight);

const ParticleType* find_particle_type(const std::vector<ParticleType>& types, const std::string& name);

// " (did you mean 'ribosome'?)" when a candidate is within a small edit distance of `name`, else "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace tomopick
