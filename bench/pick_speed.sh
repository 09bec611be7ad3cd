#!/bin/sh
# Inference speed: `tomopick pick` on one whole tomogram against the same model, windows, blending
# and peak finding in python3-torch (bench/pick_speed.py), both on THREADS threads (default 2).
# Prints a markdown table: wall time and peak RSS of each whole process (/usr/bin/time -v), the
# stages (tomopick's from build/bench/bench_pick, a separate run), and whether the picks agree. The
# Python side runs twice: as installed, and with tcmalloc (the allocator tomopick links) preloaded,
# which shows how much of the difference is the allocator (NO_TCMALLOC=1 skips that run).
#   bench/pick_speed.sh [BUILD_DIR] PROJECT RUN [MODEL]
# BUILD_DIR defaults to build, MODEL to models/default/model.pt (a training checkpoint works too).
# The run's finest "denoised" tomogram is picked as a file (`tomopick pick TOMOGRAM`, the same work
# as `tomopick pick PROJECT --runs RUN`, which would also write the picks into the project).
set -eu
usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
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
# --tta none: the Python reference runs the network once per window (the built-in model averages four turns)
/usr/bin/time -v "$build/tomopick" --threads "$threads" pick "$tomo" -m "$model" --tta none --out "$tmp/tomopick.csv" \
  >"$tmp/cpp.out" 2>"$tmp/cpp.time"
echo "bench_pick (stages) ..." >&2
"$build/bench/bench_pick" "$tomo" "$model" "$threads" >"$tmp/cpp.stages"
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -z "${NO_TCMALLOC:-}" ] && [ -f "$tcmalloc" ] || tcmalloc=
for side in py ${tcmalloc:+pytc}; do
  echo "python3-torch${tcmalloc:+ ($side)} ..." >&2
  [ $side = pytc ] && pre=$tcmalloc || pre=
  env ${pre:+LD_PRELOAD=$pre} /usr/bin/time -v /usr/bin/python3 "$here/pick_speed.py" "$tomo" "$model" \
    --threads "$threads" --out "$tmp/$side.csv" --compare "$tmp/tomopick.csv" >"$tmp/$side.stages" 2>"$tmp/$side.time"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf " (%.1fx)", b / a }'; }
c() { key "$1" "$tmp/cpp.stages"; }
# one table cell per Python run: the value and its ratio to tomopick's
cells() {  # cells LABEL CPP_VALUE KEY
  line="| $1 | $2 |"
  for side in py ${tcmalloc:+pytc}; do
    v=$(key "$3" "$tmp/$side.stages")
    [ "$3" = zscore_windows_s ] &&
      v=$(awk -v a="$(key zscore_s "$tmp/$side.stages")" -v b="$(key windows_s "$tmp/$side.stages")" 'BEGIN { printf "%.3f", a + b }')
    line="$line $v$(ratio "$2" "$v") |"
  done
  echo "$line"
}
shape=$(awk '$1 == "level_shape" { $1 = ""; sub(/^ /, ""); print }' "$tmp/py.stages")
version=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')

echo "\`bench/pick_speed.sh $build $project $run $model\` (THREADS=$threads)"
echo
echo "$tomo: $shape; the model's window and overlap, gaussian blending, batch 1. (x) = python3-torch"
echo "time / tomopick time."
echo
echo "| | tomopick (C++) | python3-torch $version |${tcmalloc:+ python3-torch + tcmalloc |}"
echo "|---|---|---|${tcmalloc:+---|}"
line="| whole tomogram, wall (s) | $(wall "$tmp/cpp.time") |"
for side in py ${tcmalloc:+pytc}; do line="$line $(wall "$tmp/$side.time")$(ratio "$(wall "$tmp/cpp.time")" "$(wall "$tmp/$side.time")") |"; done
echo "$line"
line="| peak RSS (GB) | $(rss "$tmp/cpp.time") |"
for side in py ${tcmalloc:+pytc}; do line="$line $(rss "$tmp/$side.time") |"; done
echo "$line"
cells "model load (s)" "$(c load_s)" load_s
cells "read the zarr level (s)" "$(c read_s)" read_s
cells "resample to the model's spacing (s)" "$(c resample_s)" resample_s
cells "z-score + windows: network, blending (s)" "$(c windows_s)" zscore_windows_s
cells "peaks (s)" "$(c peaks_s)" peaks_s
line="| picks (python: matched to tomopick's, same class, within half a voxel) | $(awk '$1 == "compare" { print $7 }' "$tmp/py.stages") |"
for side in py ${tcmalloc:+pytc}; do
  line="$line $(awk '$1 == "compare" { print $5 " (" $3 " matched)" }' "$tmp/$side.stages") |"
done
echo "$line"
