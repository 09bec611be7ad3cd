#pragma once
// Base64 (RFC 4648, with padding), for images embedded as data: URIs.
#include <string>
#include <string_view>

namespace tomopick {

std::string base64_encode(std::string_view bytes);
// Whitespace is ignored; any other character outside the alphabet, or a bad length, is an Error.
std::string base64_decode(std::string_view text);
// "data:<mime>;base64,<...>"
std::string data_uri(std::string_view mime, std::string_view bytes);

}  // namespace tomopick
