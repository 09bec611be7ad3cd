#!/usr/bin/python3
"""Side-by-side central slices of a simulated `czii` run and the real data, for judging realism.

    /usr/bin/python3 scripts/sim_compare.py PROJECT [OUT.png]

Top row (x-y slices): the simulated `denoised` run at level 1 (20 Å; whole 630 x 630 box), a
59 x 59 crop of it, the real TS_6_4 `denoised` fragment (the one surviving 59 x 59 chunk, level 1,
20 Å) at the same scale, and the EMPIAR-11658 tomo9 centre slice (31.36 Å). Bottom row: x-z slices
of the same (the missing wedge's X-shaped streaks and z elongation). Each panel is contrast-stretched
between its own 1st and 99th percentiles (dark = dense).
"""
import sys
from pathlib import Path

import mrcfile
import numpy as np
import zarr
from PIL import Image, ImageDraw

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def stretch(a, size):
    lo, hi = np.percentile(a, [1, 99])
    img = Image.fromarray((np.clip((a - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8))
    return img.resize(size, Image.BICUBIC)


def main():
    project = Path(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("docs/images/sim_vs_real.png")
    run = sorted((project / "ExperimentRuns").iterdir())[0]
    vs = sorted(run.glob("VoxelSpacing*"))[0]
    sim = zarr.open(str(vs / "denoised.zarr" / "1"), mode="r")[:]
    real = zarr.open(str(DATA / "czii-fragments/TS_6_4/denoised.zarr/1"), mode="r")[0:92, 256:315, 256:315]
    emp = mrcfile.open(str(DATA / "empiar-11658/tomo9.mrc"), permissive=True).data
    zc, yc = sim.shape[0] // 2, sim.shape[1] // 2
    cy, cx = yc - 29, sim.shape[2] // 2 - 29
    S = 300  # panel size
    top = [
        ("simulated czii-real, 20 Å, whole box", stretch(sim[zc], (S, S))),
        ("simulated, 59x59 crop (20 Å)", stretch(sim[zc, cy:cy + 59, cx:cx + 59], (S, S))),
        ("real TS_6_4 denoised, 59x59 (20 Å)", stretch(real[46], (S, S))),
        ("real EMPIAR-11658 tomo9 (31 Å)", stretch(emp[emp.shape[0] // 2], (S, S))),
    ]
    hz = int(S * 92 / 59 / 2)
    bottom = [
        ("simulated x-z, whole width", stretch(sim[:, yc, :], (S, int(S * sim.shape[0] / sim.shape[2] * 1.0)))),
        ("simulated x-z, crop", stretch(sim[:, yc, cx:cx + 59], (S, hz))),
        ("real TS_6_4 x-z", stretch(real[:, 30, :], (S, hz))),
        ("real EMPIAR x-z", stretch(emp[:, emp.shape[1] // 2, :], (S, S // 2))),
    ]
    pad, label = 8, 16
    h_bottom = max(im.height for _, im in bottom)
    canvas = Image.new("L", (4 * S + 5 * pad, 2 * (S + label) + 3 * pad + h_bottom - S), 255)
    draw = ImageDraw.Draw(canvas)
    for row, panels in enumerate([top, bottom]):
        y = pad + row * (S + label + pad)
        for i, (name, im) in enumerate(panels):
            x = pad + i * (S + pad)
            draw.text((x, y), name, fill=0)
            canvas.paste(im, (x, y + label))
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out)
    print(f"wrote {out} (simulated run {run.name})")


if __name__ == "__main__":
    main()
