#pragma once
// The BYU flagellar-motor specimen: rod-shaped bacterial cells lying in a slab of vitreous ice, each
// a cylinder with hemispherical caps bounded by a double envelope (inner membrane, a thin
// peptidoglycan layer, outer membrane), its cytoplasm crowded with ribosomes and smaller proteins;
// flagellar motors sit in the envelope, their axis along its outward normal, at any angle about it.
//
// A motor (motor_model) is built as the real structure is laid out along its axis, from the
// cytoplasm out: the C-ring (a cylindrical wall ~45 nm across and ~15 nm tall, below the inner
// membrane), the export apparatus inside it, the MS-ring in the inner membrane, the rod crossing the
// periplasm with the P-ring at the peptidoglycan and the L-ring in the outer membrane, and the hook
// (~55 nm, curved) outside. Its centre, the point a BYU label marks, is the middle of the C-ring:
// the bulk of the motor's density, 13 nm below the inner membrane.
#include <vector>

#include "tomopick/sim/particle_models.h"
#include "tomopick/sim/sample.h"
#include "tomopick/sim/sim_config.h"

namespace tomopick::sim {

inline constexpr const char* kMotorName = "flagellar-motor";
inline constexpr double kMotorCentreDepthA = 130;  // Å below the inner membrane's mid-plane
inline constexpr double kMotorRadiusA = 240;       // Å: the C-ring's outer radius plus its wall

// The motor's pseudo-atoms, Å from its centre, its axis along +z (pointing out of the cell), for an
// envelope whose outer membrane lies `periplasm` Å beyond the inner one.
std::vector<PseudoAtom> motor_model(double periplasm);

// Cells, motors, cytoplasm and the extracellular distractors of `c` (gold, ice, a few proteins).
// Motors lie wholly inside the box; their count follows c.no_motor_fraction and c.motors_max.
Sample place_bacteria(const SimConfig& c, Rng& rng);

// The signed distance (Å) from `p` to an envelope's inner membrane: < 0 inside the cell.
double envelope_distance(const SampleObject& cell, const Vec3& p);

}  // namespace tomopick::sim
