#include "tomopick/core/voxel_memory.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <string>

namespace tomopick {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMapLarge = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMapLarge = false;
#else
constexpr bool kMapLarge = true;
#endif
#else
constexpr bool kMapLarge = true;
#endif

constexpr size_t kHuge = size_t(2) << 20;

}  // namespace

std::shared_ptr<void> allocate_voxels(size_t bytes) {
  if (bytes == 0) bytes = 1;
  // TOMOPICK_HUGE_PAGES=0: the ordinary allocator for every size (to compare, or where THP misbehaves).
  static const bool off = [] {
    const char* e = std::getenv("TOMOPICK_HUGE_PAGES");
    return e && std::string(e) == "0";
  }();
  if (!kMapLarge || off || bytes < kHugePageVolumeBytes) {
    // Cache-line aligned, as vectorised loops over voxels like.
    void* p = ::operator new(bytes, std::align_val_t(64));
    return std::shared_ptr<void>(p, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
  }
  // Mapped with room to start on a 2 MiB boundary, so whole huge pages cover the buffer.
  const size_t length = (bytes + kHuge - 1) / kHuge * kHuge + kHuge;
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  const auto addr = reinterpret_cast<uintptr_t>(base);
  void* aligned = reinterpret_cast<void*>((addr + kHuge - 1) / kHuge * kHuge);
  madvise(aligned, length - (reinterpret_cast<uintptr_t>(aligned) - addr), MADV_HUGEPAGE);  // a hint: ignored where THP is off
  return std::shared_ptr<void>(aligned, [base, length](void*) { munmap(base, length); });
}

}  // namespace tomopick
