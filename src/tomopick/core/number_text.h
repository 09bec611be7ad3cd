#pragma once
// Numbers in messages and logs: the shortest text with `precision` significant digits (%g style).
#include <sstream>
#include <string>

namespace tomopick {

inline std::string number_text(double v, int precision = 6) {
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

}  // namespace tomopick
