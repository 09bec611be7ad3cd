#pragma once
// The specimen: where every particle and distractor sits (placement), and its 3D potential on the
// voxel grid (rendering). Positions are Å in the frame of tomopick/core/volume.h (voxel [z][y][x]
// centre at (x*s, y*s, z*s)); the slab of vitreous ice is centred in z.
//
// Placement is rejection sampling with a spatial hash: no two objects overlap (centre distance
// >= r_i + r_j, with the CZII radii for particles), particles and protein blobs lie inside the slab,
// nothing crosses a membrane. Rendering sums pseudo-atom Gaussians (cut at 3 sigma) and analytic
// membrane / bead profiles, in parallel over blocks of y rows with a fixed order inside each block,
// so the result does not depend on the thread count.
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/sim/particle_models.h"
#include "tomopick/sim/random.h"
#include "tomopick/sim/sim_config.h"

namespace tomopick::sim {

enum class ObjectKind { particle, protein, vesicle, sheet, gold, ice, envelope };
const char* kind_name(ObjectKind k);

struct SampleObject {
  ObjectKind kind = ObjectKind::particle;
  std::string name;       // particle type, or "other-protein", "vesicle", "membrane-sheet", "gold", "ice",
                          // "cell-envelope"; bacteria (sim/bacteria.h) add "flagellar-motor" and
                          // "ribosome" as proteins (unlabelled objects with their own atoms)
  int label = 0;          // class label (1-based, CZII config order) for particles, 0 for distractors
  Vec3 centre;            // Å
  Mat3 rotation = kIdentity3;
  double radius = 0;      // Å: exclusion radius (particles: CZII radius; vesicle: membrane radius; sheet: disc radius)
  Vec3 normal;            // sheets: unit normal; envelopes: the cell's axis
  double half_length = 0; // envelopes: half the length of the cell's cylindrical part (Å)
  double periplasm = 0;   // envelopes: inner to outer membrane (Å); `radius` is the inner membrane's
  double amplitude = 0;   // V: gold / ice potential
  std::vector<PseudoAtom> atoms;  // protein blobs and ice lumps: their own shape (Å from the centre)
};

struct Sample {
  std::vector<SampleObject> objects;
  // Requested vs placed particles per type (a crowded box can refuse some).
  std::vector<std::pair<std::string, int>> requested, placed;
};

// The slab's z centre and half thickness (Å).
double slab_centre(const SimConfig& c);
double slab_half(const SimConfig& c);

// Draws the counts (scaled to this box, see CountRange) and places everything. Deterministic in `rng`.
// A config whose specimen is "bacteria" gets place_bacteria's sample (sim/bacteria.h).
Sample place_sample(const SimConfig& c, Rng& rng);

// The potential (V above ice) on the config's grid. If `labels` is given it receives, per voxel, the
// class label of the particle whose own density there exceeds 30% of its type's peak (0 elsewhere);
// `instances` likewise receives that particle's instance id (1, 2, ... over the sample's particles in
// order, the ids the picks carry).
Volume<float> render_sample(const Sample& s, const SimConfig& c, Volume<uint8_t>* labels = nullptr,
                            Volume<uint16_t>* instances = nullptr);

// Adds one pseudo-atom (sigma widened by the voxel's own size: sigma_eff^2 = sigma^2 + s^2/12) to `v`.
// Exposed for tests.
void splat_atom(Volume<float>& v, const Vec3& pos_A, double sigma_A, double weight);

}  // namespace tomopick::sim
