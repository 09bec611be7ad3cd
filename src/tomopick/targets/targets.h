#pragma once
// Training targets from picks: per-class Gaussian heatmaps, sphere masks and a class-label volume,
// at an output stride, for any box (crop) of a tomogram.
//
// Output grid convention (the picker inverts exactly this): with stride s, output voxel j covers
// input voxels [j*s, (j+1)*s) and its centre lies at input voxel (j + 0.5) * s - 0.5, i.e. at
// ((j + 0.5) * s - 0.5) * spacing Å. With s = 1 that is the input voxel centre itself. For a box
// starting at input voxel b (a multiple of s), output voxel j of the box is global output voxel
// b/s + j.
#include <string>
#include <vector>

#include "tomopick/core/volume.h"
#include "tomopick/io/picks.h"

namespace tomopick {

struct TargetClass {
  std::string name;       // the picks' object name
  double radius_A = 0;    // particle radius
  double sigma_A = 0;     // Gaussian σ; 0 = radius / 3
  bool scored = true;     // false: present in the data but not scored (beta-amylase in CZII)
};

struct TargetSpec {
  std::vector<TargetClass> classes;
  int stride = 1;
  double sphere_fraction = 0.5;  // sphere radius = fraction × particle radius
  // Label volumes: voxels between sphere_fraction and ignore_fraction × radius get kIgnoreLabel,
  // so a loss does not punish predictions at the uncertain rim; 0 = no ignore shell.
  double ignore_fraction = 0;
  // Classes with scored = false get kIgnoreLabel in label volumes instead of their class.
  bool ignore_unscored = false;
};

inline constexpr uint8_t kIgnoreLabel = 255;

// The output grid of an input box: shape ceil(n / stride) per axis. The box must start on a
// multiple of the stride.
Shape3 target_shape(const Box& input_box, int stride);

// Å position of the centre of global output voxel j (see the convention above).
Vec3 target_voxel_center_A(const Index3& j, const Vec3& spacing_A, int stride);

// One volume per class (spec.classes order), peak value 1 at the pick (value exp(-d²/2σ²) at
// distance d Å), the voxel-wise maximum where particles overlap. Picks whose object is not in the
// spec are skipped. The volumes carry spacing × stride.
std::vector<Volume<float>> gaussian_heatmaps(const Box& input_box, const Vec3& spacing_A, const std::vector<PickSet>& picks,
                                             const TargetSpec& spec);

// One 0/1 volume per class: 1 within sphere_fraction × radius of a pick.
std::vector<Volume<float>> sphere_masks(const Box& input_box, const Vec3& spacing_A, const std::vector<PickSet>& picks,
                                        const TargetSpec& spec);

// One volume of labels: 0 background, class index + 1 inside a class's sphere (the nearer pick's
// class where spheres overlap), kIgnoreLabel in ignore shells and for ignored unscored classes.
Volume<uint8_t> label_volume(const Box& input_box, const Vec3& spacing_A, const std::vector<PickSet>& picks,
                             const TargetSpec& spec);

// A point head's targets (the CZII 1st place's detector, by point assignment): each pick is assigned
// to the output voxels whose centres lie within max(sphere_fraction × radius, √3/2 output voxels) of it
// (so at least its nearest voxel), and those voxels learn
//  - quality: per class exp(-d²/2σ²) (d the voxel centre's distance to the pick, σ as for the
//    heatmaps), the maximum over its picks; 0 at unassigned voxels;
//  - dz, dy, dx: from the voxel's centre to the pick, in output voxels (pick Å / spacing, through the
//    grid convention above), towards the pick of highest quality among those it is assigned to; 0
//    at unassigned voxels.
struct PointTargets {
  std::vector<Volume<float>> quality;  // spec.classes order
  Volume<float> dz, dy, dx;
};
PointTargets point_targets(const Box& input_box, const Vec3& spacing_A, const std::vector<PickSet>& picks,
                           const TargetSpec& spec);

// Checks a spec (stride ≥ 1, radii > 0, fractions sensible, unique names); Error naming the field.
void validate_target_spec(const TargetSpec& spec);

}  // namespace tomopick
