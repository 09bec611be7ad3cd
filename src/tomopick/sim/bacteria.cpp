#include "tomopick/sim/bacteria.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tomopick/core/error.h"
#include "tomopick/sim/placement.h"

namespace tomopick::sim {

using namespace placement;

namespace {

constexpr double kPi = std::numbers::pi;

Vec3 scale(Vec3 a, double f) { return {a.z * f, a.y * f, a.x * f}; }
Vec3 cross(Vec3 a, Vec3 b) {
  return {a.x * b.y - a.y * b.x, a.z * b.x - a.x * b.z, a.y * b.z - a.z * b.y};
}
Vec3 unit(Vec3 a) { return scale(a, 1.0 / len(a)); }

// An atom whose Gaussian alone peaks at protein's potential (motor_model scales them for overlap).
PseudoAtom atom(double z, double y, double x, double sigma) {
  return {Vec3{z, y, x}, sigma, kProteinContrastV * std::pow(2 * kPi, 1.5) * sigma * sigma * sigma};
}

// A ring of radius R in the plane at height t, atoms about 0.8 sigma apart.
void ring(std::vector<PseudoAtom>& out, double t, double R, double sigma) {
  const int n = std::max(1, int(std::ceil(2 * kPi * R / (0.8 * sigma))));
  for (int i = 0; i < n; ++i) {
    const double a = 2 * kPi * i / n;
    out.push_back(atom(t, R * std::sin(a), R * std::cos(a), sigma));
  }
}

// The rotation taking the local z axis to `n` (and local x to a direction turned by `spin` about it).
Mat3 frame(Vec3 n, double spin) {
  n = unit(n);
  const Vec3 helper = std::abs(n.z) < 0.9 ? Vec3{1, 0, 0} : Vec3{0, 0, 1};
  Vec3 e1 = unit(cross(helper, n));
  Vec3 e2 = cross(n, e1);
  const double c = std::cos(spin), s = std::sin(spin);
  const Vec3 f1 = add(scale(e1, c), scale(e2, s)), f2 = cross(n, f1);
  // Columns are the images of local x, y, z, in (x, y, z) order.
  return {f1.x, f2.x, n.x, f1.y, f2.y, n.y, f1.z, f2.z, n.z};
}

// The point of the cell's axis segment nearest to p, and p's distance from it.
double axis_distance(const SampleObject& cell, const Vec3& p) {
  const Vec3 q = sub(p, cell.centre);
  const double t = std::clamp(dot(q, cell.normal), -cell.half_length, cell.half_length);
  return len(sub(q, scale(cell.normal, t)));
}

// Shortest distance between two segments (sampled: cells are few, and this runs only when placing).
double segment_distance(const SampleObject& a, const SampleObject& b) {
  double best = 1e300;
  for (int i = 0; i <= 64; ++i) {
    const double t = -a.half_length + 2 * a.half_length * i / 64.0;
    const Vec3 p = add(a.centre, scale(a.normal, t));
    const Vec3 q = sub(p, b.centre);
    const double u = std::clamp(dot(q, b.normal), -b.half_length, b.half_length);
    best = std::min(best, len(sub(q, scale(b.normal, u))));
  }
  return best;
}

// Tomograms without a motor, then 1..max with one most common (about halving per extra motor).
int draw_motor_count(const SimConfig& c, Rng& rng) {
  if (rng.uniform() < c.no_motor_fraction || c.motors_max < 1) return 0;
  int n = 1;
  while (n < c.motors_max && rng.uniform() < 0.35) ++n;
  return n;
}

}  // namespace

std::vector<PseudoAtom> motor_model(double periplasm) {
  // Heights t along the axis from the inner membrane's mid-plane (outward > 0), then shifted so the
  // motor's centre (the C-ring's middle) is the origin.
  std::vector<PseudoAtom> a;
  for (double t = -210; t <= -60; t += 20) ring(a, t, 205, 22);                // C-ring wall
  for (double t = -200; t <= -100; t += 25) ring(a, t, 45, 25);                // export apparatus
  a.push_back(atom(-150, 0, 0, 40));
  for (double t = -55; t <= 0; t += 18) ring(a, t, 115, 20);                   // MS-ring
  ring(a, -40, 70, 20);
  for (double t = 0; t <= periplasm + 30; t += 18) a.push_back(atom(t, 0, 0, 22));  // rod
  ring(a, 0.55 * periplasm, 95, 22);                                            // P-ring
  ring(a, periplasm - 5, 95, 22);                                               // L-ring
  // The hook: a 550 Å tube bending by ~60° out of the outer membrane.
  const double bend = 550.0 / (kPi / 3);
  for (double s = 0; s <= 550; s += 25) {
    const double phi = s / bend;
    a.push_back(atom(periplasm + 30 + bend * std::sin(phi), 0, bend * (1 - std::cos(phi)), 40));
  }
  for (auto& p : a) p.pos.z += kMotorCentreDepthA;
  // The atoms overlap (rings of rings): scale them so the density at their centres is, in the median,
  // protein's, as a real motor's is.
  std::vector<double> at_centres;
  for (const auto& p : a) {
    double v = 0;
    for (const auto& q : a) {
      const double r2 = dot(sub(p.pos, q.pos), sub(p.pos, q.pos));
      v += q.weight / (std::pow(2 * kPi, 1.5) * q.sigma * q.sigma * q.sigma) * std::exp(-0.5 * r2 / (q.sigma * q.sigma));
    }
    at_centres.push_back(v);
  }
  std::nth_element(at_centres.begin(), at_centres.begin() + ptrdiff_t(at_centres.size() / 2), at_centres.end());
  const double f = kProteinContrastV / at_centres[at_centres.size() / 2];
  for (auto& p : a) p.weight *= f;
  return a;
}

double envelope_distance(const SampleObject& cell, const Vec3& p) { return axis_distance(cell, p) - cell.radius; }

Sample place_bacteria(const SimConfig& c, Rng& rng) {
  // The extracellular part first: gold and ice at the surfaces and free proteins, as for particles.
  SimConfig outside = c;
  outside.specimen = "particles";
  outside.counts.clear();
  outside.vesicles_max = outside.vesicles_min = 0;
  outside.sheets_max = outside.sheets_min = 0;
  Sample s = place_sample(outside, rng);

  const double sp = c.spacing;
  const Vec3 box{double(c.shape.z - 1) * sp, double(c.shape.y - 1) * sp, double(c.shape.x - 1) * sp};
  const double zc = slab_centre(c), half = slab_half(c);
  // Cells lie in the slab (axis within 10° of the x-y plane), as thick as the slab allows.
  std::vector<SampleObject> cells;
  const int ncells = int(rng.uniform_int(c.cells_min, c.cells_max));
  for (int i = 0; i < ncells; ++i) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      SampleObject o;
      o.kind = ObjectKind::envelope;
      o.name = "cell-envelope";
      o.periplasm = rng.uniform(220, 320);
      const double room = half - o.periplasm - 60;  // the outer membrane stays inside the slab
      if (room < 300) break;
      o.radius = std::min(rng.uniform(600, 1600), room);
      const double az = rng.uniform(0, 2 * kPi), el = rng.uniform(-10, 10) * kPi / 180;
      o.normal = {std::sin(el), std::cos(el) * std::sin(az), std::cos(el) * std::cos(az)};
      o.half_length = rng.uniform(0.3, 1.2) * std::max(box.x, box.y);
      const double zroom = room - o.radius;
      o.centre = {zc + rng.uniform(-zroom, zroom), rng.uniform(0, box.y), rng.uniform(0, box.x)};
      bool ok = true;
      for (const auto& d : cells)
        if (segment_distance(o, d) < o.radius + d.radius + o.periplasm + d.periplasm + 150) ok = false;
      if (!ok) continue;
      cells.push_back(o);
      break;
    }
  }
  // Free proteins only outside the cells.
  std::erase_if(s.objects, [&](const SampleObject& o) {
    if (o.kind != ObjectKind::protein) return false;
    for (const auto& cell : cells)
      if (envelope_distance(cell, o.centre) < cell.periplasm + o.radius + 60) return true;
    return false;
  });
  Occupancy occ(320.0);
  for (const auto& o : s.objects) occ.add_sphere(o.centre, o.radius);

  // Motors: a random point of a cell's inner membrane whose motor lies wholly in the box.
  const int nmotors = cells.empty() ? 0 : draw_motor_count(c, rng);
  int motors = 0;
  for (int i = 0; i < nmotors; ++i) {
    for (int attempt = 0; attempt < 500; ++attempt) {
      const auto& cell = cells[size_t(rng.uniform_int(0, int64_t(cells.size()) - 1))];
      const double t = rng.uniform(-cell.half_length - cell.radius, cell.half_length + cell.radius);
      // A point of the capsule's surface: around the axis on the cylinder, or on a cap.
      const Vec3 axis_point = add(cell.centre, scale(cell.normal, std::clamp(t, -cell.half_length, cell.half_length)));
      Vec3 out = random_unit(rng);
      if (std::abs(t) <= cell.half_length) out = unit(sub(out, scale(cell.normal, dot(out, cell.normal))));
      else if (dot(out, cell.normal) * t < 0) out = scale(out, -1);  // the cap's hemisphere
      const Vec3 membrane = add(axis_point, scale(out, cell.radius));
      const Vec3 centre = sub(membrane, scale(out, kMotorCentreDepthA));
      const double reach = kMotorRadiusA + 40;
      if (centre.z < reach || centre.y < reach || centre.x < reach || centre.z > box.z - reach ||
          centre.y > box.y - reach || centre.x > box.x - reach)
        continue;
      if (!occ.free(centre, kMotorRadiusA)) continue;
      SampleObject m;
      m.kind = ObjectKind::protein;
      m.name = kMotorName;
      m.centre = centre;
      m.radius = kMotorRadiusA;
      m.rotation = frame(out, rng.uniform(0, 2 * kPi));
      m.atoms = motor_model(cell.periplasm);
      s.objects.push_back(std::move(m));
      occ.add_sphere(centre, kMotorRadiusA);
      ++motors;
      break;
    }
  }
  s.requested.push_back({kMotorName, nmotors});
  s.placed.push_back({kMotorName, motors});
  if (motors < nmotors) spdlog::warn("simulate: placed {} of {} flagellar motors (no room in the box)", motors, nmotors);

  // The cytoplasm, crowded: ribosomes (~1 per 6e7 Å³, as in growing bacteria) and smaller proteins,
  // inside the inner membrane and the box.
  const auto& ribosome = particle_model("ribosome");
  for (const auto& cell : cells) {
    const double reach = cell.half_length + cell.radius;
    // The cell's part inside the box, for the count.
    int inside = 0;
    for (int k = 0; k < 2000; ++k) {
      const Vec3 p{rng.uniform(0, box.z), rng.uniform(0, box.y), rng.uniform(0, box.x)};
      inside += envelope_distance(cell, p) < 0;
    }
    const double volume = box.z * box.y * box.x * inside / 2000.0;
    const int nrib = int(volume / 6e7), nprot = int(volume / 2.5e7);
    for (int k = 0; k < nrib + nprot; ++k) {
      const bool rib = k < nrib;
      const double u = rng.uniform();
      const double R = rib ? ribosome.radius * 0.8 : 20 + 60 * u * u;
      for (int attempt = 0; attempt < 20; ++attempt) {
        const Vec3 on_axis = add(cell.centre, scale(cell.normal, rng.uniform(-reach, reach)));
        const Vec3 p = add(on_axis, Vec3{rng.uniform(-1, 1) * cell.radius, rng.uniform(-1, 1) * cell.radius,
                                         rng.uniform(-1, 1) * cell.radius});
        if (p.z < 0 || p.y < 0 || p.x < 0 || p.z > box.z || p.y > box.y || p.x > box.x) continue;
        if (envelope_distance(cell, p) > -(R + 40) || !occ.free(p, R)) continue;
        SampleObject o;
        o.kind = ObjectKind::protein;
        o.name = rib ? "ribosome" : kind_name(ObjectKind::protein);
        o.centre = p;
        o.radius = R;
        o.rotation = random_rotation(rng);
        if (rib) {
          o.atoms = ribosome.atoms;
        } else {
          const int lobes = 2 + int(rng.uniform_int(0, std::min(6, int(R / 15))));
          const double w = 0.6 * (4.0 / 3.0) * kPi * R * R * R * kProteinContrastV / lobes;
          for (int l = 0; l < lobes; ++l) {
            const Vec3 d = random_unit(rng);
            const double off = rng.uniform(0, 0.45) * R;
            o.atoms.push_back({Vec3{d.z * off, d.y * off, d.x * off}, std::max(5.0, 0.42 * R), w});
          }
        }
        occ.add_sphere(p, R);
        s.objects.push_back(std::move(o));
        break;
      }
    }
  }
  for (auto& cell : cells) s.objects.push_back(std::move(cell));
  return s;
}

}  // namespace tomopick::sim
