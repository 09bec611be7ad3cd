#pragma once
// The chunk compressors of zarr v2 stores, bit-compatible with Python's numcodecs: blosc (lz4,
// lz4hc, zstd, zlib, blosclz, snappy; shuffle none/byte/bit), zstd, zlib, gzip, and none.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tomopick {

struct Codec {
  std::string id = "blosc";  // blosc | zstd | zlib | gzip | none
  std::string cname = "lz4"; // blosc only: the inner compressor
  int level = 5;             // blosc clevel, zstd/zlib/gzip level
  int shuffle = 1;           // blosc only: 0 none, 1 byte, 2 bit, -1 auto (bit for 1-byte items, else byte)
  int blocksize = 0;         // blosc only: 0 = automatic

  bool operator==(const Codec&) const = default;
  std::string describe() const;
};

// Parses a command-line codec spec: "none", "zlib", "gzip:6", "zstd:3", "blosc" (lz4, byte
// shuffle), "blosc-zstd:5", "blosc-lz4hc:9:bitshuffle". Throws Error on anything else.
Codec parse_codec_spec(const std::string& spec);

// Decodes one chunk. `expected` is the decoded size the .zarray implies; any other size, or data
// the codec rejects, is an Error naming `chunk_file`.
std::string decode_chunk(const Codec& c, std::string_view in, size_t expected,
                         const std::filesystem::path& chunk_file);

// As decode_chunk, into `out`, which holds exactly `expected` bytes (no allocation, for hot loops).
void decode_chunk_into(const Codec& c, std::string_view in, char* out, size_t expected,
                       const std::filesystem::path& chunk_file);

// Encodes one chunk of items of `typesize` bytes.
std::string encode_chunk(const Codec& c, std::string_view raw, size_t typesize);

}  // namespace tomopick
