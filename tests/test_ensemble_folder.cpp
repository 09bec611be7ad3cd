// Model folders (infer/ensemble_folder.h): the manifest read back with its members, weights and fusion,
// clear errors for broken ones, and picking with a folder giving exactly what picking its members with
// their weights and the folder's thresholds gives.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "test_support.h"
#include "torch_volumes.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/eval/thresholds.h"
#include "tomopick/io/ensemble_folder.h"
#include "tomopick/infer/picker.h"
#include "tomopick/nn/model_io.h"

using namespace tomopick;
using test::TempDir;

namespace {

// An untrained two-class network: what is checked is how members are combined, not what they find.
void save_member(const fs::path& file, uint64_t seed) {
  nn::ModelConfig m;
  m.channels = {4, 8};
  m.strides = {2};
  torch::manual_seed(seed);
  nn::HeatmapNet net(m, 2);
  nn::ModelInfo info;
  info.model = m;
  info.classes = {{"ribosome", 60, true, 0.5}, {"apo-ferritin", 30, true, 0.5}};
  info.spacing_A = 10;
  info.window = {16, 32, 32};
  nn::save_model(file, info, *net);
}

std::string manifest(const std::string& members, const std::string& extra = "") {
  return R"({"format": "tomopick-ensemble", "members": )" + members + extra + "}";
}

}  // namespace

TEST(EnsembleFolder, ReadsMembersWeightsAndFusion) {
  TempDir dir;
  write_file(dir / "a.pt", "x");
  fs::create_directories(dir / "sub");
  write_file(dir / "sub" / "b.pt", "x");
  write_file(dir / "ensemble.json", manifest(R"([{"model": "a.pt"}, {"model": "sub/b.pt", "weight": 2.5}])", R"(, "fusion": "wbf", "tta": "identity,rot180")"));
  const auto e = read_ensemble_folder(dir.path());
  ASSERT_EQ(e.models.size(), 2u);
  EXPECT_EQ(e.models[0], dir.path() / "a.pt");
  EXPECT_EQ(e.models[1], dir.path() / "sub" / "b.pt");
  EXPECT_EQ(e.weights, (std::vector<double>{1.0, 2.5}));
  EXPECT_EQ(e.fusion, "wbf");
  EXPECT_EQ(e.tta, "identity,rot180");

  // Written and read back.
  EnsembleFolder w = e;
  w.fusion = "heatmap";
  write_ensemble_manifest(w);
  const auto back = read_ensemble_folder(dir.path());
  EXPECT_EQ(back.models, e.models);
  EXPECT_EQ(back.weights, e.weights);
  EXPECT_EQ(back.fusion, "heatmap");
  EXPECT_EQ(back.tta, "identity,rot180");
  EXPECT_NE(read_file(dir / "ensemble.json").find("\"sub/b.pt\""), std::string::npos) << "members stay relative";

  // Per-class weights of a member, read and written back.
  write_file(dir / "ensemble.json",
             manifest(R"([{"model": "a.pt"}, {"model": "sub/b.pt", "class_weights": {"apo-ferritin": 0, "ribosome": 2}}])"));
  const auto cw = read_ensemble_folder(dir.path());
  ASSERT_EQ(cw.class_weights.size(), 2u);
  EXPECT_TRUE(cw.class_weights[0].empty());
  EXPECT_EQ(cw.class_weights[1], (std::map<std::string, double>{{"apo-ferritin", 0.0}, {"ribosome", 2.0}}));
  write_ensemble_manifest(cw);
  EXPECT_EQ(read_ensemble_folder(dir.path()).class_weights, cw.class_weights);

  // A trained model's folder (train --out) is a one-member folder.
  TempDir single;
  write_file(single / "model.pt", "x");
  const auto s = read_ensemble_folder(single.path());
  EXPECT_EQ(s.models, (std::vector<fs::path>{single.path() / "model.pt"}));
}

TEST(EnsembleFolder, BrokenManifestsNameTheFileAndTheProblem) {
  TempDir dir;
  write_file(dir / "a.pt", "x");
  const auto file = (dir / "ensemble.json").string();
  auto error = [&](const std::string& text) {
    write_file(dir / "ensemble.json", text);
    return test::error_message([&] { read_ensemble_folder(dir.path()); });
  };
  auto expect = [&](const std::string& text, const std::string& problem) {
    const auto e = error(text);
    EXPECT_NE(e.find(file), std::string::npos) << e;
    EXPECT_NE(e.find(problem), std::string::npos) << e;
  };
  expect("{", "not valid JSON");
  expect(R"({"members": [{"model": "a.pt"}]})", "not a tomopick ensemble");
  expect(manifest("[]"), "non-empty list");
  expect(manifest(R"([{"weight": 1}])"), "members[0]: needs \"model\"");
  expect(manifest(R"([{"model": "a.pt"}, {"model": "gone.pt"}])"), "members[1]: model file");
  expect(manifest(R"([{"model": "a.pt", "weight": 0}])"), "weight must be > 0");
  expect(manifest(R"([{"model": "a.pt", "weight": "heavy"}])"), "weight must be a number");
  expect(manifest(R"([{"model": "a.pt"}])", R"(, "fusion": "vote")"), "fusion must be heatmap or wbf");
  expect(manifest(R"([{"model": "a.pt", "class_weights": [1]}])"), "members[0]: class_weights must be");
  expect(manifest(R"([{"model": "a.pt", "class_weights": {"ribosome": -1}}])"), "class_weights of 'ribosome' must be a number >= 0");
  TempDir empty;
  EXPECT_NE(test::error_message([&] { read_ensemble_folder(empty.path()); }).find("ensemble.json (an ensemble) or model.pt"),
            std::string::npos);
}

TEST(EnsembleFolder, PickingAFolderEqualsPickingItsMembersWithTheirWeights) {
  TempDir dir;
  save_member(dir / "a.pt", 1);
  save_member(dir / "b.pt", 2);
  write_file(dir / "ensemble.json", manifest(R"([{"model": "a.pt", "weight": 1}, {"model": "b.pt", "weight": 3}])"));
  Thresholds t;
  t.types = {{"ribosome", 1, true, 5, 0.52, {}, 0}, {"apo-ferritin", 1, true, 5, 0.51, {}, 0}};
  write_thresholds(dir / "thresholds.json", t);

  Volume<float> tomo = test::random_volume({24, 40, 40}, 5);
  tomo.set_spacing({10, 10, 10});
  infer::PickerOptions folder;
  folder.models = {dir.path()};
  infer::Picker by_folder(folder);
  EXPECT_FLOAT_EQ(float(by_folder.thresholds().at("ribosome")), 0.52f);
  EXPECT_FLOAT_EQ(float(by_folder.thresholds().at("apo-ferritin")), 0.51f);

  infer::PickerOptions members;
  members.models = {dir / "a.pt", dir / "b.pt"};
  members.model_weights = {1, 3};
  members.thresholds = {{"ribosome", 0.52}, {"apo-ferritin", 0.51}};
  infer::Picker by_members(members);
  const auto want = by_members.pick(tomo, "run"), got = by_folder.pick(tomo, "run");
  ASSERT_EQ(got.size(), want.size());
  size_t picks = 0;
  for (size_t c = 0; c < got.size(); ++c) {
    ASSERT_EQ(got[c].points.size(), want[c].points.size()) << got[c].object;
    for (size_t i = 0; i < got[c].points.size(); ++i) EXPECT_EQ(got[c].points[i], want[c].points[i]);
    picks += got[c].points.size();
  }
  EXPECT_GT(picks, 0u) << "the comparison needs picks to compare";

  // Equal weights would give other scores: the folder's weights are used.
  members.model_weights = {1, 1};
  const auto equal = infer::Picker(members).pick(tomo, "run");
  bool differs = false;
  for (size_t c = 0; c < got.size(); ++c)
    for (size_t i = 0; i < std::min(got[c].points.size(), equal[c].points.size()); ++i)
      differs |= got[c].points[i].score != equal[c].points[i].score;
  for (size_t c = 0; c < got.size(); ++c) differs |= got[c].points.size() != equal[c].points.size();
  EXPECT_TRUE(differs);

  // The resolved options name the member files with their weights.
  const auto resolved = infer::resolve_model_folders(folder);
  EXPECT_EQ(resolved.models, members.models);
  EXPECT_EQ(resolved.model_weights, (std::vector<double>{1, 3}));
  EXPECT_EQ(resolved.thresholds_folder, dir.path());
}

TEST(EnsembleFolder, ClassWeightsLeaveAClassToTheMembersThatKeepIt) {
  TempDir dir;
  save_member(dir / "a.pt", 1);
  save_member(dir / "b.pt", 2);
  // b's apo-ferritin map weighs nothing: apo-ferritin is a's alone, ribosome the average.
  write_file(dir / "ensemble.json",
             manifest(R"([{"model": "a.pt"}, {"model": "b.pt", "class_weights": {"apo-ferritin": 0}}])"));
  Volume<float> tomo = test::random_volume({24, 40, 40}, 5);
  tomo.set_spacing({10, 10, 10});
  auto pick_with = [&](std::vector<fs::path> models) {
    infer::PickerOptions o;
    o.models = std::move(models);
    o.thresholds = {{"ribosome", 0.3}, {"apo-ferritin", 0.3}};
    return infer::Picker(o).pick(tomo, "run");
  };
  const auto folder = pick_with({dir.path()}), a = pick_with({dir / "a.pt"}), both = pick_with({dir / "a.pt", dir / "b.pt"});
  ASSERT_EQ(folder.size(), 2u);
  EXPECT_EQ(folder[1].object, "apo-ferritin");
  ASSERT_FALSE(a[1].points.empty());
  EXPECT_EQ(folder[1].points, a[1].points);
  EXPECT_EQ(folder[0].points, both[0].points);
  // A class no member keeps, or one the models do not have, is an error.
  write_file(dir / "ensemble.json", manifest(R"([{"model": "a.pt", "class_weights": {"apo-ferritin": 0}}])"));
  test::expect_error([&] { pick_with({dir.path()}); }, "ensemble", "class apo-ferritin has weight 0 in every member");
  write_file(dir / "ensemble.json", manifest(R"([{"model": "a.pt", "class_weights": {"thyroglobulin": 2}}])"));
  test::expect_error([&] { pick_with({dir.path()}); }, (dir / "a.pt").string(), "'thyroglobulin', a class the model does not have");
}

TEST(EnsembleFolder, InfoDescribesAFolderAndItsMembers) {
  TempDir dir;
  save_member(dir / "a.pt", 1);
  save_member(dir / "b.pt", 2);
  write_file(dir / "ensemble.json",
             manifest(R"([{"model": "a.pt"}, {"model": "b.pt", "weight": 2, "class_weights": {"apo-ferritin": 0}}])"));
  const auto tp = [&](const std::string& args) {
    return test::run_command(test::shell_quote(test::tomopick_binary()) + " " + args + " " + test::shell_quote(dir.path().string()));
  };
  const auto text = tp("info");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("model folder"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("2 member(s), heatmap fusion"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("member 2: weight 2, apo-ferritin x 0"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("arch: unet3d"), std::string::npos) << text.output;
  const auto j = tp("info --json");
  ASSERT_EQ(j.exit_code, 0) << j.output;
  EXPECT_NE(j.output.find("\"kind\": \"model folder\""), std::string::npos) << j.output;
  EXPECT_NE(j.output.find("\"class_weights\""), std::string::npos) << j.output;
}

TEST(EnsembleFolder, TheShippedCziiEnsembleLoadsAndPicks) {
  // models/czii-ensemble names the built-in model by a relative path: it must resolve, and its
  // members (a heatmap U-Net and two point detectors) must agree on grid, classes and normalisation.
  infer::PickerOptions o;
  o.models = {fs::path(TOMOPICK_SOURCE_DIR) / "models" / "czii-ensemble"};
  o.device = "cpu";
  infer::Picker picker(o);
  EXPECT_EQ(picker.info().classes.size(), 6u);
  Volume<float> tomo = test::random_volume({24, 64, 64}, 9);
  tomo.set_spacing({20, 20, 20});
  const auto sets = picker.pick(tomo, "noise");
  ASSERT_EQ(sets.size(), 6u);
  const auto t = picker.thresholds();
  EXPECT_GT(t.at("ribosome"), 0.0);
  EXPECT_LT(t.at("ribosome"), 1.0);
}
