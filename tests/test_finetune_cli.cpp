// `tomopick train --init MODEL --data TOMOGRAM --picks PICKS`: fine-tuning a model on a tomogram with
// partial picks, and the clear errors of incompatible models, configs and data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tiny_project.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/tomogram.h"
#include "tomopick/nn/model_file.h"
#include "tomopick/train/dataset.h"

using namespace tomopick;
using test::TempDir;

namespace {

using test::q;

// A tiny two-class model ("small", "big") trained briefly on the tiny project.
fs::path tiny_model(const TempDir& dir) {
  test::make_project(dir / "p", 2, 5);
  const auto r = test::run_command(test::tomopick_binary() + " -q --threads 1 train --data " + q(dir / "p") + " --out " +
                                   q(dir / "m") +
                                   " --steps 20 --set model.channels=[4,8] --set model.strides=[2]"
                                   " --set data.crop=[16,32,32] --set train.val_every=0 --set data.workers=1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return dir / "m" / "model.pt";
}

// run0's tomogram and its "big" picks as a CSV of x_A,y_A,z_A (no object column).
std::pair<fs::path, fs::path> tomogram_and_picks(const TempDir& dir) {
  const auto proj = CopickProject::open(dir / "p");
  const auto tomo = proj.find_tomogram("run0", "denoised").path;
  std::string csv = "x_A,y_A,z_A\n";
  for (const auto& s : proj.read_picks("run0", "big", "truth", ""))
    for (const auto& p : s.points) csv += std::to_string(p.x) + "," + std::to_string(p.y) + "," + std::to_string(p.z) + "\n";
  write_file_atomic(dir / "big.csv", csv);
  return {tomo, dir / "big.csv"};
}

const char* kQuick = " --steps 12 --set train.val_every=6 --set data.crop=[16,32,32] --set validation.window=[16,32,32]";

}  // namespace

TEST(FineTuneCli, StartsFromAModelAndLearnsFromPartialPicks) {
  TempDir dir;
  const auto model = tiny_model(dir);
  const auto [tomo, picks] = tomogram_and_picks(dir);
  const auto r = test::run_command(test::tomopick_binary() + " --threads 1 train --init " + q(model) + " --data " + q(tomo) +
                                   " --picks " + q(picks) + " --object big --out " + q(dir / "ft") + kQuick);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("initialised from"), std::string::npos) << r.output;
  // Step 0 scores the initial model on the held-back picks; later validations follow.
  EXPECT_NE(r.output.find("step 0: validation score"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("step 12: validation score"), std::string::npos) << r.output;
  const auto info = nn::read_model_info(dir / "ft" / "model.pt");
  ASSERT_EQ(info.classes.size(), 1u);
  EXPECT_EQ(info.classes[0].name, "big");
  EXPECT_EQ(info.classes[0].radius_A, 70);          // from the initial model
  EXPECT_EQ(info.model.channels, (std::vector<int64_t>{4, 8}));  // its network
  EXPECT_EQ(info.model.backbone_classes, 2);        // one class of two kept: an adapter
  const auto th = nlohmann::json::parse(read_file(dir / "ft" / "thresholds.json"));
  EXPECT_EQ(th["metric"], "pu");
  EXPECT_EQ(th["expected"]["big"]["labelled_picks"], 3);  // one held back, all used for the threshold
  EXPECT_GT(th["expected"]["big"]["estimated_count"].get<double>(), 0);
  const auto log = read_file(dir / "ft" / "train_log.csv");
  EXPECT_NE(log.find("val_recall_big"), std::string::npos);
  const auto cfg = read_file(dir / "ft" / "config.yaml");
  // configs/finetune.yaml is the default: z flips off, quarter-turn TTA kept by the model.
  EXPECT_NE(cfg.find("flip_z: false"), std::string::npos) << cfg;
  EXPECT_EQ(info.tta, "rot90");
  // The fine-tuned model picks, with the thresholds training chose (beside the model).
  const auto p = test::run_command(test::tomopick_binary() + " -q --threads 1 pick " + q(tomo) + " -m " +
                                   q(dir / "ft" / "model.pt") + " --out " + q(dir / "out.csv"));
  ASSERT_EQ(p.exit_code, 0) << p.output;
  EXPECT_TRUE(fs::exists(dir / "out.csv"));
}

TEST(FineTuneCli, IncompatibleModelsConfigsAndDataAreOneLineErrors) {
  TempDir dir;
  const auto model = tiny_model(dir);
  const auto [tomo, picks] = tomogram_and_picks(dir);
  const std::string base = test::tomopick_binary() + " --threads 1 train --init " + q(model) + " --data " + q(tomo) +
                           " --out " + q(dir / "ft") + kQuick;
  auto expect = [&](const std::string& args, const std::string& what) {
    const auto r = test::run_command(base + args);
    EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(what), std::string::npos) << args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(dir / "ft" / "model.pt"));
  };
  const std::string pk = " --picks " + q(picks);
  expect(pk + " --object big --set model.channels=[8,16] --set model.strides=[2]", "model.pt: the config's model section");
  expect(pk + " --object big --set data.spacing_A=5", "model.pt: the model works at 10 Å");
  expect(pk + " --object big --classes big,small", "class 'small' has no picks in the training data");
  expect(pk + " --object nucleosome", "class 'nucleosome' has no radius");
  expect("", "1 tomogram(s) in --data but 0 --picks file(s)");
  // Voxel indices where Å are expected.
  write_file_atomic(dir / "vox.csv", "x,y,z\n10,12,8\n30,20,16\n40,40,20\n");
  expect(" --picks " + q(dir / "vox.csv") + " --object big", "vox.csv: the picks look like voxel indices");
  // A new class with its radius: a fresh head channel next to the kept one.
  const auto r = test::run_command(base + pk + " --object blob --radius blob=70 --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("new classes: blob"), std::string::npos) << r.output;
}

TEST(FineTuneCli, DataOfTheOppositeContrastIsNamedAndInvertNegatesIt) {
  TempDir dir;
  const auto model = tiny_model(dir);
  const auto [tomo, picks] = tomogram_and_picks(dir);
  auto negated = read_tomogram(tomo).to_float32();
  for (size_t i = 0; i < negated.size(); ++i) negated.data()[i] = -negated.data()[i];
  write_mrc(dir / "negated.mrc", AnyVolume(negated));
  const std::string base = test::tomopick_binary() + " --threads 1 train --init " + q(model) + " --data " +
                           q(dir / "negated.mrc") + " --picks " + q(picks) + " --object big" + kQuick;
  const auto plain = test::run_command(base + " --out " + q(dir / "plain"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("negated: the contrast looks inverted"), std::string::npos) << plain.output;
  const auto inverted = test::run_command(base + " --invert --out " + q(dir / "inverted"));
  ASSERT_EQ(inverted.exit_code, 0) << inverted.output;
  EXPECT_EQ(inverted.output.find("looks inverted"), std::string::npos) << inverted.output;
  EXPECT_NE(read_file(dir / "inverted" / "config.yaml").find("invert: true"), std::string::npos);
  // Negating the tomogram and inverting it again is the original: the same training image.
  train::TrainConfig c;
  c.data.spacing_A = negated.spacing().x;
  c.data.invert = true;
  const auto restored = train::load_training_image(dir / "negated.mrc", c, nullptr, 0, nullptr);
  c.data.invert = false;
  const auto original = train::load_training_image(tomo, c, nullptr, 0, nullptr);
  ASSERT_EQ(restored.shape(), original.shape());
  for (size_t i = 0; i < restored.size(); ++i) ASSERT_NEAR(restored.data()[i], original.data()[i], 1e-5) << i;
}
