// The command line end to end: the built binary on real and generated files.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/io/picks.h"

using namespace tomopick;
using json = nlohmann::json;

namespace {
test::RunResult tp(const std::string& args) {
  return test::run_command(test::shell_quote(test::tomopick_binary()) + " " + args);
}
}  // namespace

TEST(Cli, InfoOnTheRealCziiStoreReportsLevelsAndSpacings) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP();
  const auto r = tp("info --json " + test::shell_quote((data / "czii-fragments/TS_6_4/denoised.zarr").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  ASSERT_EQ(j["levels"].size(), 3u);
  EXPECT_EQ(j["levels"][0]["shape_zyx"], json({184, 630, 630}));
  EXPECT_NEAR(j["levels"][2]["spacing_A_zyx"][0].get<double>(), 40.0498, 1e-3);
  EXPECT_EQ(j["format"], "OME-Zarr");
}

TEST(Cli, InfoStatsOnTheRealMrc) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP();
  const auto r = tp("info --json --stats " + test::shell_quote((data / "empiar-11658/tomo9.mrc").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  EXPECT_EQ(j["levels"][0]["shape_zyx"], json({128, 256, 256}));
  EXPECT_NEAR(j["levels"][0]["spacing_A_zyx"][2].get<double>(), 31.36, 1e-3);
  // statistics against an independent computation in numpy
  const std::string script =
      "import mrcfile,sys,numpy as np; d=mrcfile.open(sys.argv[1]).data.astype(np.float64); "
      "print(d.min(), d.max(), d.mean(), d.std())";
  const auto py = test::run_command(test::shell_quote(TOMOPICK_PYTHON) + " -c " + test::shell_quote(script) + " " +
                                    test::shell_quote((data / "empiar-11658/tomo9.mrc").string()));
  ASSERT_EQ(py.exit_code, 0) << py.output;
  double mn, mx, mean, sd;
  ASSERT_EQ(std::sscanf(py.output.c_str(), "%lf %lf %lf %lf", &mn, &mx, &mean, &sd), 4);
  EXPECT_NEAR(j["stats"]["min"].get<double>(), mn, 1e-4);
  EXPECT_NEAR(j["stats"]["max"].get<double>(), mx, 1e-4);
  EXPECT_NEAR(j["stats"]["mean"].get<double>(), mean, 1e-6 * std::abs(mean) + 1e-6);
  EXPECT_NEAR(j["stats"]["std"].get<double>(), sd, 1e-5 * sd);
}

TEST(Cli, ConvertMrcToZarrAndBackIsLossless) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP();
  test::TempDir d;
  const std::string mrc = (data / "empiar-11658/tomo9.mrc").string();
  auto r = tp("--quiet convert " + test::shell_quote(mrc) + " " + test::shell_quote((d / "t.zarr").string()) +
              " --chunks 32,64,64 --compressor blosc-zstd:3 --levels 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto z = OmeZarr::open(d / "t.zarr");
  ASSERT_EQ(z.levels().size(), 2u);
  EXPECT_NEAR(z.levels()[0].spacing.x, 31.36, 1e-3);
  EXPECT_EQ(z.levels()[1].meta.shape, (Shape3{64, 128, 128}));
  r = tp("--quiet convert " + test::shell_quote((d / "t.zarr").string()) + " " + test::shell_quote((d / "back.mrc").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const AnyVolume a = read_mrc(mrc), b = read_mrc(d / "back.mrc");
  ASSERT_EQ(a.bytes(), b.bytes());
  EXPECT_EQ(0, std::memcmp(a.raw_data(), b.raw_data(), a.bytes()));
  EXPECT_NEAR(b.spacing().x, 31.36, 1e-3);
}

TEST(Cli, ConvertPicksCsvToProjectAndStar) {
  const fs::path data = test::shared_data();
  if (data.empty()) GTEST_SKIP();
  test::TempDir d;
  const std::string csv = (data / "czii-fragments/picks/FiveParticlesDataTS_6_4.csv").string();
  auto r = tp("--quiet convert " + test::shell_quote(csv) + " " + test::shell_quote((d / "proj").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto p = CopickProject::open(d / "proj");
  const auto sets = p.read_picks("TS_6_4");
  EXPECT_EQ(count_picks(sets), 184u);
  EXPECT_EQ(find_pick_set(sets, "TS_6_4", "ribosome")->points.size(), 74u);
  // project -> CSV -> same picks
  r = tp("--quiet convert " + test::shell_quote((d / "proj").string()) + " " + test::shell_quote((d / "out.csv").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto back = read_picks_csv(d / "out.csv");
  EXPECT_EQ(count_picks(back), 184u);
  // STAR needs the tomogram geometry
  r = tp("--quiet convert " + test::shell_quote(csv) + " " + test::shell_quote((d / "p.star").string()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("TS_6_4"), std::string::npos) << r.output;
  r = tp("--quiet convert " + test::shell_quote(csv) + " " + test::shell_quote((d / "p.star").string()) +
         " --tomogram-shape 184,630,630 --spacing 10.012444");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = tp("--quiet convert " + test::shell_quote((d / "p.star").string()) + " " + test::shell_quote((d / "p2.csv").string()) +
         " --tomogram-shape 184,630,630 --spacing 10.012444");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto a = read_picks_csv(csv), b = read_picks_csv(d / "p2.csv");
  ASSERT_EQ(count_picks(a), count_picks(b));
  const auto* ra = find_pick_set(a, "TS_6_4", "ribosome");
  const auto* rb = find_pick_set(b, "TS_6_4", "ribosome");
  ASSERT_TRUE(ra && rb);
  EXPECT_NEAR(ra->points[0].x, rb->points[0].x, 1e-6);
  EXPECT_NEAR(ra->points[0].z, rb->points[0].z, 1e-6);
}

TEST(Cli, ErrorsAreOneClearLineAndExitNonZero) {
  test::TempDir d;
  auto r = tp("info " + test::shell_quote((d / "missing.mrc").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("missing.mrc: no such file"), std::string::npos) << r.output;
  write_file_atomic(d / "bad.json", "{\"points\": [");
  r = tp("info " + test::shell_quote((d / "bad.json").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("bad.json"), std::string::npos) << r.output;
  r = tp("convert a.mrc b.zarr --compressor lzma");
  EXPECT_NE(r.exit_code, 0);
  r = tp("--threads 0 info x");
  EXPECT_NE(r.exit_code, 0);
  r = test::run_command("TOMOPICK_THREADS=abc " + test::shell_quote(test::tomopick_binary()) + " info x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("TOMOPICK_THREADS"), std::string::npos) << r.output;
}

// The light commands must not pay LibTorch's start-up: glibc's loader lists every library it maps
// (LD_DEBUG=files), so a command that maps libtorch_cpu shows it. The network commands do map it,
// from libtomopick-torch.so; without that library they fail with one line naming it.
TEST(Cli, LightCommandsNeverLoadLibTorch) {
  test::TempDir d;
  write_mrc(d / "t.mrc", Volume<float>({4, 6, 8}, {10, 10, 10}));
  write_file_atomic(d / "p.csv", "experiment,particle_type,x,y,z\nTS_A,ribosome,10,20,30\n");
  const std::string bin = test::shell_quote(test::tomopick_binary());
  auto loads_torch = [&](const std::string& args) {
    const auto r = test::run_command("LD_DEBUG=files " + bin + " " + args);
    return r.output.find("libtorch_cpu.so") != std::string::npos;
  };
  const std::string mrc = test::shell_quote((d / "t.mrc").string()), csv = test::shell_quote((d / "p.csv").string());
  EXPECT_FALSE(loads_torch("--version"));
  EXPECT_FALSE(loads_torch("--help"));
  EXPECT_FALSE(loads_torch("pick --help"));
  EXPECT_FALSE(loads_torch("info " + mrc));
  EXPECT_FALSE(loads_torch("info --stats " + mrc));
  EXPECT_FALSE(loads_torch("info " + csv));
  EXPECT_FALSE(loads_torch("evaluate --truth " + csv + " --picks " + csv));
  EXPECT_FALSE(loads_torch("convert " + csv + " " + test::shell_quote((d / "p.star").string())));
  EXPECT_TRUE(loads_torch("info --system"));

  const auto ok = tp("evaluate --truth " + csv + " --picks " + csv);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  const std::string missing = (d / "nowhere" / "libtomopick-torch.so").string();
  const auto r = test::run_command("TOMOPICK_TORCH_LIBRARY=" + test::shell_quote(missing) + " " + bin + " pick " + mrc +
                                   " --out " + test::shell_quote((d / "o.csv").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(missing), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cannot load the neural-network commands"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(d / "o.csv"));
  // ...while a light command does not need it at all
  const auto light = test::run_command("TOMOPICK_TORCH_LIBRARY=" + test::shell_quote(missing) + " " + bin + " info " + mrc);
  EXPECT_EQ(light.exit_code, 0) << light.output;
}

TEST(Cli, InfoOnAProjectListsRunsTomogramsAndPicks) {
  test::TempDir d;
  auto p = CopickProject::create(d / "proj", czii_config());
  write_ome_zarr(p.tomogram_path("TS_A", 10.0, "denoised"), Volume<float>({8, 8, 8}, {10, 10, 10}), {2, {{4, 4, 4}, {}, '/'}});
  PickSet s;
  s.run = "TS_A";
  s.object = "ribosome";
  s.points.resize(7);
  p.write_picks(s);
  const auto r = tp("info --json " + test::shell_quote((d / "proj").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  EXPECT_EQ(j["runs"], json({"TS_A"}));
  EXPECT_EQ(j["tomograms"][0]["levels"], 2);
  EXPECT_EQ(j["picks"][0]["count"], 7);
}

TEST(Cli, SystemInfoShowsTheSpeedFixesAndHonoursThreadSettings) {
  auto r = tp("--threads 1 info --system --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json j = json::parse(r.output);
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["torch_threads"], 1);
  // the measured CPU fixes are in place: OpenMP OpenBLAS behind LibTorch, tcmalloc linked
  EXPECT_NE(j["blas"].get<std::string>().find("openblas"), std::string::npos) << j["blas"];
  EXPECT_EQ(j["allocator"], TOMOPICK_EXPECT_TCMALLOC ? "tcmalloc" : "glibc malloc");
  r = test::run_command("TOMOPICK_THREADS=2 " + test::shell_quote(test::tomopick_binary()) + " info --system --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = json::parse(r.output);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["torch_threads"], 2);
  // --threads wins over the environment
  r = test::run_command("TOMOPICK_THREADS=2 " + test::shell_quote(test::tomopick_binary()) + " --threads 1 info --system --json");
  EXPECT_EQ(json::parse(r.output)["torch_threads"], 1);
}

TEST(Cli, SliceFolderSpacingComesFromTheByuLabels) {
  test::TempDir d;
  Volume<uint8_t> v({3, 4, 5});
  for (size_t i = 0; i < v.size(); ++i) v.data()[i] = uint8_t(i);
  const fs::path folder = d / "tomo_00e463";
  auto r = tp("--quiet convert " + test::shell_quote((d / "in.mrc").string()) + " x.zarr");  // missing input
  EXPECT_EQ(r.exit_code, 1);
  write_mrc(d / "in.mrc", AnyVolume(convert_volume<int16_t>(v)));
  r = tp("--quiet convert " + test::shell_quote((d / "in.mrc").string()) + " " + test::shell_quote(folder.string()) +
         " --dtype uint8 --slice-ext png");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  write_file_atomic(d / "labels.csv",
                    "row_id,tomo_id,Motor axis 0,Motor axis 1,Motor axis 2,Array shape (axis 0),Array shape (axis 1),"
                    "Array shape (axis 2),Voxel spacing,Number of motors\n"
                    "0,tomo_00e463,1,2,3,3,4,5,15.6,1\n");
  r = tp("info --json --labels " + test::shell_quote((d / "labels.csv").string()) + " " + test::shell_quote(folder.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json j = json::parse(r.output);
  EXPECT_EQ(j["format"], "slice stack");
  EXPECT_EQ(j["levels"][0]["shape_zyx"], json({3, 4, 5}));
  EXPECT_NEAR(j["levels"][0]["spacing_A_zyx"][0].get<double>(), 15.6, 1e-9);
  write_file_atomic(d / "labels2.csv", "tomo_id,Motor axis 0,Motor axis 1,Motor axis 2,Voxel spacing\nother,1,1,1,10\n");
  r = tp("info --labels " + test::shell_quote((d / "labels2.csv").string()) + " " + test::shell_quote(folder.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no row for tomogram 'tomo_00e463'"), std::string::npos) << r.output;
}
