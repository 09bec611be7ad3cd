#pragma once
// The six CZII particle types as 3D densities built from pseudo-atoms (isotropic Gaussians), each
// with its real symmetry and shape class, so that classes differ in shape and not only in size:
//   apo-ferritin         O  (24-mer)  hollow shell, outer radius ~60 Å, cavity ~40 Å
//   beta-amylase         D2 tetramer  small compact tetramer of (β/α)8-barrel lobes, ~100 Å across
//   beta-galactosidase   D2 tetramer  five-domain monomers, ~180 x 160 x 110 Å
//   ribosome             C1           large + small subunit with the intersubunit cleft, ~290 Å
//   thyroglobulin        C2 dimer     elongated, ~260 x 100 x 80 Å
//   virus-like-particle  I  (T=3)     hollow capsid of pentamers and hexamers, radius 135 Å
// Densities are in volts of potential above vitreous ice times Å^3: each model integrates to its
// molecular mass x 1.23 Å^3/Da (protein at 1.35 g/cm^3) x 2.0 V (protein over ice), RNA-rich ribosomes
// x 1.3. Models are centred on their centre of mass, so a pick is the centre of mass.
#include <array>
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/sim/random.h"

namespace tomopick::sim {

// A rotation as a row-major 3x3 matrix acting on column vectors (x, y, z).
using Mat3 = std::array<double, 9>;

inline constexpr Mat3 kIdentity3 = {1, 0, 0, 0, 1, 0, 0, 0, 1};
inline constexpr double kProteinContrastV = 2.0;   // V, protein over vitreous ice
inline constexpr double kAngstrom3PerDalton = 1.23;  // protein partial specific volume

Mat3 matmul(const Mat3& a, const Mat3& b);
Vec3 rotate(const Mat3& r, const Vec3& v);
Mat3 axis_angle(Vec3 axis, double radians);
// Uniformly distributed over SO(3) (Shoemake's unit-quaternion method).
Mat3 random_rotation(Rng& rng);
// The rotations of a point group: "C1", "C2", "D2" (4), "O" (24) or "I" (60); Error otherwise.
std::vector<Mat3> symmetry_group(const std::string& kind);

struct PseudoAtom {
  Vec3 pos;       // Å from the particle centre
  double sigma;   // Å
  double weight;  // integral of the Gaussian, V·Å^3
};

struct ParticleModel {
  std::string name;
  double radius = 0;  // Å, the CZII pickable radius (used for spacing and scoring)
  double mass_kda = 0;
  std::string symmetry;
  std::vector<PseudoAtom> atoms;
};

// The six names, in the CZII config order.
const std::vector<std::string>& particle_names();
// The CZII radius (Å) of a type; Error for an unknown name.
double particle_radius(const std::string& name);
// The model of a type (built once, then shared); Error for an unknown name.
const ParticleModel& particle_model(const std::string& name);

}  // namespace tomopick::sim
