#include "tomopick/report/png.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <cstring>
#include <memory>

#include "tomopick/core/atomic_file.h"

namespace tomopick {

namespace {

void append(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

}  // namespace

std::string encode_png(const RgbImage& img) {
  if (img.width <= 0 || img.height <= 0) throw Error("cannot encode an empty image as PNG");
  if (img.width > (1 << 30) / 3 || img.height > (1 << 30)) throw Error("image too large for PNG encoding");
  std::string out;
  if (!stbi_write_png_to_func(append, &out, int(img.width), int(img.height), 3, img.pixels.data(), int(img.width * 3)))
    throw Error("PNG encoding failed");
  return out;
}

void write_png(const std::filesystem::path& path, const RgbImage& img) { write_file_atomic(path, encode_png(img)); }

RgbImage decode_png(std::string_view bytes, const std::string& what) {
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kSignature, 8) != 0) throw Error(what + ": not a PNG (bad signature)");
  int w = 0, h = 0, n = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> p(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), int(bytes.size()), &w, &h, &n, 3), stbi_image_free);
  if (!p) throw Error(what + ": cannot decode the PNG (" + std::string(stbi_failure_reason()) + ")");
  RgbImage img(w, h);
  std::memcpy(img.pixels.data(), p.get(), img.pixels.size());
  return img;
}

}  // namespace tomopick
