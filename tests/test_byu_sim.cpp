// The BYU flagellar-motor simulation: motors sit in the cells' envelope, inside the box, at the
// share of tomograms the config asks; the data set has the competition's layout, its labels are where
// the motors' density is, and the same seed gives the same data.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/slice_stack.h"
#include "tomopick/sim/bacteria.h"
#include "tomopick/sim/byu_dataset.h"
#include "tomopick/sim/random.h"
#include "tomopick/sim/sample.h"

using namespace tomopick;
using namespace tomopick::sim;
using test::TempDir;

namespace {

SimConfig small_byu() {
  SimConfig c = sim_preset("byu");
  c.shape = {100, 192, 192};
  c.spacing = 20;
  c.slab_thickness = 0.85 * 100 * 20;
  c.tilt_step = 6;
  return c;
}

Vec3 along(const Vec3& a, const Vec3& d, double t) { return {a.z + d.z * t, a.y + d.y * t, a.x + d.x * t}; }

}  // namespace

TEST(ByuSim, MotorModelIsTheMotorsShape) {
  const auto atoms = motor_model(250);
  ASSERT_GT(atoms.size(), 100u);
  double max_radial = 0, min_z = 1e9, max_z = -1e9;
  int cring = 0;
  for (const auto& a : atoms) {
    const double r = std::hypot(a.pos.x, a.pos.y);
    if (a.pos.z < kMotorCentreDepthA + 250) max_radial = std::max(max_radial, r);  // the body; the hook bends out
    min_z = std::min(min_z, a.pos.z), max_z = std::max(max_z, a.pos.z);
    // the C-ring: a wall of radius 205 Å around the centre's height
    if (std::abs(r - 205) < 1 && std::abs(a.pos.z) < 90) ++cring;
  }
  EXPECT_GT(cring, 100);
  EXPECT_LE(max_radial, kMotorRadiusA);
  // From the export apparatus in the cytoplasm to the hook's end beyond the outer membrane.
  EXPECT_LT(min_z, -60);
  EXPECT_GT(max_z, kMotorCentreDepthA + 250 + 300);
  // Its density at the atoms is, in the median, protein's.
  std::vector<double> v;
  for (const auto& p : atoms) {
    double s = 0;
    for (const auto& q : atoms) {
      const double dz = p.pos.z - q.pos.z, dy = p.pos.y - q.pos.y, dx = p.pos.x - q.pos.x;
      s += q.weight / (std::pow(2 * std::numbers::pi, 1.5) * std::pow(q.sigma, 3)) *
           std::exp(-0.5 * (dz * dz + dy * dy + dx * dx) / (q.sigma * q.sigma));
    }
    v.push_back(s);
  }
  std::nth_element(v.begin(), v.begin() + ptrdiff_t(v.size() / 2), v.end());
  EXPECT_NEAR(v[v.size() / 2], kProteinContrastV, 1e-9);
}

TEST(ByuSim, MotorsSitInTheEnvelopeInsideTheBoxAtTheAskedShare) {
  SimConfig c = small_byu();
  c.other_protein_min = c.other_protein_max = 0;
  int without = 0, motors = 0;
  const int n = 30;
  const Vec3 box{double(c.shape.z - 1) * c.spacing, double(c.shape.y - 1) * c.spacing, double(c.shape.x - 1) * c.spacing};
  for (int seed = 0; seed < n; ++seed) {
    Rng rng(derive_seed(uint64_t(seed), 5));
    const Sample s = place_bacteria(c, rng);
    std::vector<const SampleObject*> cells;
    for (const auto& o : s.objects)
      if (o.kind == ObjectKind::envelope) cells.push_back(&o);
    ASSERT_FALSE(cells.empty()) << seed;
    int here = 0;
    for (const auto& o : s.objects) {
      if (o.name != kMotorName) continue;
      ++here;
      // The motor's axis (local z) points out of a cell; 130 Å along it lies that cell's inner membrane.
      const Vec3 axis = rotate(o.rotation, Vec3{1, 0, 0});
      double best = 1e9, outward = 0;
      for (const auto* cell : cells) {
        const double d = std::abs(envelope_distance(*cell, along(o.centre, axis, kMotorCentreDepthA)));
        if (d < best) best = d, outward = envelope_distance(*cell, along(o.centre, axis, kMotorCentreDepthA + 50));
      }
      EXPECT_LT(best, 1e-6) << seed;
      EXPECT_NEAR(outward, 50, 1.0) << "the axis is the envelope's normal, pointing out";
      for (double v : {o.centre.z, o.centre.y, o.centre.x}) EXPECT_GE(v, kMotorRadiusA);
      EXPECT_LE(o.centre.z, box.z - kMotorRadiusA);
      EXPECT_LE(o.centre.y, box.y - kMotorRadiusA);
      EXPECT_LE(o.centre.x, box.x - kMotorRadiusA);
    }
    // Nothing else overlaps a motor, and the cytoplasm's proteins are inside their cells.
    for (const auto& o : s.objects) {
      if (o.kind != ObjectKind::protein || o.name == kMotorName) continue;
      for (const auto& m : s.objects)
        if (m.name == kMotorName) {
          const double d = std::hypot(o.centre.z - m.centre.z, o.centre.y - m.centre.y, o.centre.x - m.centre.x);
          EXPECT_GE(d, o.radius + m.radius - 1e-9);
        }
      if (o.name == "ribosome") {
        double inside = 1e9;
        for (const auto* cell : cells) inside = std::min(inside, envelope_distance(*cell, o.centre));
        EXPECT_LT(inside, -o.radius);
      }
    }
    without += here == 0;
    motors += here;
  }
  // Half the tomograms without a motor (binomial, n = 30: 0.5 +- 0.27 at 3 sigma).
  EXPECT_GT(without, 6);
  EXPECT_LT(without, 24);
  EXPECT_GT(motors, n - without) << "some tomograms hold several motors";
}

TEST(ByuSim, QuantisesFromPercentiles) {
  Volume<float> v({1, 1, 1000}, {1, 1, 1});
  for (int i = 0; i < 1000; ++i) v.data()[i] = float(i);
  const auto q = quantise_8bit(v, 10, 90);
  EXPECT_EQ(q.data()[0], 0);
  EXPECT_EQ(q.data()[100], 0);
  EXPECT_EQ(q.data()[500], 128);
  EXPECT_EQ(q.data()[900], 255);
  EXPECT_EQ(q.data()[999], 255);
}

TEST(ByuSim, TomogramsDrawSpacingAndShapeFromByusRange) {
  const SimConfig base = sim_preset("byu");
  ByuSimOptions o;
  o.seed = 3;
  std::set<double> spacings;
  for (int i = 0; i < 40; ++i) {
    const auto c = byu_tomogram_config(base, o, i);
    spacings.insert(c.spacing);
    EXPECT_GE(c.spacing, 6.5);
    EXPECT_LE(c.spacing, 19.7);
    EXPECT_GE(c.shape.z, 300);
    EXPECT_LE(c.shape.z, 500);
    EXPECT_GE(c.shape.x, 560);
    EXPECT_LE(c.shape.y, 960);
    EXPECT_NO_THROW(validate(c));
  }
  EXPECT_GE(spacings.size(), 4u);
  o.spacing = 12.5, o.shape = Shape3{64, 100, 120};
  const auto fixed = byu_tomogram_config(base, o, 7);
  EXPECT_EQ(fixed.spacing, 12.5);
  EXPECT_EQ(fixed.shape, (Shape3{64, 100, 120}));
  EXPECT_NE(byu_tomo_id(3, 0), byu_tomo_id(3, 1));
  EXPECT_EQ(byu_tomo_id(3, 0).size(), 11u);
}

TEST(ByuSim, WritesTheCompetitionsLayoutWithLabelsOnTheMotors) {
  TempDir dir;
  SimConfig c = small_byu();
  c.no_motor_fraction = 0.3;
  ByuSimOptions o;
  o.out = dir / "byu";
  o.tomograms = 3;
  o.seed = 11;
  o.shape = c.shape;
  o.spacing = c.spacing;
  const auto labels = simulate_byu_dataset(c, o);
  const auto back = read_byu_labels(dir / "byu" / "train_labels.csv");
  ASSERT_EQ(back.size(), labels.size());
  std::set<std::string> ids;
  int motors = 0;
  for (size_t i = 0; i < back.size(); ++i) {
    const auto& l = back[i];
    ids.insert(l.tomo_id);
    EXPECT_EQ(l.tomo_id, labels[i].tomo_id);
    EXPECT_EQ(l.shape_z, 100);
    EXPECT_EQ(l.shape_y, 192);
    EXPECT_EQ(l.shape_x, 192);
    EXPECT_EQ(l.voxel_spacing, 20);
    const auto stack = read_slice_stack(dir / "byu" / "train" / l.tomo_id, {20, 20, 20});
    ASSERT_EQ(stack.dtype(), DType::u8);
    EXPECT_EQ(stack.shape(), c.shape);
    if (!l.has_motor()) {
      EXPECT_EQ(l.motor_count, 0);
      continue;
    }
    ++motors;
    EXPECT_NEAR(l.z, labels[i].z, 1e-6);
    // The motor's density is there: far darker than the tomogram's typical voxel.
    const auto& v = stack.get<uint8_t>();
    double around = 0, all = 0;
    int n = 0;
    for (int64_t dz = -1; dz <= 1; ++dz)
      for (int64_t dy = -1; dy <= 1; ++dy)
        for (int64_t dx = -1; dx <= 1; ++dx, ++n)
          around += v(int64_t(std::lround(l.z)) + dz, int64_t(std::lround(l.y)) + dy, int64_t(std::lround(l.x)) + dx);
    for (size_t k = 0; k < v.size(); ++k) all += v.data()[k];
    EXPECT_LT(around / n, 0.6 * all / double(v.size())) << l.tomo_id;
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_GT(motors, 0);
  // The same seed, the same data; an existing folder is kept unless asked.
  test::expect_error([&] { simulate_byu_dataset(c, o); }, "byu", "already exists");
  o.out = dir / "again";
  simulate_byu_dataset(c, o);
  EXPECT_EQ(read_file(dir / "again" / "train_labels.csv"), read_file(dir / "byu" / "train_labels.csv"));
  const auto first = *ids.begin();
  EXPECT_EQ(read_file(dir / "again" / "train" / first / "slice_0040.jpg"), read_file(dir / "byu" / "train" / first / "slice_0040.jpg"));
}

TEST(ByuSim, TheCommandWritesIt) {
  TempDir dir;
  const std::string out = test::shell_quote((dir / "b").string());
  auto r = test::run_command(test::tomopick_binary() + " simulate --preset byu --runs 2 --seed 4 --shape 100,128,128 --spacing 20 --out " +
                             out + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("wrote 2 simulated tomogram(s)"), std::string::npos) << r.output;
  const auto labels = read_byu_labels(dir / "b" / "train_labels.csv");
  ASSERT_GE(labels.size(), 2u);
  EXPECT_EQ(list_slice_files(dir / "b" / "train" / labels[0].tomo_id).size(), 100u);
  r = test::run_command(test::tomopick_binary() + " simulate --preset byu --save-density --out " + out + "x 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not available with --preset byu"), std::string::npos) << r.output;
}
