#include "tomopick/io/zarr_array.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

using json = nlohmann::json;

namespace {

// A single chunk larger than this is refused before allocating: no real store has one.
constexpr int64_t kMaxChunkBytes = int64_t(2) << 30;

void byteswap_inplace(char* p, size_t n, size_t width) {
  if (width == 1) return;
  for (size_t i = 0; i + width <= n; i += width) std::reverse(p + i, p + i + width);
}

bool host_big_endian() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 0;
}

struct DtypeSpec {
  DType dtype;
  bool big_endian;
};

DtypeSpec parse_dtype_string(const std::string& s, const fs::path& file) {
  auto bad = [&] {
    return Error(file, "dtype '" + s + "' is not supported (supported: <f4 <f2 |u1 |i1 <i2 <u2 and their big-endian forms)");
  };
  if (s.size() != 3) throw bad();
  const char order = s[0];
  const std::string t = s.substr(1);
  if (order != '<' && order != '>' && order != '|') throw bad();
  const bool big = order == '>';
  if (t == "f4") return {DType::f32, big};
  if (t == "f2") return {DType::f16, big};
  if (t == "i2") return {DType::i16, big};
  if (t == "u2") return {DType::u16, big};
  if (t == "u1") return {DType::u8, false};
  if (t == "i1") return {DType::i8, false};
  throw bad();
}

std::string dtype_string(DType t) {
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f16: return "<f2";
    case DType::i16: return "<i2";
    case DType::u16: return "<u2";
    case DType::u8: return "|u1";
    case DType::i8: return "|i1";
  }
  return "?";
}

Shape3 parse_triple(const json& j, const char* field, const fs::path& file) {
  if (!j.contains(field)) throw Error(file, std::string("missing '") + field + "'");
  const json& a = j[field];
  if (!a.is_array()) throw Error(file, std::string("'") + field + "' must be a list of integers");
  if (a.size() != 3)
    throw Error(file, std::string("'") + field + "' has " + std::to_string(a.size()) +
                          " dimensions; tomopick reads 3D (z, y, x) arrays");
  int64_t v[3];
  for (int i = 0; i < 3; ++i) {
    if (!a[i].is_number_integer()) throw Error(file, std::string("'") + field + "' must be a list of integers");
    v[i] = a[i].get<int64_t>();
  }
  return {v[0], v[1], v[2]};
}

// An optional string member; any other type is an error naming the member (json::value would throw
// nlohmann's own exception, which names neither the file nor the field).
std::string string_member(const json& j, const char* key, const std::string& def, const fs::path& file,
                          const char* where = "") {
  if (!j.contains(key) || j[key].is_null()) return def;
  if (!j[key].is_string()) throw Error(file, std::string(where) + "'" + key + "' must be a string, got " + j[key].dump());
  return j[key].get<std::string>();
}

Codec parse_compressor(const json& j, const fs::path& file) {
  Codec c;
  if (j.is_null()) {
    c.id = "none";
    return c;
  }
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
    throw Error(file, "'compressor' must be null or an object with an 'id'");
  c.id = j["id"].get<std::string>();
  auto get_int = [&](const char* k, int def) {
    if (!j.contains(k) || j[k].is_null()) return def;
    if (!j[k].is_number_integer() || j[k].get<double>() < -1e6 || j[k].get<double>() > 1e9)
      throw Error(file, std::string("compressor '") + k + "' must be an integer, got " + j[k].dump());
    return j[k].get<int>();
  };
  if (c.id == "blosc") {
    c.cname = string_member(j, "cname", "lz4", file, "compressor ");
    c.level = get_int("clevel", 5);
    c.shuffle = get_int("shuffle", 1);
    c.blocksize = get_int("blocksize", 0);
    if (c.shuffle < -1 || c.shuffle > 2) throw Error(file, "blosc shuffle must be -1, 0, 1 or 2");
  } else if (c.id == "zstd" || c.id == "zlib" || c.id == "gzip") {
    c.level = get_int("level", c.id == "zstd" ? 3 : 1);
  } else {
    throw Error(file, "compressor '" + c.id + "' is not supported (supported: blosc, zstd, zlib, gzip, none)");
  }
  return c;
}

json compressor_json(const Codec& c) {
  if (c.id == "none") return nullptr;
  if (c.id == "blosc")
    return {{"id", "blosc"}, {"cname", c.cname}, {"clevel", c.level}, {"shuffle", c.shuffle}, {"blocksize", c.blocksize}};
  return {{"id", c.id}, {"level", c.level}};
}

double parse_fill(const json& j, DType t, const fs::path& file) {
  if (j.is_null()) return 0.0;
  const bool floating = t == DType::f32 || t == DType::f16;
  if (j.is_number() && floating) {
    // A finite fill beyond the dtype's range would overflow on conversion (undefined behaviour).
    const double v = j.get<double>();
    const double limit = t == DType::f32 ? double(std::numeric_limits<float>::max()) : 65504.0;
    if (!(std::fabs(v) <= limit))
      throw Error(file, "fill_value " + j.dump() + " is outside the range of dtype " + dtype_name(t));
    return v;
  }
  if (j.is_number()) {
    // An integer array's fill value must be one of its values (1e28 would be undefined behaviour to convert).
    double lo = 0, hi = 0;
    switch (t) {
      case DType::u8: lo = 0, hi = 255; break;
      case DType::i8: lo = -128, hi = 127; break;
      case DType::i16: lo = -32768, hi = 32767; break;
      case DType::u16: lo = 0, hi = 65535; break;
      default: break;
    }
    const double v = j.get<double>();
    if (!(v >= lo && v <= hi) || v != std::floor(v))
      throw Error(file, "fill_value " + j.dump() + " is not a value of dtype " + dtype_name(t));
    return v;
  }
  if (j.is_string() && !floating)
    throw Error(file, "fill_value " + j.dump() + " is not a value of integer dtype " + dtype_name(t));
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  throw Error(file, "fill_value must be a number, \"NaN\", \"Infinity\", \"-Infinity\" or null");
}

// Fills a typed buffer with the array's fill value.
void fill_box(AnyVolume& out, double fill) {
  out.visit([&](auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    v.fill(from_float<T>(float(fill)));
  });
}

}  // namespace

std::string ZarrMeta::chunk_key(const Index3& c) const {
  const std::string sep(1, separator);
  return std::to_string(c.z) + sep + std::to_string(c.y) + sep + std::to_string(c.x);
}

std::string ZarrMeta::to_json() const {
  json j;
  j["zarr_format"] = 2;
  j["shape"] = {shape.z, shape.y, shape.x};
  j["chunks"] = {chunks.z, chunks.y, chunks.x};
  std::string dt = dtype_string(dtype);
  if (big_endian && dt[0] == '<') dt[0] = '>';  // describes what the meta was read from, not only what we write
  j["dtype"] = dt;
  j["compressor"] = compressor_json(codec);
  // JSON has no NaN or infinity; zarr spells them as strings.
  if (std::isnan(fill_value)) j["fill_value"] = "NaN";
  else if (std::isinf(fill_value)) j["fill_value"] = fill_value > 0 ? "Infinity" : "-Infinity";
  else if (dtype == DType::f32 || dtype == DType::f16) j["fill_value"] = fill_value;
  else j["fill_value"] = int64_t(fill_value);
  j["filters"] = nullptr;
  j["order"] = "C";
  j["dimension_separator"] = std::string(1, separator);
  return j.dump(4);
}

ZarrMeta parse_zarray(const std::string& text, const fs::path& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(file, std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw Error(file, "expected a JSON object");
  if (!j.contains("zarr_format") || j["zarr_format"] != 2)
    throw Error(file, "not a zarr v2 array (zarr_format must be 2)");
  ZarrMeta m;
  m.shape = parse_triple(j, "shape", file);
  m.chunks = parse_triple(j, "chunks", file);
  if (m.shape.z < 0 || m.shape.y < 0 || m.shape.x < 0) throw Error(file, "negative shape " + m.shape.str());
  if (m.chunks.z <= 0 || m.chunks.y <= 0 || m.chunks.x <= 0) throw Error(file, "chunks must be positive, got " + m.chunks.str());
  if (!j.contains("dtype") || !j["dtype"].is_string()) throw Error(file, "missing or non-string 'dtype'");
  const auto spec = parse_dtype_string(j["dtype"].get<std::string>(), file);
  m.dtype = spec.dtype;
  m.big_endian = spec.big_endian;
  try {
    check_shape(m.shape, dtype_size(m.dtype), "shape");
    check_shape(m.chunks, dtype_size(m.dtype), "chunks");
  } catch (const Error& e) {
    throw Error(file, e.what());
  }
  if (m.chunk_bytes() > kMaxChunkBytes)
    throw Error(file, "chunks " + m.chunks.str() + " are too large (" + std::to_string(m.chunk_bytes()) + " bytes each)");
  m.codec = parse_compressor(j.contains("compressor") ? j["compressor"] : json(nullptr), file);
  if (j.contains("filters") && !j["filters"].is_null() && !(j["filters"].is_array() && j["filters"].empty()))
    throw Error(file, "filters are not supported: " + j["filters"].dump());
  const std::string order = string_member(j, "order", "C", file);
  if (order != "C") throw Error(file, "order '" + order + "' is not supported (only C order)");
  m.fill_value = parse_fill(j.contains("fill_value") ? j["fill_value"] : json(nullptr), m.dtype, file);
  const std::string sep = string_member(j, "dimension_separator", ".", file);
  if (sep != "." && sep != "/") throw Error(file, "dimension_separator must be \".\" or \"/\", got \"" + sep + "\"");
  m.separator = sep[0];
  return m;
}

ZarrArray ZarrArray::open(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw Error(dir, "no such zarr array");
  if (!fs::is_directory(dir, ec)) throw Error(dir, "not a folder (a zarr array is a folder holding .zarray)");
  const fs::path f = dir / ".zarray";
  if (!fs::exists(f, ec)) throw Error(dir, "not a zarr array: .zarray is missing");
  ZarrArray a;
  a.dir_ = dir;
  a.meta_ = parse_zarray(read_file(f), f);
  return a;
}

int64_t ZarrArray::stored_chunk_count() const {
  const Index3 g = meta_.chunk_grid();
  int64_t n = 0;
  std::error_code ec;
  for (int64_t z = 0; z < g.z; ++z)
    for (int64_t y = 0; y < g.y; ++y)
      for (int64_t x = 0; x < g.x; ++x)
        if (fs::exists(dir_ / meta_.chunk_key({z, y, x}), ec)) ++n;
  return n;
}

Box ZarrArray::stored_box() const {
  const Index3 g = meta_.chunk_grid();
  Index3 lo{g.z, g.y, g.x}, hi{-1, -1, -1};
  std::error_code ec;
  for (int64_t z = 0; z < g.z; ++z)
    for (int64_t y = 0; y < g.y; ++y)
      for (int64_t x = 0; x < g.x; ++x)
        if (fs::exists(dir_ / meta_.chunk_key({z, y, x}), ec)) {
          lo = {std::min(lo.z, z), std::min(lo.y, y), std::min(lo.x, x)};
          hi = {std::max(hi.z, z), std::max(hi.y, y), std::max(hi.x, x)};
        }
  if (hi.z < 0) return {};
  const Shape3 c = meta_.chunks, s = meta_.shape;
  const Index3 b{lo.z * c.z, lo.y * c.y, lo.x * c.x};
  return {b, {std::min((hi.z + 1) * c.z, s.z) - b.z, std::min((hi.y + 1) * c.y, s.y) - b.y,
              std::min((hi.x + 1) * c.x, s.x) - b.x}};
}

AnyVolume ZarrArray::read(const Box& box, ChunkCache* cache) const {
  if (!box.inside(meta_.shape))
    throw Error(dir_, "box " + box.begin.str() + "+" + box.shape.str() + " lies outside the array shape " + meta_.shape.str());
  // Every voxel is written below (decoded or fill value), so skip initialising the output.
  AnyVolume out = AnyVolume::make_uninitialized(meta_.dtype, box.shape);
  if (box.shape.empty()) return out;

  const Shape3 ch = meta_.chunks;
  const Shape3 shape = meta_.shape;
  const Index3 c0{box.begin.z / ch.z, box.begin.y / ch.y, box.begin.x / ch.x};
  const Index3 c1{(box.end().z - 1) / ch.z, (box.end().y - 1) / ch.y, (box.end().x - 1) / ch.x};
  const Index3 n{c1.z - c0.z + 1, c1.y - c0.y + 1, c1.x - c0.x + 1};
  const size_t width = dtype_size(meta_.dtype);
  const bool swap = meta_.big_endian != host_big_endian();
  char* dst = static_cast<char*>(out.raw_data());
  // The fill value's bytes in the output type.
  AnyVolume fill_one = AnyVolume::make(meta_.dtype, {1, 1, 1});
  fill_box(fill_one, meta_.fill_value);
  char fill_bytes[8];
  std::memcpy(fill_bytes, fill_one.raw_data(), width);

  parallel_for(n.count(), [&](int64_t i) {
    const Index3 c{c0.z + i / (n.y * n.x), c0.y + (i / n.x) % n.y, c0.x + i % n.x};
    const Index3 cb{c.z * ch.z, c.y * ch.y, c.x * ch.x};
    const fs::path f = dir_ / meta_.chunk_key(c);
    // Where this chunk's voxels are: a per-thread buffer of the whole chunk (decoded without
    // allocating), or a cached copy of its part inside the array (edge chunks are stored padded).
    const char* src = nullptr;
    Shape3 stride = ch;
    std::shared_ptr<const CachedChunk> cached;
    if (cache) cached = cache->get(f.string());
    if (cached) {
      src = cached->data();
      stride = {std::min(ch.z, shape.z - cb.z), std::min(ch.y, shape.y - cb.y), std::min(ch.x, shape.x - cb.x)};
    } else {
      // Scratch memory that stays touched between reads (fresh pages cost more than decoding).
      thread_local ScratchBuffer file_buf, chunk_buf;
      if (const auto size = read_file_into(f, file_buf)) {
        const auto chunk_bytes = size_t(meta_.chunk_bytes());
        char* chunk = chunk_buf.ensure(chunk_bytes);
        decode_chunk_into(meta_.codec, std::string_view(file_buf.data(), *size), chunk, chunk_bytes, f);
        if (swap) byteswap_inplace(chunk, chunk_bytes, width);
        src = chunk;
        if (cache) {
          const Shape3 in{std::min(ch.z, shape.z - cb.z), std::min(ch.y, shape.y - cb.y), std::min(ch.x, shape.x - cb.x)};
          auto part = std::make_shared<CachedChunk>();
          part->bytes = size_t(in.count()) * width;
          part->memory = allocate_voxels(part->bytes);
          char* to = static_cast<char*>(part->memory.get());
          for (int64_t z = 0; z < in.z; ++z)
            for (int64_t y = 0; y < in.y; ++y)
              std::memcpy(to + ((z * in.y + y) * in.x) * int64_t(width),
                          chunk + ((z * ch.y + y) * ch.x) * int64_t(width), size_t(in.x) * width);
          cache->put(f.string(), part);
          cached = std::move(part);
          src = cached->data();
          stride = in;
        }
      }
    }
    // Intersection of this chunk with the box, in array coordinates.
    const Index3 lo{std::max(cb.z, box.begin.z), std::max(cb.y, box.begin.y), std::max(cb.x, box.begin.x)};
    const Index3 hi{std::min(cb.z + ch.z, box.end().z), std::min(cb.y + ch.y, box.end().y),
                    std::min(cb.x + ch.x, box.end().x)};
    const size_t row = size_t(hi.x - lo.x) * width;
    for (int64_t z = lo.z; z < hi.z; ++z)
      for (int64_t y = lo.y; y < hi.y; ++y) {
        char* d = dst + (((z - box.begin.z) * box.shape.y + (y - box.begin.y)) * box.shape.x + (lo.x - box.begin.x)) *
                            int64_t(width);
        if (src) {
          const int64_t src_off = ((z - cb.z) * stride.y + (y - cb.y)) * stride.x + (lo.x - cb.x);
          std::memcpy(d, src + src_off * int64_t(width), row);
        } else {  // missing chunk: fill_value
          for (size_t k = 0; k < row; k += width) std::memcpy(d + k, fill_bytes, width);
        }
      }
  });
  return out;
}

void write_zgroup(const fs::path& dir) { write_file(dir / ".zgroup", "{\n    \"zarr_format\": 2\n}"); }

void write_zarr_array(const fs::path& dir, const AnyVolume& v, const ZarrWriteOptions& opts) {
  ZarrMeta m;
  m.shape = v.shape();
  m.chunks = opts.chunks;
  m.dtype = v.dtype();
  m.codec = opts.codec;
  m.separator = opts.separator;
  if (m.chunks.z <= 0 || m.chunks.y <= 0 || m.chunks.x <= 0) throw Error(dir, "chunks must be positive, got " + m.chunks.str());
  if (m.chunk_bytes() > kMaxChunkBytes) throw Error(dir, "chunks " + m.chunks.str() + " are too large");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(dir, "cannot create folder: " + ec.message());
  write_file(dir / ".zarray", m.to_json());

  const Index3 g = m.chunk_grid();
  const size_t width = dtype_size(m.dtype);
  const Shape3 ch = m.chunks;
  const Shape3 s = m.shape;
  const char* src = static_cast<const char*>(v.raw_data());
  const bool swap = host_big_endian();  // we always write little-endian
  std::string fill_chunk;
  if (opts.skip_empty_chunks) {
    AnyVolume f = AnyVolume::make(m.dtype, {1, 1, 1});
    fill_box(f, m.fill_value);
    fill_chunk.assign(static_cast<const char*>(f.raw_data()), width);
  }
  parallel_for(g.count(), [&](int64_t i) {
    const Index3 c{i / (g.y * g.x), (i / g.x) % g.y, i % g.x};
    // Edge chunks are stored full-size, padded with the fill value, as zarr does.
    AnyVolume padded = AnyVolume::make(m.dtype, ch);
    fill_box(padded, m.fill_value);
    char* buf = static_cast<char*>(padded.raw_data());
    const Index3 cb{c.z * ch.z, c.y * ch.y, c.x * ch.x};
    const Index3 hi{std::min(cb.z + ch.z, s.z), std::min(cb.y + ch.y, s.y), std::min(cb.x + ch.x, s.x)};
    const size_t row = size_t(hi.x - cb.x) * width;
    for (int64_t z = cb.z; z < hi.z; ++z)
      for (int64_t y = cb.y; y < hi.y; ++y)
        std::memcpy(buf + (((z - cb.z) * ch.y + (y - cb.y)) * ch.x) * int64_t(width),
                    src + ((z * s.y + y) * s.x + cb.x) * int64_t(width), row);
    const size_t nbytes = size_t(ch.count()) * width;
    if (opts.skip_empty_chunks) {
      bool all_fill = true;
      for (size_t k = 0; k < nbytes && all_fill; k += width) all_fill = std::memcmp(buf + k, fill_chunk.data(), width) == 0;
      if (all_fill) return;
    }
    if (swap) byteswap_inplace(buf, nbytes, width);
    const fs::path f = dir / m.chunk_key(c);
    write_file(f, encode_chunk(m.codec, std::string_view(buf, nbytes), width));
  });
}

}  // namespace tomopick
