#pragma once
// Decoded zarr chunks kept for the next read that needs them. The streaming picker reads a level in
// overlapping bands (a statistics pass, then rows of windows), so without it a large chunk (CZII's
// are 256³) is decoded once per band that touches it; with it, once. Bounded in bytes, least
// recently used out first; safe to use from several threads.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "tomopick/core/voxel_memory.h"

namespace tomopick {

// A chunk's decoded bytes.
struct CachedChunk {
  std::shared_ptr<void> memory;
  size_t bytes = 0;
  const char* data() const { return static_cast<const char*>(memory.get()); }
};

class ChunkCache {
public:
  explicit ChunkCache(int64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The chunk stored under `key` (its file path), or null.
  std::shared_ptr<const CachedChunk> get(const std::string& key);
  // Keeps `data` unless it alone exceeds the capacity; evicts the least recently used to make room.
  void put(const std::string& key, std::shared_ptr<const CachedChunk> data);

  int64_t capacity() const { return capacity_; }
  int64_t bytes() const;
  int64_t hits() const;
  int64_t misses() const;

private:
  using Entry = std::pair<std::string, std::shared_ptr<const CachedChunk>>;
  mutable std::mutex mutex_;
  int64_t capacity_ = 0, bytes_ = 0, hits_ = 0, misses_ = 0;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace tomopick
