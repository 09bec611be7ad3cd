"""Writes reference slice folders with PIL for tests/test_slice_stack.cpp.

Usage: slices_make.py OUTDIR

Each folder NAME/ holds 2D slices; NAME.bin beside it holds the volume (z, y, x) that PIL decodes
from them, little-endian. Folders named bad_* are broken on purpose (the test expects an Error).
"""
import os
import sys

import numpy as np
from PIL import Image

H, W = 24, 32


def dump(path, arr):
    arr.astype(arr.dtype.newbyteorder("<")).tofile(path)


def save(folder, name, img, **kw):
    os.makedirs(folder, exist_ok=True)
    img.save(os.path.join(folder, name), **kw)


def stack_from(folder, names):
    return np.stack([np.array(Image.open(os.path.join(folder, n))) for n in names])


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(42)
    yy, xx = np.mgrid[0:H, 0:W]

    # JPEG, Kaggle naming, smooth content (so lossy coding stays close); .bin = PIL's decoding,
    # _orig.bin = the values before compression.
    d = os.path.join(out, "jpg")
    names, orig = [], []
    for z in range(5):
        a = np.clip(40 + 3 * xx + 2 * yy + 10 * z + rng.integers(-2, 3, (H, W)), 0, 255).astype(np.uint8)
        names.append("slice_%04d.jpg" % z)
        save(d, names[-1], Image.fromarray(a), quality=95)
        orig.append(a)
    dump(d + ".bin", stack_from(d, names))
    dump(d + "_orig.bin", np.stack(orig))

    # PNG 8-bit, unpadded numbers: natural order puts slice_10 after slice_9.
    d = os.path.join(out, "png8")
    vol = rng.integers(0, 256, (12, H, W)).astype(np.uint8)
    for z in range(12):
        save(d, "slice_%d.png" % z, Image.fromarray(vol[z]))
    dump(d + ".bin", vol)

    # PNG 16-bit grey.
    d = os.path.join(out, "png16")
    vol = rng.integers(0, 65536, (3, H, W)).astype(np.uint16)
    for z in range(3):
        save(d, "slice_%04d.png" % z, Image.fromarray(vol[z]))
    dump(d + ".bin", vol)

    # TIFF: 8-bit, 16-bit LZW-compressed, 32-bit float.
    for name, vol, kw in [
        ("tif8", rng.integers(0, 256, (3, H, W)).astype(np.uint8), {}),
        ("tif16", rng.integers(0, 65536, (3, H, W)).astype(np.uint16), {"compression": "tiff_lzw"}),
        ("tif32f", (rng.standard_normal((3, H, W)) * 50).astype(np.float32), {}),
    ]:
        d = os.path.join(out, name)
        for z in range(vol.shape[0]):
            save(d, "slice_%04d.tif" % z, Image.fromarray(vol[z]), **kw)
        dump(d + ".bin", vol)

    # RGB PNG whose channels are equal: reads as grey.
    d = os.path.join(out, "rgbgrey")
    vol = rng.integers(0, 256, (2, H, W)).astype(np.uint8)
    for z in range(2):
        save(d, "slice_%04d.png" % z, Image.fromarray(np.stack([vol[z]] * 3, axis=-1), "RGB"))
    dump(d + ".bin", vol)

    # Broken folders.
    grey = rng.integers(0, 256, (H, W)).astype(np.uint8)
    d = os.path.join(out, "bad_colour")
    save(d, "slice_0000.png", Image.fromarray(grey))
    rgb = np.stack([grey] * 3, axis=-1)
    rgb[5, 7, 1] ^= 1
    save(d, "slice_0001.png", Image.fromarray(rgb, "RGB"))

    d = os.path.join(out, "bad_size")
    for z in range(4):
        a = grey if z != 2 else grey[:, :-1]
        save(d, "slice_%04d.png" % z, Image.fromarray(np.ascontiguousarray(a)))
    # slice 3 differs too (in type); the error must name slice 2, the first offender.
    save(d, "slice_0003.png", Image.fromarray(grey.astype(np.uint16) * 200))

    d = os.path.join(out, "bad_gap")
    for z in (0, 1, 3):
        save(d, "slice_%04d.png" % z, Image.fromarray(grey))

    d = os.path.join(out, "bad_mixed")
    save(d, "slice_0000.png", Image.fromarray(grey))
    save(d, "slice_0001.jpg", Image.fromarray(grey))

    d = os.path.join(out, "bad_int32")
    save(d, "slice_0000.tif", Image.fromarray(grey.astype(np.int32)))

    d = os.path.join(out, "bad_notimage")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "slice_0000.png"), "wb") as f:
        f.write(b"this is not a PNG file at all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
