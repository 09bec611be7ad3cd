#pragma once
// Particle picks and the files that hold them: copick JSON, CSV (CZII submission / ground truth and
// plain x,y,z tables), RELION 5 tomography STAR, and the BYU flagellar-motor CSVs.
//
// Coordinates: every Pick is in Å from the centre of voxel [0,0,0] of its tomogram (voxel index =
// Å / spacing), the convention of tomopick/core/volume.h. Readers convert into it, writers out of it.
//
// Every failure is an Error whose message starts with the file name; parse errors name the line (and
// column, for tables) or the JSON path of the bad field.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tomopick {

namespace fs = std::filesystem;

inline constexpr std::array<double, 16> kIdentity4x4 = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};

struct Pick {
  double x = 0, y = 0, z = 0;  // Å, from the centre of voxel [0,0,0]
  double score = 1.0;          // detection score; 1.0 when the file has none
  int64_t instance_id = 0;
  std::array<double, 16> transformation = kIdentity4x4;  // 4x4, row-major (copick "transformation_")
  friend bool operator==(const Pick&, const Pick&) = default;
};

// The picks of one object type in one run.
struct PickSet {
  std::string object;  // pickable_object_name / particle_type
  std::string run;     // run_name / experiment / rlnTomoName / tomo_id
  std::string user_id = "tomopick", session_id = "0";
  double voxel_spacing = 0;  // Å; 0 = unknown
  std::vector<Pick> points;
  friend bool operator==(const PickSet&, const PickSet&) = default;
};

// ---- helpers ---------------------------------------------------------------------------------------

// Merges sets with the same (run, object) (points appended in order; the first set's user, session
// and spacing win) and sorts the result by run, then object. Empty sets are kept (they record a run).
std::vector<PickSet> group_pick_sets(std::vector<PickSet> sets);

// Total number of picks.
size_t count_picks(const std::vector<PickSet>& sets);

// Number of picks per object name over all runs.
std::map<std::string, size_t> count_picks_by_object(const std::vector<PickSet>& sets);

// The set for (run, object), or nullptr.
const PickSet* find_pick_set(const std::vector<PickSet>& sets, const std::string& run, const std::string& object);

// Size and spacing of one tomogram (what the STAR and BYU formats need to convert coordinates).
struct TomoGeometry {
  int64_t nx = 0, ny = 0, nz = 0;  // voxels
  double spacing_A = 0;            // Å per voxel
};
// By run name; an entry "*" applies to every run without an entry of its own.
using TomoGeometryMap = std::map<std::string, TomoGeometry>;
inline constexpr const char* kAnyRun = "*";
// The geometry of `run` (its own entry, else the "*" entry), or nullptr.
const TomoGeometry* find_tomo_geometry(const TomoGeometryMap& tomograms, const std::string& run);

// ---- copick JSON (one file = one PickSet) -----------------------------------------------------------
// {"pickable_object_name", "user_id", "session_id", "run_name", "voxel_spacing", "unit": "angstrom",
//  "points": [{"location": {"x","y","z"}, "transformation_": [[4x4]], "instance_id", "score"}],
//  "trust_orientation": true}
// Missing or null optional fields take the defaults of PickSet / Pick; wrong types are errors naming
// the JSON path ("points[3].location.x is not a number"). A "unit" other than "angstrom" is an error.
PickSet read_copick_json(const fs::path& path);
// Atomic; doubles are written so that they read back bit-exactly. Non-finite values are an error.
void write_copick_json(const fs::path& path, const PickSet& set);

// ---- CSV ---------------------------------------------------------------------------------------------
// Header-driven (names are matched case-insensitively, surrounding spaces ignored):
//   x, y, z           : x | x_A | x_angst | x_angstrom (likewise y, z), in Å — required
//   run               : experiment | run | run_name | tomo | tomo_id | tomo_name | tomogram | rlnTomoName
//   object            : particle_type | object | pickable_object_name | object_name | type
//   class             : class (an integer looked up in class_names, or a name used as is)
//   score             : score | confidence
//   instance id       : instance_id
//   ignored           : id, row_id and anything else
// RFC 4180 quoting, CRLF, a UTF-8 byte-order mark and blank lines are accepted.
struct CsvReadOptions {
  std::string run;     // run for files without a run column; default: the file's stem
  std::string object;  // object for files without object/class columns; default: "particle"
  std::map<int, std::string> class_names = {{0, "apo-ferritin"},
                                            {1, "thyroglobulin"},
                                            {2, "beta-galactosidase"},
                                            {3, "ribosome"},
                                            {4, "virus-like-particle"}};  // CZII ground truth
  double voxel_spacing = 0;  // stored in the sets read (Å); 0 = unknown
};
// The CZII ground-truth files (FiveParticlesData<run>.csv) name their run after "FiveParticlesData";
// that run is used when the file has no run column and no run option is given.
// Returns sets grouped and sorted as group_pick_sets does; points keep file order.
std::vector<PickSet> read_picks_csv(const fs::path& path, const CsvReadOptions& opts = {});
// Writes the CZII submission format plus a score column: id,experiment,particle_type,x,y,z,score
// (id = running index from 0, sets and points in the order given).
void write_picks_csv(const fs::path& path, const std::vector<PickSet>& sets);

// ---- RELION 5 tomography STAR -------------------------------------------------------------------------
// Reads the loop of block data_particles (or else the first block with coordinates):
//   _rlnTomoName                              run
//   _rlnCenteredCoordinate{X,Y,Z}Angst        Å from the tomogram centre (RELION 5), or else
//   _rlnCoordinate{X,Y,Z}                     voxels of `spacing` Å from voxel 0 (RELION <= 4.1)
//   _tomopickObject                           object name (our column; RELION keeps unknown labels)
//   _rlnClassNumber                           object via class_names when there is no _tomopickObject
//   _tomopickScore                            score
// The centre, as RELION 5 defines it (src/jaz/tomography/tomogram_set.cpp: centre = (w0/2.0, h0/2.0,
// d0/2.0) in pixels of the tomogram; src/jaz/tomography/particle_set.cpp,
// getParticleCoordDecenteredPixel: decentred pixel = centred Å / pixel size + centre), lies at
// (n/2) * spacing Å from voxel 0 on each axis, so  x_A = centred_x_A + nx * spacing / 2.
// Object per row: _tomopickObject, else class_names[_rlnClassNumber], else `object`, else
// "class<N>" when there is a class number, else "particle". Run: _rlnTomoName, else the stem of
// _rlnMicrographName (RELION 3/4 subtomogram files), else `run`, else the file's stem.
struct StarOptions {
  TomoGeometryMap tomograms;  // needed for centred coordinates (read and write); a run with neither its own
                              // entry nor a "*" entry is an error
  std::string object;         // fallback object name (see above)
  std::string run;            // fallback run name for files without _rlnTomoName
  std::map<int, std::string> class_names;  // _rlnClassNumber -> object
  double pixel_spacing_A = 0;  // Å per pixel for _rlnCoordinate{X,Y,Z} when `tomograms` lacks the run
};
std::vector<PickSet> read_picks_star(const fs::path& path, const StarOptions& opts);
// Writes "data_particles" with _rlnTomoName, _rlnCenteredCoordinate{X,Y,Z}Angst, _tomopickObject and
// _tomopickScore. Every run must be in opts.tomograms.
void write_picks_star(const fs::path& path, const std::vector<PickSet>& sets, const StarOptions& opts);

// ---- BYU flagellar motors (Kaggle "BYU - Locating Bacterial Flagellar Motors 2025") -----------------
// train_labels.csv: row_id,tomo_id,Motor axis 0,Motor axis 1,Motor axis 2,Array shape (axis 0),
// Array shape (axis 1),Array shape (axis 2),Voxel spacing,Number of motors
// Axis 0 = z, 1 = y, 2 = x, in voxels; -1 on all three axes = no motor in that tomogram.
// The submission format is tomo_id,Motor axis 0,Motor axis 1,Motor axis 2 (one row per tomogram).
inline constexpr const char* kMotorObject = "flagellar-motor";

struct MotorLabel {
  std::string tomo_id;
  double z = -1, y = -1, x = -1;             // voxels; all -1 = no motor
  int64_t shape_z = 0, shape_y = 0, shape_x = 0;  // "Array shape (axis 0..2)"; 0 = unknown
  double voxel_spacing = 0;                  // Å; 0 = unknown
  int64_t motor_count = 0;                   // "Number of motors" in this tomogram
  double score = 1.0;                        // not in the files; used to choose one motor per tomogram
  bool has_motor() const { return !(z == -1 && y == -1 && x == -1); }
  friend bool operator==(const MotorLabel&, const MotorLabel&) = default;
};

// Reads train_labels.csv (row_id, shape, spacing and count columns are optional).
std::vector<MotorLabel> read_byu_labels(const fs::path& path);
// Writes train_labels.csv (row_id = running index from 0); every label needs a known shape.
void write_byu_labels(const fs::path& path, const std::vector<MotorLabel>& labels);
// Reads / writes the submission format. Writing rejects a tomogram that appears twice.
std::vector<MotorLabel> read_byu_submission(const fs::path& path);
void write_byu_submission(const fs::path& path, const std::vector<MotorLabel>& labels);

// One PickSet (object kMotorObject) per tomogram, sorted by tomo_id; a tomogram without a motor gives
// an empty set. Å = voxel * spacing, spacing from the labels or else `fallback_spacing_A` (neither is
// an error). If `geometry` is given, each tomogram's shape and spacing are stored in it.
std::vector<PickSet> motor_labels_to_picks(const std::vector<MotorLabel>& labels, double fallback_spacing_A = 0,
                                           TomoGeometryMap* geometry = nullptr);
// The reverse: one label per pick, one "-1" label per empty set; spacing from the set or else from
// `tomograms`, shape from `tomograms` (0 when absent). motor_count = picks in that run.
std::vector<MotorLabel> picks_to_motor_labels(const std::vector<PickSet>& sets, const TomoGeometryMap& tomograms = {});
// Keeps the highest-scoring motor of each tomogram (first on ties), or its "-1" label; order kept.
std::vector<MotorLabel> best_motor_per_tomogram(const std::vector<MotorLabel>& labels);

// ---- by file extension --------------------------------------------------------------------------------
struct PickReadOptions {
  CsvReadOptions csv;         // generic CSV
  StarOptions star;           // STAR; its `tomograms` also give BYU submissions their spacing
  double voxel_spacing_A = 0; // BYU files without a spacing column when `star.tomograms` lacks the run
};
enum class CsvFlavour { generic, byu_labels, byu_submission };
struct PickWriteOptions {
  CsvFlavour csv = CsvFlavour::generic;
  StarOptions star;  // STAR; its `tomograms` also give BYU files their shapes and spacings
};

// .json -> copick (one set); .csv -> BYU labels / BYU submission when the header has "Motor axis 0",
// else generic CSV; .star -> RELION. Other extensions are an error listing the supported ones.
std::vector<PickSet> read_picks(const fs::path& path, const PickReadOptions& opts = {});
// Same extensions; a copick .json takes exactly one set. BYU submissions keep the best-scoring pick of
// each run.
void write_picks(const fs::path& path, const std::vector<PickSet>& sets, const PickWriteOptions& opts = {});

}  // namespace tomopick
