#include "tomopick/nn/transfer.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "tomopick/core/error.h"

namespace tomopick::nn {

namespace {

// For each backbone parameter or buffer: the axes whose length follows the number of output channels,
// found from two probe networks whose class counts no layer width can be mistaken for.
std::map<std::string, std::vector<int64_t>> class_axes(ModelConfig cfg) {
  cfg.backbone_classes = 0;
  HeatmapNet a(cfg, 37), b(cfg, 41);
  std::map<std::string, std::vector<int64_t>> out;
  auto compare = [&](const auto& pa, const auto& pb) {
    for (const auto& item : pa) {
      const auto* other = pb.find(item.key());
      if (!other) continue;
      std::vector<int64_t> axes;
      for (int64_t d = 0; d < item.value().dim(); ++d)
        if (item.value().size(d) != other->size(d)) axes.push_back(d);
      out[item.key()] = axes;
    }
  };
  compare(a->named_parameters(), b->named_parameters());
  compare(a->named_buffers(), b->named_buffers());
  return out;
}

std::string shape_str(const at::Tensor& t) {
  std::string s;
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? "x" : "") + std::to_string(t.size(d));
  return s;
}

int64_t backbone_width(const HeatmapNetImpl& n) {
  return n.config().backbone_classes > 0 ? n.config().backbone_classes : n.classes();
}

bool is_adapter(const std::string& name) { return name.rfind("adapter.", 0) == 0; }

}  // namespace

ModelConfig fine_tuned_config(const ModelConfig& init, int64_t init_classes, const std::vector<int64_t>& class_map) {
  // A point head's backbone computes class-free features; only its last convolution is per class.
  if (init.head == "point") return init;
  std::vector<int64_t> sorted = class_map;
  std::sort(sorted.begin(), sorted.end());
  bool permutation = int64_t(sorted.size()) == init_classes;
  for (size_t i = 0; permutation && i < sorted.size(); ++i) permutation = sorted[i] == int64_t(i);
  if (permutation) return init;
  ModelConfig m = init;
  const int64_t fresh = std::count(class_map.begin(), class_map.end(), int64_t(-1));
  m.backbone_classes = (init.backbone_classes > 0 ? init.backbone_classes : init_classes) + fresh;
  return m;
}

void transfer_weights(HeatmapNetImpl& dst, const HeatmapNetImpl& src, const std::vector<int64_t>& class_map) {
  if (int64_t(class_map.size()) != dst.classes()) throw Error("transfer_weights: one source class per class is needed");
  for (auto k : class_map)
    if (k >= src.classes()) throw Error("transfer_weights: source class out of range");
  const bool seg = dst.config().head == "segmentation";
  const int64_t off = seg ? 1 : 0;  // a segmentation head's channel 0 is the background
  const bool dst_adapter = dst.config().backbone_classes > 0, src_adapter = src.config().backbone_classes > 0;
  if (src_adapter && !dst_adapter) throw Error("transfer_weights: the source has an adapter, the destination none");
  const int64_t sb = backbone_width(src), db = backbone_width(dst);
  // Backbone channel j of dst reads channel bmap[j] of src (-1: a fresh channel).
  std::vector<int64_t> bmap;
  if (seg) bmap.push_back(0);
  for (int64_t j = 0; j < db; ++j) {
    const int64_t from = dst_adapter ? (j < sb ? j : -1) : class_map[size_t(j)];
    bmap.push_back(from < 0 ? -1 : from + off);
  }
  if (dst.config().head == "point")  // the offsets follow the classes in the head
    for (int64_t i = 0; i < 3; ++i) bmap.push_back(src.classes() + i);
  const auto axes = class_axes(dst.config());
  torch::NoGradGuard no_grad;
  auto copy_all = [&](auto dst_items, auto src_items) {
    for (auto& item : dst_items) {
      if (is_adapter(item.key())) continue;
      const auto* s = src_items.find(item.key());
      if (!s) throw Error("the initial model has no weights '" + item.key() + "' (a different architecture)");
      auto& d = item.value();
      const auto it = axes.find(item.key());
      const std::vector<int64_t> cls = it == axes.end() ? std::vector<int64_t>{} : it->second;
      at::Tensor from = s->to(d.device(), d.scalar_type());
      std::vector<at::Tensor> mapped_along;  // per class axis: 1 where the channel comes from src
      for (auto axis : cls) {
        std::vector<int64_t> idx, mapped;
        for (auto j : bmap) idx.push_back(std::max<int64_t>(j, 0)), mapped.push_back(j >= 0);
        if (*std::max_element(idx.begin(), idx.end()) >= from.size(axis))
          throw Error("the initial model's '" + item.key() + "' is " + shape_str(*s) + " (a different architecture)");
        from = from.index_select(axis, torch::tensor(idx, torch::kLong).to(d.device()));
        std::vector<int64_t> view(size_t(d.dim()), 1);
        view[size_t(axis)] = int64_t(mapped.size());
        mapped_along.push_back(torch::tensor(mapped, torch::kLong).to(d.device()).to(torch::kBool).view(view));
      }
      if (from.sizes() != d.sizes())
        throw Error("the initial model's '" + item.key() + "' is " + shape_str(*s) + ", this network's is " +
                    shape_str(d) + " (a different architecture)");
      if (mapped_along.empty()) {
        d.copy_(from);
      } else if (mapped_along.size() == 1) {
        d.copy_(torch::where(mapped_along[0], from, d));
      } else {
        // A convolution between class-wide layers ([out, in, ...]): a kept output channel must not
        // read a fresh input channel, so those weights start at zero; fresh outputs keep their
        // initialisation.
        const auto both = mapped_along[0] & mapped_along[1];
        const auto kept_reads_fresh = mapped_along[0] & ~mapped_along[1];
        d.copy_(torch::where(both, from, torch::where(kept_reads_fresh, torch::zeros_like(d), d)));
      }
    }
  };
  copy_all(dst.named_parameters(), src.named_parameters());
  copy_all(dst.named_buffers(), src.named_buffers());

  if (dst_adapter) {
    // A selection: kept classes read their backbone channel (through src's adapter when it has one),
    // each new class its own fresh channel.
    auto params = dst.named_parameters();
    auto& w = *params.find("adapter.weight");
    auto& b = *params.find("adapter.bias");
    w.zero_(), b.zero_();
    const auto src_params = src.named_parameters();
    if (seg) w[0][0].fill_(1);
    int64_t next_fresh = sb;
    for (size_t j = 0; j < class_map.size(); ++j) {
      const int64_t row = int64_t(j) + off, k = class_map[j];
      if (k < 0) {
        w[row][next_fresh++ + off].fill_(1);
      } else if (src_adapter) {
        const auto& sw = *src_params.find("adapter.weight");
        w[row].narrow(0, 0, sw.size(1)).copy_(sw[k + off]);
        b[row].copy_((*src_params.find("adapter.bias"))[k + off]);
      } else {
        w[row][k + off].fill_(1);
      }
    }
  }

  // The check: kept classes compute what they did.
  const bool dst_training = dst.is_training(), src_training = src.is_training();
  auto& d_mut = const_cast<HeatmapNetImpl&>(dst);
  auto& s_mut = const_cast<HeatmapNetImpl&>(src);
  d_mut.eval(), s_mut.eval();
  const auto device = dst.parameters().front().device();
  torch::manual_seed(12345);
  const auto x = torch::randn({1, 1, 16, 32, 32}).to(device);
  const auto yd = d_mut.forward(x), ys = s_mut.forward(x.to(src.parameters().front().device())).to(device);
  d_mut.train(dst_training), s_mut.train(src_training);
  for (size_t j = 0; j < class_map.size(); ++j) {
    if (class_map[j] < 0) continue;
    const auto a = yd.select(1, int64_t(j) + off), e = ys.select(1, class_map[j] + off);
    const double diff = (a - e).abs().max().item<double>(), scale = e.abs().max().item<double>() + 1;
    if (diff > 1e-4 * scale)
      throw Error("could not carry the initial model's weights over exactly (class " + std::to_string(j) +
                  " differs by " + std::to_string(diff) + "): an architecture transfer_weights does not know");
  }
}

}  // namespace tomopick::nn
