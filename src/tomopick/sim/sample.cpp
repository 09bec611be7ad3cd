#include "tomopick/sim/sample.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <map>
#include <unordered_map>

#include "tomopick/core/parallel.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/sim/bacteria.h"
#include "tomopick/sim/placement.h"

namespace tomopick::sim {

using namespace placement;

const char* kind_name(ObjectKind k) {
  switch (k) {
    case ObjectKind::particle: return "particle";
    case ObjectKind::protein: return "other-protein";
    case ObjectKind::vesicle: return "vesicle";
    case ObjectKind::sheet: return "membrane-sheet";
    case ObjectKind::gold: return "gold";
    case ObjectKind::ice: return "ice";
    case ObjectKind::envelope: return "cell-envelope";
  }
  return "?";
}

double slab_centre(const SimConfig& c) { return double(c.shape.z - 1) * c.spacing / 2; }
double slab_half(const SimConfig& c) { return std::min(c.slab_thickness, double(c.shape.z) * c.spacing) / 2; }

Sample place_sample(const SimConfig& c, Rng& rng) {
  if (c.specimen == "bacteria") return place_bacteria(c, rng);
  Sample s;
  const double ref = c.reference_volume_A3 > 0 ? c.reference_volume_A3 : slab_volume_A3(c);
  const double f = slab_volume_A3(c) / ref;
  const double zc = slab_centre(c), half = slab_half(c);
  const double lx = double(c.shape.x - 1) * c.spacing, ly = double(c.shape.y - 1) * c.spacing;
  Occupancy occ(320.0);
  s.objects.reserve(4096);
  auto random_xy = [&](Vec3& p) {
    p.x = rng.uniform(0, lx);
    p.y = rng.uniform(0, ly);
  };

  // Membranes first (they are the largest), then surface beads and ice, particles (largest first),
  // and the crowd of other proteins into the space left.
  const int nves = draw_count(rng, c.vesicles_min, c.vesicles_max, f);
  for (int i = 0; i < nves; ++i) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      const double R = rng.uniform(250, 900);
      if (half < R + kMembraneHalf) continue;
      Vec3 p;
      random_xy(p);
      p.z = zc + rng.uniform(-(half - R - kMembraneHalf), half - R - kMembraneHalf);
      bool ok = true;
      for (const auto& o : s.objects)
        if (o.kind == ObjectKind::vesicle && len(sub(p, o.centre)) < R + o.radius + 2 * kMembraneHalf) ok = false;
      if (!ok) continue;
      SampleObject o;
      o.kind = ObjectKind::vesicle;
      o.name = kind_name(o.kind);
      o.centre = p;
      o.radius = R;
      s.objects.push_back(o);
      break;
    }
  }
  const int nsheet = draw_count(rng, c.sheets_min, c.sheets_max, f);
  for (int i = 0; i < nsheet; ++i) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      SampleObject o;
      o.kind = ObjectKind::sheet;
      o.name = kind_name(o.kind);
      random_xy(o.centre);
      o.centre.z = zc + rng.uniform(-half * 0.6, half * 0.6);
      o.radius = rng.uniform(600, 2000);
      o.normal = random_unit(rng);
      bool ok = true;
      for (const auto& v : s.objects)
        if (v.kind == ObjectKind::vesicle) {
          const Vec3 q = sub(v.centre, o.centre);
          if (std::abs(dot(q, o.normal)) < v.radius + 2 * kMembraneHalf && len(q) < o.radius + v.radius) ok = false;
        }
      if (!ok) continue;
      s.objects.push_back(o);
      break;
    }
  }
  const int ngold = draw_count(rng, c.gold_min, c.gold_max, f);
  for (int i = 0; i < ngold; ++i) {
    SampleObject o;
    o.kind = ObjectKind::gold;
    o.name = kind_name(o.kind);
    const double R = rng.uniform(45, 55);  // 10 nm beads
    random_xy(o.centre);
    o.centre.z = zc + (rng.uniform() < 0.5 ? -1 : 1) * (half + rng.uniform(-0.5, 1.0) * R);
    o.radius = R;
    o.amplitude = 25.0;  // V: gold's inner potential (~30 V) less the ice it displaces
    s.objects.push_back(o);
  }
  const int nice = draw_count(rng, c.ice_min, c.ice_max, f);
  for (int i = 0; i < nice; ++i) {
    SampleObject o;
    o.kind = ObjectKind::ice;
    o.name = kind_name(o.kind);
    random_xy(o.centre);
    const double R = rng.uniform(200, 450);
    o.centre.z = zc + (rng.uniform() < 0.5 ? -1 : 1) * (half + rng.uniform(0.0, 0.6) * R);
    o.radius = R;
    o.amplitude = 1.5;  // V: crystalline ice on the surface, against the vacuum-free reference
    // A lump of 3-6 overlapping balls (pos, sigma = ball radius).
    const int n = int(rng.uniform_int(3, 6));
    for (int k = 0; k < n; ++k) {
      const Vec3 d = random_unit(rng);
      const double rr = R * rng.uniform(0.35, 0.6), off = R - rr;
      o.atoms.push_back({Vec3{d.z * off * 0.5, d.y * off, d.x * off}, rr, 1.0});
    }
    s.objects.push_back(o);
  }
  for (const auto& o : s.objects) {
    if (o.kind == ObjectKind::vesicle || o.kind == ObjectKind::sheet) occ.add_membrane(&o);
    else occ.add_sphere(o.centre, o.radius);
  }

  // Particles, largest first (the hardest to fit).
  const CopickConfig czii = czii_config();
  std::vector<CountRange> order = c.counts;
  std::stable_sort(order.begin(), order.end(), [](const CountRange& a, const CountRange& b) {
    return particle_radius(a.name) > particle_radius(b.name);
  });
  std::vector<int> want;
  for (const auto& cr : c.counts) want.push_back(draw_count(rng, cr.min, cr.max, f));
  for (const auto& cr : order) {
    int n = 0;
    for (size_t k = 0; k < c.counts.size(); ++k)
      if (c.counts[k].name == cr.name) n = want[k];
    const ParticleModel& m = particle_model(cr.name);
    const PickableObject* po = czii.find(cr.name);
    int placed = 0;
    for (int i = 0; i < n; ++i) {
      for (int attempt = 0; attempt < 1000; ++attempt) {
        Vec3 p;
        random_xy(p);
        p.z = zc + rng.uniform(-(half - m.radius), half - m.radius);
        if (!occ.free(p, m.radius)) continue;
        SampleObject o;
        o.kind = ObjectKind::particle;
        o.name = cr.name;
        o.label = po ? po->label : 0;
        o.centre = p;
        o.rotation = random_rotation(rng);
        o.radius = m.radius;
        s.objects.push_back(o);
        occ.add_sphere(p, m.radius);
        ++placed;
        break;
      }
    }
    s.requested.push_back({cr.name, n});
    s.placed.push_back({cr.name, placed});
    if (placed < n) spdlog::warn("simulate: placed {} of {} {} (the box is too crowded)", placed, n, cr.name);
  }

  // Other proteins: lumpy blobs of 2-8 Gaussians, radius 20-110 Å (small ones commoner), at the
  // density of protein (their mass follows their volume).
  const int nprot = draw_count(rng, c.other_protein_min, c.other_protein_max, f);
  for (int i = 0; i < nprot; ++i) {
    const double u = rng.uniform();
    const double R = 20 + 90 * u * u;
    for (int attempt = 0; attempt < 50; ++attempt) {
      Vec3 p;
      random_xy(p);
      if (half <= R) break;
      p.z = zc + rng.uniform(-(half - R), half - R);
      if (!occ.free(p, R)) continue;
      SampleObject o;
      o.kind = ObjectKind::protein;
      o.name = kind_name(o.kind);
      o.centre = p;
      o.radius = R;
      const int lobes = 2 + int(rng.uniform_int(0, std::min(6, int(R / 15))));
      const double mass_da = 0.6 * (4.0 / 3.0) * std::numbers::pi * R * R * R / kAngstrom3PerDalton;
      const double w = mass_da * kAngstrom3PerDalton * kProteinContrastV / lobes;
      for (int k = 0; k < lobes; ++k) {
        const Vec3 d = random_unit(rng);
        const double off = rng.uniform(0, 0.45) * R;
        o.atoms.push_back({Vec3{d.z * off, d.y * off, d.x * off}, std::max(5.0, 0.42 * R), w});
      }
      s.objects.push_back(std::move(o));
      occ.add_sphere(p, R);
      break;
    }
  }
  return s;
}

// ---- rendering --------------------------------------------------------------------------------------

namespace {

// A window of a float grid: element (z, y, x) (absolute voxel indices) is base[(z-z0)*sz + (y-y0)*sy + (x-x0)].
struct Grid {
  float* base;
  int64_t z0, y0, x0, nz, ny, nx, sz, sy;
};

// A Gaussian in voxel units, ready to splat: centre, sigma, peak value.
struct VoxAtom {
  double z, y, x, sigma, peak;
};

VoxAtom to_voxels(const Vec3& pos_A, double sigma_A, double weight, double s) {
  const double se = std::sqrt(sigma_A * sigma_A + s * s / 12.0);
  const double peak = weight / (std::pow(2 * std::numbers::pi, 1.5) * se * se * se);
  return {pos_A.z / s, pos_A.y / s, pos_A.x / s, se / s, peak};
}

// Separable evaluation: exp(-r^2/2s^2) = gx * gy * gz over the 3-sigma box clipped to the grid.
void splat(const Grid& g, const VoxAtom& a) {
  const double cut = 3.0 * a.sigma;
  const int64_t z0 = std::max<int64_t>(g.z0, int64_t(std::ceil(a.z - cut))), z1 = std::min<int64_t>(g.z0 + g.nz - 1, int64_t(std::floor(a.z + cut)));
  const int64_t y0 = std::max<int64_t>(g.y0, int64_t(std::ceil(a.y - cut))), y1 = std::min<int64_t>(g.y0 + g.ny - 1, int64_t(std::floor(a.y + cut)));
  const int64_t x0 = std::max<int64_t>(g.x0, int64_t(std::ceil(a.x - cut))), x1 = std::min<int64_t>(g.x0 + g.nx - 1, int64_t(std::floor(a.x + cut)));
  if (z0 > z1 || y0 > y1 || x0 > x1) return;
  const double k = -0.5 / (a.sigma * a.sigma);
  float gx[64], gy[64], gz[64];
  const int64_t nxw = std::min<int64_t>(x1 - x0 + 1, 64), nyw = std::min<int64_t>(y1 - y0 + 1, 64), nzw = std::min<int64_t>(z1 - z0 + 1, 64);
  for (int64_t i = 0; i < nxw; ++i) gx[i] = float(std::exp(k * (x0 + i - a.x) * (x0 + i - a.x)));
  for (int64_t i = 0; i < nyw; ++i) gy[i] = float(std::exp(k * (y0 + i - a.y) * (y0 + i - a.y)));
  for (int64_t i = 0; i < nzw; ++i) gz[i] = float(a.peak * std::exp(k * (z0 + i - a.z) * (z0 + i - a.z)));
  for (int64_t iz = 0; iz < nzw; ++iz)
    for (int64_t iy = 0; iy < nyw; ++iy) {
      float* row = g.base + (z0 + iz - g.z0) * g.sz + (y0 + iy - g.y0) * g.sy + (x0 - g.x0);
      const float f = gz[iz] * gy[iy];
      for (int64_t ix = 0; ix < nxw; ++ix) row[ix] += f * gx[ix];
    }
}

// Bilayer profile across the membrane (d = signed distance, Å): two head-group peaks 38 Å apart and
// the lower-density hydrocarbon core, each Gaussian widened by the voxel size.
double membrane_profile(double d, double s) {
  const double v = s * s / 12.0;
  const double sh = std::sqrt(25.0 + v), st = std::sqrt(64.0 + v);
  const double head = 1.6 * 5.0 / sh, tail = -0.4 * 8.0 / st;
  auto g = [](double x, double sg) { return std::exp(-0.5 * x * x / (sg * sg)); };
  return head * (g(d - 19, sh) + g(d + 19, sh)) + tail * g(d, st);
}

// A ball of potential `a` with an erf edge (sigma = 2 Å widened by the voxel size).
double ball(double r, double R, double a, double s) {
  const double se = std::sqrt(4.0 + s * s / 12.0);
  return a * 0.5 * std::erfc((r - R) / (std::sqrt(2.0) * se));
}

struct Prepared {
  std::vector<VoxAtom> atoms;      // particles and proteins
  int64_t z0, z1, y0, y1, x0, x1;  // voxel bounding box (inclusive), may lie outside the grid
  float label_threshold = 0;
};

// The peak density of a model rendered unrotated, for the label threshold.
double model_peak(const ParticleModel& m, double s) {
  const int64_t n = int64_t(std::ceil(2 * (m.radius + 30) / s)) + 1;
  Volume<float> v({n, n, n}, {s, s, s});
  const double c = double(n - 1) / 2 * s;
  for (const auto& a : m.atoms) splat_atom(v, Vec3{a.pos.z + c, a.pos.y + c, a.pos.x + c}, a.sigma, a.weight);
  return *std::max_element(v.data(), v.data() + v.size());
}

}  // namespace

void splat_atom(Volume<float>& v, const Vec3& pos_A, double sigma_A, double weight) {
  const Shape3 sh = v.shape();
  splat(Grid{v.data(), 0, 0, 0, sh.z, sh.y, sh.x, sh.y * sh.x, sh.x}, to_voxels(pos_A, sigma_A, weight, v.spacing().x));
}

Volume<float> render_sample(const Sample& smp, const SimConfig& c, Volume<uint8_t>* labels,
                            Volume<uint16_t>* instances) {
  const double s = c.spacing;
  const Shape3 sh = c.shape;
  Volume<float> vol(sh, {s, s, s});
  Volume<uint8_t> label_scratch;
  if (instances && !labels) labels = &label_scratch;  // instances are found where labels are
  if (labels) *labels = Volume<uint8_t>(sh, {s, s, s});
  if (instances) *instances = Volume<uint16_t>(sh, {s, s, s});
  // Instance ids in object order, as sample_picks numbers them.
  std::vector<uint16_t> instance_of(smp.objects.size(), 0);
  {
    int64_t n = 0;
    for (size_t i = 0; i < smp.objects.size(); ++i)
      if (smp.objects[i].kind == ObjectKind::particle) {
        if (++n > 65535) throw Error("simulate: more than 65535 particles in one run; instance ids are uint16");
        instance_of[i] = uint16_t(n);
      }
  }
  const double zc = slab_centre(c), half = slab_half(c);

  std::map<std::string, float> thresholds;
  std::vector<Prepared> prep(smp.objects.size());
  for (size_t i = 0; i < smp.objects.size(); ++i) {
    const SampleObject& o = smp.objects[i];
    Prepared& p = prep[i];
    double reach = o.radius + 40;  // Å around the centre that the object can touch
    if (o.kind == ObjectKind::particle || o.kind == ObjectKind::protein) {
      const auto& atoms = o.kind == ObjectKind::particle ? particle_model(o.name).atoms : o.atoms;
      reach = 0;
      for (const auto& a : atoms) {
        const Vec3 w = add(o.centre, rotate(o.rotation, a.pos));
        p.atoms.push_back(to_voxels(w, a.sigma, a.weight, s));
        reach = std::max(reach, len(a.pos) + 3 * p.atoms.back().sigma * s + s);
      }
      if (o.kind == ObjectKind::particle && labels) {
        if (!thresholds.count(o.name)) thresholds[o.name] = float(0.3 * model_peak(particle_model(o.name), s));
        p.label_threshold = thresholds[o.name];
      }
    }
    if (o.kind == ObjectKind::sheet) reach = o.radius + 100;
    if (o.kind == ObjectKind::envelope) reach = o.half_length + o.radius + o.periplasm + 60;
    p.z0 = int64_t(std::floor((o.centre.z - reach) / s)), p.z1 = int64_t(std::ceil((o.centre.z + reach) / s));
    p.y0 = int64_t(std::floor((o.centre.y - reach) / s)), p.y1 = int64_t(std::ceil((o.centre.y + reach) / s));
    p.x0 = int64_t(std::floor((o.centre.x - reach) / s)), p.x1 = int64_t(std::ceil((o.centre.x + reach) / s));
  }

  const int64_t block = 8;
  const int64_t nblocks = (sh.y + block - 1) / block;
  parallel_for(nblocks, [&](int64_t b) {
    const int64_t ya = b * block, yb = std::min(sh.y, ya + block);
    const Grid whole{vol.data() + ya * sh.x, 0, ya, 0, sh.z, yb - ya, sh.x, sh.y * sh.x, sh.x};
    std::vector<float> local;
    for (size_t i = 0; i < smp.objects.size(); ++i) {
      const SampleObject& o = smp.objects[i];
      const Prepared& p = prep[i];
      if (p.y1 < ya || p.y0 >= yb) continue;
      // The object's box clipped to this block.
      const int64_t z0 = std::max<int64_t>(0, p.z0), z1 = std::min(sh.z - 1, p.z1);
      const int64_t y0 = std::max(ya, p.y0), y1 = std::min(yb - 1, p.y1);
      const int64_t x0 = std::max<int64_t>(0, p.x0), x1 = std::min(sh.x - 1, p.x1);
      if (z0 > z1 || y0 > y1 || x0 > x1) continue;
      switch (o.kind) {
        case ObjectKind::particle:
        case ObjectKind::protein: {
          if (o.kind == ObjectKind::particle && labels) {
            const int64_t nz = z1 - z0 + 1, ny = y1 - y0 + 1, nx = x1 - x0 + 1;
            local.assign(size_t(nz * ny * nx), 0.0f);
            const Grid g{local.data(), z0, y0, x0, nz, ny, nx, ny * nx, nx};
            for (const auto& a : p.atoms) splat(g, a);
            for (int64_t z = 0; z < nz; ++z)
              for (int64_t y = 0; y < ny; ++y)
                for (int64_t x = 0; x < nx; ++x) {
                  const float v = local[size_t((z * ny + y) * nx + x)];
                  vol(z0 + z, y0 + y, x0 + x) += v;
                  if (v > p.label_threshold) {
                    (*labels)(z0 + z, y0 + y, x0 + x) = uint8_t(o.label);
                    if (instances) (*instances)(z0 + z, y0 + y, x0 + x) = instance_of[i];
                  }
                }
          } else {
            for (const auto& a : p.atoms) splat(whole, a);
          }
          break;
        }
        case ObjectKind::envelope:
          for (int64_t z = z0; z <= z1; ++z)
            for (int64_t y = y0; y <= y1; ++y)
              for (int64_t x = x0; x <= x1; ++x) {
                const double d = envelope_distance(o, Vec3{z * s, y * s, x * s});
                if (d > o.periplasm + 45) continue;
                // Inner and outer membranes, the thin peptidoglycan layer between them, and the
                // cytoplasm's crowding as a slight mean density (its proteins are objects of their own).
                double v = 0.5 * 0.5 * std::erfc(d / 20.0);
                if (std::abs(d) < 45) v += membrane_profile(d, s);
                if (std::abs(d - o.periplasm) < 45) v += membrane_profile(d - o.periplasm, s);
                const double pg = (d - 0.55 * o.periplasm) / 12.0;
                v += 0.5 * std::exp(-0.5 * pg * pg);
                vol(z, y, x) += float(v);
              }
          break;
        case ObjectKind::vesicle:
        case ObjectKind::sheet:
        case ObjectKind::gold:
        case ObjectKind::ice:
          for (int64_t z = z0; z <= z1; ++z)
            for (int64_t y = y0; y <= y1; ++y)
              for (int64_t x = x0; x <= x1; ++x) {
                const Vec3 q = sub(Vec3{z * s, y * s, x * s}, o.centre);
                double v = 0;
                if (o.kind == ObjectKind::vesicle) {
                  const double d = len(q) - o.radius;
                  if (std::abs(d) < 45) v = membrane_profile(d, s);
                } else if (o.kind == ObjectKind::sheet) {
                  const double d = dot(q, o.normal);
                  if (std::abs(d) >= 45 || std::abs(z * s - zc) > half) continue;
                  const Vec3 inplane = sub(q, Vec3{d * o.normal.z, d * o.normal.y, d * o.normal.x});
                  v = membrane_profile(d, s) * 0.5 * std::erfc((len(inplane) - o.radius) / 30.0);
                } else if (o.kind == ObjectKind::gold) {
                  v = ball(len(q), o.radius, o.amplitude, s);
                } else {
                  double m = 0;
                  for (const auto& a : o.atoms) m = std::max(m, ball(len(sub(q, a.pos)), a.sigma, o.amplitude, s));
                  v = m;
                }
                vol(z, y, x) += float(v);
              }
          break;
      }
    }
  });
  return vol;
}

}  // namespace tomopick::sim
