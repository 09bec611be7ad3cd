#include "tomopick/eval/thresholds.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"

namespace tomopick {

using json = nlohmann::json;

namespace {

constexpr const char* kRule = "keep a pick when its score >= its type's threshold; null keeps none";

// The type's choice from its curve; "keep none" when no point has F > 0.
TunedType tune_one(const std::string& name, double weight, bool scored, int64_t truths, const std::vector<PrPoint>& curve,
                   Rates (*rates)(const Counts&, double), double beta) {
  TunedType t;
  t.name = name;
  t.weight = weight;
  t.scored = scored;
  t.truths = truths;
  const int64_t best = best_point(curve);
  if (best >= 0) {
    t.threshold = curve[size_t(best)].threshold;
    t.at = curve[size_t(best)];
  } else {
    t.at.threshold = std::numeric_limits<double>::infinity();
    t.at.counts = {0, 0, truths};
    t.at.rates = rates(t.at.counts, beta);
  }
  return t;
}

double number_at(const json& j, const std::string& key, const fs::path& path, double fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_number()) throw Error(path, key + " is not a number");
  return j[key].get<double>();
}

}  // namespace

const TunedType* Thresholds::find(const std::string& name) const {
  for (const auto& t : types)
    if (t.name == name) return &t;
  return nullptr;
}

std::map<std::string, double> Thresholds::min_scores() const {
  std::map<std::string, double> m;
  for (const auto& t : types) m[t.name] = t.threshold.value_or(std::numeric_limits<double>::infinity());
  return m;
}

Thresholds tune_czii(const std::vector<TypeCurve>& curves, const CziiOptions& opts) {
  Thresholds out;
  out.metric = "czii";
  out.beta = opts.beta;
  out.matching = matching_name(opts.matching);
  out.distance_multiplier = opts.distance_multiplier;
  double wsum = 0, fsum = 0;
  for (const auto& c : curves) {
    if (!c.scored && c.truths == 0) continue;
    TunedType t = tune_one(c.name, c.weight, c.scored, c.truths, c.points, czii_rates, opts.beta);
    if (t.scored) {
      fsum += t.at.rates.fbeta * t.weight;
      wsum += t.weight;
    }
    out.types.push_back(std::move(t));
  }
  out.expected_score = wsum > 0 ? fsum / wsum : std::numeric_limits<double>::quiet_NaN();
  return out;
}

Thresholds tune_byu(const std::vector<PrPoint>& curve, int64_t motors, const ByuOptions& opts) {
  Thresholds out;
  out.metric = "byu";
  out.beta = opts.beta;
  out.distance_A = opts.distance_A;
  out.types.push_back(tune_one(kMotorObject, 1, true, motors, curve, byu_rates, opts.beta));
  out.expected_score = out.types[0].at.rates.fbeta;
  return out;
}

void write_thresholds(const fs::path& path, const Thresholds& t) {
  nlohmann::ordered_json j;  // in this order: what it is, then the thresholds, then what to expect
  j["metric"] = t.metric;
  j["beta"] = t.beta;
  if (t.metric == "byu") {
    j["distance_A"] = t.distance_A;
  } else {
    j["matching"] = t.matching;
    j["distance_multiplier"] = t.distance_multiplier;
  }
  j["rule"] = kRule;
  nlohmann::ordered_json th = nlohmann::ordered_json::object(), ex = nlohmann::ordered_json::object();
  for (const auto& x : t.types) {
    th[x.name] = x.threshold ? nlohmann::ordered_json(*x.threshold) : nlohmann::ordered_json(nullptr);
    const auto& c = x.at.counts;
    if (t.metric == "pu") {
      ex[x.name] = {{"f", x.at.rates.fbeta},  {"precision", x.at.rates.precision}, {"recall", x.at.rates.recall},
                    {"picks", x.at.picks},    {"labelled_picks", x.truths}, {"estimated_count", x.estimated_count},
                    {"weight", x.weight},     {"scored", x.scored}};
      continue;
    }
    ex[x.name] = {{"f", x.at.rates.fbeta}, {"precision", x.at.rates.precision}, {"recall", x.at.rates.recall},
                  {"tp", c.tp},           {"fp", c.fp},                        {"fn", c.fn},
                  {"picks", x.at.picks},  {"truths", x.truths},                {"weight", x.weight},
                  {"scored", x.scored}};
  }
  j["thresholds"] = th;
  j["expected"] = ex;
  j["expected_score"] =
      std::isfinite(t.expected_score) ? nlohmann::ordered_json(t.expected_score) : nlohmann::ordered_json(nullptr);
  // nlohmann writes the shortest text that reads back to the same double.
  write_file_atomic(path, j.dump(2) + "\n");
}

Thresholds read_thresholds(const fs::path& path) {
  json j;
  try {
    j = json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw Error(path, std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(path, "not a thresholds file (expected a JSON object)");
  Thresholds t;
  if (j.contains("metric")) {
    if (!j["metric"].is_string()) throw Error(path, "metric is not a string");
    t.metric = j["metric"].get<std::string>();
    if (t.metric != "czii" && t.metric != "byu" && t.metric != "pu")
      throw Error(path, "metric '" + t.metric + "' is not czii, byu or pu");
  }
  t.beta = number_at(j, "beta", path, t.metric == "byu" ? 2 : 4);
  t.distance_multiplier = number_at(j, "distance_multiplier", path, 0.5);
  t.distance_A = number_at(j, "distance_A", path, 1000);
  if (j.contains("matching")) {
    if (!j["matching"].is_string()) throw Error(path, "matching is not a string");
    t.matching = j["matching"].get<std::string>();
  }
  if (!j.contains("thresholds") || !j["thresholds"].is_object())
    throw Error(path, "thresholds is missing or not an object of type: score");
  for (const auto& [name, v] : j["thresholds"].items()) {
    TunedType x;
    x.name = name;
    if (v.is_number()) x.threshold = v.get<double>();
    else if (!v.is_null()) throw Error(path, "thresholds." + name + " is not a number or null");
    if (j.contains("expected") && j["expected"].is_object() && j["expected"].contains(name)) {
      const json& e = j["expected"][name];
      if (e.is_object()) {
        x.weight = number_at(e, "weight", path, 1);
        x.at.rates = {number_at(e, "precision", path, 0), number_at(e, "recall", path, 0), number_at(e, "f", path, 0)};
        x.estimated_count = number_at(e, "estimated_count", path, 0);
      }
    }
    x.at.threshold = x.threshold.value_or(std::numeric_limits<double>::infinity());
    t.types.push_back(std::move(x));
  }
  t.expected_score = number_at(j, "expected_score", path, std::numeric_limits<double>::quiet_NaN());
  return t;
}

}  // namespace tomopick
