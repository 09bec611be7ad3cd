"""Writes zarr v2 arrays with the reference implementation (python3-zarr + numcodecs) for the C++
tests: every compressor x dtype x dimension separator, plus missing chunks. Each array comes with a
.raw file holding the expected values as little-endian bytes, and manifest.json lists them all.

usage: zarr_fixtures.py OUTDIR
"""
import json
import os
import sys

import numcodecs
import numpy as np
import zarr

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(1234)

SHAPE = (5, 7, 9)
CHUNKS = (2, 3, 4)  # edge chunks are partial in every axis

codecs = {"none": None, "zstd": numcodecs.Zstd(level=3), "zlib": numcodecs.Zlib(level=5),
          "gzip": numcodecs.GZip(level=5)}
for cname in ["lz4", "lz4hc", "zstd", "zlib", "blosclz"]:
    for shuffle, sname in [(0, "noshuffle"), (1, "shuffle"), (2, "bitshuffle")]:
        codecs[f"blosc-{cname}-{sname}"] = numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle)

dtypes = ["<f4", "<f2", "|u1", "|i1", "<i2", "<u2", ">f4", ">f2", ">i2", ">u2"]


def values(dtype):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return (rng.standard_normal(SHAPE) * 100).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, size=SHAPE, endpoint=True).astype(dt)


manifest = []


def add(name, arr, codec, sep, fill=0, drop=()):
    path = os.path.join(out, name + ".zarr")
    z = zarr.open(path, mode="w", shape=arr.shape, chunks=CHUNKS, dtype=arr.dtype, compressor=codec,
                  dimension_separator=sep, fill_value=fill)
    z[...] = arr
    expected = arr.copy()
    for key in drop:  # delete chunk files: they must read back as fill_value
        os.remove(os.path.join(path, sep.join(str(k) for k in key)))
        sl = tuple(slice(k * c, (k + 1) * c) for k, c in zip(key, CHUNKS))
        expected[sl] = fill
    expected.astype(expected.dtype.newbyteorder("<")).tofile(path + ".raw")
    manifest.append({"name": name, "path": path, "raw": path + ".raw", "dtype": arr.dtype.str})


for cname, codec in codecs.items():
    for dtype in dtypes:
        add(f"{cname}_{dtype[1:]}{'be' if dtype[0] == '>' else ''}_slash", values(dtype), codec, "/")
    add(f"{cname}_f4_dot", values("<f4"), codec, ".")
add("missing_chunks_f4", values("<f4"), codecs["blosc-lz4-shuffle"], "/", fill=-7.5, drop=[(0, 0, 0), (2, 2, 2), (1, 0, 1)])
add("missing_chunks_i2", values("<i2"), codecs["zstd"], ".", fill=-3, drop=[(0, 1, 0)])
add("nan_fill_f4", values("<f4"), codecs["zlib"], "/", fill=np.nan, drop=[(1, 1, 1)])

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(len(manifest), "arrays")
