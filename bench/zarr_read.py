"""Full-read benchmark: tomopick vs python3-zarr on the same 184x630x630 float32 blosc-lz4 store.

usage: /usr/bin/python3 bench/zarr_read.py [BUILD_DIR] [--chunks 64]
Writes the store once (noise-like float32, as tomograms are), then times each reader's full read
(best of 5, warm page cache for both) and prints a table with the ratio.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numcodecs
import numpy as np
import zarr

ap = argparse.ArgumentParser()
ap.add_argument("build", nargs="?", default="build")
ap.add_argument("--chunks", type=int, nargs="+", default=[64, 256])
ap.add_argument("--repeats", type=int, default=5)
args = ap.parse_args()

shape = (184, 630, 630)
rng = np.random.default_rng(0)
data = (rng.standard_normal(shape, dtype=np.float32) * 3 + 10).astype("<f4")
exe = os.path.join(args.build, "bench", "bench_zarr_read")
print(f"| chunks | python3-zarr {zarr.__version__} (s) | tomopick (s) | speed-up |")
print("|---|---|---|---|")
with tempfile.TemporaryDirectory() as tmp:
    for c in args.chunks:
        path = os.path.join(tmp, f"c{c}.zarr")
        z = zarr.open(path, mode="w", shape=shape, chunks=(c, c, c), dtype="<f4",
                      compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1), dimension_separator="/")
        z[...] = data
        best_py = 1e30
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            a = zarr.open_array(path, mode="r")[...]
            best_py = min(best_py, time.perf_counter() - t0)
        assert np.array_equal(a, data)
        out = subprocess.run([exe, path, str(args.repeats)], check=True, capture_output=True, text=True)
        best_tp = float(out.stdout.strip())
        print(f"| {c}^3 | {best_py:.3f} | {best_tp:.3f} | {best_py / best_tp:.1f}x |")
