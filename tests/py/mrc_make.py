"""Writes reference MRC files with mrcfile (the reference implementation) for tests/test_mrc.cpp.

Usage: mrc_make.py OUTDIR

Every NAME.mrc gets NAME.bin beside it: the voxels as numpy holds them (z, y, x, C order), dumped
little-endian, so the C++ reader can be compared bit for bit. All files but novox.mrc have voxel
size (x, y, z) = (1.5, 2.5, 3.5) A and origin (x, y, z) = (10, 20, 30) A.
"""
import os
import sys

import mrcfile
import numpy as np

SHAPE = (4, 5, 6)  # z, y, x
VOXEL = (1.5, 2.5, 3.5)  # x, y, z
ORIGIN = (10.0, 20.0, 30.0)  # x, y, z


def dump(path, arr):
    arr.astype(arr.dtype.newbyteorder("<")).tofile(path)


def write(out, name, data, ext_header=None, exttyp=None, labels=(), voxel=VOXEL, bin_data=None):
    path = os.path.join(out, name + ".mrc")
    with mrcfile.new(path, overwrite=True) as mrc:
        mrc.set_data(data)
        if voxel is not None:
            mrc.voxel_size = voxel
        mrc.header.origin.x, mrc.header.origin.y, mrc.header.origin.z = ORIGIN
        if ext_header is not None:
            mrc.set_extended_header(ext_header)
            mrc.header.exttyp = exttyp
        for label in labels:
            mrc.add_label(label)
    dump(os.path.join(out, name + ".bin"), data if bin_data is None else bin_data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(1234)
    n = int(np.prod(SHAPE))
    write(out, "mode0", rng.integers(-128, 128, SHAPE).astype(np.int8))
    write(out, "mode1", rng.integers(-32768, 32768, SHAPE).astype(np.int16))
    write(out, "mode2", (rng.standard_normal(SHAPE) * 100).astype(np.float32))
    write(out, "mode6", rng.integers(0, 65536, SHAPE).astype(np.uint16))
    write(out, "mode12", (rng.standard_normal(SHAPE) * 10).astype(np.float16))
    # uint8 arrays: mrcfile widens them to uint16 and writes mode 6.
    u8 = rng.integers(0, 256, SHAPE).astype(np.uint8)
    write(out, "uint8src", u8, bin_data=u8.astype(np.uint16))
    # Extended header (raw bytes) plus labels.
    ext = np.frombuffer(bytes(range(160)), dtype="V1")
    write(out, "ext", np.arange(n, dtype=np.float32).reshape(SHAPE) - 7.25, ext_header=ext, exttyp=b"SERI",
          labels=["hello label", "second label"])
    # Big-endian files: data with '>' byte order makes mrcfile write a big-endian header and data.
    write(out, "big_f4", (rng.standard_normal(SHAPE) * 3).astype(">f4"))
    write(out, "big_i2", rng.integers(-32768, 32768, SHAPE).astype(">i2"))
    # Complex data: mode 4, which tomopick does not read.
    write(out, "complex", (rng.standard_normal(SHAPE) + 1j).astype(np.complex64))
    # No voxel size set: cella stays 0.
    write(out, "novox", np.ones(SHAPE, dtype=np.float32), voxel=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
