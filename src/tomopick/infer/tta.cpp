#include "tomopick/infer/tta.h"

#include <ATen/ATen.h>

#include "tomopick/core/error.h"

namespace tomopick::infer {

namespace {

// The last three dimensions, whatever the rank (so [Z, Y, X] works as well as [N, C, Z, Y, X]).
struct Dims {
  int64_t z, y, x;
};
Dims dims_of(const at::Tensor& t) {
  if (t.dim() < 3) throw Error("tta: needs a tensor with at least 3 dimensions, got " + std::to_string(t.dim()));
  const int64_t d = t.dim();
  return {d - 3, d - 2, d - 1};
}

// rot90 by k quarter turns from y towards x; k may be negative.
at::Tensor rotate(const at::Tensor& x, int64_t k) {
  const Dims d = dims_of(x);
  return at::rot90(x, k, {d.y, d.x});
}

at::Tensor transform(Tta t, const at::Tensor& x, bool inverse) {
  const Dims d = dims_of(x);
  switch (t) {
    case Tta::identity: return x;
    case Tta::rot90: return rotate(x, inverse ? -1 : 1);
    case Tta::rot180: return at::flip(x, {d.y, d.x});
    case Tta::rot270: return rotate(x, inverse ? 1 : -1);
    case Tta::flip_x: return at::flip(x, {d.x});
    case Tta::flip_y: return at::flip(x, {d.y});
    case Tta::transpose: return x.transpose(d.y, d.x);
    // reflections are their own inverses
    case Tta::antitranspose: return at::flip(x.transpose(d.y, d.x), {d.y, d.x});
    case Tta::flip_z: return at::flip(x, {d.z});
  }
  throw Error("tta: unknown transform");
}

}  // namespace

const std::vector<Tta>& all_tta() {
  static const std::vector<Tta> all{Tta::identity, Tta::rot90,     Tta::rot180,        Tta::rot270, Tta::flip_x,
                                    Tta::flip_y,   Tta::transpose, Tta::antitranspose, Tta::flip_z};
  return all;
}

std::string tta_name(Tta t) {
  switch (t) {
    case Tta::identity: return "identity";
    case Tta::rot90: return "rot90";
    case Tta::rot180: return "rot180";
    case Tta::rot270: return "rot270";
    case Tta::flip_x: return "flip_x";
    case Tta::flip_y: return "flip_y";
    case Tta::transpose: return "transpose";
    case Tta::antitranspose: return "antitranspose";
    case Tta::flip_z: return "flip_z";
  }
  return "?";
}

bool swaps_yx(Tta t) {
  return t == Tta::rot90 || t == Tta::rot270 || t == Tta::transpose || t == Tta::antitranspose;
}

// contiguous(): rot90 and transpose return strided views, and networks (and from_blob users
// downstream) want plain memory.
at::Tensor apply(Tta t, const at::Tensor& x) { return transform(t, x, false).contiguous(); }
at::Tensor invert(Tta t, const at::Tensor& x) { return transform(t, x, true).contiguous(); }

at::Tensor invert_vectors(Tta t, const at::Tensor& v) {
  if (v.dim() < 2 || v.size(1) != 3) throw Error("tta: vectors must be [N, 3, ...] (dz, dy, dx)");
  if (t == Tta::identity) return v;
  // M read off the transform itself: where a voxel one step from the centre of a 3x3x3 cube goes.
  int64_t M[3][3] = {};
  for (int64_t k = 0; k < 3; ++k) {
    auto probe = at::zeros({3, 3, 3}, at::kFloat);
    int64_t at_[3] = {1, 1, 1};
    at_[k] = 2;
    probe[at_[0]][at_[1]][at_[2]] = 1;
    const auto moved = apply(t, probe).nonzero();
    for (int64_t r = 0; r < 3; ++r) M[r][k] = moved[0][r].item<int64_t>() - 1;
  }
  std::vector<at::Tensor> out;
  for (int64_t k = 0; k < 3; ++k) {
    at::Tensor c;
    for (int64_t r = 0; r < 3; ++r) {
      if (M[r][k] == 0) continue;
      const auto term = v.narrow(1, r, 1) * double(M[r][k]);
      c = c.defined() ? c + term : term;
    }
    out.push_back(c);
  }
  return at::cat(out, 1).contiguous();
}

std::vector<Tta> parse_tta(const std::string& spec) {
  if (spec == "none") return {Tta::identity};
  if (spec == "flips") return {Tta::identity, Tta::flip_x, Tta::flip_y, Tta::flip_z};
  if (spec == "rot90") return {Tta::identity, Tta::rot90, Tta::rot180, Tta::rot270};
  if (spec == "all8") {
    const auto& a = all_tta();
    return {a.begin(), a.begin() + 8};
  }
  if (spec == "all9") return all_tta();

  std::vector<Tta> out;
  size_t start = 0;
  while (true) {
    const size_t comma = spec.find(',', start);
    std::string name = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto trim = [](std::string& s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t") + 1);
    };
    trim(name);
    bool found = false;
    for (Tta t : all_tta()) {
      if (tta_name(t) != name) continue;
      found = true;
      for (Tta seen : out)
        if (seen == t) throw Error("--tta", "'" + name + "' is listed twice in '" + spec + "'");
      out.push_back(t);
    }
    if (!found) {
      std::string names;
      for (Tta t : all_tta()) names += (names.empty() ? "" : ", ") + tta_name(t);
      throw Error("--tta", "unknown transform '" + name + "' in '" + spec +
                               "' (use none, flips, rot90, all8, all9 or a comma list of: " + names + ")");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace tomopick::infer
