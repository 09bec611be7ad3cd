#pragma once
// Memory for voxels. Large volumes get their own mapping with transparent huge pages requested:
// the first touch of a fresh buffer then faults once per 2 MiB instead of once per 4 KiB, which on
// virtual machines is most of the cost of reading a tomogram into new memory (measured: a 292 MB
// zarr read took 1.07 s into fresh 4 KiB pages, 0.06 s into touched ones). Small volumes use the
// ordinary allocator. Sanitizer builds use the ordinary allocator throughout, so every buffer keeps
// its overflow checks.
#include <cstddef>
#include <memory>

namespace tomopick {

// At least `bytes` (>= 1) of uninitialised memory, aligned to 64 bytes (a cache line), freed with the
// returned owner. Throws std::bad_alloc when the system has none.
std::shared_ptr<void> allocate_voxels(size_t bytes);

// A scratch buffer on that memory, for readers that decode into the same place again and again
// (kept per thread): growing neither keeps the contents nor zero-fills.
class ScratchBuffer {
public:
  char* ensure(size_t bytes) {
    if (bytes > capacity_) {
      memory_ = allocate_voxels(bytes);
      capacity_ = bytes;
    }
    return static_cast<char*>(memory_.get());
  }
  char* data() const { return static_cast<char*>(memory_.get()); }

private:
  std::shared_ptr<void> memory_;
  size_t capacity_ = 0;
};

// From this size on, allocate_voxels maps huge pages (when the build allows it).
constexpr size_t kHugePageVolumeBytes = size_t(4) << 20;

}  // namespace tomopick
