#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "tomopick/core/torch_bridge.h"

using namespace tomopick;

TEST(TorchBridge, ToTensorSharesMemoryAndOutlivesTheVolume) {
  at::Tensor t;
  {
    Volume<float> v({2, 3, 4}, {5, 5, 5});
    v(1, 2, 3) = 7.f;
    t = to_tensor(v);
    EXPECT_EQ(t.data_ptr<float>(), v.data());  // no copy
    EXPECT_EQ(t.sizes(), (at::IntArrayRef{2, 3, 4}));
    t[0][0][0] = 3.f;
    EXPECT_EQ(v(0, 0, 0), 3.f);  // writes through
  }
  // the volume is gone; the tensor still owns the memory
  EXPECT_EQ(t[1][2][3].item<float>(), 7.f);
}

TEST(TorchBridge, EveryDtypeMapsToTheRightScalarType) {
  EXPECT_EQ(to_tensor(Volume<Float16>({1, 1, 2})).scalar_type(), at::kHalf);
  EXPECT_EQ(to_tensor(Volume<uint8_t>({1, 1, 2})).scalar_type(), at::kByte);
  EXPECT_EQ(to_tensor(Volume<int8_t>({1, 1, 2})).scalar_type(), at::kChar);
  EXPECT_EQ(to_tensor(Volume<int16_t>({1, 1, 2})).scalar_type(), at::kShort);
  Volume<uint16_t> u({1, 1, 2});
  u.data()[1] = 65535;
  const at::Tensor tu = to_tensor(u);  // no uint16 in LibTorch 1.13: widened
  EXPECT_EQ(tu.scalar_type(), at::kInt);
  EXPECT_EQ(tu[0][0][1].item<int>(), 65535);
  Volume<Float16> h({1, 1, 1});
  h.data()[0] = Float16(1.5f);
  EXPECT_EQ(to_tensor(AnyVolume(h)).to(at::kFloat).item<float>(), 1.5f);
}

TEST(TorchBridge, VolumeFromTensorAdoptsContiguousFloatWithoutCopy) {
  at::Tensor t = at::arange(24, at::kFloat).reshape({1, 1, 2, 3, 4});
  const Volume<float> v = volume_from_tensor(t, {2, 2, 2});
  EXPECT_EQ(v.shape(), (Shape3{2, 3, 4}));
  EXPECT_EQ(v.data(), t.data_ptr<float>());
  EXPECT_EQ(v(1, 2, 3), 23.f);
  EXPECT_DOUBLE_EQ(v.spacing().x, 2.0);
  // a transposed (non-contiguous) double tensor is converted, values in z,y,x order
  at::Tensor d = at::arange(24, at::kDouble).reshape({4, 3, 2}).permute({2, 1, 0});
  const Volume<float> w = volume_from_tensor(d);
  EXPECT_EQ(w.shape(), (Shape3{2, 3, 4}));
  EXPECT_EQ(w(1, 2, 3), float(d[1][2][3].item<double>()));
  EXPECT_THROW(volume_from_tensor(at::zeros({2, 2})), Error);
}
