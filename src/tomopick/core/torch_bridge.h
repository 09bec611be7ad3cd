#pragma once
// Volume <-> torch tensor. Only files that really talk to LibTorch include this header.
#include <ATen/core/Tensor.h>

#include "tomopick/core/volume.h"

namespace tomopick {

// A [Z, Y, X] CPU tensor over the volume's memory, without copying; the tensor keeps the memory
// alive. uint16 has no torch dtype in LibTorch 1.13, so it is copied into int32.
at::Tensor to_tensor(const Volume<float>& v);
at::Tensor to_tensor(const Volume<Float16>& v);
at::Tensor to_tensor(const Volume<uint8_t>& v);
at::Tensor to_tensor(const Volume<int8_t>& v);
at::Tensor to_tensor(const Volume<int16_t>& v);
at::Tensor to_tensor(const Volume<uint16_t>& v);
at::Tensor to_tensor(const AnyVolume& v);

// A float32 volume from a 3D tensor (or one with leading size-1 dimensions). A contiguous float32
// CPU tensor is adopted without copying; anything else is converted first.
Volume<float> volume_from_tensor(const at::Tensor& t, Vec3 spacing = {1, 1, 1}, Vec3 origin = {});

}  // namespace tomopick
