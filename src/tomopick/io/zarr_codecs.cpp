#include "tomopick/io/zarr_codecs.h"

#include <blosc.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <sstream>
#include <vector>

#include "tomopick/core/error.h"

namespace tomopick {

namespace {

std::once_flag g_blosc_once;
void blosc_setup() {
  // The context API needs no global state, but blosc_init sets up its compressor table once.
  std::call_once(g_blosc_once, [] { blosc_init(); });
}

int blosc_shuffle_mode(int shuffle, size_t typesize) {
  if (shuffle == -1) return typesize == 1 ? BLOSC_BITSHUFFLE : BLOSC_SHUFFLE;  // numcodecs AUTOSHUFFLE
  return shuffle;
}

void inflate_into(std::string_view in, char* out, size_t expected, int window_bits, const std::filesystem::path& f,
                  const char* what) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) throw Error(f, std::string(what) + ": cannot start decoder");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out);
  zs.avail_out = uInt(expected);
  int rc = inflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  // More output than expected leaves avail_out == 0 without Z_STREAM_END.
  unsigned char probe;
  if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
    zs.next_out = &probe;
    zs.avail_out = 1;
    rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    throw Error(f, std::string(what) + ": chunk decodes to more than the expected " + std::to_string(expected) +
                       " bytes");
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END)
    throw Error(f, std::string(what) + ": corrupt or truncated chunk (" + (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) +
                       ")");
  if (produced != expected)
    throw Error(f, std::string(what) + ": chunk decodes to " + std::to_string(produced) + " bytes, expected " +
                       std::to_string(expected));
}

std::string deflate_all(std::string_view raw, int level, int window_bits) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("zlib: cannot start encoder");
  std::string out(deflateBound(&zs, uLong(raw.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = uInt(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw Error("zlib: compression failed");
  out.resize(n);
  return out;
}

}  // namespace

std::string Codec::describe() const {
  std::ostringstream s;
  if (id == "blosc") {
    s << "blosc-" << cname << " level " << level << ", "
      << (shuffle == 0 ? "no shuffle" : shuffle == 1 ? "byte shuffle" : shuffle == 2 ? "bit shuffle" : "auto shuffle");
  } else if (id == "none") {
    s << "uncompressed";
  } else {
    s << id << " level " << level;
  }
  return s.str();
}

Codec parse_codec_spec(const std::string& spec) {
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : spec) {
    if (ch == ':') { parts.push_back(cur); cur.clear(); } else cur += ch;
  }
  parts.push_back(cur);
  const std::string head = parts[0];
  Codec c;
  auto bad = [&](const std::string& why) {
    return Error("bad compressor '" + spec + "': " + why +
                 " (examples: none, zlib:6, gzip:6, zstd:3, blosc, blosc-zstd:5, blosc-lz4:5:bitshuffle)");
  };
  auto parse_level = [&](const std::string& s, int lo, int hi) {
    try {
      size_t pos = 0;
      const int v = std::stoi(s, &pos);
      if (pos != s.size() || v < lo || v > hi) throw 0;
      return v;
    } catch (...) {
      throw bad("level '" + s + "' must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    }
  };
  if (head == "none") {
    c.id = "none";
    if (parts.size() > 1) throw bad("'none' takes no level");
    return c;
  }
  if (head == "zlib" || head == "gzip" || head == "zstd") {
    c.id = head;
    c.level = head == "zstd" ? 3 : 6;
    if (parts.size() > 2) throw bad("too many fields");
    if (parts.size() == 2) c.level = head == "zstd" ? parse_level(parts[1], -131072, 22) : parse_level(parts[1], 0, 9);
    return c;
  }
  if (head.rfind("blosc", 0) == 0) {
    c.id = "blosc";
    if (head.size() > 5) {
      if (head[5] != '-') throw bad("unknown codec");
      c.cname = head.substr(6);
    }
    static const std::vector<std::string> inner = {"lz4", "lz4hc", "zstd", "zlib", "blosclz", "snappy"};
    if (std::find(inner.begin(), inner.end(), c.cname) == inner.end()) throw bad("unknown blosc compressor '" + c.cname + "'");
    if (parts.size() > 3) throw bad("too many fields");
    if (parts.size() >= 2) c.level = parse_level(parts[1], 0, 9);
    if (parts.size() == 3) {
      if (parts[2] == "noshuffle") c.shuffle = 0;
      else if (parts[2] == "shuffle") c.shuffle = 1;
      else if (parts[2] == "bitshuffle") c.shuffle = 2;
      else throw bad("shuffle must be noshuffle, shuffle or bitshuffle");
    }
    return c;
  }
  throw bad("unknown codec");
}

void decode_chunk_into(const Codec& c, std::string_view in, char* out, size_t expected, const std::filesystem::path& f) {
  if (c.id == "none") {
    if (in.size() != expected)
      throw Error(f, "uncompressed chunk has " + std::to_string(in.size()) + " bytes, expected " + std::to_string(expected));
    std::memcpy(out, in.data(), expected);
    return;
  }
  if (c.id == "blosc") {
    blosc_setup();
    if (in.size() < BLOSC_MIN_HEADER_LENGTH) throw Error(f, "blosc: chunk too short for a blosc header (truncated?)");
    size_t nbytes = 0, cbytes = 0, blocksize = 0;
    blosc_cbuffer_sizes(in.data(), &nbytes, &cbytes, &blocksize);
    if (cbytes != in.size())
      throw Error(f, "blosc: header says " + std::to_string(cbytes) + " compressed bytes, file has " +
                         std::to_string(in.size()) + " (truncated or corrupt chunk)");
    if (nbytes != expected)
      throw Error(f, "blosc: chunk decodes to " + std::to_string(nbytes) + " bytes, expected " + std::to_string(expected));
    const int n = blosc_decompress_ctx(in.data(), out, expected, 1);
    if (n < 0 || size_t(n) != expected) throw Error(f, "blosc: corrupt chunk (decoder returned " + std::to_string(n) + ")");
    return;
  }
  if (c.id == "zstd") {
    const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR) throw Error(f, "zstd: not a zstd frame (corrupt chunk)");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != expected)
      throw Error(f, "zstd: chunk decodes to " + std::to_string(declared) + " bytes, expected " + std::to_string(expected));
    const size_t n = ZSTD_decompress(out, expected, in.data(), in.size());
    if (ZSTD_isError(n)) throw Error(f, std::string("zstd: corrupt or truncated chunk (") + ZSTD_getErrorName(n) + ")");
    if (n != expected)
      throw Error(f, "zstd: chunk decodes to " + std::to_string(n) + " bytes, expected " + std::to_string(expected));
    return;
  }
  if (c.id == "zlib") return inflate_into(in, out, expected, 15, f, "zlib");
  if (c.id == "gzip") return inflate_into(in, out, expected, 16 + 15, f, "gzip");
  throw Error(f, "unsupported compressor '" + c.id + "'");
}

std::string decode_chunk(const Codec& c, std::string_view in, size_t expected, const std::filesystem::path& f) {
  std::string out(expected, '\0');
  decode_chunk_into(c, in, out.data(), expected, f);
  return out;
}

std::string encode_chunk(const Codec& c, std::string_view raw, size_t typesize) {
  if (c.id == "none") return std::string(raw);
  if (c.id == "blosc") {
    blosc_setup();
    std::string out(raw.size() + BLOSC_MAX_OVERHEAD, '\0');
    const int n = blosc_compress_ctx(c.level, blosc_shuffle_mode(c.shuffle, typesize), typesize, raw.size(), raw.data(),
                                     out.data(), out.size(), c.cname.c_str(), size_t(c.blocksize), 1);
    if (n <= 0) throw Error("blosc: compression with '" + c.cname + "' failed (" + std::to_string(n) + ")");
    out.resize(size_t(n));
    return out;
  }
  if (c.id == "zstd") {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), c.level);
    if (ZSTD_isError(n)) throw Error(std::string("zstd: compression failed: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
  }
  if (c.id == "zlib") return deflate_all(raw, c.level, 15);
  if (c.id == "gzip") return deflate_all(raw, c.level, 16 + 15);
  throw Error("unsupported compressor '" + c.id + "'");
}

}  // namespace tomopick
