// read_picks / write_picks: choose the format from the file extension (and, for .csv, the header).
#include "tomopick/core/ascii.h"
#include "tomopick/core/atomic_file.h"
#include "tomopick/core/error.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/picks_text.h"

namespace tomopick {

using namespace picks_detail;

namespace {

const char* kSupported = "supported: .json (copick), .csv (CZII / x,y,z tables, BYU motor labels or submission), "
                         ".star (RELION)";

std::string extension_of(const fs::path& path) { return ascii_lower(path.extension().string()); }

[[noreturn]] void unknown_extension(const fs::path& path) {
  const std::string ext = path.extension().string();
  throw Error(path, (ext.empty() ? std::string("no file extension") : "unknown pick file extension '" + ext + "'") +
                        " (" + kSupported + ")");
}

enum class CsvKind { generic, byu_labels, byu_submission };

// Looks at the header only: "Motor axis 0" means BYU; with "Array shape" or "Voxel spacing" columns
// it is train_labels.csv, else a submission.
CsvKind sniff_csv(const fs::path& path) {
  const std::string text = read_file(path);
  std::vector<CsvRecord> records;
  try {
    records = parse_csv(path, std::string_view(text).substr(0, text.find_first_of("\r\n")));
  } catch (const Error&) {
    return CsvKind::generic;  // a header spanning lines: let the full reader judge it
  }
  if (records.empty()) return CsvKind::generic;  // read_picks_csv reports the empty file
  bool motor = false, labels = false;
  for (const auto& f : records[0].fields) {
    const std::string h = ascii_lower(trim(f));
    if (h == "motor axis 0") motor = true;
    if (h.rfind("array shape", 0) == 0 || h == "voxel spacing") labels = true;
  }
  if (!motor) return CsvKind::generic;
  return labels ? CsvKind::byu_labels : CsvKind::byu_submission;
}

// Conversion helpers throw Errors without a file; name it.
template <class F>
auto with_file(const fs::path& path, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    if (!e.file().empty()) throw;
    throw Error(path, e.what());
  }
}

}  // namespace

std::vector<PickSet> read_picks(const fs::path& path, const PickReadOptions& opts) {
  const std::string ext = extension_of(path);
  if (ext == ".json") return {read_copick_json(path)};
  if (ext == ".star") return read_picks_star(path, opts.star);
  if (ext == ".csv") {
    const CsvKind kind = sniff_csv(path);
    if (kind == CsvKind::generic) return read_picks_csv(path, opts.csv);
    auto labels = kind == CsvKind::byu_labels ? read_byu_labels(path) : read_byu_submission(path);
    for (auto& m : labels) {  // spacing from the tomogram geometry where the file has none
      const TomoGeometry* g = find_tomo_geometry(opts.star.tomograms, m.tomo_id);
      if (!(m.voxel_spacing > 0) && g) m.voxel_spacing = g->spacing_A;
    }
    return with_file(path, [&] { return motor_labels_to_picks(labels, opts.voxel_spacing_A); });
  }
  unknown_extension(path);
}

void write_picks(const fs::path& path, const std::vector<PickSet>& sets, const PickWriteOptions& opts) {
  const std::string ext = extension_of(path);
  if (ext == ".json") {
    if (sets.size() != 1)
      throw Error(path, "a copick JSON file holds the picks of one object in one run, but there are " +
                            std::to_string(sets.size()) + " pick sets; write them into a copick project instead");
    return write_copick_json(path, sets[0]);
  }
  if (ext == ".star") return write_picks_star(path, sets, opts.star);
  if (ext == ".csv") {
    switch (opts.csv) {
      case CsvFlavour::generic:
        return write_picks_csv(path, sets);
      case CsvFlavour::byu_labels:
        return write_byu_labels(path, with_file(path, [&] { return picks_to_motor_labels(sets, opts.star.tomograms); }));
      case CsvFlavour::byu_submission:
        return write_byu_submission(
            path, with_file(path, [&] { return best_motor_per_tomogram(picks_to_motor_labels(sets, opts.star.tomograms)); }));
    }
  }
  unknown_extension(path);
}

}  // namespace tomopick
