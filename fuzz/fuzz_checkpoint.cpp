// Model files as tomopick reads them: the description inside, the network it builds, and weights
// that must fit that network. Byte 0 picks EMA or plain weights; part 0 is the description (JSON),
// part 1 the weights, one tensor per line: "dotted.name d0 d1 ..." (zeros of that shape).
//
// The archive itself is written by LibTorch from those parts rather than taken raw from the input:
// LibTorch 1.13's archive reader runs a TorchScript type parser over the archive's code section,
// and crafted archives crash it (SEGV in torch::jit::ScriptTypeParser, found by this target when it
// took raw bytes; fuzz/known-libtorch/ holds the input). Model files are code, like any PyTorch
// pickle: load only models you trust. What tomopick itself does with a readable archive is fuzzed here.
#include <map>
#include <sstream>
#include <torch/torch.h>

#include "fuzz_support.h"
#include "tomopick/nn/model_io.h"

using namespace tomopick;

namespace {

struct Node {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, Node> children;
};

void write(torch::serialize::OutputArchive& a, const Node& n) {
  for (const auto& [k, t] : n.tensors) a.write(k, t);
  for (const auto& [k, c] : n.children) {
    torch::serialize::OutputArchive sub;
    write(sub, c);
    a.write(k, sub);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  Node root;
  std::istringstream lines{std::string(fuzz::part(in, 1))};
  std::string line;
  int64_t total = 0;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    std::string name;
    std::vector<int64_t> dims;
    int64_t d = 0;
    if (!(ls >> name)) continue;
    int64_t n = 1;
    while (ls >> d && dims.size() < 5) {
      d = std::clamp<int64_t>(d, 0, 4096);
      dims.push_back(d);
      n *= d;
      if (n > (int64_t(1) << 22)) break;
    }
    if (n > (int64_t(1) << 22) || (total += n) > (int64_t(1) << 24)) return 0;  // the harness's memory, not a finding
    Node* node = &root;
    std::string part;
    std::vector<std::string> path;
    std::istringstream ns(name);
    while (std::getline(ns, part, '.'))
      if (!part.empty()) path.push_back(part);
    if (path.empty()) continue;
    for (size_t i = 0; i + 1 < path.size(); ++i) node = &node->children[path[i]];
    node->tensors[path.back()] = torch::zeros(dims);
  }
  const fs::path file = fuzz::scratch_dir() / "fz.pt";
  try {
    torch::serialize::OutputArchive a, weights;
    nn::write_string(a, "info", std::string(fuzz::part(in, 0)));
    write(weights, root);
    a.write(data[0] & 1 ? "ema" : "model", weights);
    nn::save_archive_atomic(a, file);
  } catch (const c10::Error&) {
    return 0;  // LibTorch will not write it (a name used for a tensor and a module): no file to read
  }
  fuzz::expect_clear_errors("fz.pt", [&] {
    const nn::LoadedModel m = nn::load_model(file);
    fuzz::require(!m.info.classes.empty(), "a loaded model has classes");
  });
  return 0;
}
