#include <gtest/gtest.h>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/ome_zarr.h"

using namespace tomopick;

namespace {

PickSet make_set(const std::string& run, const std::string& object, int n) {
  PickSet s;
  s.run = run;
  s.object = object;
  s.voxel_spacing = 10.012;
  for (int i = 0; i < n; ++i) {
    Pick p;
    p.x = 100.5 * i;
    p.y = 7.25 + i;
    p.z = 33.0;
    s.points.push_back(p);
  }
  return s;
}

}  // namespace

TEST(CopickProject, CreateWriteAndEnumerate) {
  test::TempDir d;
  auto p = CopickProject::create(d / "proj", czii_config());
  ASSERT_EQ(p.config().objects.size(), 6u);
  EXPECT_DOUBLE_EQ(p.config().find("ribosome")->radius, 150.0);
  Volume<float> v({4, 6, 8}, {10.012, 10.012, 10.012});
  write_ome_zarr(p.tomogram_path("TS_1", 10.012444, "denoised"), v, {2, {{4, 4, 4}, {}, '/'}});
  write_ome_zarr(p.tomogram_path("TS_2", 10.012444, "wbp"), v, {1, {{4, 4, 4}, {}, '/'}});
  const fs::path f = p.write_picks(make_set("TS_1", "ribosome", 3));
  EXPECT_EQ(f.filename(), "tomopick_0_ribosome.json");
  p.write_picks(make_set("TS_2", "apo-ferritin", 2));

  const auto q = CopickProject::open(d / "proj");
  EXPECT_EQ(q.runs(), (std::vector<std::string>{"TS_1", "TS_2"}));
  const auto tomos = q.tomograms();
  ASSERT_EQ(tomos.size(), 2u);
  EXPECT_EQ(tomos[0].type, "denoised");
  EXPECT_NEAR(tomos[0].spacing, 10.012, 1e-9);
  EXPECT_EQ(q.find_tomogram("TS_1", "denoised").path.parent_path().filename(), "VoxelSpacing10.012");
  EXPECT_NO_THROW(q.find_tomogram("TS_1", "denoised", 10.0124));
  try {
    q.find_tomogram("TS_1", "wbp");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("it has: denoised"), std::string::npos) << e.what();
  }
  const auto picks = q.read_picks();
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_EQ(count_picks(picks), 5u);
  EXPECT_EQ(q.read_picks("TS_1").size(), 1u);
  EXPECT_EQ(q.read_picks("", "apo-ferritin").at(0).run, "TS_2");
  EXPECT_EQ(q.read_picks("", "", "someone-else").size(), 0u);
  EXPECT_DOUBLE_EQ(q.read_picks("TS_1").at(0).points.at(1).x, 100.5);
}

// The CZII Kaggle layout: config beside static/ and overlay/, roots pointing at another machine,
// pick files named <object>.json with a stale run_name.
TEST(CopickProject, ReadsTheCziiStaticOverlayLayout) {
  test::TempDir d;
  CopickConfig cfg = czii_config();
  cfg.static_root = "local:///kaggle/input/static";
  cfg.overlay_root = "local:///kaggle/working/overlay";
  write_copick_config(d / "copick.config", cfg);
  Volume<float> v({2, 2, 2});
  write_ome_zarr(d / "static/ExperimentRuns/TS_5_4/VoxelSpacing10.000/denoised.zarr", v, {1, {{2, 2, 2}, {}, '/'}});
  PickSet s = make_set("TS_99_9", "thyroglobulin", 4);
  write_copick_json(d / "overlay/ExperimentRuns/TS_5_4/Picks/thyroglobulin.json", s);

  const auto p = CopickProject::open(d / "copick.config");
  EXPECT_EQ(p.static_root(), d / "static");
  EXPECT_EQ(p.overlay_root(), d / "overlay");
  EXPECT_EQ(p.runs(), (std::vector<std::string>{"TS_5_4"}));
  const auto picks = p.read_picks();
  ASSERT_EQ(picks.size(), 1u);
  EXPECT_EQ(picks[0].run, "TS_5_4");  // the folder wins over the stale run_name
  EXPECT_EQ(picks[0].points.size(), 4u);
  EXPECT_TRUE(CopickProject::is_project(d.path()));
}

TEST(CopickProject, BadConfigsNameTheFileAndField) {
  test::TempDir d;
  EXPECT_THROW(CopickProject::open(d.path()), Error);
  write_file_atomic(d / "copick_config.json", "{\"pickable_objects\": [{\"name\": \"a\", \"radius\": \"big\"}]}");
  try {
    CopickProject::open(d.path());
    ADD_FAILURE();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("copick_config.json"), std::string::npos) << m;
    EXPECT_NE(m.find("pickable_objects[0].radius"), std::string::npos) << m;
  }
  write_file_atomic(d / "copick_config.json", "{\"pickable_objects\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}");
  EXPECT_THROW(CopickProject::open(d.path()), Error);
  write_file_atomic(d / "copick_config.json", "{\"pickable_objects\": [");
  EXPECT_THROW(CopickProject::open(d.path()), Error);
  write_file_atomic(d / "copick_config.json", "{\"pickable_objects\": [], \"static_root\": \"s3://bucket/x\"}");
  EXPECT_THROW(CopickProject::open(d.path()), Error);
}

TEST(CopickProject, SpacingFolderUsesThreeDecimals) {
  EXPECT_EQ(voxel_spacing_folder(10.012444), "VoxelSpacing10.012");
  EXPECT_EQ(voxel_spacing_folder(31.36), "VoxelSpacing31.360");
}
