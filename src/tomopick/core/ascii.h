#pragma once
// Case folding for names and keywords the user types (formats, class names, extensions): ASCII only,
// independent of the locale.
#include <string>
#include <string_view>

namespace tomopick {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

}  // namespace tomopick
