#!/usr/bin/python3
"""How realistic are simulated `denoised` tomograms? Numbers for simulated projects beside the real data.

    /usr/bin/python3 scripts/sim_realism.py PROJECT[=LABEL] [PROJECT[=LABEL] ...] [--run NAME]

PROJECT is a copick project from `tomopick simulate --preset czii` (630 x 630 x 184 at 10 Å); every
run in it is used unless --run names one (contrast pooled over all picks, the other measures the
median over runs). The real references (read in place from
../shared/data): the one surviving chunk of CZII TS_6_4 `denoised` (level 1, 20 Å, 92 x 59 x 59)
with the ground-truth picks that fall inside it, and EMPIAR-11658 tomo9 (31.36 Å) with its ribosome
picks. Simulated tomograms are read at level 1 (20 Å), the scale of the real chunk.

The measures (the same code for every column):
  centre contrast   mean of a sphere of radius 1 voxel (the voxel and its 6 face neighbours) at
                    each pick, in SD from the tomogram's mean (whole level-1 volume; for TS_6_4 the
                    chunk); mean over picks, with the pick count.
  x-y spectrum      power of mean-subtracted, Hann-windowed x-y tiles of ~1180 Å (59 x 59 at 20 Å,
                    38 x 38 at 31.36 Å), radially averaged over the bands below; each band's share of
                    the power between 1200 and 62.7 Å (tomo9's Nyquist), plus the power finer than
                    62.7 Å relative to that.
  histogram         percentiles in SD from the mean, skewness and excess kurtosis of all voxels.
  wedge streaks     power of mean-subtracted, Hann-windowed x-z windows (full z, ~1180 Å of x)
                    between 400 and 60 Å, by direction phi from k_x: mean power at phi 45-60° (the
                    views nearest the +-60° wedge edge, whose rays make the X-shaped streaks in x-z)
                    over mean power at phi 0-30° (the well-measured directions); and the wedge's fill
                    (phi 70-90°, never measured) over the same.
Prints the table as markdown (for README).
"""
import argparse
import csv
import json
import sys
from pathlib import Path

import mrcfile
import numpy as np
import zarr

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TS64_CHUNK = (slice(0, 92), slice(256, 315), slice(256, 315))  # level-1 voxels of the surviving chunk
TS64_CLASSES = {"0": "apo-ferritin", "1": "thyroglobulin", "2": "beta-galactosidase", "3": "ribosome",
                "4": "virus-like-particle"}
PARTICLES = ["apo-ferritin", "beta-amylase", "beta-galactosidase", "ribosome", "thyroglobulin",
             "virus-like-particle"]
TILE_A = 1180.0  # Å: the real chunk's x-y extent, so every column sees the same frequency grid
XY_BANDS_A = [(1200, 400), (400, 200), (200, 100), (100, 62.7)]
FINE_BAND_A = (62.7, 40.0)
WEDGE_BAND_A = (400, 60)


class Tomogram:
    """A volume (z, y, x) at `spacing` Å with picks as voxel indices per particle name."""

    def __init__(self, label, volume, spacing, picks):
        self.label, self.volume, self.spacing, self.picks = label, volume, spacing, picks


def voxel(point_a, spacing, origin=(0, 0, 0)):
    """Å (x, y, z) -> the nearest voxel index (z, y, x), as the OME-NGFF scale says."""
    x, y, z = point_a
    return tuple(int(round(c / spacing)) - o for c, o in zip((z, y, x), origin))


def load_simulated(project, label, run_name):
    runs = sorted(p for p in (project / "ExperimentRuns").iterdir() if p.is_dir())
    if run_name:
        runs = [r for r in runs if r.name == run_name]
    if not runs:
        sys.exit(f"{project}: no run{' ' + run_name if run_name else ''} under ExperimentRuns")
    out = []
    for run in runs:
        spacing_dir = sorted(run.glob("VoxelSpacing*"))[0]
        store = spacing_dir / "denoised.zarr"
        attrs = json.loads((store / ".zattrs").read_text())
        spacing = attrs["multiscales"][0]["datasets"][1]["coordinateTransformations"][0]["scale"][2]
        volume = zarr.open(str(store / "1"), mode="r")[:].astype(np.float64)
        picks = {}
        for f in sorted((run / "Picks").glob("*.json")):
            doc = json.loads(f.read_text())
            pts = [(p["location"]["x"], p["location"]["y"], p["location"]["z"]) for p in doc.get("points", [])]
            picks.setdefault(doc["pickable_object_name"], []).extend(voxel(p, spacing) for p in pts)
        out.append(Tomogram(label, volume, spacing, picks))
    return out


def load_ts64():
    store = DATA / "czii-fragments/TS_6_4/denoised.zarr"
    attrs = json.loads((store / ".zattrs").read_text())
    spacing = attrs["multiscales"][0]["datasets"][1]["coordinateTransformations"][0]["scale"][2]
    volume = zarr.open(str(store / "1"), mode="r")[TS64_CHUNK].astype(np.float64)
    origin = tuple(s.start for s in TS64_CHUNK)
    picks = {}
    with open(DATA / "czii-fragments/picks/FiveParticlesDataTS_6_4.csv") as f:
        for row in csv.DictReader(f):
            v = voxel((float(row["x"]), float(row["y"]), float(row["z"])), spacing, origin)
            if all(0 <= i < n for i, n in zip(v, volume.shape)):
                picks.setdefault(TS64_CLASSES[row["Class"]], []).append(v)
    return Tomogram("real TS_6_4", volume, spacing, picks)


def load_tomo9():
    spacing = 31.36
    with mrcfile.open(str(DATA / "empiar-11658/tomo9.mrc"), permissive=True) as m:
        volume = m.data.astype(np.float64)
    with open(DATA / "empiar-11658/tomo9_ribosome.csv") as f:
        pts = [voxel((float(r["x_A"]), float(r["y_A"]), float(r["z_A"])), spacing) for r in csv.DictReader(f)]
    inside = [p for p in pts if all(0 <= i < n for i, n in zip(p, volume.shape))]
    return Tomogram("real tomo9", volume, spacing, {"ribosome": inside})


# ---- measures ---------------------------------------------------------------------------------------

SPHERE = [(0, 0, 0), (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)]


def centre_contrast(volume, points):
    """Per pick: the mean of the radius-1 sphere (clipped to the volume) in SD from the volume's mean."""
    mean, sd = volume.mean(), volume.std()
    out = []
    for z, y, x in points:
        vals = [volume[z + a, y + b, x + c] for a, b, c in SPHERE
                if 0 <= z + a < volume.shape[0] and 0 <= y + b < volume.shape[1] and 0 <= x + c < volume.shape[2]]
        out.append((np.mean(vals) - mean) / sd)
    return out


def tiles_2d(planes, tile):
    """Non-overlapping tile x tile windows of each 2D plane in `planes` (n, a, b)."""
    n, a, b = planes.shape
    ta, tb = tile
    for i in range(0, a - ta + 1, ta):
        for j in range(0, b - tb + 1, tb):
            yield planes[:, i:i + ta, j:j + tb]


def mean_power(planes, tile):
    """Mean power spectrum of mean-subtracted, Hann-windowed tiles of the planes."""
    win = np.outer(np.hanning(tile[0]), np.hanning(tile[1]))
    acc, n = np.zeros(tile), 0
    for t in tiles_2d(planes, tile):
        t = t - t.mean(axis=(1, 2), keepdims=True)
        acc += (np.abs(np.fft.fft2(t * win)) ** 2).sum(axis=0)
        n += t.shape[0]
    return acc / n


def frequency_grid(shape, spacing):
    """|k| (1/Å) and the angle from the second axis (degrees, 0..90) of an FFT grid."""
    ka = np.fft.fftfreq(shape[0], spacing)[:, None]
    kb = np.fft.fftfreq(shape[1], spacing)[None, :]
    return np.hypot(ka, kb), np.degrees(np.arctan2(np.abs(ka), np.abs(kb)))


def xy_spectrum(volume, spacing):
    n = max(8, int(round(TILE_A / spacing)))
    p = mean_power(volume, (n, n))
    k, _ = frequency_grid(p.shape, spacing)
    band = lambda lo_a, hi_a: p[(k >= 1 / lo_a) & (k < 1 / hi_a)].sum()
    powers = [band(lo, hi) for lo, hi in XY_BANDS_A]
    total = sum(powers)
    fine = band(*FINE_BAND_A) / total if 1 / FINE_BAND_A[0] < 0.5 / spacing else None
    return [q / total for q in powers], fine


def histogram_shape(volume):
    v = volume.ravel()
    mean, sd = v.mean(), v.std()
    z = (v - mean) / sd
    pct = np.percentile(z, [1, 5, 50, 95, 99])
    return pct, float((z ** 3).mean()), float((z ** 4).mean() - 3)


def wedge_streaks(volume, spacing):
    """(edge, fill): x-z power at phi 45-60° and at 70-90° from k_x, each over phi 0-30°."""
    nx = max(8, int(round(TILE_A / spacing)))
    xz = np.transpose(volume, (1, 0, 2))  # (y, z, x): one x-z plane per y
    p = mean_power(xz, (xz.shape[1], nx))
    k, phi = frequency_grid(p.shape, spacing)  # phi from k_x (the second axis)
    ring = (k >= 1 / WEDGE_BAND_A[0]) & (k < 1 / WEDGE_BAND_A[1])
    sector = lambda lo, hi: p[ring & (phi >= lo) & (phi < hi)].mean()
    base = sector(0, 30)
    return sector(45, 60) / base, sector(70, 90.01) / base


# ---- the table --------------------------------------------------------------------------------------

def column(tomos):
    """All measures for one column: a list of Tomogram (runs pooled: contrast over all picks, the
    rest the median over runs, since one gold bead in one run dominates its moments)."""
    col = {}
    for name in PARTICLES:
        vals = [c for t in tomos for c in centre_contrast(t.volume, t.picks.get(name, []))]
        col[name] = vals
    spectra = [xy_spectrum(t.volume, t.spacing) for t in tomos]
    col["bands"] = np.median([s[0] for s in spectra], axis=0)
    fines = [s[1] for s in spectra if s[1] is not None]
    col["fine"] = np.median(fines) if fines else None
    hists = [histogram_shape(t.volume) for t in tomos]
    col["pct"] = np.median([h[0] for h in hists], axis=0)
    col["skew"] = np.median([h[1] for h in hists])
    col["kurt"] = np.median([h[2] for h in hists])
    wedges = [wedge_streaks(t.volume, t.spacing) for t in tomos]
    col["edge"] = np.median([w[0] for w in wedges])
    col["fill"] = np.median([w[1] for w in wedges])
    col["spacing"] = tomos[0].spacing
    return col


def contrast_cell(vals):
    if not vals:
        return "—"
    return f"{np.mean(vals):+.2f} (n={len(vals)})"


def rows(cols):
    out = []
    for name in PARTICLES:
        out.append((f"{name} centre (SD)", [contrast_cell(c[name]) for c in cols]))
    for i, (lo, hi) in enumerate(XY_BANDS_A):
        out.append((f"x-y power {lo:g}-{hi:g} Å (share)", [f"{c['bands'][i]:.3f}" for c in cols]))
    out.append((f"x-y power {FINE_BAND_A[0]:g}-{FINE_BAND_A[1]:g} Å (relative)",
                ["—" if c["fine"] is None else f"{c['fine']:.3f}" for c in cols]))
    for i, p in enumerate([1, 5, 50, 95, 99]):
        out.append((f"percentile {p} (SD)", [f"{c['pct'][i]:+.2f}" for c in cols]))
    out.append(("skewness", [f"{c['skew']:+.2f}" for c in cols]))
    out.append(("excess kurtosis", [f"{c['kurt']:+.2f}" for c in cols]))
    out.append(("x-z wedge edge 45-60° / 0-30°", [f"{c['edge']:.3f}" for c in cols]))
    out.append(("x-z wedge fill 70-90° / 0-30°", [f"{c['fill']:.3f}" for c in cols]))
    return out


def markdown(labels, table):
    lines = ["| measure | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
    lines += ["| " + name + " | " + " | ".join(cells) + " |" for name, cells in table]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", nargs="+", help="simulated copick project, optionally =LABEL")
    ap.add_argument("--run", help="use only this run of each project")
    args = ap.parse_args()
    labels, cols = [], []
    for spec in args.projects:
        path, _, label = spec.partition("=")
        label = label or Path(path).name
        if not (Path(path) / "ExperimentRuns").is_dir():
            sys.exit(f"{path}: not a copick project (no ExperimentRuns folder)")
        labels.append(f"sim: {label} (20 Å)")
        cols.append(column(load_simulated(Path(path), label, args.run)))
    ts64, tomo9 = load_ts64(), load_tomo9()
    labels += ["real TS_6_4 (20 Å)", "real tomo9 (31.4 Å)"]
    cols += [column([ts64]), column([tomo9])]
    print(markdown(labels, rows(cols)))


if __name__ == "__main__":
    main()
