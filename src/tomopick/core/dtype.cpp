#include "tomopick/core/dtype.h"

#include "tomopick/core/error.h"

namespace tomopick {

DType parse_dtype(const std::string& name) {
  if (name == "float32" || name == "f4" || name == "float") return DType::f32;
  if (name == "float16" || name == "f2" || name == "half") return DType::f16;
  if (name == "uint8" || name == "u1") return DType::u8;
  if (name == "int8" || name == "i1") return DType::i8;
  if (name == "int16" || name == "i2") return DType::i16;
  if (name == "uint16" || name == "u2") return DType::u16;
  throw Error("unknown data type '" + name + "' (expected float32, float16, uint8, int8, int16 or uint16)");
}

}  // namespace tomopick
