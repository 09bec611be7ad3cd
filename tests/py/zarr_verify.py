"""Checks zarr stores written by tomopick with the reference implementation (python3-zarr).
manifest.json (written by the C++ test) lists {path, raw, dtype[, ome]}; every array must decode to
exactly the bytes in its .raw file. OME entries also have their multiscales metadata checked.
Exits 1 with a message on the first mismatch.

usage: zarr_verify.py MANIFEST
"""
import json
import sys

import numpy as np
import zarr

entries = json.load(open(sys.argv[1]))
for e in entries:
    if e.get("ome"):
        g = zarr.open_group(e["path"], mode="r")
        ms = g.attrs["multiscales"][0]
        assert [a["name"] for a in ms["axes"]] == ["z", "y", "x"], ms["axes"]
        paths = [d["path"] for d in ms["datasets"]]
        assert len(paths) == e["levels"], (paths, e["levels"])
        shape = tuple(e["shape"])
        for i, p in enumerate(paths):
            a = g[p]
            if tuple(a.shape) != shape:
                sys.exit(f"{e['path']}/{p}: shape {a.shape}, expected {shape}")
            scale = ms["datasets"][i]["coordinateTransformations"][0]["scale"]
            if abs(scale[2] - e["spacing"] * 2 ** i) > 1e-9:
                sys.exit(f"{e['path']}/{p}: scale {scale}, expected {e['spacing'] * 2 ** i}")
            shape = tuple((s + 1) // 2 for s in shape)
        arr = g[paths[0]][...]
    else:
        arr = zarr.open_array(e["path"], mode="r")[...]
    want = np.fromfile(e["raw"], dtype=np.dtype(e["dtype"]).newbyteorder("<")).reshape(arr.shape)
    got = arr.astype(arr.dtype.newbyteorder("<"))
    if got.tobytes() != want.tobytes():
        bad = np.argwhere(got.view(np.uint8) != want.view(np.uint8))
        sys.exit(f"{e['path']}: values differ from {e['raw']} (first differing byte at {bad[0] if len(bad) else '?'})")
print(f"verified {len(entries)} stores")
