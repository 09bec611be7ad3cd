#pragma once
// The element types a tomogram may be stored in, and the mapping from C++ types to them.
#include <cstdint>
#include <string>
#include <limits>
#include <type_traits>

#include "tomopick/core/float16.h"

namespace tomopick {

enum class DType { u8, i8, i16, u16, f16, f32 };

inline size_t dtype_size(DType t) {
  switch (t) {
    case DType::u8: case DType::i8: return 1;
    case DType::i16: case DType::u16: case DType::f16: return 2;
    case DType::f32: return 4;
  }
  return 0;
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::u8: return "uint8";
    case DType::i8: return "int8";
    case DType::i16: return "int16";
    case DType::u16: return "uint16";
    case DType::f16: return "float16";
    case DType::f32: return "float32";
  }
  return "?";
}

// Parses "float32", "f4", "uint8", ... (the names the CLI accepts). Throws tomopick::Error.
DType parse_dtype(const std::string& name);

template <class T> struct dtype_of;
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::u8; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::i8; };
template <> struct dtype_of<int16_t> { static constexpr DType value = DType::i16; };
template <> struct dtype_of<uint16_t> { static constexpr DType value = DType::u16; };
template <> struct dtype_of<Float16> { static constexpr DType value = DType::f16; };
template <> struct dtype_of<float> { static constexpr DType value = DType::f32; };

template <class T> inline float to_float(T v) { return static_cast<float>(v); }
template <> inline float to_float<Float16>(Float16 v) { return static_cast<float>(v); }

// float -> T with rounding and saturation for integer types (NaN becomes 0).
template <class T> inline T from_float(float v) {
  if constexpr (std::is_same_v<T, float>) {
    return v;
  } else if constexpr (std::is_same_v<T, Float16>) {
    return Float16(v);
  } else {
    if (!(v == v)) return T(0);
    constexpr float lo = float(std::numeric_limits<T>::min());
    constexpr float hi = float(std::numeric_limits<T>::max());
    float r = v < lo ? lo : (v > hi ? hi : v);
    r = r >= 0 ? r + 0.5f : r - 0.5f;
    return static_cast<T>(static_cast<long>(r));
  }
}

// Calls f(T{}) with T the C++ type of dtype t.
template <class F> decltype(auto) visit_dtype(DType t, F&& f) {
  switch (t) {
    case DType::u8: return f(uint8_t{});
    case DType::i8: return f(int8_t{});
    case DType::i16: return f(int16_t{});
    case DType::u16: return f(uint16_t{});
    case DType::f16: return f(Float16{});
    case DType::f32: break;
  }
  return f(float{});
}

}  // namespace tomopick
