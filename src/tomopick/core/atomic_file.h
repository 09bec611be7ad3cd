#pragma once
// Outputs appear complete or not at all: everything is written beside its destination under a
// temporary name, flushed, and renamed into place.
#include <filesystem>
#include <optional>
#include <string>

#include "tomopick/core/voxel_memory.h"
#include <string_view>

namespace tomopick {

namespace fs = std::filesystem;

// Reads a whole file; a missing or unreadable file is an Error naming it.
std::string read_file(const fs::path& path);

// Reads a whole file into `buf` (reusing its capacity); false if the file does not exist.
bool read_file_into(const fs::path& path, std::string& buf);
// The same into a scratch buffer: the file's size, or nullopt when it does not exist.
std::optional<size_t> read_file_into(const fs::path& path, ScratchBuffer& buf);

// Writes `bytes` to `path` atomically (temp file in the same folder, fsync, rename).
void write_file_atomic(const fs::path& path, std::string_view bytes);

// Writes `bytes` to `path` directly, creating folders. For files inside an AtomicDir, whose
// commit already makes the whole tree appear at once.
void write_file(const fs::path& path, std::string_view bytes);

// A temporary sibling path that nobody else will pick: "<path>.tmp-<pid>-<n>".
fs::path temp_sibling(const fs::path& path);

// For outputs made of many files (a zarr store, a project folder): build them under path(), then
// commit() swaps the folder into place, replacing an older one. Destroyed uncommitted, it removes
// what it built.
class AtomicDir {
public:
  explicit AtomicDir(fs::path final_path);
  ~AtomicDir();
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;
  const fs::path& path() const { return tmp_; }
  const fs::path& final_path() const { return final_; }
  void commit();

private:
  fs::path final_, tmp_;
  bool done_ = false;
};

}  // namespace tomopick
