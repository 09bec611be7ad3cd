#include "tomopick/io/mrc.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/parallel.h"

namespace tomopick {

namespace {

constexpr int64_t kHeaderBytes = 1024;
constexpr int kMaxLabels = 10;
constexpr size_t kLabelBytes = 80;

// Header byte offsets (MRC2014; word n starts at byte 4 * (n - 1)).
enum : size_t {
  kNx = 0, kNy = 4, kNz = 8, kMode = 12, kMx = 28, kMy = 32, kMz = 36,
  kCellA = 40, kCellB = 52, kMapC = 64, kMapR = 68, kMapS = 72, kDmin = 76, kDmax = 80,
  kDmean = 84, kIspg = 88, kNsymbt = 92, kExttyp = 104, kNversion = 108, kImodStamp = 152,
  kImodFlags = 156, kOrigin = 196,
  kMap = 208, kMachst = 212, kRms = 216, kNlabl = 220, kLabels = 224
};

// ---------------------------------------------------------------------------------------------
// Byte order

template <class T>
T byteswap_value(T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  std::reverse(b, b + sizeof(T));
  std::memcpy(&v, b, sizeof(T));
  return v;
}

void byteswap_buffer(void* data, size_t count, size_t elem_size) {
  unsigned char* p = static_cast<unsigned char*>(data);
  if (elem_size == 2) {
    for (size_t i = 0; i < count; ++i, p += 2) std::swap(p[0], p[1]);
  } else if (elem_size == 4) {
    for (size_t i = 0; i < count; ++i, p += 4) {
      std::swap(p[0], p[3]);
      std::swap(p[1], p[2]);
    }
  }
}

// Reads a value stored with the given byte order (big_endian) from raw header bytes.
template <class T>
T get(const unsigned char* h, size_t off, bool big_endian) {
  T v;
  std::memcpy(&v, h + off, sizeof(T));
  const bool native_big = std::endian::native == std::endian::big;
  return big_endian != native_big ? byteswap_value(v) : v;
}

// Stores a value little-endian.
template <class T>
void put(unsigned char* h, size_t off, T v) {
  if constexpr (std::endian::native == std::endian::big) v = byteswap_value(v);
  std::memcpy(h + off, &v, sizeof(T));
}

// ---------------------------------------------------------------------------------------------
// File access

class Fd {
public:
  Fd(const fs::path& path, int flags, mode_t mode = 0) : fd_(::open(path.c_str(), flags | O_CLOEXEC, mode)) {}
  ~Fd() { close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int close() {
    int r = 0;
    if (fd_ >= 0) r = ::close(fd_);
    fd_ = -1;
    return r;
  }

private:
  int fd_;
};

void pread_all(int fd, void* buf, size_t n, int64_t offset, const fs::path& path) {
  auto* p = static_cast<unsigned char*>(buf);
  while (n > 0) {
    const ssize_t r = ::pread(fd, p, n, off_t(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(path, std::string("read failed: ") + std::strerror(errno));
    }
    if (r == 0) throw Error(path, "unexpected end of file at byte " + std::to_string(offset));
    p += r;
    n -= size_t(r);
    offset += r;
  }
}

void write_all(int fd, const void* buf, size_t n, const fs::path& path) {
  auto* p = static_cast<const unsigned char*>(buf);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw Error(path, std::string("write failed: ") + std::strerror(errno));
    }
    p += w;
    n -= size_t(w);
  }
}

struct OpenFile {
  std::unique_ptr<Fd> fd;
  int64_t size = 0;
};

OpenFile open_for_reading(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path, "no such file");
  if (fs::is_directory(path, ec)) throw Error(path, "is a folder, expected an MRC file");
  OpenFile f;
  f.fd = std::make_unique<Fd>(path, O_RDONLY);
  if (!f.fd->ok()) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd->get(), &st) != 0) throw Error(path, std::string("cannot stat: ") + std::strerror(errno));
  f.size = int64_t(st.st_size);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Header parsing

std::string trim_field(const unsigned char* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != 0) ++len;
  while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == 0)) --len;
  return std::string(reinterpret_cast<const char*>(p), len);
}

const char* mode_description(int mode) {
  switch (mode) {
    case 0: return "int8";
    case 1: return "int16";
    case 2: return "float32";
    case 3: return "complex int16";
    case 4: return "complex float32";
    case 6: return "uint16";
    case 12: return "float16";
    case 101: return "4-bit packed";
    default: return "unknown";
  }
}

MrcInfo parse_header(const unsigned char* h, int64_t file_size, const fs::path& path) {
  MrcInfo info;
  const bool has_map_stamp = std::memcmp(h + kMap, "MAP ", 4) == 0;
  // Without a "MAP " stamp this may be no MRC file at all; say so if anything else is wrong.
  auto fail = [&](const std::string& problem) -> Error {
    if (has_map_stamp) return Error(path, problem);
    return Error(path, "not an MRC2014 file? no 'MAP ' stamp at byte 208, and " + problem);
  };

  // Byte order from the machine stamp; older writers leave it zero, then the mode word decides
  // (a valid mode is small, so its high bytes are zero in the right byte order).
  const unsigned char* ms = h + kMachst;
  if (ms[0] == 0x44 && (ms[1] == 0x44 || ms[1] == 0x41)) {
    info.big_endian = false;
  } else if (ms[0] == 0x11 && ms[1] == 0x11) {
    info.big_endian = true;
  } else {
    const uint32_t le = get<uint32_t>(h, kMode, false);
    info.big_endian = (le & 0xffff0000u) != 0 && (byteswap_value(le) & 0xffff0000u) == 0;
  }
  const bool be = info.big_endian;

  const int32_t nx = get<int32_t>(h, kNx, be), ny = get<int32_t>(h, kNy, be), nz = get<int32_t>(h, kNz, be);
  info.mode = get<int32_t>(h, kMode, be);
  if (nx <= 0 || ny <= 0 || nz <= 0)
    throw fail("bad dimensions nx, ny, nz = " + std::to_string(nx) + ", " + std::to_string(ny) + ", " +
               std::to_string(nz) + " (must all be positive)");
  info.shape = {nz, ny, nx};

  switch (info.mode) {
    case 0: case 1: case 2: case 6: case 12: info.dtype = mrc_mode_dtype(info.mode, path); break;
    default:
      throw fail("MRC mode " + std::to_string(info.mode) + " (" + mode_description(info.mode) +
                 ") is not supported; supported modes: 0 int8, 1 int16, 2 float32, 6 uint16, 12 float16");
  }

  const int32_t mapc = get<int32_t>(h, kMapC, be), mapr = get<int32_t>(h, kMapR, be),
                maps = get<int32_t>(h, kMapS, be);
  if (mapc != 1 || mapr != 2 || maps != 3) {
    const std::string got = std::to_string(mapc) + ", " + std::to_string(mapr) + ", " + std::to_string(maps);
    int seen[4] = {0, 0, 0, 0};
    bool perm = true;
    for (int32_t a : {mapc, mapr, maps}) {
      if (a < 1 || a > 3 || seen[a]++) perm = false;
    }
    if (perm)
      throw fail("axis permutation mapc, mapr, maps = " + got +
                 " is not supported (only 1, 2, 3: columns x, rows y, sections z)");
    throw fail("invalid axis map mapc, mapr, maps = " + got + " (must be a permutation of 1, 2, 3)");
  }

  const int32_t nsymbt = get<int32_t>(h, kNsymbt, be);
  if (nsymbt < 0) throw fail("negative extended header size nsymbt = " + std::to_string(nsymbt));
  info.ext_header_bytes = nsymbt;
  info.data_offset = kHeaderBytes + nsymbt;

  const size_t esz = dtype_size(info.dtype);
  try {
    check_shape(info.shape, esz, "header dimensions");
  } catch (const Error& e) {
    throw fail(e.what());
  }
  const int64_t data_bytes = info.shape.count() * int64_t(esz);
  const int64_t expected = info.data_offset + data_bytes;
  if (expected != file_size) {
    std::string msg = "header says " + std::to_string(nz) + "x" + std::to_string(ny) + "x" + std::to_string(nx) +
                      " " + dtype_name(info.dtype) + " (" + std::to_string(data_bytes) + " bytes) after 1024+" +
                      std::to_string(nsymbt) + " header bytes, file has " + std::to_string(file_size) + " bytes";
    msg += file_size < expected ? " (truncated)"
                                : " (" + std::to_string(file_size - expected) + " unexpected trailing bytes)";
    throw fail(msg);
  }

  // Voxel size: cella / (mx, my, mz). Missing (zero) cell sizes or sampling leave 1 Å.
  const float cella[3] = {get<float>(h, kCellA, be), get<float>(h, kCellA + 4, be), get<float>(h, kCellA + 8, be)};
  const int32_t m[3] = {get<int32_t>(h, kMx, be), get<int32_t>(h, kMy, be), get<int32_t>(h, kMz, be)};
  double sp[3] = {1, 1, 1};
  info.spacing_known = true;
  for (int i = 0; i < 3; ++i) {
    if (m[i] > 0 && std::isfinite(cella[i]) && cella[i] > 0) {
      sp[i] = double(cella[i]) / double(m[i]);
    } else {
      info.spacing_known = false;
    }
  }
  info.spacing = {sp[2], sp[1], sp[0]};
  info.spacing_one = info.spacing_known && sp[0] == 1.0 && sp[1] == 1.0 && sp[2] == 1.0;
  const float ox = get<float>(h, kOrigin, be), oy = get<float>(h, kOrigin + 4, be), oz = get<float>(h, kOrigin + 8, be);
  info.origin = {std::isfinite(oz) ? oz : 0.0, std::isfinite(oy) ? oy : 0.0, std::isfinite(ox) ? ox : 0.0};

  info.exttyp = trim_field(h + kExttyp, 4);
  // IMOD (bio3d.colorado.edu/imod/doc/mrc_format.txt) marks its files with a stamp and flags: bit 0
  // clear means mode 0 holds unsigned bytes (as IMOD wrote them before 4.2.23, and e.g. trimvol's
  // byte output still may). Read as MRC2014's signed bytes, every voxel above 127 would wrap to the
  // dark end. Without the stamp, MRC2014's signed bytes.
  constexpr int32_t kImodStampValue = 1146047817;  // "IMOD"
  if (info.mode == 0 && get<int32_t>(h, kImodStamp, be) == kImodStampValue && (get<int32_t>(h, kImodFlags, be) & 1) == 0)
    info.dtype = DType::u8;
  info.nversion = get<int32_t>(h, kNversion, be);
  info.dmin = get<float>(h, kDmin, be);
  info.dmax = get<float>(h, kDmax, be);
  info.dmean = get<float>(h, kDmean, be);
  info.rms = get<float>(h, kRms, be);
  const int32_t nlabl = std::clamp(get<int32_t>(h, kNlabl, be), 0, kMaxLabels);
  for (int i = 0; i < nlabl; ++i) info.labels.push_back(trim_field(h + kLabels + size_t(i) * kLabelBytes, kLabelBytes));
  return info;
}

MrcInfo read_info_from(const OpenFile& f, const fs::path& path) {
  if (f.size < kHeaderBytes)
    throw Error(path, "file has " + std::to_string(f.size) + " bytes, shorter than the 1024-byte MRC header");
  unsigned char h[kHeaderBytes];
  pread_all(f.fd->get(), h, sizeof h, 0, path);
  return parse_header(h, f.size, path);
}

// Reads `box` (inside info.shape) into `out` (box.shape, C order), swapping bytes if needed.
void read_box_into(int fd, const MrcInfo& info, const Box& box, void* out, const fs::path& path) {
  const size_t esz = dtype_size(info.dtype);
  const int64_t nx = info.shape.x, ny = info.shape.y;
  const bool swap = info.big_endian != (std::endian::native == std::endian::big);
  const bool full_rows = box.shape.x == nx;
  const int64_t slab_elems = box.shape.y * box.shape.x;
  auto* base = static_cast<unsigned char*>(out);
  parallel_for(box.shape.z, [&](int64_t zi) {
    unsigned char* dst = base + size_t(zi * slab_elems) * esz;
    const int64_t z = box.begin.z + zi;
    if (full_rows) {  // the rows of this section are contiguous in the file
      const int64_t off = info.data_offset + ((z * ny + box.begin.y) * nx) * int64_t(esz);
      pread_all(fd, dst, size_t(slab_elems) * esz, off, path);
    } else {
      for (int64_t yi = 0; yi < box.shape.y; ++yi) {
        const int64_t off = info.data_offset + ((z * ny + box.begin.y + yi) * nx + box.begin.x) * int64_t(esz);
        pread_all(fd, dst + size_t(yi * box.shape.x) * esz, size_t(box.shape.x) * esz, off, path);
      }
    }
    if (swap) byteswap_buffer(dst, size_t(slab_elems), esz);
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics for the header (NaN voxels are skipped).

struct Stats {
  double count = 0, mean = 0, m2 = 0;
  float min = std::numeric_limits<float>::infinity(), max = -std::numeric_limits<float>::infinity();
  void merge(const Stats& o) {  // Chan et al. parallel variance
    if (o.count == 0) return;
    if (count == 0) {
      *this = o;
      return;
    }
    const double n = count + o.count, d = o.mean - mean;
    mean += d * o.count / n;
    m2 += o.m2 + d * d * count * o.count / n;
    count = n;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
  }
};

template <class T>
Stats volume_stats(const Volume<T>& v) {
  const int64_t per = v.shape().y * v.shape().x;
  std::vector<Stats> part(size_t(std::max<int64_t>(v.shape().z, 0)));
  parallel_for(v.shape().z, [&](int64_t z) {
    const T* p = v.data() + z * per;
    Stats s;
    double sum = 0;
    for (int64_t i = 0; i < per; ++i) {
      const float f = to_float(p[i]);
      if (std::isnan(f)) continue;
      s.count += 1;
      sum += f;
      s.min = std::min(s.min, f);
      s.max = std::max(s.max, f);
    }
    if (s.count > 0) {
      s.mean = sum / s.count;
      double m2 = 0;
      for (int64_t i = 0; i < per; ++i) {
        const float f = to_float(p[i]);
        if (std::isnan(f)) continue;
        const double d = double(f) - s.mean;
        m2 += d * d;
      }
      s.m2 = m2;
    }
    part[size_t(z)] = s;
  });
  Stats all;
  for (const Stats& s : part) all.merge(s);
  return all;
}

// A volume whose voxels the caller overwrites entirely (no zero fill).
AnyVolume make_uninitialized(DType t, Shape3 shape, Vec3 spacing, Vec3 origin) {
  return visit_dtype(t, [&](auto tag) {
    using T = decltype(tag);
    return AnyVolume(Volume<T>(shape, typename Volume<T>::Uninitialized{}, spacing, origin));
  });
}

bool printable_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Removes a temp file unless committed.
struct TempGuard {
  fs::path tmp;
  bool keep = false;
  ~TempGuard() {
    if (!keep) ::unlink(tmp.c_str());
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------------

DType mrc_mode_dtype(int mode, const fs::path& path) {
  switch (mode) {
    case 0: return DType::i8;  // MRC2014: signed bytes (mrcfile reads int8 too)
    case 1: return DType::i16;
    case 2: return DType::f32;
    case 6: return DType::u16;
    case 12: return DType::f16;
    default: break;
  }
  throw Error(path, "MRC mode " + std::to_string(mode) + " (" + mode_description(mode) +
                        ") is not supported; supported modes: 0 int8, 1 int16, 2 float32, 6 uint16, 12 float16");
}

int mrc_mode_for(DType t) {
  switch (t) {
    case DType::i8: return 0;
    case DType::i16: return 1;
    case DType::f32: return 2;
    case DType::u8: return 6;  // widened, as mrcfile does
    case DType::u16: return 6;
    case DType::f16: return 12;
  }
  return 2;
}

MrcInfo read_mrc_info(const fs::path& path) {
  OpenFile f = open_for_reading(path);
  return read_info_from(f, path);
}

AnyVolume read_mrc_box(const fs::path& path, const Box& box) {
  OpenFile f = open_for_reading(path);
  const MrcInfo info = read_info_from(f, path);
  if (!box.inside(info.shape))
    throw Error(path, "box " + box.begin.str() + "+" + box.shape.str() + " lies outside the volume shape " +
                          info.shape.str());
  const Vec3 origin{info.origin.z + box.begin.z * info.spacing.z, info.origin.y + box.begin.y * info.spacing.y,
                    info.origin.x + box.begin.x * info.spacing.x};
  AnyVolume out = make_uninitialized(info.dtype, box.shape, info.spacing, origin);
  read_box_into(f.fd->get(), info, box, out.raw_data(), path);
  return out;
}

std::optional<MrcPadding> find_mrc_padding(const fs::path& path) {
  OpenFile f = open_for_reading(path);
  const MrcInfo info = read_info_from(f, path);
  const Shape3 s = info.shape;
  if (s.empty()) return std::nullopt;
  const size_t esz = dtype_size(info.dtype);
  const int fd = f.fd->get();
  std::vector<unsigned char> buf, value(esz);
  auto read = [&](const Box& b) {
    buf.resize(size_t(b.shape.count()) * esz);
    read_box_into(fd, info, b, buf.data(), path);
  };
  auto all_value = [&] {
    for (size_t i = 0; i < buf.size(); i += esz)
      if (std::memcmp(buf.data() + i, value.data(), esz) != 0) return false;
    return true;
  };
  // Row by row, so that a face of noise (the usual case) costs one row. A constant face's value is
  // its first voxel's; the first constant face found sets the value trimmed.
  auto face_constant = [&](int axis, int64_t at) {
    const int64_t rows = axis == 0 ? s.y : s.z;
    for (int64_t r = 0; r < rows; ++r) {
      if (axis == 0) read(Box{{at, r, 0}, {1, 1, s.x}});
      else if (axis == 1) read(Box{{r, at, 0}, {1, 1, s.x}});
      else read(Box{{r, 0, at}, {1, s.y, 1}});
      if (r == 0) std::memcpy(value.data(), buf.data(), esz);
      if (!all_value()) return false;
    }
    return true;
  };
  const bool any = face_constant(0, 0) || face_constant(0, s.z - 1) || face_constant(1, 0) ||
                   face_constant(1, s.y - 1) || face_constant(2, 0) || face_constant(2, s.x - 1);
  if (!any) return std::nullopt;
  // The bounding box of the voxels that differ from the value, one z section at a time.
  Index3 lo{s.z, s.y, s.x}, hi{-1, -1, -1};
  for (int64_t z = 0; z < s.z; ++z) {
    read(Box{{z, 0, 0}, {1, s.y, s.x}});
    for (int64_t y = 0; y < s.y; ++y) {
      const unsigned char* row = buf.data() + size_t(y * s.x) * esz;
      int64_t first = -1, last = -1;
      for (int64_t x = 0; x < s.x; ++x)
        if (std::memcmp(row + size_t(x) * esz, value.data(), esz) != 0) {
          if (first < 0) first = x;
          last = x;
        }
      if (first < 0) continue;
      lo = {std::min(lo.z, z), std::min(lo.y, y), std::min(lo.x, first)};
      hi = {std::max(hi.z, z), std::max(hi.y, y), std::max(hi.x, last)};
    }
  }
  if (hi.z < 0) return std::nullopt;  // one value everywhere: nothing to tell apart
  const Box data{lo, {hi.z - lo.z + 1, hi.y - lo.y + 1, hi.x - lo.x + 1}};
  if (data.shape == s) return std::nullopt;
  AnyVolume one = make_uninitialized(info.dtype, {1, 1, 1}, info.spacing, info.origin);
  std::memcpy(one.raw_data(), value.data(), esz);
  return MrcPadding{data, double(one.to_float32().data()[0])};
}

AnyVolume read_mrc(const fs::path& path) {
  OpenFile f = open_for_reading(path);
  const MrcInfo info = read_info_from(f, path);
  AnyVolume out = make_uninitialized(info.dtype, info.shape, info.spacing, info.origin);
  read_box_into(f.fd->get(), info, Box{{}, info.shape}, out.raw_data(), path);
  return out;
}

void write_mrc(const fs::path& path, const AnyVolume& volume, const MrcWriteOptions& options) {
  const Shape3 s = volume.shape();
  if (s.empty()) throw Error(path, "cannot write an empty volume (shape " + s.str() + ") as MRC");
  const int64_t imax = std::numeric_limits<int32_t>::max();
  if (s.x > imax || s.y > imax || s.z > imax)
    throw Error(path, "shape " + s.str() + " does not fit MRC's 32-bit dimensions");
  const Vec3 sp = volume.spacing();
  for (double d : {sp.z, sp.y, sp.x})
    if (!(std::isfinite(d) && d > 0)) throw Error(path, "voxel spacing must be positive, got " + std::to_string(d));
  if (options.labels.size() > size_t(kMaxLabels))
    throw Error(path, "at most 10 MRC labels, got " + std::to_string(options.labels.size()));
  for (const std::string& l : options.labels) {
    if (l.size() > kLabelBytes) throw Error(path, "MRC label longer than 80 characters: '" + l + "'");
    if (!printable_ascii(l)) throw Error(path, "MRC label is not printable ASCII: '" + l + "'");
    if (l.find_first_not_of(' ') == std::string::npos) throw Error(path, "MRC label is empty");
  }
  if (options.exttyp.size() > 4) throw Error(path, "exttyp '" + options.exttyp + "' is longer than 4 characters");
  if (options.extended_header.size() > size_t(imax - kHeaderBytes))
    throw Error(path, "extended header too large (" + std::to_string(options.extended_header.size()) + " bytes)");

  const DType t = volume.dtype();
  const Stats st = volume.visit([](const auto& v) { return volume_stats(v); });

  unsigned char h[kHeaderBytes] = {};
  put<int32_t>(h, kNx, int32_t(s.x));
  put<int32_t>(h, kNy, int32_t(s.y));
  put<int32_t>(h, kNz, int32_t(s.z));
  put<int32_t>(h, kMode, mrc_mode_for(t));
  put<int32_t>(h, kMx, int32_t(s.x));
  put<int32_t>(h, kMy, int32_t(s.y));
  put<int32_t>(h, kMz, int32_t(s.z));
  put<float>(h, kCellA, float(double(s.x) * sp.x));
  put<float>(h, kCellA + 4, float(double(s.y) * sp.y));
  put<float>(h, kCellA + 8, float(double(s.z) * sp.z));
  for (int i = 0; i < 3; ++i) put<float>(h, kCellB + 4 * size_t(i), 90.0f);
  put<int32_t>(h, kMapC, 1);
  put<int32_t>(h, kMapR, 2);
  put<int32_t>(h, kMapS, 3);
  if (st.count > 0) {
    put<float>(h, kDmin, st.min);
    put<float>(h, kDmax, st.max);
    put<float>(h, kDmean, float(st.mean));
    put<float>(h, kRms, float(std::sqrt(st.m2 / st.count)));
  } else {  // all NaN: statistics undetermined (MRC2014: dmax < dmin, dmean < both, rms < 0)
    put<float>(h, kDmin, 0.f);
    put<float>(h, kDmax, -1.f);
    put<float>(h, kDmean, -2.f);
    put<float>(h, kRms, -1.f);
  }
  put<int32_t>(h, kIspg, 1);  // a single volume, as mrcfile writes
  put<int32_t>(h, kNsymbt, int32_t(options.extended_header.size()));
  std::memcpy(h + kExttyp, options.exttyp.data(), options.exttyp.size());
  put<int32_t>(h, kNversion, 20141);  // what mrcfile writes (MRC2014 with the 2015 update)
  const Vec3 o = volume.origin();
  put<float>(h, kOrigin, float(o.x));
  put<float>(h, kOrigin + 4, float(o.y));
  put<float>(h, kOrigin + 8, float(o.z));
  std::memcpy(h + kMap, "MAP ", 4);
  h[kMachst] = 0x44;
  h[kMachst + 1] = 0x44;
  std::vector<std::string> labels = options.labels;
  if (labels.empty()) labels.push_back("Created by tomopick " TOMOPICK_VERSION);
  put<int32_t>(h, kNlabl, int32_t(labels.size()));
  for (size_t i = 0; i < labels.size(); ++i) {
    unsigned char* l = h + kLabels + i * kLabelBytes;
    std::memset(l, ' ', kLabelBytes);
    std::memcpy(l, labels[i].data(), labels[i].size());
  }

  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw Error(path, "cannot create folder: " + ec.message());
  }
  TempGuard guard{temp_sibling(path)};
  Fd fd(guard.tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!fd.ok()) throw Error(path, std::string("cannot write: ") + std::strerror(errno));
  write_all(fd.get(), h, sizeof h, path);
  write_all(fd.get(), options.extended_header.data(), options.extended_header.size(), path);
  volume.visit([&](const auto& v) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    constexpr size_t kChunk = size_t(1) << 20;
    const size_t n = v.size();
    if constexpr (std::is_same_v<T, uint8_t>) {  // widen to uint16, little-endian
      std::vector<uint16_t> buf;
      for (size_t i = 0; i < n; i += kChunk) {
        const size_t m = std::min(kChunk, n - i);
        buf.resize(m);
        for (size_t k = 0; k < m; ++k) {
          uint16_t w = v.data()[i + k];
          if constexpr (std::endian::native == std::endian::big) w = byteswap_value(w);
          buf[k] = w;
        }
        write_all(fd.get(), buf.data(), m * 2, path);
      }
    } else if constexpr (std::endian::native == std::endian::little || sizeof(T) == 1) {
      write_all(fd.get(), v.data(), v.bytes(), path);
    } else {
      std::vector<T> buf;
      for (size_t i = 0; i < n; i += kChunk) {
        const size_t m = std::min(kChunk, n - i);
        buf.assign(v.data() + i, v.data() + i + m);
        byteswap_buffer(buf.data(), m, sizeof(T));
        write_all(fd.get(), buf.data(), m * sizeof(T), path);
      }
    }
  });
  if (::fsync(fd.get()) != 0 || fd.close() != 0)
    throw Error(path, std::string("write failed: ") + std::strerror(errno));
  if (::rename(guard.tmp.c_str(), path.c_str()) != 0)
    throw Error(path, std::string("cannot rename into place: ") + std::strerror(errno));
  guard.keep = true;
}

}  // namespace tomopick
