#pragma once
// PNG files of RgbImages, in memory (for data: URIs) or on disk (atomically), through stb.
#include <filesystem>
#include <string>
#include <string_view>

#include "tomopick/report/image.h"

namespace tomopick {

std::string encode_png(const RgbImage& img);
void write_png(const std::filesystem::path& path, const RgbImage& img);
// Any PNG (grey, grey+alpha, RGB, RGBA; 8 or 16 bit) as RGB; an Error naming `what` if it is not one.
RgbImage decode_png(std::string_view bytes, const std::string& what = "PNG");

}  // namespace tomopick
