#include "tomopick/core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "tomopick/core/error.h"

namespace tomopick {

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file");
  if (fs::is_directory(path, ec)) throw Error(path, "is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  std::string s;
  in.seekg(0, std::ios::end);
  const auto n = in.tellg();
  in.seekg(0);
  s.resize(size_t(n));
  if (n > 0 && !in.read(s.data(), n)) throw Error(path, "read failed");
  return s;
}

namespace {

// Opens `path` and reads it whole into the memory `at(size)` gives; false when it does not exist.
template <class At>
bool read_whole_file(const fs::path& path, At at) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error(path, "cannot read (not a regular file?)");
  }
  const auto size = size_t(st.st_size);
  char* buf = at(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t r = ::pread(fd, buf + done, size - done, off_t(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ::close(fd);
      throw Error(path, "read failed (file changed or unreadable)");
    }
    done += size_t(r);
  }
  ::close(fd);
  return true;
}

}  // namespace

bool read_file_into(const fs::path& path, std::string& buf) {
  return read_whole_file(path, [&](size_t n) {
    buf.resize(n);
    return buf.data();
  });
}

std::optional<size_t> read_file_into(const fs::path& path, ScratchBuffer& buf) {
  size_t size = 0;
  if (!read_whole_file(path, [&](size_t n) {
        size = n;
        return buf.ensure(n);
      }))
    return std::nullopt;
  return size;
}

fs::path temp_sibling(const fs::path& path) {
  static std::atomic<int> counter{0};
  return fs::path(path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw Error(path, "cannot create folder: " + ec.message());
  }
  const fs::path tmp = temp_sibling(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path, std::string("cannot write: ") + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(path, "write failed: " + why);
    }
    done += size_t(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error(path, std::string("write failed: ") + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(path, "cannot rename into place: " + why);
  }
}

void write_file(const fs::path& path, std::string_view bytes) {
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw Error(path, "cannot create folder: " + ec.message());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path, std::string("cannot write: ") + std::strerror(errno));
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) throw Error(path, "write failed (disk full?)");
}

AtomicDir::AtomicDir(fs::path final_path) : final_(std::move(final_path)), tmp_(temp_sibling(final_)) {
  std::error_code ec;
  fs::create_directories(tmp_, ec);
  if (ec) throw Error(final_, "cannot create output folder: " + ec.message());
}

AtomicDir::~AtomicDir() {
  if (!done_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

void AtomicDir::commit() {
  std::error_code ec;
  fs::path old;
  if (fs::exists(final_, ec)) {
    old = temp_sibling(final_.string() + ".old");
    fs::rename(final_, old, ec);
    if (ec) throw Error(final_, "cannot replace existing output: " + ec.message());
  }
  fs::rename(tmp_, final_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, final_, ec);
    throw Error(final_, "cannot move output into place: " + ec.message());
  }
  done_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace tomopick
