#include "tomopick/io/slice_stack.h"

#include <stb_image.h>
#include <stb_image_write.h>
#include <tiffio.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>

#include "tomopick/core/ascii.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

namespace {

enum class Format { jpeg, png, tiff };

const char* format_name(Format f) {
  switch (f) {
    case Format::jpeg: return "JPEG";
    case Format::png: return "PNG";
    case Format::tiff: return "TIFF";
  }
  return "?";
}

std::optional<Format> format_of(const fs::path& p) {
  const std::string e = ascii_lower(p.extension().string());
  if (e == ".jpg" || e == ".jpeg") return Format::jpeg;
  if (e == ".png") return Format::png;
  if (e == ".tif" || e == ".tiff") return Format::tiff;
  return std::nullopt;
}

// Natural order: runs of digits compare by value, everything else byte by byte.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])), db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      size_t is = i, js = j;  // skip leading zeros
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.compare(is, ie - is, b, js, je - js);
      if (c != 0) return c < 0;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // e.g. "slice_1" vs "slice_01": any fixed order
}

// The last run of digits in a file's stem, if any (and if it fits).
std::optional<long long> slice_number(const fs::path& p) {
  const std::string s = p.stem().string();
  size_t e = s.size();
  while (e > 0 && !std::isdigit(static_cast<unsigned char>(s[e - 1]))) --e;
  if (e == 0) return std::nullopt;
  size_t b = e;
  while (b > 0 && std::isdigit(static_cast<unsigned char>(s[b - 1]))) --b;
  if (e - b > 15) return std::nullopt;
  return std::stoll(s.substr(b, e - b));
}

// ---------------------------------------------------------------------------------------------
// Decoding

struct Decoded {
  int64_t width = 0, height = 0;
  DType dtype = DType::u8;
  std::vector<unsigned char> pixels;  // height * width elements of dtype, host byte order
};

template <class T>
T opaque_alpha() {
  if constexpr (std::is_same_v<T, float>) return 1.0f;
  else return std::numeric_limits<T>::max();
}

template <class T>
std::string value_str(T v) {
  if constexpr (std::is_same_v<T, float>) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", double(v));
    return buf;
  } else {
    return std::to_string(int64_t(v));
  }
}

// Interleaved samples with `n` channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) -> grey. Colour is
// accepted only when R == G == B everywhere, alpha only when fully opaque.
template <class T>
void to_grey(const T* src, int64_t width, int64_t height, int n, T* dst, const fs::path& file) {
  const int64_t npix = width * height;
  if (n == 1) {
    std::memcpy(dst, src, size_t(npix) * sizeof(T));
    return;
  }
  if (n < 1 || n > 4) throw Error(file, "image has " + std::to_string(n) + " channels; expected grey");
  const bool alpha = n == 2 || n == 4;
  const int colours = alpha ? n - 1 : n;
  for (int64_t i = 0; i < npix; ++i) {
    const T* p = src + i * n;
    if (colours == 3 && !(p[0] == p[1] && p[1] == p[2]))
      throw Error(file, "colour image (pixel x=" + std::to_string(i % width) + ", y=" + std::to_string(i / width) +
                            " has R, G, B = " + value_str(p[0]) + ", " + value_str(p[1]) + ", " + value_str(p[2]) +
                            "); only grey slices are supported");
    if (alpha && !(p[n - 1] == opaque_alpha<T>()))
      throw Error(file, "image has transparent pixels (x=" + std::to_string(i % width) +
                            ", y=" + std::to_string(i / width) + "); only opaque grey slices are supported");
    dst[i] = p[0];
  }
}

Decoded decode_stb(const fs::path& file, Format fmt) {
  const std::string bytes = read_file(file);
  if (bytes.size() > size_t(INT_MAX)) throw Error(file, "image file too large");
  const auto* buf = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int len = int(bytes.size());
  int w = 0, h = 0, n = 0;
  Decoded d;
  auto fail = [&]() {
    const char* why = stbi_failure_reason();
    return Error(file, std::string("cannot decode ") + format_name(fmt) + ": " + (why ? why : "unknown error"));
  };
  if (stbi_is_16_bit_from_memory(buf, len)) {
    std::unique_ptr<stbi_us, void (*)(void*)> p(stbi_load_16_from_memory(buf, len, &w, &h, &n, 0), stbi_image_free);
    if (!p) throw fail();
    d = {w, h, DType::u16, std::vector<unsigned char>(size_t(w) * size_t(h) * 2)};
    to_grey(p.get(), w, h, n, reinterpret_cast<uint16_t*>(d.pixels.data()), file);
  } else {
    std::unique_ptr<stbi_uc, void (*)(void*)> p(stbi_load_from_memory(buf, len, &w, &h, &n, 0), stbi_image_free);
    if (!p) throw fail();
    d = {w, h, DType::u8, std::vector<unsigned char>(size_t(w) * size_t(h))};
    to_grey(p.get(), w, h, n, d.pixels.data(), file);
  }
  return d;
}

// libtiff reports through callbacks; these collect the text for the Error (and keep stderr quiet).
int tiff_error_handler(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  auto* s = static_cast<std::string*>(user);
  if (s->empty()) *s = buf;
  (void)module;
  return 1;
}
int tiff_quiet_handler(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffHandle {
  TIFF* tif = nullptr;
  std::string error;
  ~TiffHandle() {
    if (tif) TIFFClose(tif);
  }
  // Returns false (with `error`) on failure. `this` must not move while open (handlers point here).
  bool open(const fs::path& file, const char* mode) {
    TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
    TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_error_handler, &error);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_quiet_handler, nullptr);
    tif = TIFFOpenExt(file.c_str(), mode, opts);
    TIFFOpenOptionsFree(opts);
    return tif != nullptr;
  }
  std::string why(const std::string& fallback) const { return error.empty() ? fallback : error; }
};

DType tiff_dtype(uint16_t bps, uint16_t fmt, const fs::path& file) {
  if (fmt == SAMPLEFORMAT_UINT && bps == 8) return DType::u8;
  if (fmt == SAMPLEFORMAT_INT && bps == 8) return DType::i8;
  if (fmt == SAMPLEFORMAT_UINT && bps == 16) return DType::u16;
  if (fmt == SAMPLEFORMAT_INT && bps == 16) return DType::i16;
  if (fmt == SAMPLEFORMAT_IEEEFP && bps == 16) return DType::f16;
  if (fmt == SAMPLEFORMAT_IEEEFP && bps == 32) return DType::f32;
  const char* kind = fmt == SAMPLEFORMAT_UINT ? "unsigned integer"
                     : fmt == SAMPLEFORMAT_INT ? "signed integer"
                     : fmt == SAMPLEFORMAT_IEEEFP ? "float"
                                                 : "unknown-format";
  throw Error(file, "TIFF samples are " + std::to_string(bps) + "-bit " + kind +
                        "; supported: 8/16-bit integers, 16/32-bit floats");
}

Decoded decode_tiff(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw Error(file, "no such file");
  TiffHandle t;
  if (!t.open(file, "r")) throw Error(file, "cannot read TIFF: " + t.why("open failed"));
  TIFF* tif = t.tif;
  if (TIFFNumberOfDirectories(tif) > 1)
    throw Error(file, "multi-page TIFF (" + std::to_string(TIFFNumberOfDirectories(tif)) +
                          " pages); expected one slice per file");
  uint32_t w = 0, h = 0;
  uint16_t bps = 1, spp = 1, fmt = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG, photo = PHOTOMETRIC_MINISBLACK;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo)) photo = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  if (w == 0 || h == 0) throw Error(file, "TIFF has no pixels");
  const DType dtype = tiff_dtype(bps, fmt, file);
  if (photo == PHOTOMETRIC_MINISWHITE) throw Error(file, "TIFF is min-is-white; only min-is-black grey is supported");
  if (photo == PHOTOMETRIC_PALETTE) throw Error(file, "palette TIFF; only grey slices are supported");
  if (photo != PHOTOMETRIC_MINISBLACK && photo != PHOTOMETRIC_RGB)
    throw Error(file, "TIFF photometric interpretation " + std::to_string(photo) + " is not supported (grey or RGB only)");
  if (spp < 1 || spp > 4) throw Error(file, "TIFF has " + std::to_string(spp) + " samples per pixel");
  if (spp > 1 && planar != PLANARCONFIG_CONTIG) throw Error(file, "planar (separate-channel) colour TIFF is not supported");
  const size_t esz = dtype_size(dtype);
  check_shape({1, int64_t(h), int64_t(w) * spp}, esz, file.string());

  const size_t row_bytes = size_t(w) * spp * esz;
  std::vector<unsigned char> raw(row_bytes * h);
  if (TIFFIsTiled(tif)) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    if (tw == 0 || th == 0) throw Error(file, "tiled TIFF with zero tile size");
    std::vector<unsigned char> tile(size_t(TIFFTileSize(tif)));
    const size_t tile_row = size_t(tw) * spp * esz;
    for (uint32_t y0 = 0; y0 < h; y0 += th)
      for (uint32_t x0 = 0; x0 < w; x0 += tw) {
        if (TIFFReadTile(tif, tile.data(), x0, y0, 0, 0) < 0)
          throw Error(file, "cannot read TIFF tile: " + t.why("read failed"));
        const uint32_t cw = std::min(tw, w - x0), ch = std::min(th, h - y0);
        for (uint32_t y = 0; y < ch; ++y)
          std::memcpy(raw.data() + (y0 + y) * row_bytes + size_t(x0) * spp * esz, tile.data() + y * tile_row,
                      size_t(cw) * spp * esz);
      }
  } else {
    if (size_t(TIFFScanlineSize(tif)) < row_bytes) throw Error(file, "unexpected TIFF scanline size");
    std::vector<unsigned char> line(size_t(TIFFScanlineSize(tif)));
    for (uint32_t y = 0; y < h; ++y) {
      if (TIFFReadScanline(tif, line.data(), y, 0) < 0)
        throw Error(file, "cannot read TIFF row " + std::to_string(y) + ": " + t.why("read failed"));
      std::memcpy(raw.data() + y * row_bytes, line.data(), row_bytes);
    }
  }

  Decoded d{w, h, dtype, std::vector<unsigned char>(size_t(w) * h * esz)};
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, Float16>) {  // compare bit patterns
      to_grey(reinterpret_cast<const uint16_t*>(raw.data()), w, h, spp, reinterpret_cast<uint16_t*>(d.pixels.data()), file);
    } else {
      to_grey(reinterpret_cast<const T*>(raw.data()), w, h, spp, reinterpret_cast<T*>(d.pixels.data()), file);
    }
  });
  return d;
}

Decoded decode_slice(const fs::path& file, Format fmt) {
  return fmt == Format::tiff ? decode_tiff(file) : decode_stb(file, fmt);
}

// ---------------------------------------------------------------------------------------------
// Encoding

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(file, std::string("cannot write: ") + std::strerror(errno));
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) throw Error(file, "write failed");
}

void stb_append(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

// Baseline JPEG with ONE grey component (JFIF; ITU T.81, the standard Huffman tables of Annex K and
// the IJG quality scaling). stb_image_write always writes three YCbCr components, so grey slices
// would open as RGB elsewhere; the Kaggle stacks are single-component grey JPEGs, and so are ours.
class GreyJpegEncoder {
public:
  static std::string encode(const uint8_t* px, int width, int height, int quality) {
    GreyJpegEncoder e;
    e.run(px, width, height, quality);
    return std::move(e.out_);
  }

private:
  static constexpr uint8_t kZigzag[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                          12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                          35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                          58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
  static constexpr uint8_t kLumaQuant[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                                             14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                                             18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                                             49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
  static constexpr uint8_t kDcBits[16] = {0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
  static constexpr uint8_t kDcVals[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  static constexpr uint8_t kAcBits[16] = {0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d};
  static constexpr uint8_t kAcVals[162] = {
      0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
      0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
      0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
      0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
      0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
      0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
      0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
      0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
      0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa};

  struct Code {
    uint16_t bits = 0;
    uint8_t len = 0;
  };

  // Canonical Huffman codes from the (bits, values) lists (T.81 Annex C).
  static void make_codes(const uint8_t* bits, const uint8_t* vals, Code* table) {
    int code = 0, k = 0;
    for (int len = 1; len <= 16; ++len) {
      for (int i = 0; i < bits[len - 1]; ++i) table[vals[k++]] = {uint16_t(code++), uint8_t(len)};
      code <<= 1;
    }
  }

  void byte(int b) { out_.push_back(char(b)); }
  void word(int w) {
    byte(w >> 8);
    byte(w & 0xff);
  }
  void put_bits(uint32_t value, int len) {
    acc_ = (acc_ << len) | (value & ((1u << len) - 1u));
    nacc_ += len;
    while (nacc_ >= 8) {
      const int b = int((acc_ >> (nacc_ - 8)) & 0xff);
      byte(b);
      if (b == 0xff) byte(0);  // byte stuffing
      nacc_ -= 8;
    }
  }
  void put(const Code& c) { put_bits(c.bits, c.len); }
  // Magnitude category and the bits that follow it (negative values as value - 1, low bits).
  void put_value(int v) {
    const int a = v < 0 ? -v : v;
    int size = 0;
    while ((a >> size) != 0) ++size;
    if (size > 0) put_bits(uint32_t(v < 0 ? v - 1 : v), size);
  }
  static int category(int v) {
    int a = v < 0 ? -v : v, size = 0;
    while ((a >> size) != 0) ++size;
    return size;
  }

  void run(const uint8_t* px, int width, int height, int quality) {
    quality = std::clamp(quality, 1, 100);
    const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    int q[64];
    for (int i = 0; i < 64; ++i) q[i] = std::clamp((kLumaQuant[i] * scale + 50) / 100, 1, 255);
    Code dc[12], ac[256];
    make_codes(kDcBits, kDcVals, dc);
    make_codes(kAcBits, kAcVals, ac);
    double cosines[8][8];  // C(u)/2 cos((2x+1) u pi / 16)
    for (int u = 0; u < 8; ++u)
      for (int x = 0; x < 8; ++x)
        cosines[u][x] = (u == 0 ? std::sqrt(0.5) : 1.0) * 0.5 * std::cos((2 * x + 1) * u * std::numbers::pi / 16.0);

    auto bytes = [this](std::initializer_list<int> bs) {
      for (int b : bs) byte(b);
    };
    word(0xffd8);  // SOI
    word(0xffe0);  // APP0: JFIF 1.1, no units, 1:1 aspect, no thumbnail
    word(16);
    bytes({'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0});
    word(0xffdb);  // DQT: table 0, 8-bit entries, zigzag order
    word(67);
    byte(0);
    for (int k = 0; k < 64; ++k) byte(q[kZigzag[k]]);
    word(0xffc0);  // SOF0: 8-bit, height, width, one component (id 1, 1x1 sampling, table 0)
    word(11);
    byte(8);
    word(height);
    word(width);
    bytes({1, 1, 0x11, 0});
    word(0xffc4);  // DHT: DC table 0, AC table 0
    word(2 + 17 + 12 + 17 + 162);
    byte(0x00);
    for (uint8_t b : kDcBits) byte(b);
    for (uint8_t v : kDcVals) byte(v);
    byte(0x10);
    for (uint8_t b : kAcBits) byte(b);
    for (uint8_t v : kAcVals) byte(v);
    word(0xffda);  // SOS: one component, tables 0/0, spectral 0..63, no approximation
    word(8);
    bytes({1, 1, 0x00, 0, 63, 0});

    int prev_dc = 0;
    double block[8][8], tmp[8][8];
    for (int by = 0; by < height; by += 8) {
      for (int bx = 0; bx < width; bx += 8) {
        for (int y = 0; y < 8; ++y)  // edge blocks repeat the last row / column
          for (int x = 0; x < 8; ++x)
            block[y][x] = double(px[size_t(std::min(by + y, height - 1)) * size_t(width) + size_t(std::min(bx + x, width - 1))]) - 128.0;
        for (int y = 0; y < 8; ++y)  // DCT along rows, then columns
          for (int u = 0; u < 8; ++u) {
            double s = 0;
            for (int x = 0; x < 8; ++x) s += cosines[u][x] * block[y][x];
            tmp[y][u] = s;
          }
        int coef[64];
        for (int v = 0; v < 8; ++v)
          for (int u = 0; u < 8; ++u) {
            double s = 0;
            for (int y = 0; y < 8; ++y) s += cosines[v][y] * tmp[y][u];
            coef[v * 8 + u] = std::clamp(int(std::lround(s / q[v * 8 + u])), -1023, 1023);
          }
        const int diff = coef[0] - prev_dc;
        prev_dc = coef[0];
        put(dc[category(diff)]);
        put_value(diff);
        int zeros = 0;
        for (int k = 1; k < 64; ++k) {
          const int c = coef[kZigzag[k]];
          if (c == 0) {
            ++zeros;
            continue;
          }
          for (; zeros > 15; zeros -= 16) put(ac[0xf0]);  // ZRL
          put(ac[(zeros << 4) | category(c)]);
          put_value(c);
          zeros = 0;
        }
        if (zeros > 0) put(ac[0x00]);  // EOB
      }
    }
    if (nacc_ > 0) put_bits(0x7f, 8 - nacc_);  // pad with ones
    word(0xffd9);                             // EOI
  }

  std::string out_;
  uint32_t acc_ = 0;
  int nacc_ = 0;
};

template <class T>
void write_tiff_slice(const fs::path& file, const T* data, int64_t width, int64_t height) {
  TiffHandle t;
  if (!t.open(file, "w")) throw Error(file, "cannot write TIFF: " + t.why("open failed"));
  TIFF* tif = t.tif;
  uint16_t fmt = SAMPLEFORMAT_UINT;
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, Float16>) fmt = SAMPLEFORMAT_IEEEFP;
  else if constexpr (std::is_signed_v<T>) fmt = SAMPLEFORMAT_INT;
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(width));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(height));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, uint16_t(sizeof(T) * 8));
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, uint16_t(1));
  TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, fmt);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
  std::vector<T> row(static_cast<size_t>(width));
  for (int64_t y = 0; y < height; ++y) {
    std::copy_n(data + y * width, width, row.data());
    if (TIFFWriteScanline(tif, row.data(), uint32_t(y), 0) < 0)
      throw Error(file, "cannot write TIFF row: " + t.why("write failed"));
  }
  TIFFClose(tif);
  t.tif = nullptr;
  if (!t.error.empty()) throw Error(file, "cannot write TIFF: " + t.error);
}

bool is_image_file(const fs::path& p) { return format_of(p).has_value(); }

}  // namespace

// ---------------------------------------------------------------------------------------------

std::vector<fs::path> list_slice_files(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) throw Error(folder, "no such folder");
  if (!fs::is_directory(folder, ec)) throw Error(folder, "is not a folder (expected a folder of slice images)");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!entry.is_regular_file(ec)) continue;
    if (is_image_file(entry.path())) files.push_back(entry.path());
  }
  if (ec) throw Error(folder, "cannot list folder: " + ec.message());
  if (files.empty()) throw Error(folder, "no slice images (.jpg, .jpeg, .png, .tif, .tiff) in the folder");
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return natural_less(a.filename().string(), b.filename().string());
  });

  const Format f0 = *format_of(files[0]);
  for (const fs::path& f : files)
    if (*format_of(f) != f0)
      throw Error(f, std::string("is ") + format_name(*format_of(f)) + " but " + files[0].filename().string() +
                         " is " + format_name(f0) + "; all slices must have one format");

  // Numbered slices must be consecutive.
  std::vector<std::optional<long long>> nums;
  for (const fs::path& f : files) nums.push_back(slice_number(f));
  const bool any_numbered = std::any_of(nums.begin(), nums.end(), [](const auto& n) { return n.has_value(); });
  if (any_numbered) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (!nums[i]) throw Error(files[i], "has no slice number in its name (the other slices do)");
      if (i == 0) continue;
      if (*nums[i] == *nums[i - 1])
        throw Error(files[i], "has the same slice number as " + files[i - 1].filename().string());
      if (*nums[i] != *nums[i - 1] + 1)
        throw Error(folder, "slice number " + std::to_string(*nums[i - 1] + 1) + " is missing (found " +
                                files[i - 1].filename().string() + " then " + files[i].filename().string() + ")");
    }
  }
  return files;
}

AnyVolume read_slice_stack(const fs::path& folder, Vec3 spacing_A) {
  for (double s : {spacing_A.z, spacing_A.y, spacing_A.x})
    if (!(std::isfinite(s) && s > 0)) throw Error(folder, "voxel spacing must be positive, got " + std::to_string(s));
  const std::vector<fs::path> files = list_slice_files(folder);
  const Format fmt = *format_of(files[0]);
  const int64_t n = int64_t(files.size());

  const Decoded first = decode_slice(files[0], fmt);
  const size_t esz = dtype_size(first.dtype);
  const size_t slice_bytes = size_t(first.width * first.height) * esz;
  const Shape3 shape{n, first.height, first.width};
  try {
    check_shape(shape, esz, "slice stack");
  } catch (const Error& e) {
    throw Error(folder, e.what());
  }
  AnyVolume vol = AnyVolume::make(first.dtype, shape, spacing_A, {});
  auto* base = static_cast<unsigned char*>(vol.raw_data());
  std::memcpy(base, first.pixels.data(), slice_bytes);

  // Decode the rest in parallel; keep every failure so the lowest-numbered one is reported.
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n));
  parallel_for(n - 1, [&](int64_t i) {
    const size_t z = size_t(i + 1);
    try {
      const Decoded d = decode_slice(files[z], fmt);
      if (d.width != first.width || d.height != first.height || d.dtype != first.dtype)
        throw Error(files[z], "slice is " + std::to_string(d.width) + "x" + std::to_string(d.height) + " " +
                                  dtype_name(d.dtype) + " but " + files[0].filename().string() + " is " +
                                  std::to_string(first.width) + "x" + std::to_string(first.height) + " " +
                                  dtype_name(first.dtype) + "; all slices must have the same size and type");
      std::memcpy(base + z * slice_bytes, d.pixels.data(), slice_bytes);
    } catch (...) {
      errors[z] = std::current_exception();
    }
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return vol;
}

void write_slice_stack(const fs::path& folder, const AnyVolume& volume, const std::string& ext_in) {
  std::string ext = ascii_lower(ext_in);
  if (!ext.empty() && ext[0] == '.') ext.erase(0, 1);
  if (ext == "jpeg") ext = "jpg";
  if (ext == "tiff") ext = "tif";
  if (ext != "png" && ext != "jpg" && ext != "tif")
    throw Error(folder, "unknown slice format '" + ext_in + "' (use png, jpg or tif)");
  const DType t = volume.dtype();
  if ((ext == "png" || ext == "jpg") && t != DType::u8)
    throw Error(folder, std::string(ext == "png" ? "PNG" : "JPEG") + " slices are written from uint8 volumes only; this one is " +
                            dtype_name(t) + " (write tif, or convert to uint8 first)");
  const Shape3 s = volume.shape();
  if (s.empty()) throw Error(folder, "cannot write an empty volume (shape " + s.str() + ") as slices");
  if (ext == "jpg" && (s.x > 65535 || s.y > 65535)) throw Error(folder, "JPEG slices are at most 65535 pixels wide and high");
  if (s.x > INT_MAX / 4 || s.y > INT_MAX / 4) throw Error(folder, "slices of " + s.str() + " are too large");

  std::error_code ec;
  if (fs::exists(folder, ec)) {
    if (!fs::is_directory(folder, ec)) throw Error(folder, "exists and is not a folder; not replacing it");
    for (const auto& entry : fs::directory_iterator(folder, ec))
      if (!entry.is_regular_file(ec) || !is_image_file(entry.path()))
        throw Error(folder, "exists and holds " + entry.path().filename().string() +
                                ", which is not a slice image; not replacing it");
  }

  AtomicDir dir(folder);
  const int64_t width = s.x, height = s.y;
  volume.visit([&](const auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    parallel_for(s.z, [&](int64_t z) {
      const std::string name = slice_file_name(z, s.z, ext);
      const fs::path file = dir.path() / name;
      const T* slice = v.data() + z * width * height;
      if constexpr (std::is_same_v<T, uint8_t>) {
        if (ext != "tif") {
          std::string bytes;
          if (ext == "png") {
            if (!stbi_write_png_to_func(stb_append, &bytes, int(width), int(height), 1, slice, int(width)))
              throw Error(folder / name, "PNG encoder failed");
          } else {
            bytes = GreyJpegEncoder::encode(slice, int(width), int(height), 95);
          }
          write_bytes(file, bytes);
          return;
        }
      }
      write_tiff_slice(file, slice, width, height);
    });
  });
  dir.commit();
}

std::string slice_file_name(int64_t z, int64_t count, const std::string& ext) {
  int digits = 4;
  for (int64_t m = count - 1; m >= 10000; m /= 10) ++digits;
  char name[64];
  std::snprintf(name, sizeof name, "slice_%0*lld", digits, static_cast<long long>(z));
  return std::string(name) + "." + ext;
}

}  // namespace tomopick
