#include "tomopick/core/torch_bridge.h"

#include <ATen/ATen.h>

namespace tomopick {

namespace {
template <class T>
at::Tensor share(const Volume<T>& v, at::ScalarType st) {
  auto keep = v.storage();  // the deleter owns a reference: the tensor may outlive the volume
  const auto& s = v.shape();
  return at::from_blob(const_cast<T*>(v.data()), {s.z, s.y, s.x},
                       [keep](void*) mutable { keep.reset(); }, at::TensorOptions().dtype(st));
}
}  // namespace

at::Tensor to_tensor(const Volume<float>& v) { return share(v, at::kFloat); }
at::Tensor to_tensor(const Volume<Float16>& v) { return share(v, at::kHalf); }
at::Tensor to_tensor(const Volume<uint8_t>& v) { return share(v, at::kByte); }
at::Tensor to_tensor(const Volume<int8_t>& v) { return share(v, at::kChar); }
at::Tensor to_tensor(const Volume<int16_t>& v) { return share(v, at::kShort); }
at::Tensor to_tensor(const Volume<uint16_t>& v) {
  const auto& s = v.shape();
  at::Tensor t = at::empty({s.z, s.y, s.x}, at::kInt);
  int32_t* d = t.data_ptr<int32_t>();
  for (size_t i = 0; i < v.size(); ++i) d[i] = v.data()[i];
  return t;
}
at::Tensor to_tensor(const AnyVolume& v) {
  return v.visit([](const auto& x) { return to_tensor(x); });
}

Volume<float> volume_from_tensor(const at::Tensor& t, Vec3 spacing, Vec3 origin) {
  at::Tensor x = t;
  while (x.dim() > 3 && x.size(0) == 1) x = x.squeeze(0);
  if (x.dim() != 3) throw Error("expected a 3D tensor, got " + std::to_string(t.dim()) + " dimensions");
  x = x.to(at::kCPU, at::kFloat).contiguous();
  auto owner = std::make_shared<at::Tensor>(x);
  return Volume<float>::wrap({x.size(0), x.size(1), x.size(2)}, owner->data_ptr<float>(), owner, spacing,
                             origin);
}

}  // namespace tomopick
