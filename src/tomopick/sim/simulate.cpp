#include "tomopick/sim/simulate.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "tomopick/core/atomic_file.h"
#include "tomopick/core/progress.h"
#include "tomopick/io/copick_project.h"
#include "tomopick/io/ome_zarr.h"
#include "tomopick/sim/denoise.h"
#include "tomopick/sim/projector.h"
#include "tomopick/sim/reconstruct.h"

namespace tomopick::sim {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::string run_name(const std::string& prefix, int index, int runs) {
  const int digits = std::max(3, int(std::to_string(std::max(runs - 1, 0)).size()));
  std::string n = std::to_string(index);
  return prefix + std::string(size_t(std::max(0, digits - int(n.size()))), '0') + n;
}

std::vector<PickSet> sample_picks(const Sample& s, const SimConfig& c, const std::string& run) {
  std::vector<PickSet> sets;
  for (const auto& cr : c.counts) {
    PickSet p;
    p.object = cr.name;
    p.run = run;
    p.user_id = "simulation";
    p.session_id = "0";
    p.voxel_spacing = c.spacing;
    sets.push_back(p);
  }
  int64_t instance = 0;
  for (const auto& o : s.objects) {
    if (o.kind != ObjectKind::particle) continue;
    ++instance;
    for (auto& set : sets)
      if (set.object == o.name) {
        Pick pk;
        pk.x = o.centre.x, pk.y = o.centre.y, pk.z = o.centre.z;
        pk.instance_id = instance;
        const Mat3& r = o.rotation;
        pk.transformation = {r[0], r[1], r[2], 0, r[3], r[4], r[5], 0, r[6], r[7], r[8], 0, 0, 0, 0, 1};
        set.points.push_back(pk);
      }
  }
  return sets;
}

SimulatedRun simulate_run(const SimConfig& c, uint64_t seed, int index, const std::string& name, const RunOutputs& want) {
  validate(c);
  const auto t0 = std::chrono::steady_clock::now();
  SimulatedRun r;
  r.name = name;
  r.seed = derive_seed(seed, uint64_t(index));
  Rng params(derive_seed(r.seed, 0));
  r.exposure.defocus_A = params.uniform(c.defocus_min_um, c.defocus_max_um) * 1e4;
  r.exposure.dose = params.uniform(c.dose_min, c.dose_max);
  Rng placement(derive_seed(r.seed, 1));
  r.sample = place_sample(c, placement);
  r.picks = sample_picks(r.sample, c, name);

  Volume<float> density =
      render_sample(r.sample, c, want.labels ? &r.labels : nullptr, want.labels ? &r.instances : nullptr);
  const double t_render = seconds_since(t0);
  r.angles_deg = tilt_angles(c);
  const int64_t nu = detector_width(c.shape, r.angles_deg);
  Volume<float> tilts = project_tilt_series(density, r.angles_deg, nu);
  if (want.density) r.density = std::move(density);
  else density = Volume<float>();
  const double t_project = seconds_since(t0);
  form_images(tilts, r.angles_deg, c, r.exposure, derive_seed(r.seed, 2));
  const double t_images = seconds_since(t0);
  prepare_for_reconstruction(tilts, r.angles_deg, c, r.exposure);
  const double t_correct = seconds_since(t0);
  r.wbp = weighted_back_projection(tilts, r.angles_deg, c.shape, {c.radial_cutoff, c.radial_falloff});
  tilts = Volume<float>();
  const double t_wbp = seconds_since(t0);
  r.denoised = gaussian_filter(r.wbp, c.denoise_sigma);
  normalize_intensity(r.denoised, c.output_mean, c.output_std);
  normalize_intensity(r.wbp, c.output_mean, c.output_std);
  spdlog::debug("simulate {}: render {:.2f} s, project {:.2f} s, images {:.2f} s, ctf correction {:.2f} s, wbp {:.2f} s, "
                "denoise {:.2f} s",
                name, t_render, t_project - t_render, t_images - t_project, t_correct - t_images, t_wbp - t_correct,
                seconds_since(t0) - t_wbp);
  return r;
}

std::vector<std::string> simulate_project(const SimConfig& c, const SimulateOptions& o) {
  validate(c);
  if (o.runs < 1) throw Error("simulate: --runs must be at least 1 (got " + std::to_string(o.runs) + ")");
  if (o.out.empty()) throw Error("simulate: no output folder given");
  fs::path out = o.out.lexically_normal();
  if (!out.has_filename()) out = out.parent_path();  // "proj/" -> "proj"
  std::error_code ec;
  if (fs::exists(out, ec)) {
    const bool empty_dir = fs::is_directory(out, ec) && fs::is_empty(out, ec);
    if (!empty_dir) {
      if (!o.overwrite) throw Error(out, "already exists (pass --overwrite to replace it)");
      if (!CopickProject::is_project(out)) throw Error(out, "exists and is not a copick project; refusing to replace it");
    }
  }
  AtomicDir dir(out);
  CopickProject project = CopickProject::create(dir.path(), czii_config());
  std::vector<std::string> names;
  // A bar only when there are several runs: one run's line below says all there is.
  std::optional<Progress> bar;
  if (o.runs > 1) bar.emplace("simulate", o.runs, "run");
  for (int i = 0; i < o.runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string name = run_name(o.run_prefix, i, o.runs);
    SimulatedRun r = simulate_run(c, o.seed, i, name, {o.save_density, o.save_labels});
    OmeWriteOptions wo;
    wo.levels = 3;
    write_ome_zarr(project.tomogram_path(name, c.spacing, "denoised"), AnyVolume(std::move(r.denoised)), wo);
    write_ome_zarr(project.tomogram_path(name, c.spacing, "wbp"), AnyVolume(std::move(r.wbp)), wo);
    if (o.save_density) write_ome_zarr(project.tomogram_path(name, c.spacing, "density"), AnyVolume(std::move(r.density)), wo);
    if (o.save_labels) {
      OmeWriteOptions lo = wo;
      lo.levels = 1;  // a 2x mean of class numbers means nothing
      write_ome_zarr(project.tomogram_path(name, c.spacing, "labels"), AnyVolume(std::move(r.labels)), lo);
      write_ome_zarr(project.tomogram_path(name, c.spacing, "instances"), AnyVolume(std::move(r.instances)), lo);
    }
    size_t npicks = 0;
    for (const auto& set : r.picks) {
      project.write_picks(set);
      npicks += set.points.size();
    }
    nlohmann::ordered_json meta;
    meta["preset"] = c.preset;
    meta["seed"] = o.seed;
    meta["run_index"] = i;
    meta["run_seed"] = r.seed;
    meta["shape_zyx"] = {c.shape.z, c.shape.y, c.shape.x};
    meta["voxel_spacing_A"] = c.spacing;
    meta["defocus_um"] = r.exposure.defocus_A / 1e4;
    meta["dose_e_per_A2"] = r.exposure.dose;
    meta["tilt_angles_deg"] = r.angles_deg;
    meta["voltage_kv"] = c.voltage_kv;
    meta["cs_mm"] = c.cs_mm;
    meta["amplitude_contrast"] = c.amplitude_contrast;
    meta["bfactor_A2"] = c.bfactor;
    meta["snr"] = c.snr;
    meta["slab_thickness_A"] = c.slab_thickness;
    meta["tilt_weight_power"] = c.tilt_weight_power;
    meta["ctf_correction"] = ctf_correction_name(c.ctf_correction);
    if (c.ctf_correction == CtfCorrection::wiener) {
      meta["wiener_ssnr"] = c.wiener_ssnr;
      meta["wiener_falloff_A"] = c.wiener_falloff_A;
    }
    meta["denoise_sigma_voxels"] = c.denoise_sigma;
    nlohmann::ordered_json placed = nlohmann::ordered_json::object();
    for (const auto& [n, k] : r.sample.placed) placed[n] = k;
    meta["particles"] = placed;
    nlohmann::ordered_json distract = nlohmann::ordered_json::object();
    for (const auto& obj : r.sample.objects)
      if (obj.kind != ObjectKind::particle) distract[obj.name] = distract.value(obj.name, 0) + 1;
    meta["distractors"] = distract;
    write_file(project.static_root() / "ExperimentRuns" / name / "simulation.json", meta.dump(2) + "\n");
    spdlog::info("simulated {} ({} particles, defocus {:.2f} µm, dose {:.0f} e/Å²) in {:.1f} s", name, npicks,
                 r.exposure.defocus_A / 1e4, r.exposure.dose, seconds_since(t0));
    names.push_back(name);
    if (bar) bar->update(i + 1);
  }
  if (bar) bar->finish();
  dir.commit();
  return names;
}

}  // namespace tomopick::sim
