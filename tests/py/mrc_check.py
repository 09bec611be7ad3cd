"""Checks MRC files that tomopick wrote, with mrcfile: each must open with permissive=False, pass
mrcfile.validate, and hold the expected voxels, voxel size, origin, labels and extended header.

Usage: mrc_check.py SPEC.json
SPEC.json is a list of objects:
  {"file": ..., "bin": expected voxels (little-endian, z y x), "dtype": "int16", "shape": [z, y, x],
   "voxel": [x, y, z], "origin": [x, y, z],
   optional "labels": [...], "exttyp": "SERI", "ext_bin": file with the extended header bytes}
Exits 0 when everything matches; otherwise prints what differs and exits 1.
"""
import io
import json
import sys

import check_runner

import mrcfile
import numpy as np


def check(spec):
    problems = []
    path = spec["file"]
    log = io.StringIO()
    if not mrcfile.validate(path, print_file=log):
        problems.append("mrcfile.validate failed:\n" + log.getvalue())

    shape = tuple(spec["shape"])
    dtype = np.dtype(spec["dtype"])
    expected = np.fromfile(spec["bin"], dtype=dtype.newbyteorder("<")).reshape(shape)
    with mrcfile.open(path, permissive=False) as mrc:
        h = mrc.header
        data = np.asarray(mrc.data)
        if data.dtype.newbyteorder("=") != dtype.newbyteorder("="):
            problems.append("dtype %s, expected %s" % (data.dtype, dtype))
        elif data.shape != shape:
            problems.append("shape %s, expected %s" % (data.shape, shape))
        elif data.astype(dtype.newbyteorder("<")).tobytes() != expected.tobytes():
            problems.append("voxels differ")
        vs = mrc.voxel_size
        if not np.allclose([vs.x, vs.y, vs.z], spec["voxel"], rtol=1e-6):
            problems.append("voxel size %s, expected %s" % (vs, spec["voxel"]))
        org = h.origin
        if not np.allclose([org.x, org.y, org.z], spec["origin"], rtol=1e-6):
            problems.append("origin %s, expected %s" % (org, spec["origin"]))
        if list(h.machst) != [0x44, 0x44, 0, 0]:
            problems.append("machine stamp %s" % list(h.machst))
        if int(h.nversion) != 20141:
            problems.append("nversion %d" % h.nversion)
        if (int(h.mapc), int(h.mapr), int(h.maps)) != (1, 2, 3):
            problems.append("axis map %d %d %d" % (h.mapc, h.mapr, h.maps))
        if mrc.data.dtype.byteorder not in ("<", "=", "|"):
            problems.append("not little-endian")
        labels = [bytes(l).decode("ascii").strip() for l in h.label[: int(h.nlabl)]]
        if "labels" in spec and labels != spec["labels"]:
            problems.append("labels %s, expected %s" % (labels, spec["labels"]))
        if "ext_bin" in spec:
            ext = open(spec["ext_bin"], "rb").read()
            if mrc.extended_header.tobytes() != ext:
                problems.append("extended header differs (%d bytes, expected %d)" % (mrc.extended_header.nbytes, len(ext)))
            if bytes(h.exttyp) != spec.get("exttyp", "").encode():
                problems.append("exttyp %r, expected %r" % (bytes(h.exttyp), spec.get("exttyp")))
        d = data.astype(np.float64)
        if not (h.dmin == data.min() and h.dmax == data.max()):
            problems.append("dmin/dmax %s %s, data %s %s" % (h.dmin, h.dmax, data.min(), data.max()))
        if not np.isclose(h.dmean, d.mean(), rtol=1e-5, atol=1e-6) or not np.isclose(h.rms, d.std(), rtol=1e-5, atol=1e-6):
            problems.append("dmean/rms %s %s, data %s %s" % (h.dmean, h.rms, d.mean(), d.std()))
    return [path + ": " + p for p in problems]


if __name__ == "__main__":
    sys.exit(check_runner.run(check, "files"))
