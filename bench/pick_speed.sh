#!/bin/sh
# Inference speed: `tomopick pick` on one whole tomogram against the same model, windows, blending
# and peak finding in python3-torch (bench/pick_speed.py), both on THREADS threads (default 2).
# Prints a markdown table: wall time and peak RSS of each whole process (/usr/bin/time -v), the
# stages (tomopick's from build/bench/bench_pick, a separate run), and whether the picks agree.
#   bench/pick_speed.sh [BUILD_DIR] PROJECT RUN [MODEL]
# BUILD_DIR defaults to build, MODEL to models/default/model.pt (a training checkpoint works too).
# The run's finest "denoised" tomogram is picked as a file (`tomopick pick TOMOGRAM`, the same work
# as `tomopick pick PROJECT --runs RUN`, which would also write the picks into the project).
set -eu
usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[ $# -ge 2 ] || usage
if [ $# -ge 3 ] && [ -x "$1/tomopick" ]; then build=$1; shift; else build=build; fi
[ $# -ge 2 ] || usage
project=$1 run=$2 model=${3:-models/default/model.pt}
threads=${THREADS:-2}
here=$(dirname "$0")
[ -x "$build/tomopick" ] || { echo "no $build/tomopick (build first, or give BUILD_DIR)" >&2; exit 1; }
[ -f "$model" ] || { echo "no model $model (give MODEL: a model file or checkpoint)" >&2; exit 1; }
tomo=$(ls -d "$project/ExperimentRuns/$run"/VoxelSpacing*/denoised.zarr 2>/dev/null |
  awk -F'VoxelSpacing' '{ split($2, a, "/"); print a[1] + 0, $0 }' | sort -n | head -n 1 | cut -d' ' -f2-)
[ -n "$tomo" ] || { echo "$project: run $run has no denoised tomogram" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$tomo" -type f -exec cat {} + >/dev/null  # warm page cache for both

# wall seconds and peak RSS (GB) from /usr/bin/time -v output
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + t[i]; printf "%.1f", s }' "$1"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.2f", $2 / 1048576 }' "$1"; }
key() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

echo "tomopick pick ..." >&2
/usr/bin/time -v "$build/tomopick" --threads "$threads" pick "$tomo" -m "$model" --out "$tmp/tomopick.csv" \
  >"$tmp/cpp.out" 2>"$tmp/cpp.time"
echo "bench_pick (stages) ..." >&2
"$build/bench/bench_pick" "$tomo" "$model" "$threads" >"$tmp/cpp.stages"
echo "python3-torch ..." >&2
/usr/bin/time -v /usr/bin/python3 "$here/pick_speed.py" "$tomo" "$model" --threads "$threads" \
  --out "$tmp/python.csv" --compare "$tmp/tomopick.csv" >"$tmp/py.stages" 2>"$tmp/py.time"

cw=$(wall "$tmp/cpp.time") pw=$(wall "$tmp/py.time")
cr=$(rss "$tmp/cpp.time") pr=$(rss "$tmp/py.time")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "" }'; }
c() { key "$1" "$tmp/cpp.stages"; }
p() { key "$1" "$tmp/py.stages"; }
pz=$(awk -v a="$(p zscore_s)" -v b="$(p windows_s)" 'BEGIN { printf "%.3f", a + b }')
shape=$(awk '$1 == "level_shape" { $1 = ""; sub(/^ /, ""); print }' "$tmp/py.stages")
set -- $(awk '$1 == "compare" { print $3, $5, $7 }' "$tmp/py.stages")  # matched, python, tomopick

echo "\`bench/pick_speed.sh $build $project $run $model\` (THREADS=$threads)"
echo
echo "$tomo: $shape; window and overlap from the model, gaussian blending, batch 1"
echo
echo "| | tomopick (C++) | python3-torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') | speed-up |"
echo "|---|---|---|---|"
echo "| whole tomogram, wall (s) | $cw | $pw | $(ratio "$cw" "$pw") |"
echo "| peak RSS (GB) | $cr | $pr | |"
echo "| model load (s) | $(c load_s) | $(p load_s) | $(ratio "$(c load_s)" "$(p load_s)") |"
echo "| read the zarr level (s) | $(c read_s) | $(p read_s) | $(ratio "$(c read_s)" "$(p read_s)") |"
echo "| resample to the model's spacing (s) | $(c resample_s) | $(p resample_s) | $(ratio "$(c resample_s)" "$(p resample_s)") |"
echo "| z-score + windows: network, blending (s) | $(c windows_s) | $pz | $(ratio "$(c windows_s)" "$pz") |"
echo "| peaks (s) | $(c peaks_s) | $(p peaks_s) | $(ratio "$(c peaks_s)" "$(p peaks_s)") |"
echo "| picks (matched: same class, within half a voxel) | $3 | $2 ($1 matched) | |"
