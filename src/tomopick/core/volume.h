#pragma once
// Volume<T>: a 3D array in z, y, x order (x fastest, C order), with its voxel spacing in Å per axis
// and an origin in Å.
//
// Coordinate convention (used by every reader, writer, target and picker): the centre of voxel
// [z][y][x] lies at (x*sx, y*sy, z*sz) Å from the centre of voxel [0][0][0]. Pick coordinates are
// given in that frame (the copick / CZII convention: voxel index = Å / spacing). The origin is
// metadata carried through from files (MRC origin, NGFF translation) and is not added to picks.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <variant>
#include <unistd.h>

#include "tomopick/core/dtype.h"
#include "tomopick/core/error.h"
#include "tomopick/core/voxel_memory.h"

namespace tomopick {

// An integer triple in voxels (z, y, x): an index or a shape.
struct Index3 {
  int64_t z = 0, y = 0, x = 0;
  int64_t count() const { return z * y * x; }
  bool empty() const { return z <= 0 || y <= 0 || x <= 0; }
  friend bool operator==(const Index3&, const Index3&) = default;
  std::string str() const {
    std::string s = "(";  // built with += : GCC 12 warns falsely (-Wrestrict) on "(" + std::string
    s += std::to_string(z);
    s += ", ";
    s += std::to_string(y);
    s += ", ";
    s += std::to_string(x);
    s += ")";
    return s;
  }
};
using Shape3 = Index3;

// A real triple (z, y, x), in Å or voxels as the name of the variable says.
struct Vec3 {
  double z = 0, y = 0, x = 0;
  friend bool operator==(const Vec3&, const Vec3&) = default;
};

// A box of voxels: [begin, begin + shape).
struct Box {
  Index3 begin;
  Shape3 shape;
  Index3 end() const { return {begin.z + shape.z, begin.y + shape.y, begin.x + shape.x}; }
  bool inside(const Shape3& s) const {
    return begin.z >= 0 && begin.y >= 0 && begin.x >= 0 && shape.z >= 0 && shape.y >= 0 &&
           shape.x >= 0 && end().z <= s.z && end().y <= s.y && end().x <= s.x;
  }
  // The part of this box that lies inside [0, s).
  Box clipped(const Shape3& s) const {
    Index3 b{std::clamp<int64_t>(begin.z, 0, s.z), std::clamp<int64_t>(begin.y, 0, s.y),
             std::clamp<int64_t>(begin.x, 0, s.x)};
    Index3 e{std::clamp<int64_t>(end().z, 0, s.z), std::clamp<int64_t>(end().y, 0, s.y),
             std::clamp<int64_t>(end().x, 0, s.x)};
    return {b, {std::max<int64_t>(0, e.z - b.z), std::max<int64_t>(0, e.y - b.y),
                std::max<int64_t>(0, e.x - b.x)}};
  }
};

// A non-owning, strided window into a volume's memory (what Volume::view returns).
template <class T>
struct VolumeView {
  T* base = nullptr;
  Shape3 shape;
  int64_t stride_z = 0, stride_y = 0;  // in elements; x stride is 1
  T& operator()(int64_t z, int64_t y, int64_t x) const { return base[z * stride_z + y * stride_y + x]; }
  T* row(int64_t z, int64_t y) const { return base + z * stride_z + y * stride_y; }
};

// Installed RAM in bytes (sysconf); a generous fallback where the system does not say.
inline int64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? int64_t(pages) * int64_t(page) : int64_t(1) << 40;
}

// Rejects shapes whose element count or byte size would overflow or that are negative.
inline void check_shape(const Shape3& s, size_t elem_size, const std::string& what = "volume") {
  if (s.z < 0 || s.y < 0 || s.x < 0) throw Error(what + ": negative shape " + s.str());
  const int64_t lim = int64_t(1) << 62;
  int64_t n = 1;
  for (int64_t d : {s.z, s.y, s.x}) {
    if (d != 0 && n > lim / d) throw Error(what + ": shape " + s.str() + " is too large");
    n *= d;
  }
  if (n != 0 && int64_t(elem_size) > lim / n) throw Error(what + ": shape " + s.str() + " is too large");
}

// check_shape, and the bytes must fit in the machine: a header may claim any shape (legitimately, for
// a tomogram that is streamed), but asking the allocator for more than the machine has would end in
// std::bad_alloc or the OOM killer instead of an error that says what to do.
inline void check_allocation(const Shape3& s, size_t elem_size, const std::string& what = "volume") {
  check_shape(s, elem_size, what);
  const int64_t bytes = s.count() * int64_t(elem_size);
  if (bytes > physical_memory_bytes())
    throw Error(what + ": shape " + s.str() + " needs " + std::to_string(bytes >> 20) + " MiB, more than this machine's " +
                std::to_string(physical_memory_bytes() >> 20) + " MiB of memory (read a box of it, or stream it)");
}

template <class T>
class Volume {
public:
  using value_type = T;

  Volume() = default;
  explicit Volume(Shape3 shape, Vec3 spacing = {1, 1, 1}, Vec3 origin = {}, T fill = T{})
      : shape_(shape), spacing_(spacing), origin_(origin) {
    check_allocation(shape, sizeof(T));
    const size_t n = size_t(shape.count());
    allocate(n);
    std::fill_n(data_.get(), n, fill);
  }
  // Leaves the voxels uninitialised, for readers that overwrite every one (saves a pass over memory).
  struct Uninitialized {};
  Volume(Shape3 shape, Uninitialized, Vec3 spacing = {1, 1, 1}, Vec3 origin = {})
      : shape_(shape), spacing_(spacing), origin_(origin) {
    check_allocation(shape, sizeof(T));
    allocate(size_t(shape.count()));
  }
  // Adopts memory owned elsewhere (e.g. a torch tensor) without copying; `owner` keeps it alive.
  static Volume wrap(Shape3 shape, T* data, std::shared_ptr<void> owner, Vec3 spacing = {1, 1, 1},
                     Vec3 origin = {}) {
    Volume v;
    v.shape_ = shape;
    v.spacing_ = spacing;
    v.origin_ = origin;
    v.data_ = std::shared_ptr<T>(std::move(owner), data);
    return v;
  }

  // Copies are deep (a volume is a value); moves are cheap.
  Volume(const Volume& o) : shape_(o.shape_), spacing_(o.spacing_), origin_(o.origin_) {
    if (o.data_) {
      *this = Volume(o.shape_, o.spacing_, o.origin_);
      std::copy_n(o.data(), o.size(), data());
    }
  }
  Volume& operator=(const Volume& o) {
    if (this != &o) *this = Volume(o);
    return *this;
  }
  Volume(Volume&&) noexcept = default;
  Volume& operator=(Volume&&) noexcept = default;

  const Shape3& shape() const { return shape_; }
  const Vec3& spacing() const { return spacing_; }  // Å per voxel, (z, y, x)
  const Vec3& origin() const { return origin_; }    // Å
  void set_spacing(Vec3 s) { spacing_ = s; }
  void set_origin(Vec3 o) { origin_ = o; }
  size_t size() const { return size_t(shape_.count()); }
  size_t bytes() const { return size() * sizeof(T); }
  bool empty() const { return size() == 0; }
  static constexpr DType dtype() { return dtype_of<T>::value; }

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  // The shared storage, for zero-copy hand-over (torch::from_blob with a deleter holding it).
  const std::shared_ptr<T>& storage() const { return data_; }

  int64_t offset(int64_t z, int64_t y, int64_t x) const { return (z * shape_.y + y) * shape_.x + x; }
  T& operator()(int64_t z, int64_t y, int64_t x) { return data_.get()[offset(z, y, x)]; }
  const T& operator()(int64_t z, int64_t y, int64_t x) const { return data_.get()[offset(z, y, x)]; }
  bool contains(int64_t z, int64_t y, int64_t x) const {
    return z >= 0 && y >= 0 && x >= 0 && z < shape_.z && y < shape_.y && x < shape_.x;
  }

  // Strided window without copying. The box must lie inside the volume.
  VolumeView<T> view(const Box& b) {
    require_inside(b);
    return {data() + offset(b.begin.z, b.begin.y, b.begin.x), b.shape, shape_.y * shape_.x, shape_.x};
  }
  VolumeView<const T> view(const Box& b) const {
    require_inside(b);
    return {data() + offset(b.begin.z, b.begin.y, b.begin.x), b.shape, shape_.y * shape_.x, shape_.x};
  }
  VolumeView<T> view() { return view(Box{{}, shape_}); }

  // A copy of a sub-box; voxels outside the volume take `fill` (so windows may hang over edges).
  // The origin moves with the box.
  Volume crop(const Box& b, T fill = T{}) const {
    Volume out(b.shape, spacing_,
               {origin_.z + b.begin.z * spacing_.z, origin_.y + b.begin.y * spacing_.y,
                origin_.x + b.begin.x * spacing_.x},
               fill);
    const Box in = b.clipped(shape_);
    for (int64_t z = 0; z < in.shape.z; ++z)
      for (int64_t y = 0; y < in.shape.y; ++y)
        std::copy_n(&(*this)(in.begin.z + z, in.begin.y + y, in.begin.x),
                    in.shape.x,
                    &out(in.begin.z - b.begin.z + z, in.begin.y - b.begin.y + y, in.begin.x - b.begin.x));
    return out;
  }

  // Writes `src` with its voxel [0,0,0] at `at`; parts falling outside are dropped.
  void paste(const Volume& src, Index3 at) {
    const Box dst = Box{at, src.shape()}.clipped(shape_);
    for (int64_t z = 0; z < dst.shape.z; ++z)
      for (int64_t y = 0; y < dst.shape.y; ++y)
        std::copy_n(&src(dst.begin.z - at.z + z, dst.begin.y - at.y + y, dst.begin.x - at.x),
                    dst.shape.x, &(*this)(dst.begin.z + z, dst.begin.y + y, dst.begin.x));
  }

  void fill(T v) { std::fill_n(data(), size(), v); }

  // Voxel index (may be fractional) <-> Å, in the convention at the top of this file.
  Vec3 voxel_to_angstrom(const Vec3& v) const { return {v.z * spacing_.z, v.y * spacing_.y, v.x * spacing_.x}; }
  Vec3 angstrom_to_voxel(const Vec3& a) const { return {a.z / spacing_.z, a.y / spacing_.y, a.x / spacing_.x}; }

private:
  void allocate(size_t n) {
    auto owner = allocate_voxels(n * sizeof(T));
    T* p = static_cast<T*>(owner.get());
    data_ = std::shared_ptr<T>(std::move(owner), p);
  }
  void require_inside(const Box& b) const {
    if (!b.inside(shape_))
      throw Error("volume view " + b.begin.str() + "+" + b.shape.str() + " lies outside shape " + shape_.str());
  }

  Shape3 shape_;
  Vec3 spacing_{1, 1, 1};
  Vec3 origin_{};
  std::shared_ptr<T> data_;
};

// Converts element type; integers are rounded and saturated.
template <class To, class From>
Volume<To> convert_volume(const Volume<From>& in) {
  if constexpr (std::is_same_v<To, From>) {
    return in;
  } else {
    Volume<To> out(in.shape(), in.spacing(), in.origin());
    const From* s = in.data();
    To* d = out.data();
    const size_t n = in.size();
    for (size_t i = 0; i < n; ++i) d[i] = from_float<To>(to_float(s[i]));
    return out;
  }
}

// A volume of any supported element type, as files hold them.
class AnyVolume {
public:
  using Variant = std::variant<Volume<uint8_t>, Volume<int8_t>, Volume<int16_t>, Volume<uint16_t>,
                               Volume<Float16>, Volume<float>>;
  AnyVolume() = default;
  template <class T>
  AnyVolume(Volume<T> v) : v_(std::move(v)) {}  // NOLINT: implicit on purpose

  // A zero-filled volume of the given type and shape.
  static AnyVolume make(DType t, Shape3 shape, Vec3 spacing = {1, 1, 1}, Vec3 origin = {}) {
    return visit_dtype(t, [&](auto tag) { return AnyVolume(Volume<decltype(tag)>(shape, spacing, origin)); });
  }
  // The same with the voxels left uninitialised (the caller writes every one).
  static AnyVolume make_uninitialized(DType t, Shape3 shape, Vec3 spacing = {1, 1, 1}, Vec3 origin = {}) {
    return visit_dtype(t, [&](auto tag) {
      using T = decltype(tag);
      return AnyVolume(Volume<T>(shape, typename Volume<T>::Uninitialized{}, spacing, origin));
    });
  }

  template <class F> decltype(auto) visit(F&& f) { return std::visit(std::forward<F>(f), v_); }
  template <class F> decltype(auto) visit(F&& f) const { return std::visit(std::forward<F>(f), v_); }

  DType dtype() const { return visit([](const auto& v) { return v.dtype(); }); }
  Shape3 shape() const { return visit([](const auto& v) { return v.shape(); }); }
  Vec3 spacing() const { return visit([](const auto& v) { return v.spacing(); }); }
  Vec3 origin() const { return visit([](const auto& v) { return v.origin(); }); }
  void set_spacing(Vec3 s) { visit([&](auto& v) { v.set_spacing(s); }); }
  void set_origin(Vec3 o) { visit([&](auto& v) { v.set_origin(o); }); }
  size_t bytes() const { return visit([](const auto& v) { return v.bytes(); }); }
  void* raw_data() { return visit([](auto& v) -> void* { return v.data(); }); }
  const void* raw_data() const { return visit([](const auto& v) -> const void* { return v.data(); }); }

  template <class T> bool holds() const { return std::holds_alternative<Volume<T>>(v_); }
  template <class T> Volume<T>& get() { return std::get<Volume<T>>(v_); }
  template <class T> const Volume<T>& get() const { return std::get<Volume<T>>(v_); }

  Volume<float> to_float32() const& {
    return visit([](const auto& v) { return convert_volume<float>(v); });
  }
  // From a temporary (read_tomogram(...).to_float32()), float32 voxels are moved, not copied.
  Volume<float> to_float32() && {
    if (auto* f = std::get_if<Volume<float>>(&v_)) return std::move(*f);
    return static_cast<const AnyVolume&>(*this).to_float32();
  }
  AnyVolume converted(DType t) const {
    return visit_dtype(t, [&](auto tag) {
      using T = decltype(tag);
      return AnyVolume(visit([](const auto& v) { return convert_volume<T>(v); }));
    });
  }

private:
  Variant v_;
};

}  // namespace tomopick
