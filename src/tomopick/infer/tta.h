#pragma once
// Test-time augmentation: the 8 symmetries of the square in the tilt (y–x) plane plus a flip of z.
// z is left out of the rotations on purpose: the missing wedge makes z a different axis from y and
// x, so a network trained on tomograms is only expected to be (nearly) invariant to these.
//
// Every transform acts on the last three dimensions of a [N, C, Z, Y, X] tensor; invert() undoes
// apply() exactly (they only move voxels). The output of a network with output stride s can be
// inverted with the same transform because a window is a whole number of output voxels: output
// voxel j covers input voxels [j*s, (j+1)*s), and a flip or rotation maps those blocks onto blocks.
#include <string>
#include <vector>

// Declared, not included: option code (window_grid.h, slab_plan.h, a CLI) uses the names without
// LibTorch's headers; callers of apply/invert include <ATen/core/Tensor.h> themselves.
namespace at {
class Tensor;
}

namespace tomopick::infer {

enum class Tta {
  identity,
  rot90,           // a quarter turn in the y–x plane (torch.rot90(t, 1, dims=(Y, X)))
  rot180,
  rot270,
  flip_x,
  flip_y,
  transpose,       // swap y and x
  antitranspose,   // swap y and x and reverse both (the other diagonal)
  flip_z,
};

// All 9, in the enum's order.
const std::vector<Tta>& all_tta();

// The name parse_tta accepts: "identity", "rot90", ..., "antitranspose", "flip_z".
std::string tta_name(Tta t);

// True for the transforms that exchange the Y and X sizes (rot90, rot270, transpose,
// antitranspose): they need windows with Y == X.
bool swaps_yx(Tta t);

// The transformed tensor ([..., Z, Y, X], at least 3 dimensions), and its exact inverse.
at::Tensor apply(Tta t, const at::Tensor& x);
at::Tensor invert(Tta t, const at::Tensor& x);

// Displacements predicted in the transformed frame, [N, 3, ...] with channels (dz, dy, dx), as
// displacements of the original frame: apply a transform to a volume and a vector v pointing from one
// voxel to another becomes M v; this returns M^T v' (M is a signed permutation). Move the voxels back
// with invert() first (or after: it acts on each voxel's vector alone).
at::Tensor invert_vectors(Tta t, const at::Tensor& v);

// "none" (identity only), "flips" (identity, flip_x, flip_y, flip_z), "rot90" (the 4 rotations:
// alone, the name means the set), "all8" (the 8 y–x symmetries), "all9" (those and flip_z), or a
// comma list of names (only those, in that order; add "identity" to keep the plain prediction).
// Error("--tta", ...) naming an unknown or repeated name.
std::vector<Tta> parse_tta(const std::string& spec);

}  // namespace tomopick::infer
