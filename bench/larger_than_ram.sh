#!/bin/sh
# A tomogram larger than the machine's memory, picked under a hard memory cap, and scored.
#
# Builds an OME-Zarr at the project's finest spacing (10 Å for `tomopick simulate` runs) by tiling
# the runs' denoised tomograms NZ x NY x NX times, with the tiles' ground truth shifted into place;
# runs `tomopick pick --max-memory BUDGET` on it inside a memory cgroup capped at CAP (cgroup v1,
# needs root; without it the cap is skipped and said so), so the tomogram must stream: it is read,
# resampled to the model's 20 Å and picked box by box. Prints a markdown table: tomogram shape and
# size, the cap, wall time, peak RSS, the cgroup's peak usage, picks, and the CZII score against the
# tiles' truth (particles cut by the seams between tiles count as truth too).
#   bench/larger_than_ram.sh [BUILD_DIR] PROJECT [NZ NY NX] [BUDGET] [CAP] [WORKDIR]
# Defaults: build, 6 4 4 (1104 x 2520 x 2520 voxels, 28 GB as float32), 2G, 3G, a temporary folder
# on the same disk as the project (it needs the tomogram's size free). A WORKDIR given is kept, and a
# tomogram already built there is reused.
set -eu
if [ $# -ge 2 ] && [ -x "$1/tomopick" ]; then build=$1; shift; else build=build; fi
[ $# -ge 1 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
project=$1 nz=${2:-6} ny=${3:-4} nx=${4:-4} budget=${5:-2G} cap=${6:-3G}
[ -x "$build/tomopick" ] || { echo "no $build/tomopick (build first, or give BUILD_DIR)" >&2; exit 1; }
if [ -n "${7:-}" ]; then
  work=$7
else
  work=$(mktemp -d "$(dirname "$project")/big.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# 1. the tiled tomogram and its truth (CZII CSV, Å)
[ -f "$work/truth.csv" ] || /usr/bin/python3 - "$project" "$work" "$nz" "$ny" "$nx" <<'PY'
import glob, json, os, sys
import numpy as np, zarr
project, work, nz, ny, nx = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
runs = sorted(glob.glob(os.path.join(project, "ExperimentRuns", "*")))
assert runs, f"{project}: no runs"
tomos, truth = [], []
for r in runs:
    vs = sorted(glob.glob(os.path.join(r, "VoxelSpacing*")), key=lambda p: float(p.split("VoxelSpacing")[1]))[0]
    tomos.append(zarr.open(os.path.join(vs, "denoised.zarr", "0"), mode="r"))
    spacing = float(vs.split("VoxelSpacing")[1])
    picks = []
    for f in glob.glob(os.path.join(r, "Picks", "simulation_*.json")) or glob.glob(os.path.join(r, "Picks", "*.json")):
        j = json.load(open(f))
        picks += [(j["pickable_object_name"], p["location"]["x"], p["location"]["y"], p["location"]["z"]) for p in j["points"]]
    truth.append(picks)
shape = tomos[0].shape
assert all(t.shape == shape for t in tomos), "the runs' tomograms differ in shape"
big = (shape[0] * nz, shape[1] * ny, shape[2] * nx)
path = os.path.join(work, "big.zarr")
root = zarr.open_group(path, mode="w")
a = root.create_dataset("0", shape=big, chunks=(64, 64, 64), dtype="f4", dimension_separator="/")
root.attrs["multiscales"] = [{"version": "0.4", "name": "big", "axes": [{"name": n, "type": "space", "unit": "angstrom"} for n in "zyx"],
                              "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [spacing] * 3}]}]}]
which = lambda i, j, k: (i + 2 * j + 3 * k) % len(tomos)
cache = {}
for z0 in range(0, big[0], 64):
    z1 = min(big[0], z0 + 64)
    slab = np.empty((z1 - z0, big[1], big[2]), np.float32)
    for z in range(z0, z1):
        i, zz = divmod(z, shape[0])
        for j in range(ny):
            for k in range(nx):
                t = which(i, j, k)
                if (t, zz) not in cache:
                    cache.clear() if len(cache) > 4 * len(tomos) else None
                    cache[(t, zz)] = tomos[t][zz]
                slab[z - z0, j * shape[1]:(j + 1) * shape[1], k * shape[2]:(k + 1) * shape[2]] = cache[(t, zz)]
    a[z0:z1] = slab
with open(os.path.join(work, "truth.csv"), "w") as f:
    f.write("id,experiment,particle_type,x,y,z\n")
    n = 0
    for i in range(nz):
        for j in range(ny):
            for k in range(nx):
                for name, x, y, z in truth[which(i, j, k)]:
                    f.write(f"{n},big,{name},{x + k * shape[2] * spacing:.3f},{y + j * shape[1] * spacing:.3f},{z + i * shape[0] * spacing:.3f}\n")
                    n += 1
print(f"{big[0]} x {big[1]} x {big[2]} at {spacing} Å, {n} particles", file=sys.stderr)
PY
size=$(du -sh "$work/big.zarr" | cut -f1)
shape=$("$build/tomopick" info "$work/big.zarr" | sed -n 's/^ *level 0 *\([0-9]* x [0-9]* x [0-9]*\) (z, y, x).*/\1/p')
gb=$(echo "$shape" | awk -F' x ' '{ printf "%.1f GB", $1 * $2 * $3 * 4 / 1e9 }')

# 2. pick under the cap
cg=
for root in /sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup) /sys/fs/cgroup/memory; do
  if [ -w "$root" ] && mkdir "$root/tomopick-bench-$$" 2> /dev/null; then cg=$root/tomopick-bench-$$; break; fi
done
run() { "$@"; }
if [ -n "$cg" ]; then
  bytes=$(/usr/bin/python3 -c "import sys; s=sys.argv[1]; print(int(float(s[:-1]) * 1024**'KMGT'.index(s[-1].upper()) * 1024) if s[-1].isalpha() else int(s))" "$cap")
  echo "$bytes" > "$cg/memory.limit_in_bytes"
  echo 0 > "$cg/memory.swappiness" 2> /dev/null || true
  run() { sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' cg "$cg" "$@"; }
else
  echo "(no writable memory cgroup: running without the $cap cap)" >&2
  cap="none"
fi
status=0
run /usr/bin/time -v -o "$work/time" "$build/tomopick" pick "$work/big.zarr" --max-memory "$budget" \
  --out "$work/picks.csv" > "$work/out" 2> "$work/err" || status=$?
peak_cg=
if [ -n "$cg" ]; then
  peak_cg="$(($(cat "$cg/memory.max_usage_in_bytes") / 1048576)) MB"
  killed=$(sed -n 's/^oom_kill //p' "$cg/memory.oom_control" 2> /dev/null || echo 0)
  rmdir "$cg" 2> /dev/null || true
  [ "${killed:-0}" = 0 ] || echo "the cgroup's OOM killer fired $killed time(s)" >&2
fi
[ "$status" = 0 ] || { tail -n 5 "$work/err" >&2; grep -E "Elapsed|Maximum resident" "$work/time" >&2; exit 1; }
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
picks=$(($(wc -l < "$work/picks.csv") - 1))
score=$("$build/tomopick" evaluate --truth "$work/truth.csv" --picks "$work/picks.csv" 2>&1 |
  sed -n 's/.*CZII score[^0-9]*\([0-9.]*\).*/\1/p' | head -n 1)
echo "| tomogram (z, y, x) | as float32 | on disk | memory cap | --max-memory | wall | peak RSS | cgroup peak | picks | CZII score |"
echo "|---|---|---|---|---|---|---|---|---|---|"
echo "| $shape | $gb | $size | $cap | $budget | $wall | $((rss / 1024)) MB | ${peak_cg:-–} | $picks | ${score:-?} |"
