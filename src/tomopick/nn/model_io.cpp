#include "tomopick/nn/model_io.h"

#include <torch/torch.h>

#include <sstream>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"

namespace tomopick::nn {

void write_string(torch::serialize::OutputArchive& a, const std::string& key, const std::string& value) {
  a.write(key, c10::IValue(value));
}

std::string read_string(torch::serialize::InputArchive& a, const std::string& key, const fs::path& file) {
  c10::IValue v;
  if (!a.try_read(key, v) || !v.isString()) throw Error(file, "not a tomopick model: no '" + key + "' entry");
  return v.toStringRef();
}

void save_archive_atomic(torch::serialize::OutputArchive& a, const fs::path& file) {
  std::ostringstream out;
  a.save_to(out);
  write_file_atomic(file, out.str());
}

void load_archive(torch::serialize::InputArchive& a, const fs::path& file) {
  if (!fs::exists(file)) throw Error(file, "no such file");
  try {
    a.load_from(file.string());
  } catch (const c10::Error& e) {
    throw Error(file, "not a LibTorch archive (a tomopick model or checkpoint): " +
                          std::string(e.what_without_backtrace()).substr(0, 200));
  } catch (const std::exception& e) {  // LibTorch's archive reader also throws plain exceptions
    throw Error(file, "not a LibTorch archive (a tomopick model or checkpoint): " + std::string(e.what()).substr(0, 200));
  }
}

bool archive_has(torch::serialize::InputArchive& a, const std::string& key) {
  for (const auto& k : a.keys())
    if (k == key || k.rfind(key + ".", 0) == 0) return true;
  return false;
}

ModelInfo read_model_info(const fs::path& file) {
  torch::serialize::InputArchive a;
  load_archive(a, file);
  return model_info_from_json(read_string(a, "info", file), file.string());
}

LoadedModel load_model(const fs::path& file, const std::string& device) {
  torch::serialize::InputArchive a;
  load_archive(a, file);
  LoadedModel m;
  m.info = model_info_from_json(read_string(a, "info", file), file.string());
  try {
    m.net = HeatmapNet(m.info.model, int64_t(m.info.classes.size()));
  } catch (const Error& e) {
    throw Error(file, std::string("model description: ") + e.what());
  }
  torch::serialize::InputArchive weights;
  try {
    const char* key = a.try_read("ema", weights) ? "ema" : "model";
    if (std::string(key) == "model" && !a.try_read("model", weights)) throw Error(file, "not a tomopick model: no weights");
    m.net->load(weights);
  } catch (const c10::Error& e) {
    throw Error(file, std::string("weights do not fit the described network: ") +
                          std::string(e.what_without_backtrace()).substr(0, 200));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(file, std::string("unreadable weights: ") + std::string(e.what()).substr(0, 200));
  }
  m.net->eval();
  m.net->to(torch::Device(device));
  return m;
}

void save_model(const fs::path& file, const ModelInfo& info, const torch::nn::Module& net) {
  torch::serialize::OutputArchive a;
  write_string(a, "info", model_info_to_json(info));
  torch::serialize::OutputArchive weights;
  net.save(weights);
  a.write("model", weights);
  save_archive_atomic(a, file);
}

}  // namespace tomopick::nn
