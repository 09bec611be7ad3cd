#include "tomopick/sim/particle_models.h"

#include <cmath>
#include <functional>
#include <map>
#include <numbers>

#include "tomopick/core/error.h"
#include "tomopick/sim/placement.h"

namespace tomopick::sim {

namespace {

using placement::add;

Vec3 xyz(double x, double y, double z) { return Vec3{z, y, x}; }
Vec3 scale(Vec3 a, double s) { return {a.z * s, a.y * s, a.x * s}; }
double norm(Vec3 a) { return std::sqrt(a.x * a.x + a.y * a.y + a.z * a.z); }
Vec3 unit(Vec3 a) { return scale(a, 1.0 / norm(a)); }

// The closure of `gens` under multiplication (a finite group), in a fixed order.
std::vector<Mat3> closure(const std::vector<Mat3>& gens) {
  std::vector<Mat3> g = {kIdentity3};
  auto known = [&](const Mat3& m) {
    for (const auto& h : g) {
      double d = 0;
      for (int i = 0; i < 9; ++i) d = std::max(d, std::abs(h[i] - m[i]));
      if (d < 1e-6) return true;
    }
    return false;
  };
  for (size_t i = 0; i < g.size(); ++i)
    for (const auto& s : gens) {
      const Mat3 m = matmul(s, g[i]);
      if (!known(m)) g.push_back(m);
      if (g.size() > 120) throw Error("symmetry_group: generators do not close");
    }
  return g;
}

// Adds pseudo-atoms on a cubic grid of `step` Å filling an ellipsoid (semi-axes a, b, c along the
// rotated x, y, z), skipping points where `keep` is false. Each atom stands for step^3 of matter
// times `density` (relative), so parts keep their relative masses when the model is normalised.
void fill_ellipsoid(std::vector<PseudoAtom>& atoms, Vec3 centre, double a, double b, double c, const Mat3& rot,
                    double step, double sigma, double density = 1.0,
                    const std::function<bool(const Vec3&)>& keep = nullptr) {
  const int nx = int(a / step), ny = int(b / step), nz = int(c / step);
  for (int k = -nz; k <= nz; ++k)
    for (int j = -ny; j <= ny; ++j)
      for (int i = -nx; i <= nx; ++i) {
        // Offset every other layer by half a step: a denser, more isotropic packing than a cube.
        const double x = (i + 0.5 * (k & 1)) * step, y = (j + 0.5 * (k & 1)) * step, z = k * step;
        if ((x * x) / (a * a) + (y * y) / (b * b) + (z * z) / (c * c) > 1.0) continue;
        const Vec3 p = add(centre, rotate(rot, xyz(x, y, z)));
        if (keep && !keep(p)) continue;
        atoms.push_back({p, sigma, density * step * step * step});
      }
  // A body smaller than one step still gets its mass.
  if (nx == 0 && ny == 0 && nz == 0 && (!keep || keep(centre)))
    atoms.push_back({centre, std::max(sigma, std::cbrt(a * b * c) * 0.6), density * 4.19 * a * b * c});
}

// Applies the group to the asymmetric unit, centres on the centre of mass and scales the weights
// so that the model integrates to mass x 1.23 Å^3/Da x contrast.
ParticleModel finish(std::string name, double radius, double mass_kda, std::string sym,
                     const std::vector<PseudoAtom>& asu, double contrast_factor = 1.0,
                     const std::vector<PseudoAtom>& extra = {}) {
  ParticleModel m;
  m.name = std::move(name);
  m.radius = radius;
  m.mass_kda = mass_kda;
  m.symmetry = sym;
  for (const Mat3& r : symmetry_group(sym))
    for (const auto& a : asu) m.atoms.push_back({rotate(r, a.pos), a.sigma, a.weight});
  m.atoms.insert(m.atoms.end(), extra.begin(), extra.end());
  double w = 0;
  Vec3 c{};
  for (const auto& a : m.atoms) {
    w += a.weight;
    c = add(c, scale(a.pos, a.weight));
  }
  c = scale(c, 1.0 / w);
  const double target = mass_kda * 1000.0 * kAngstrom3PerDalton * kProteinContrastV * contrast_factor;
  for (auto& a : m.atoms) {
    a.pos = add(a.pos, scale(c, -1));
    a.weight *= target / w;
  }
  return m;
}

ParticleModel make_ferritin() {
  // 24 four-helix-bundle subunits (rods ~50 x 25 Å) tiling a shell between radii 40 and 60 Å; the
  // octahedral group puts antiparallel pairs across the two-fold axes.
  std::vector<PseudoAtom> asu;
  const Vec3 d = unit(xyz(1.0, 0.62, 0.18));
  const Vec3 t = unit(xyz(-0.62, 1.0, 0.0));  // tangent (perpendicular to d within 1e-2)
  const Vec3 b = unit(xyz(d.y * t.z - d.z * t.y, d.z * t.x - d.x * t.z, d.x * t.y - d.y * t.x));
  for (double r : {45.0, 54.0})
    for (double off : {-6.0, 6.0})
      for (double s : {-18.0, -9.0, 0.0, 9.0, 18.0})
        asu.push_back({add(add(scale(d, r), scale(t, s)), scale(b, off)), 5.0, 1.0});
  return finish("apo-ferritin", 60, 474, "O", asu);
}

ParticleModel make_beta_amylase() {
  // Soybean beta-amylase: a tetramer of 56 kDa (β/α)8 barrels with a small C-terminal lobe.
  std::vector<PseudoAtom> asu;
  const Mat3 r = axis_angle(xyz(0.3, 1, 0.2), 0.5);
  fill_ellipsoid(asu, xyz(22, 19, 14), 24, 20, 17, r, 7.5, 5.0);
  fill_ellipsoid(asu, xyz(38, 6, 26), 11, 10, 9, kIdentity3, 7.5, 5.0);
  return finish("beta-amylase", 65, 224, "D2", asu);
}

ParticleModel make_beta_galactosidase() {
  // E. coli beta-galactosidase: a D2 tetramer of 116 kDa monomers with five domains.
  std::vector<PseudoAtom> asu;
  const double s = 8.0, g = 5.5;
  fill_ellipsoid(asu, xyz(14, 22, 12), 22, 19, 18, kIdentity3, s, g);
  fill_ellipsoid(asu, xyz(42, 30, 8), 22, 18, 16, axis_angle(xyz(0, 0, 1), 0.4), s, g);
  fill_ellipsoid(asu, xyz(60, 10, 16), 18, 16, 15, kIdentity3, s, g);
  fill_ellipsoid(asu, xyz(30, 50, 20), 17, 15, 14, kIdentity3, s, g);
  fill_ellipsoid(asu, xyz(8, 8, 30), 15, 14, 14, kIdentity3, s, g);
  return finish("beta-galactosidase", 90, 465, "D2", asu);
}

ParticleModel make_ribosome() {
  // An 80S-like ribosome: the large subunit (2/3 of the mass) with central protuberance, L1 and P
  // stalks, and the small subunit (body + head) above it, separated by the intersubunit cleft (the
  // space where tRNAs bind). Interface normal = +z.
  std::vector<PseudoAtom> asu;
  const double s = 10.0, g = 6.5;
  auto not_cleft = [](const Vec3& p) {
    // A lens-shaped gap between the subunits around z = 28 Å.
    const double rr = (p.x * p.x + p.y * p.y) / (75.0 * 75.0);
    return !(std::abs(p.z - 28) < 13 * (1 - rr) && rr < 1);
  };
  fill_ellipsoid(asu, xyz(0, 0, -32), 108, 98, 66, kIdentity3, s, g, 1.0, not_cleft);  // LSU body
  fill_ellipsoid(asu, xyz(0, 62, 34), 34, 28, 30, kIdentity3, s, g, 1.0, not_cleft);   // central protuberance
  fill_ellipsoid(asu, xyz(-100, 44, 4), 22, 18, 36, axis_angle(xyz(0, 1, 0), 0.4), s, g);  // L1 stalk
  fill_ellipsoid(asu, xyz(104, 28, 0), 14, 14, 34, axis_angle(xyz(0, 1, 0), -0.5), s, g);  // P stalk
  fill_ellipsoid(asu, xyz(0, -18, 70), 96, 58, 36, axis_angle(xyz(1, 0, 0), 0.15), s, g, 1.0, not_cleft);  // SSU body
  fill_ellipsoid(asu, xyz(-8, 58, 88), 40, 32, 30, kIdentity3, s, g, 1.0, not_cleft);  // SSU head
  return finish("ribosome", 150, 3300, "C1", asu, 1.3);  // rRNA is denser than protein
}

ParticleModel make_thyroglobulin() {
  // A 660 kDa homodimer of long, winding protomers, related by a two-fold perpendicular to the long
  // axis: ~260 Å long, ~100 Å wide.
  std::vector<PseudoAtom> asu;
  for (int i = 0; i < 11; ++i) {
    const double x = -108 + 21.6 * i;
    const Vec3 c = xyz(x, 24 + 10 * std::sin(0.9 * i), 14 * std::cos(0.7 * i));
    fill_ellipsoid(asu, c, 15, 17, 19, axis_angle(xyz(1, 0.2, 0), 0.3 * i), 7.0, 5.0);
  }
  return finish("thyroglobulin", 130, 660, "C2", asu);
}

ParticleModel make_vlp() {
  // A T=3 icosahedral capsid (the CZII VLP is bacteriophage PP7's coat, EMD-41917): 180 subunits, five
  // around each five-fold axis (pentamers) and six around each three-fold (hexamers), each subunit an
  // outer protrusion plus an inner shell atom, and the packaged RNA as a diffuse core of radius ~95 Å.
  std::vector<PseudoAtom> asu;
  const double phi = std::numbers::phi;
  const Vec3 v5 = unit(xyz(0, 1, phi));
  const Vec3 f3 = unit(xyz(phi, 0, 2 * phi + 1));
  auto slerp = [](Vec3 a, Vec3 b, double t) { return unit(add(scale(a, 1 - t), scale(b, t))); };
  const Vec3 pa = slerp(v5, f3, 0.34);
  const Vec3 pb = slerp(f3, v5, 0.30);
  const Vec3 pc = rotate(axis_angle(f3, std::numbers::pi / 3), pb);
  for (const Vec3& p : {pa, pb, pc}) {
    asu.push_back({scale(p, 124), 7.5, 1.2});
    asu.push_back({scale(p, 108), 7.0, 1.0});
  }
  // The RNA core: 45% of the coat's mass (the coat's atoms weigh 6.6 per asymmetric unit).
  std::vector<PseudoAtom> core;
  fill_ellipsoid(core, xyz(0, 0, 0), 92, 92, 92, kIdentity3, 14.0, 9.0);
  for (auto& a : core) a.weight = 0.45 * 6.6 * 60 / double(core.size());
  return finish("virus-like-particle", 135, 3600, "I", asu, 1.0, core);
}

}  // namespace

Mat3 matmul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return c;
}

Vec3 rotate(const Mat3& r, const Vec3& v) {
  return xyz(r[0] * v.x + r[1] * v.y + r[2] * v.z, r[3] * v.x + r[4] * v.y + r[5] * v.z,
             r[6] * v.x + r[7] * v.y + r[8] * v.z);
}

Mat3 axis_angle(Vec3 axis, double a) {
  const Vec3 u = unit(axis);
  const double c = std::cos(a), s = std::sin(a), t = 1 - c;
  return {t * u.x * u.x + c,       t * u.x * u.y - s * u.z, t * u.x * u.z + s * u.y,
          t * u.x * u.y + s * u.z, t * u.y * u.y + c,       t * u.y * u.z - s * u.x,
          t * u.x * u.z - s * u.y, t * u.y * u.z + s * u.x, t * u.z * u.z + c};
}

Mat3 random_rotation(Rng& rng) {
  const double u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform();
  const double a = std::sqrt(1 - u1), b = std::sqrt(u1);
  const double w = a * std::sin(2 * std::numbers::pi * u2), x = a * std::cos(2 * std::numbers::pi * u2);
  const double y = b * std::sin(2 * std::numbers::pi * u3), z = b * std::cos(2 * std::numbers::pi * u3);
  return {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),     2 * (x * z + y * w),
          2 * (x * y + z * w),     1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
          2 * (x * z - y * w),     2 * (y * z + x * w),     1 - 2 * (x * x + y * y)};
}

std::vector<Mat3> symmetry_group(const std::string& kind) {
  const double pi = std::numbers::pi;
  if (kind == "C1") return {kIdentity3};
  if (kind == "C2") return closure({axis_angle(xyz(0, 0, 1), pi)});
  if (kind == "D2") return closure({axis_angle(xyz(1, 0, 0), pi), axis_angle(xyz(0, 1, 0), pi)});
  if (kind == "O") return closure({axis_angle(xyz(0, 0, 1), pi / 2), axis_angle(xyz(1, 1, 1), 2 * pi / 3)});
  if (kind == "I") {
    const double phi = std::numbers::phi;
    return closure({axis_angle(xyz(0, 1, phi), 2 * pi / 5), axis_angle(xyz(phi, 0, 2 * phi + 1), 2 * pi / 3)});
  }
  throw Error("unknown point group '" + kind + "' (known: C1, C2, D2, O, I)");
}

const std::vector<std::string>& particle_names() {
  static const std::vector<std::string> names = {"apo-ferritin", "beta-amylase",  "beta-galactosidase",
                                                 "ribosome",     "thyroglobulin", "virus-like-particle"};
  return names;
}

const ParticleModel& particle_model(const std::string& name) {
  static const std::map<std::string, ParticleModel> models = [] {
    std::map<std::string, ParticleModel> m;
    for (auto&& pm : {make_ferritin(), make_beta_amylase(), make_beta_galactosidase(), make_ribosome(),
                      make_thyroglobulin(), make_vlp()})
      m.emplace(pm.name, pm);
    return m;
  }();
  const auto it = models.find(name);
  if (it == models.end()) {
    std::string list;
    for (const auto& n : particle_names()) list += (list.empty() ? "" : ", ") + n;
    throw Error("unknown particle type '" + name + "' (known: " + list + ")");
  }
  return it->second;
}

double particle_radius(const std::string& name) { return particle_model(name).radius; }

}  // namespace tomopick::sim
