#pragma once
// Text made safe for HTML and SVG (element content and quoted attribute values).
#include <string>
#include <string_view>

namespace tomopick {

// & < > " ' as character references.
std::string html_escape(std::string_view s);

}  // namespace tomopick
