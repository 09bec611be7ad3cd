#include "tomopick/io/chunk_cache.h"

namespace tomopick {

std::shared_ptr<const CachedChunk> ChunkCache::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ChunkCache::put(const std::string& key, std::shared_ptr<const CachedChunk> data) {
  const auto size = int64_t(data->bytes);
  std::lock_guard lock(mutex_);
  if (size > capacity_) return;
  if (const auto it = index_.find(key); it != index_.end()) {
    bytes_ -= int64_t(it->second->second->bytes);
    order_.erase(it->second);
    index_.erase(it);
  }
  while (bytes_ + size > capacity_ && !order_.empty()) {
    bytes_ -= int64_t(order_.back().second->bytes);
    index_.erase(order_.back().first);
    order_.pop_back();
  }
  order_.emplace_front(key, std::move(data));
  index_[key] = order_.begin();
  bytes_ += size;
}

int64_t ChunkCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}
int64_t ChunkCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}
int64_t ChunkCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace tomopick
