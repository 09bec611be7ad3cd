// Writes the fuzz targets' seed corpora with tomopick's own writers (the committed fuzz/corpus/ was
// made by `build/fuzz/make_fuzz_seeds fuzz/corpus`), so seeds follow the formats as the code changes.
// Hand-made seeds from other tools' conventions sit beside them (names starting with "ext-").
#include <torch/torch.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "tomopick/core/atomic_file.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/mrc.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/zarr_codecs.h"
#include "tomopick/nn/heatmap_net.h"
#include "tomopick/nn/model_io.h"
#include "tomopick/train/train_config.h"

using namespace tomopick;
namespace fs = std::filesystem;

namespace {
fs::path root;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  write_file_atomic(root / target / name, bytes);
}
Volume<float> ramp(Shape3 s) {
  Volume<float> v(s, {10, 10, 10});
  for (int64_t i = 0; i < s.count(); ++i) v.data()[i] = float(i % 7) - 3.f;
  return v;
}
std::vector<PickSet> some_picks() {
  PickSet a;
  a.object = "ribosome";
  a.run = "TS_5_4";
  a.voxel_spacing = 10.012;
  a.points = {Pick{100.5, 220.25, 30, 0.9, 0, kIdentity4x4}, Pick{1200, 40, 560.5, 0.35, 0, kIdentity4x4}};
  PickSet b = a;
  b.object = "apo-ferritin";
  b.points.resize(1);
  return {a, b};
}
const std::string kSep = "\n--\n";
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds OUT_DIR\n";
    return 2;
  }
  root = argv[1];
  const fs::path tmp = fs::temp_directory_path() / ("tomopick-seeds-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::vector<std::string> codecs = {"blosc-lz4:5", "blosc-zstd:3:bitshuffle", "zstd:3", "zlib:6", "gzip:6", "none"};

  // zarr metadata and OME-Zarr groups: one small multiscale image per codec and dtype.
  int n = 0;
  for (const auto& spec : codecs)
    for (DType t : {DType::f32, DType::u8, DType::i16}) {
      OmeWriteOptions o;
      o.levels = 2;
      o.array.chunks = {8, 8, 8};
      o.array.codec = parse_codec_spec(spec);
      o.array.separator = n % 2 ? '/' : '.';
      const fs::path dir = tmp / ("z" + std::to_string(n) + ".zarr");
      write_ome_zarr(dir, AnyVolume(ramp({8, 12, 10})).converted(t), o);
      seed("zarr_metadata", "seed-" + std::to_string(n), slurp(dir / "0" / ".zarray"));
      const fs::path chunk = o.array.separator == '/' ? dir / "0" / "0" / "0" / "0" : dir / "0" / "0.0.0";
      seed("ome_zarr", "seed-" + std::to_string(n),
           slurp(dir / ".zattrs") + kSep + slurp(dir / "0" / ".zarray") + kSep + slurp(chunk));
      ++n;
    }

  // chunks: every codec of the target's table, chunk sizes as byte 1 (x16) promises.
  const std::vector<std::string> chunk_specs = {
      "none",         "zlib:6",          "gzip:6",        "zstd:3",          "blosc-lz4:5",  "blosc-zstd:3",
      "blosc-zlib:5", "blosc-blosclz:5", "blosc-lz4hc:5", "blosc-lz4:5:bitshuffle", "blosc-zstd:1:noshuffle",
      "blosc-lz4:1:bitshuffle"};
  for (size_t i = 0; i < chunk_specs.size(); ++i) {
    std::string raw(256, '\0');
    for (size_t k = 0; k < raw.size(); ++k) raw[k] = char((k * 7) % 13);
    const std::string enc = encode_chunk(parse_codec_spec(chunk_specs[i]), raw, 4);
    seed("zarr_chunk", "seed-" + std::to_string(i), std::string{char(i), char(raw.size() / 16)} + enc);
  }

  // MRC: each mode tomopick writes, with labels and an extended header.
  n = 0;
  for (DType t : {DType::f32, DType::i16, DType::u8, DType::u16, DType::f16, DType::i8}) {
    MrcWriteOptions o;
    o.labels = {"tomopick fuzz seed"};
    if (n % 2) {
      o.extended_header = std::string(64, 'e');
      o.exttyp = "FEI1";
    }
    const fs::path f = tmp / ("m" + std::to_string(n) + ".mrc");
    write_mrc(f, AnyVolume(ramp({3, 4, 5})).converted(t), o);
    seed("mrc", "seed-" + std::to_string(n++), slurp(f));
  }

  // picks in every format
  const auto sets = some_picks();
  write_copick_json(tmp / "p.json", sets[0]);
  seed("copick_json", "seed-picks", std::string(1, '\0') + slurp(tmp / "p.json"));
  write_copick_config(tmp / "c.json", czii_config());
  seed("copick_json", "seed-config", std::string(1, '\1') + slurp(tmp / "c.json"));
  write_picks_csv(tmp / "p.csv", sets);
  seed("csv", "seed-generic", std::string(1, '\0') + slurp(tmp / "p.csv"));
  seed("csv", "seed-czii-truth", std::string(1, '\1') + "x,y,z,class\n12.5,40,7,3\n100,2,55.25,0\n");
  std::vector<MotorLabel> motors(2);
  motors[0] = MotorLabel{"tomo_003acc", 60, 300.5, 400, 300, 959, 928, 15.6, 1, 1.0};
  motors[1] = MotorLabel{"tomo_00e047", -1, -1, -1, 500, 924, 956, 13.1, 0, 1.0};
  write_byu_labels(tmp / "b.csv", motors);
  seed("csv", "seed-byu-labels", std::string(1, '\2') + slurp(tmp / "b.csv"));
  write_byu_submission(tmp / "s.csv", motors);
  seed("csv", "seed-byu-submission", std::string(1, '\3') + slurp(tmp / "s.csv"));
  StarOptions so;
  so.tomograms["TS_5_4"] = TomoGeometry{630, 630, 184, 10.012};
  write_picks_star(tmp / "p.star", sets, so);
  seed("star", "seed-centred", std::string(1, char(15)) + slurp(tmp / "p.star"));

  // configs and model descriptions
  train::TrainConfig tc;
  seed("train_config", "seed-defaults", train::to_yaml(tc));
  tc.model.arch = "unet25d";
  tc.data.classes = {{"ribosome", 150, 1, true}, {"beta-amylase", 65, 0, false}};
  tc.loss.kind = "ce_tversky";
  tc.model.head = "segmentation";
  tc.targets.kind = "labels";
  seed("train_config", "seed-unet25d", train::to_yaml(tc));
  train::TrainConfig fpn;
  fpn.model.arch = "resnet3d_fpn";
  fpn.model.channels = {16, 32, 64};
  fpn.model.blocks_down = {1, 1, 2};
  fpn.model.block = "resnext";
  seed("train_config", "seed-resnet3d_fpn", train::to_yaml(fpn));
  train::TrainConfig u2e3d;
  u2e3d.model.arch = "unet2e3d";
  u2e3d.model.slices = 3;
  u2e3d.model.norm = "batch";
  seed("train_config", "seed-unet2e3d", train::to_yaml(u2e3d));
  train::TrainConfig voxres;
  voxres.model.arch = "voxresnet";
  voxres.model.channels = {16, 32, 64, 64};
  voxres.model.blocks_down = {0, 2, 2, 2};
  voxres.model.norm = "batch";
  seed("train_config", "seed-voxresnet", train::to_yaml(voxres));
  train::TrainConfig dvn;
  dvn.model.arch = "densevnet";
  dvn.model.channels = {12, 24, 24};
  dvn.model.blocks_down = {5, 10, 10};
  dvn.model.growth = {4, 8, 16};
  dvn.model.norm = "batch";
  seed("train_config", "seed-densevnet", train::to_yaml(dvn));
  train::TrainConfig hr;
  hr.model.arch = "voxhrnet";
  hr.model.channels = {8, 16, 32, 64};
  hr.model.blocks_down = {2, 2, 2, 2};
  hr.model.stem_channels = 16;
  seed("train_config", "seed-voxhrnet", train::to_yaml(hr));
  train::TrainConfig pd;
  pd.model.arch = "segresnet";
  pd.model.head = "point";
  pd.model.channels = {8, 16, 32, 64};
  pd.model.norm = "group";
  pd.loss.kind = "point";
  seed("train_config", "seed-pointdet", train::to_yaml(pd));

  nn::ModelInfo info;
  info.model.channels = {2, 4};
  info.model.strides = {2};
  info.classes = {{"ribosome", 150, true, 0.4}, {"apo-ferritin", 60, true, std::nullopt}};
  seed("model_info", "seed-tiny", nn::model_info_to_json(info));
  // checkpoint: a description and the names and shapes of its network's weights (see fuzz_checkpoint.cpp)
  // "pointdet": a point head on unet3d (its backbone's 16 features and the stride-2 head).
  for (const std::string arch :
       {"unet3d", "unet25d", "segresnet", "resnet3d_fpn", "unet2e3d", "voxresnet", "densevnet", "voxhrnet", "pointdet"}) {
    nn::ModelInfo mi = info;
    mi.model.arch = arch == "pointdet" ? "unet3d" : arch;
    if (arch == "pointdet") mi.model.head = "point";
    mi.model.blocks_down = {1, 1};  // segresnet, resnet3d_fpn, voxresnet, densevnet: one entry per level
    mi.model.blocks_up = {1};
    mi.model.growth = {2, 2};  // densevnet: one entry per stack
    mi.model.stem_channels = 4;
    nn::HeatmapNet net(mi.model, int64_t(mi.classes.size()));
    std::string weights;
    auto add = [&](const std::string& name, const torch::Tensor& t) {
      weights += name;
      for (auto d : t.sizes()) weights += " " + std::to_string(d);
      weights += "\n";
    };
    for (const auto& p : net->named_parameters()) add(p.key(), p.value());
    for (const auto& b : net->named_buffers()) add(b.key(), b.value());
    seed("checkpoint", "seed-" + arch, std::string(1, '\0') + nn::model_info_to_json(mi) + kSep + weights);
    if (arch != "unet3d") seed("model_info", "seed-" + arch, nn::model_info_to_json(mi));
  }


  // ensemble folders (the fuzz target's folder holds a.pt)
  seed("ensemble_manifest", "seed-one", R"({"format": "tomopick-ensemble", "members": [{"model": "a.pt"}]})");
  seed("ensemble_manifest", "seed-full",
       R"({"format": "tomopick-ensemble", "members": [{"model": "a.pt", "weight": 1}, {"model": "./a.pt", "weight": 2.5}],)"
       R"( "fusion": "wbf", "tta": "identity,rot180"})");
  seed("ensemble_manifest", "seed-class-weights",
       R"({"format": "tomopick-ensemble", "members": [{"model": "a.pt"}, {"model": "a.pt", "class_weights": {"ribosome": 0, "apo-ferritin": 2}}]})");
  seed("ensemble_manifest", "seed-missing", R"({"format": "tomopick-ensemble", "members": [{"model": "b.pt"}]})");

  fs::remove_all(tmp);
  std::cout << "seeds written to " << root << "\n";
  return 0;
}
