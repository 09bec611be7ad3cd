#pragma once
// IEEE 754 binary16 used as a storage type (zarr "<f2", MRC mode 12). Arithmetic happens in float.
#include <cstdint>
#include <cstring>

namespace tomopick {

struct Float16 {
  uint16_t bits = 0;

  Float16() = default;
  explicit Float16(float f) : bits(from_float(f)) {}
  explicit operator float() const { return to_float(bits); }
  static Float16 from_bits(uint16_t b) { Float16 h; h.bits = b; return h; }
  friend bool operator==(Float16 a, Float16 b) { return a.bits == b.bits; }

  static float to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t out;
    if (exp == 0) {
      if (mant == 0) {
        out = sign;
      } else {  // subnormal: normalise
        int e = -1;
        do { ++e; mant <<= 1; } while ((mant & 0x400u) == 0);
        out = sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3ffu) << 13;
      }
    } else if (exp == 0x1f) {
      out = sign | 0x7f800000u | mant << 13;  // inf / nan (payload kept)
    } else {
      out = sign | (exp + 127 - 15) << 23 | mant << 13;
    }
    float f;
    std::memcpy(&f, &out, 4);
    return f;
  }

  // Round to nearest even, as numpy's float32 -> float16 cast does.
  static uint16_t from_float(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
    const uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) {  // inf or nan
      return uint16_t(sign | 0x7c00u | (absx > 0x7f800000u ? (0x200u | ((absx >> 13) & 0x3ffu)) : 0u));
    }
    if (absx >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to >= 65520: overflow to inf
    if (absx < 0x38800000u) {  // below the smallest normal half: subnormal or zero
      if (absx < 0x33000000u) return sign;  // < 2^-25 rounds to zero
      // value = m * 2^(e-150); a half subnormal is k * 2^-24, so k = m >> (126 - e), rounded.
      const uint32_t e = absx >> 23;
      const uint32_t m = (absx & 0x7fffffu) | 0x800000u;
      const uint32_t shift = 126 - e;
      uint32_t result = m >> shift;
      const uint32_t rem = m & ((1u << shift) - 1u);
      const uint32_t halfway = 1u << (shift - 1);
      if (rem > halfway || (rem == halfway && (result & 1u))) ++result;
      return uint16_t(sign | result);
    }
    uint32_t result = ((absx >> 23) - 127 + 15) << 10 | ((absx >> 13) & 0x3ffu);
    const uint32_t rem = absx & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (result & 1u))) ++result;  // carries into exponent correctly
    return uint16_t(sign | result);
  }
};

}  // namespace tomopick
