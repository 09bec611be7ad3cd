#!/bin/sh
# Bounded memory when picking big tomograms: `tomopick pick --max-memory LIMIT` on zarr tomograms
# already at the model's spacing (streamed in z-slabs straight from the file), of growing depth.
# Prints a markdown table: tomogram shape and size, wall time, peak RSS (/usr/bin/time -v). Peak RSS
# should stay flat while the tomogram grows past it.
#   bench/stream_memory.sh [BUILD_DIR] [LIMIT] [DEPTHS] [SIDE]
# Defaults: build, 1G, "100 200 400", 1000 (voxels: DEPTH x SIDE x SIDE float32 noise at 20 Å).
set -eu
build=${1:-build} limit=${2:-1G} depths=${3:-100 200 400} side=${4:-1000}
[ -x "$build/tomopick" ] || { echo "no $build/tomopick (build first, or give BUILD_DIR)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| tomogram (z, y, x) at 20 Å | size | --max-memory | wall | peak RSS | picks |"
echo "|---|---|---|---|---|---|"
for depth in $depths; do
  # Noise in 64^3 chunks, written plane-slab by plane-slab so this script needs little memory itself.
  /usr/bin/python3 - "$tmp/t.zarr" "$depth" "$side" <<'PY'
import sys, numpy as np, zarr
path, d, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = zarr.open(path, mode="w", shape=(d, s, s), chunks=(64, 64, 64), dtype="f4")
rng = np.random.default_rng(0)
for z in range(0, d, 64):
    a[z:z + 64] = rng.standard_normal((min(64, d - z), s, s), dtype=np.float32)
PY
  size=$(du -sh "$tmp/t.zarr" | cut -f1)
  /usr/bin/time -v "$build/tomopick" -q pick "$tmp/t.zarr" --spacing 20 --max-memory "$limit" \
    --out "$tmp/p.csv" > "$tmp/out" 2> "$tmp/time" || { cat "$tmp/out" "$tmp/time" >&2; exit 1; }
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
  picks=$(($(wc -l < "$tmp/p.csv") - 1))
  echo "| $depth x $side x $side | $size | $limit | $wall | $((rss / 1024)) MB | $picks |"
  rm -rf "$tmp/t.zarr"
done
