#include "tomopick/core/appearance.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tomopick/core/error.h"
#include "tomopick/core/number_text.h"
#include "tomopick/sim/fft.h"

namespace tomopick {

namespace {

constexpr std::array<double, 5> kBandEdges{0, 0.05, 0.15, 0.3, 0.5 + 1e-9};
constexpr std::array<const char*, 4> kBandNames{"lowest", "low", "middle", "high"};

}  // namespace

Box appearance_box(const Shape3& shape) {
  const Shape3 s{std::min<int64_t>(shape.z, 64), std::min<int64_t>(shape.y, 128), std::min<int64_t>(shape.x, 128)};
  return {{(shape.z - s.z) / 2, (shape.y - s.y) / 2, (shape.x - s.x) / 2}, s};
}

Appearance appearance(const Volume<float>& box, double source_spacing_A) {
  Appearance a;
  a.source_spacing_A = source_spacing_A;
  const size_t n = box.size();
  if (n == 0) return a;
  std::vector<float> v(box.data(), box.data() + n);
  auto pct = [&](double q) {
    const size_t k = std::min(n - 1, size_t(q * double(n - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return double(v[k]);
  };
  a.p01 = pct(0.01), a.p50 = pct(0.5), a.p99 = pct(0.99);
  double mean = 0;
  for (size_t i = 0; i < n; ++i) mean += box.data()[i];
  mean /= double(n);
  double m2 = 0, m3 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = box.data()[i] - mean;
    m2 += d * d, m3 += d * d * d;
  }
  m2 /= double(n), m3 /= double(n);
  a.skewness = m2 > 0 ? m3 / std::pow(m2, 1.5) : 0;

  // x-y slices' power spectra, summed over slices, binned by radial frequency.
  const auto s = box.shape();
  if (s.y >= 8 && s.x >= 8) {
    sim::RealFft fft(s.y, s.x);
    auto in = sim::fftwf_float_buffer(size_t(s.y * s.x));
    auto out = sim::fftwf_complex_buffer(size_t(s.y * (s.x / 2 + 1)));
    std::array<double, 4> power{};
    for (int64_t z = 0; z < s.z; ++z) {
      for (int64_t i = 0; i < s.y * s.x; ++i) in[size_t(i)] = float(box.data()[z * s.y * s.x + i] - mean);
      fft.forward(in.get(), out.get());
      for (int64_t ky = 0; ky < s.y; ++ky)
        for (int64_t kx = 0; kx <= s.x / 2; ++kx) {
          const double fy = double(ky <= s.y / 2 ? ky : ky - s.y) / double(s.y), fx = double(kx) / double(s.x);
          const double f = std::sqrt(fy * fy + fx * fx);
          if (f == 0) continue;
          const auto& c = out[size_t(ky * (s.x / 2 + 1) + kx)];
          // Half-complex storage: columns other than 0 and Nyquist stand for two.
          const double w = (kx == 0 || 2 * kx == s.x) ? 1 : 2;
          const double p = w * (double(c[0]) * c[0] + double(c[1]) * c[1]);
          for (size_t b = 0; b < 4; ++b)
            if (f >= kBandEdges[b] && f < kBandEdges[b + 1]) power[b] += p;
        }
    }
    double total = 0;
    for (double p : power) total += p;
    for (size_t b = 0; b < 4; ++b) a.band_power[b] = total > 0 ? power[b] / total : 0;
  }
  return a;
}

void include(AppearanceRange& r, const Appearance& a) {
  if (r.count == 0) {
    r.lo = r.hi = a;
  } else {
    auto both = [](double& lo, double& hi, double v) { lo = std::min(lo, v), hi = std::max(hi, v); };
    both(r.lo.source_spacing_A, r.hi.source_spacing_A, a.source_spacing_A);
    both(r.lo.p01, r.hi.p01, a.p01);
    both(r.lo.p50, r.hi.p50, a.p50);
    both(r.lo.p99, r.hi.p99, a.p99);
    both(r.lo.skewness, r.hi.skewness, a.skewness);
    for (size_t b = 0; b < 4; ++b) both(r.lo.band_power[b], r.hi.band_power[b], a.band_power[b]);
  }
  ++r.count;
}

std::vector<std::string> appearance_mismatches(const Appearance& a, const AppearanceRange& r) {
  std::vector<std::string> out;
  if (r.count == 0) return out;
  // Spacing: resampling by more than 1.5x either way from anything trained on.
  if (a.source_spacing_A > 0 && r.lo.source_spacing_A > 0 &&
      (a.source_spacing_A > 1.5 * r.hi.source_spacing_A || a.source_spacing_A < r.lo.source_spacing_A / 1.5))
    out.push_back("voxel spacing " + number_text(a.source_spacing_A, 4) + " Å, trained on " + number_text(r.lo.source_spacing_A, 4) +
                  (r.hi.source_spacing_A > r.lo.source_spacing_A * 1.001 ? "-" + number_text(r.hi.source_spacing_A, 4) : "") + " Å");
  // Other numbers: outside the range widened by half its width and an absolute margin.
  const auto off = [](double v, double lo, double hi) {
    const double pad = 0.5 * (hi - lo) + 0.75;
    return v < lo - pad || v > hi + pad;
  };
  auto check = [&](double v, double lo, double hi, const std::string& what) {
    if (off(v, lo, hi))
      out.push_back(what + " " + number_text(v, 3) + " (training data " + number_text(lo, 3) + " to " + number_text(hi, 3) + ")");
  };
  check(a.p01, r.lo.p01, r.hi.p01, "intensity 1st percentile");
  check(a.p99, r.lo.p99, r.hi.p99, "intensity 99th percentile");
  check(a.skewness, r.lo.skewness, r.hi.skewness, "intensity skewness");
  // A tomogram saved with the opposite contrast mirrors its intensity distribution: when the
  // skewness is off but the mirrored percentiles and skewness all fall in range, say so.
  if (off(a.skewness, r.lo.skewness, r.hi.skewness) && !off(-a.skewness, r.lo.skewness, r.hi.skewness) &&
      !off(-a.p99, r.lo.p01, r.hi.p01) && !off(-a.p01, r.lo.p99, r.hi.p99))
    out.push_back("the contrast looks inverted (dense particles bright where the training data had them dark, or the "
                  "reverse): try --invert");
  // Shares of the power: off by more than a factor of 2 (and 0.02) from the range.
  for (size_t b = 0; b < 4; ++b) {
    const double v = a.band_power[b], lo = r.lo.band_power[b], hi = r.hi.band_power[b];
    if (v < lo / 2 - 0.02 || v > 2 * hi + 0.02)
      out.push_back(std::string(kBandNames[b]) + "-frequency share of the power " + number_text(v, 3) + " (training data " + number_text(lo, 3) +
                    " to " + number_text(hi, 3) + ")");
  }
  return out;
}

namespace {

nlohmann::json to_json(const Appearance& a) {
  return {{"source_spacing_A", a.source_spacing_A}, {"p01", a.p01}, {"p50", a.p50}, {"p99", a.p99},
          {"skewness", a.skewness}, {"band_power", a.band_power}};
}

Appearance from_json(const nlohmann::json& j) {
  Appearance a;
  a.source_spacing_A = j.at("source_spacing_A").get<double>();
  a.p01 = j.at("p01").get<double>(), a.p50 = j.at("p50").get<double>(), a.p99 = j.at("p99").get<double>();
  a.skewness = j.at("skewness").get<double>();
  a.band_power = j.at("band_power").get<std::array<double, 4>>();
  return a;
}

}  // namespace

std::string appearance_range_to_json(const AppearanceRange& r) {
  return nlohmann::json{{"count", r.count}, {"lo", to_json(r.lo)}, {"hi", to_json(r.hi)}}.dump();
}

AppearanceRange appearance_range_from_json(const std::string& text, const std::string& source) {
  try {
    const auto j = nlohmann::json::parse(text);
    AppearanceRange r;
    const auto& count = j.at("count");
    // Checked before converting: a float beyond int's range would be undefined behaviour to convert.
    if (!count.is_number_integer() || count.get<int64_t>() < 0 || count.get<int64_t>() > 1000000)
      throw Error(source, "training-data appearance: count must be an integer in 0..1000000");
    r.count = int(count.get<int64_t>());
    r.lo = from_json(j.at("lo"));
    r.hi = from_json(j.at("hi"));
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, std::string("training-data appearance: ") + e.what());
  }
}

}  // namespace tomopick
