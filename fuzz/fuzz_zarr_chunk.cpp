// Chunk decoding for every codec zarr arrays use here (blosc with each inner compressor and shuffle,
// zstd, zlib, gzip, raw). Byte 0 picks the codec, byte 1 the chunk size the metadata promises; the
// rest is the stored chunk. Property: encoding any bytes and decoding them gives them back.
#include <array>

#include "fuzz_support.h"
#include "tomopick/io/zarr_codecs.h"

using namespace tomopick;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::array<const char*, 12> specs = {
      "none",         "zlib:6",          "gzip:6",     "zstd:3",          "blosc-lz4:5",  "blosc-zstd:3",
      "blosc-zlib:5", "blosc-blosclz:5", "blosc-lz4hc:5", "blosc-lz4:5:bitshuffle", "blosc-zstd:1:noshuffle",
      "blosc-lz4:1:bitshuffle"};
  if (size < 2) return 0;
  const Codec codec = parse_codec_spec(specs[data[0] % specs.size()]);
  const size_t expected = size_t(data[1]) * 16 + (data[0] / specs.size()) % 4;  // 0..4083 bytes
  const std::string_view stored(reinterpret_cast<const char*>(data + 2), size - 2);
  fuzz::expect_clear_errors("fz.zarr", [&] {
    const std::string out = decode_chunk(codec, stored, expected, "fz.zarr/0.0.0");
    fuzz::require(out.size() == expected, "decoded chunk has the wrong size");
  });
  const size_t typesize = size_t(1) << (data[1] % 4);
  const std::string raw(stored.substr(0, stored.size() / typesize * typesize));
  const std::string encoded = encode_chunk(codec, raw, typesize);
  fuzz::require(decode_chunk(codec, encoded, raw.size(), "round-trip") == raw, "encode/decode round trip");
  return 0;
}
