// tomopick convert IN OUT: tomograms between MRC, OME-Zarr and slice folders; picks between copick
// JSON / projects, CSV, RELION STAR and the BYU CSVs.
#include <spdlog/spdlog.h>

#include <iostream>

#include "tomopick/cli/commands.h"
#include "tomopick/cli/common.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/picks.h"
#include "tomopick/io/tomogram.h"

namespace tomopick::cli {

namespace {

struct ConvertOptions {
  std::string in, out;
  // tomograms
  size_t level = 0;
  std::string chunks = "64";
  std::string compressor = "blosc";
  std::string separator = "/";
  int levels = 3;
  std::string dtype;
  std::optional<double> spacing;
  std::string slice_ext = "png";
  // picks
  std::string run, object, format = "auto", user = "tomopick", session = "0", tomo_type;
  std::string tomogram_shape;
  std::string labels;
};

// Sizes of the tomograms behind the picks, which STAR (centred Å) and BYU (voxels) coordinates need.
TomoGeometryMap geometry_for(const ConvertOptions& o, const std::vector<const CopickProject*>& projects) {
  TomoGeometryMap g;
  for (const CopickProject* p : projects) {
    for (const auto& t : p->tomograms()) {
      if (g.count(t.run) || (!o.tomo_type.empty() && t.type != o.tomo_type)) continue;
      try {
        const auto info = probe_tomogram(t.path);
        const auto& s = info.levels.front().shape;
        g[t.run] = {s.x, s.y, s.z, info.levels.front().spacing.x};
      } catch (const Error& e) {
        spdlog::warn("{}", e.what());
      }
    }
  }
  if (!o.tomogram_shape.empty()) {
    if (!o.spacing) throw Error("--tomogram-shape needs --spacing (Å per voxel)");
    const Shape3 s = parse_shape(o.tomogram_shape, "--tomogram-shape");
    g["*"] = {s.x, s.y, s.z, *o.spacing};
  }
  return g;
}

void convert_picks(const ConvertOptions& o) {
  const fs::path in(o.in), out(o.out);
  std::optional<CopickProject> pin, pout;
  if (CopickProject::is_project(in)) pin = CopickProject::open(in);
  const bool out_is_project = CopickProject::is_project(out) || (out.extension().empty() && !is_picks_file(out));
  if (out_is_project && CopickProject::is_project(out)) pout = CopickProject::open(out);

  std::vector<const CopickProject*> projects;
  if (pin) projects.push_back(&*pin);
  if (pout) projects.push_back(&*pout);
  const TomoGeometryMap geometry = geometry_for(o, projects);

  std::vector<PickSet> sets;
  if (pin) {
    sets = pin->read_picks(o.run, o.object);
  } else {
    PickReadOptions ro;
    ro.csv.run = o.run;
    ro.csv.object = o.object;
    ro.csv.voxel_spacing = o.spacing.value_or(0);
    ro.star.tomograms = geometry;
    ro.star.run = o.run;
    ro.star.object = o.object;
    ro.star.pixel_spacing_A = o.spacing.value_or(0);
    ro.voxel_spacing_A = o.spacing.value_or(0);
    sets = read_picks(in, ro);
    if (!o.run.empty() || !o.object.empty()) {
      std::vector<PickSet> kept;
      for (auto& s : sets)
        if ((o.run.empty() || s.run == o.run) && (o.object.empty() || s.object == o.object)) kept.push_back(std::move(s));
      sets = std::move(kept);
    }
  }
  if (out_is_project) {
    if (!pout) {
      CopickConfig cfg = pin ? pin->config() : czii_config();
      pout = CopickProject::create(out, cfg);
    }
    for (auto s : sets) {
      if (!pout->config().find(s.object))
        spdlog::warn("{}: object '{}' is not in the project's copick_config.json", out.string(), s.object);
      if (!o.user.empty()) s.user_id = o.user;
      if (!o.session.empty()) s.session_id = o.session;
      pout->write_picks(s);
    }
  } else {
    PickWriteOptions wo;
    if (o.format == "byu-labels") wo.csv = CsvFlavour::byu_labels;
    else if (o.format == "byu-submission") wo.csv = CsvFlavour::byu_submission;
    wo.star.tomograms = geometry;
    write_picks(out, sets, wo);
  }
  spdlog::info("wrote {} picks in {} (run, object) sets to {}", count_picks(sets), sets.size(), out.string());
}

void convert_tomogram(const ConvertOptions& o) {
  TomoReadOptions ro;
  ro.level = o.level;
  if (o.spacing) ro.spacing = Vec3{*o.spacing, *o.spacing, *o.spacing};
  if (!o.labels.empty()) ro.spacing = spacing_from_byu_labels(o.labels, o.in);
  AnyVolume v = read_tomogram(o.in, ro);
  if (!o.dtype.empty()) v = v.converted(parse_dtype(o.dtype));
  TomoWriteOptions wo;
  wo.levels = o.levels;
  wo.slice_ext = o.slice_ext;
  wo.zarr.chunks = parse_shape(o.chunks, "--chunks");
  wo.zarr.codec = parse_codec_spec(o.compressor);
  if (o.separator != "/" && o.separator != ".") throw Error("--separator must be / or .");
  wo.zarr.separator = o.separator[0];
  const TomoFormat f = format_for_output(o.out);
  write_tomogram(o.out, v, f, wo);
  const Shape3 s = v.shape();
  spdlog::info("wrote {} {} x {} x {} (z, y, x) {} at {:.4g} Å to {}", format_name(f), s.z, s.y, s.x, dtype_name(v.dtype()),
               v.spacing().x, o.out);
}

}  // namespace

void add_convert(CLI::App& app) {
  auto o = std::make_shared<ConvertOptions>();
  auto* cmd = app.add_subcommand("convert",
                                 "Convert tomograms (MRC <-> OME-Zarr <-> slice folders) or picks (copick JSON/project, CSV, "
                                 "RELION STAR, BYU CSV)");
  cmd->add_option("input", o->in, "Tomogram, picks file or copick project")->required();
  cmd->add_option("output", o->out,
                  "Output: .zarr (OME-Zarr), .mrc/.rec, a folder (slices); or .json/.csv/.star, or a project folder for picks")
      ->required();
  auto* tomo = "Tomograms";
  cmd->add_option("--level", o->level, "Input multiscale level to convert (0 = full resolution)")->group(tomo);
  cmd->add_option("--chunks", o->chunks, "Zarr chunk shape Z,Y,X or N (default 64)")->group(tomo);
  cmd->add_option("--compressor", o->compressor,
                  "Zarr codec: none, zlib[:L], gzip[:L], zstd[:L], blosc[-lz4|-lz4hc|-zstd|-zlib|-blosclz][:L[:shuffle|bitshuffle|noshuffle]]")
      ->group(tomo);
  cmd->add_option("--separator", o->separator, "Zarr dimension separator: / or .")->group(tomo);
  cmd->add_option("--levels", o->levels, "OME-Zarr pyramid levels to write (2x downsampling each)")->check(CLI::Range(1, 12))->group(tomo);
  cmd->add_option("--dtype", o->dtype, "Output element type: float32, float16, int16, uint16, int8, uint8")->group(tomo);
  cmd->add_option("--labels", o->labels,
                  "BYU train_labels.csv giving a slice folder's spacing (looked up by the folder's name)")
      ->group(tomo);
  cmd->add_option("--slice-ext", o->slice_ext, "Slice-folder image type: png, tif or jpg")->group(tomo);
  cmd->add_option("--spacing", o->spacing,
                  "Voxel spacing in Å: overrides the input tomogram's; for picks, the spacing of voxel coordinates")
      ->check(CLI::PositiveNumber);
  auto* picks = "Picks";
  cmd->add_option("--run", o->run, "Only this run (and the run name for files without one)")->group(picks);
  cmd->add_option("--object", o->object, "Only this object (and the object name for files without one)")->group(picks);
  cmd->add_option("--format", o->format, "CSV flavour to write: auto (CZII), byu-labels, byu-submission")
      ->check(CLI::IsMember({"auto", "byu-labels", "byu-submission"}))
      ->group(picks);
  cmd->add_option("--user", o->user, "copick user_id for picks written into a project")->group(picks);
  cmd->add_option("--session", o->session, "copick session_id for picks written into a project")->group(picks);
  cmd->add_option("--tomo-type", o->tomo_type, "Which project tomogram gives STAR/BYU geometry (default: the first)")->group(picks);
  cmd->add_option("--tomogram-shape", o->tomogram_shape,
                  "Tomogram shape Z,Y,X for STAR/BYU coordinates when no project gives it (with --spacing)")
      ->group(picks);
  cmd->callback([o] {
    const fs::path in(o->in);
    if (is_picks_file(in) || CopickProject::is_project(in)) convert_picks(*o);
    else convert_tomogram(*o);
  });
}

}  // namespace tomopick::cli
