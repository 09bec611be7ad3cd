"""Start-up and whole-process speed of the light commands (those that run no network).

usage: /usr/bin/python3 bench/startup.py [BUILD_DIR] [--repeats 10]
Makes its inputs in a temporary folder (a small MRC, two small pick files, and a 184x630x630 float32
zarr with 64x128x128 blosc-lz4 chunks, as CZII tomograms are stored), runs each command REPEATS
times as a whole process (page cache warm) and prints a markdown table of the medians. `info
--stats` is compared with python3-zarr reading and summing the same array in a fresh process.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import mrcfile
import numcodecs
import numpy as np
import zarr

ap = argparse.ArgumentParser()
ap.add_argument("build", nargs="?", default="build")
ap.add_argument("--repeats", type=int, default=10)
args = ap.parse_args()
exe = os.path.abspath(os.path.join(args.build, "tomopick"))
if not os.access(exe, os.X_OK):
    sys.exit(f"no {exe}: build first (scripts/setup.sh)")


def median_seconds(cmd):
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {r.stderr.decode()}")
    return statistics.median(times)


with tempfile.TemporaryDirectory() as tmp:
    small = os.path.join(tmp, "small.mrc")
    with mrcfile.new(small) as m:
        m.set_data(np.random.default_rng(1).standard_normal((16, 32, 32), dtype=np.float32))
        m.voxel_size = 10.0
    picks = os.path.join(tmp, "picks.csv")
    with open(picks, "w") as f:
        f.write("experiment,particle_type,x,y,z\n" + "".join(f"sim_000,ribosome,{i * 10},{i * 7},{i * 3}\n" for i in range(50)))
    truth = os.path.join(tmp, "truth.csv")
    with open(truth, "w") as f:
        f.write("experiment,particle_type,x,y,z\n" + "".join(f"sim_000,ribosome,{i * 10 + 5},{i * 7},{i * 3}\n" for i in range(50)))

    big = os.path.join(tmp, "big.zarr")
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((184, 630, 630), dtype=np.float32) * 3 + 10).astype("<f4")
    z = zarr.open(big, mode="w", shape=data.shape, chunks=(64, 128, 128), dtype="<f4",
                  compressor=numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE))
    z[:] = data
    del data

    rows = [
        ("tomopick --version", [exe, "--version"]),
        ("tomopick --help", [exe, "--help"]),
        ("tomopick info small.mrc (16x32x32)", [exe, "info", small]),
        ("tomopick info picks.csv (50 picks)", [exe, "info", picks]),
        ("tomopick evaluate (50 vs 50 picks)", [exe, "-q", "evaluate", "--truth", truth, "--picks", picks]),
        ("tomopick convert picks.csv picks.star", [exe, "-q", "convert", picks, os.path.join(tmp, "p.star"),
                                                   "--tomogram-shape", "184,630,630", "--spacing", "10"]),
        ("tomopick info --system (loads LibTorch)", [exe, "info", "--system"]),
        ("tomopick info --stats big.zarr (184x630x630 f32)", [exe, "info", "--stats", big]),
        (f"python3 -c 'zarr.open(big)[:].sum()' (zarr {zarr.__version__})",
         [sys.executable, "-c", f"import zarr; zarr.open({big!r})[:].sum()"]),
    ]
    print(f"`/usr/bin/python3 bench/startup.py {args.build}`: whole processes, median of {args.repeats}, "
          f"{os.cpu_count()} cores, page cache warm")
    print()
    print("| command | median (s) |")
    print("|---|---|")
    for name, cmd in rows:
        print(f"| {name} | {median_seconds(cmd):.3f} |", flush=True)
