"""Checks slice folders that tomopick wrote, with PIL: files slice_0000.EXT ... (exactly Z of them,
nothing else), each a single-channel image decoding to the expected slice.

Usage: slices_check.py SPEC.json
SPEC.json is a list of objects:
  {"folder": ..., "bin": expected volume (little-endian, z y x), "dtype": "uint8", "shape": [z, y, x],
   "ext": "png", "tol": largest allowed |difference|,
   optional "jpeg_vs_pil": true -> the mean error must be no worse than 1.25x (+0.25) that of PIL's
   own quality-95 JPEG encoder on the same slices}
Exits 0 when everything matches; otherwise prints what differs and exits 1.
"""
import io
import json
import os
import sys

import check_runner

import numpy as np
from PIL import Image


def check(spec):
    folder = spec["folder"]
    shape = tuple(spec["shape"])
    expected = np.fromfile(spec["bin"], dtype=np.dtype(spec["dtype"]).newbyteorder("<")).reshape(shape)
    digits = max(4, len(str(shape[0] - 1)))
    names = ["slice_%0*d.%s" % (digits, z, spec["ext"]) for z in range(shape[0])]
    problems = []
    if sorted(os.listdir(folder)) != sorted(names):
        return ["%s: files %s, expected %s" % (folder, sorted(os.listdir(folder))[:5], names[:5])]
    for z, name in enumerate(names):
        img = Image.open(os.path.join(folder, name))
        a = np.array(img)
        if a.shape != shape[1:]:
            problems.append("%s: shape %s (mode %s), expected %s" % (name, a.shape, img.mode, shape[1:]))
            continue
        err = np.abs(a.astype(np.float64) - expected[z].astype(np.float64))
        if err.max() > spec["tol"]:
            problems.append("%s: max difference %g > %g" % (name, err.max(), spec["tol"]))
        if spec.get("jpeg_vs_pil"):
            buf = io.BytesIO()
            Image.fromarray(expected[z]).save(buf, format="JPEG", quality=95)
            pil = np.array(Image.open(buf)).astype(np.float64)
            pil_err = np.abs(pil - expected[z].astype(np.float64)).mean()
            if err.mean() > 1.25 * pil_err + 0.25:
                problems.append("%s: mean error %.3f, PIL's own q95 JPEG %.3f" % (name, err.mean(), pil_err))
    return [folder + ": " + p for p in problems]


if __name__ == "__main__":
    sys.exit(check_runner.run(check, "folders"))
