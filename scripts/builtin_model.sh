#!/usr/bin/env bash
# Makes the built-in model (models/default) from nothing, as shipped:
#   1. simulated CZII projects: both presets (czii: the look stage 1 learns; czii-real: the measured
#      realism), training and threshold-tuning runs from separate seeds;
#   2. stage 1: configs/default.yaml from scratch on the czii runs;
#   3. stage 2: configs/builtin-real-mix.yaml from stage 1, on both presets' runs mixed with a real
#      labelled tomogram (EMPIAR-11658 tomo9 and its 55 curated ribosomes; partial labels);
#   4. thresholds: tuned on each preset's tuning runs (CZII F4) and, for the real tomogram's class,
#      estimated from its partial picks (tune --partial); each class keeps the lowest of them, since
#      a new tomogram's scores sit below those of the data the thresholds were tuned on, and F4
#      weighs recall 16 times precision.
#   scripts/builtin_model.sh BUILD_DIR WORK_DIR OUT_DIR [TOMOGRAM PICKS OBJECT]
# OUT_DIR gets model.pt, thresholds.json, config.yaml, train_log.csv. About 26 minutes on 2 cores.
# Give another tomogram and picks (e.g. one half of tomo9) to measure the recipe on what it did not see.
set -euo pipefail
build=$(realpath "$1")
mkdir -p "$2" "$3"
work=$(realpath "$2")
out=$(realpath "$3")
root=$(realpath "$(dirname "$0")/..")
real=$root/../shared/data/empiar-11658
tomo=$(realpath "${4:-$real/tomo9.mrc}")
picks=$(realpath "${5:-$real/tomo9_ribosome.csv}")
object=${6:-ribosome}
T="$build/tomopick"
cd "$work"

# 1. Data (each simulate call is skipped when its folder exists).
sim() { [ -d "$1" ] || "$T" -q simulate --preset "$2" --runs "$3" --seed "$4" --out "$1"; }
sim czii czii 12 7            # stage 1 trains on sim_000..009, validates on sim_011
sim real czii-real 12 9
sim tune czii 4 99
sim tune_real czii-real 4 98
runs=sim_000,sim_001,sim_002,sim_003,sim_004,sim_005,sim_006,sim_007,sim_008,sim_009

# 2. Stage 1: simulations only.
[ -f stage1/model.pt ] || "$T" train --config "$root/configs/default.yaml" --data czii --train-runs "$runs" \
  --val-runs sim_011 --out stage1 --overwrite

# 3. Stage 2: both presets (their runs are named alike: ten of each) and the real tomogram.
# Its files, and those of the thresholds, go to a folder of their own, so several can be made at once.
stage2=$work/stage2_$(basename "$out")
mkdir -p "$stage2"
"$T" train --init stage1/model.pt --config "$root/configs/builtin-real-mix.yaml" --data czii --data real \
  --train-runs "$runs" --data "$tomo" --picks "$picks" --object "$object" --out "$stage2/train" --overwrite
for f in model.pt config.yaml train_log.csv; do cp "$stage2/train/$f" "$out/$f"; done
cd "$stage2"

# 4. Thresholds.
low=apo-ferritin=0.02,beta-amylase=0.02,beta-galactosidase=0.02,ribosome=0.02,thyroglobulin=0.02,virus-like-particle=0.02
for p in tune tune_real; do
  "$T" -q pick "$work/$p" -m "$out/model.pt" --threshold "$low" --user-id "lowthr_$(basename "$out")" --overwrite --out "$p.csv"
  "$T" -q tune --truth "$work/$p" --truth-user simulation --picks "$p.csv" --out "thresholds_$p.json"
done
name=$(basename "$tomo"); name=${name%.*}
"$T" -q pick "$tomo" -m "$out/model.pt" --threshold "$object=0.02" --out real_peaks.csv
# The picks as truth for `tune`: a run and a type per pick.
/usr/bin/python3 - "$picks" "$name" "$object" > real_truth.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("experiment,particle_type,x,y,z")
for r in rows:
    x, y, z = (r.get(k + "_A", r.get(k)) for k in "xyz")
    print(f"{sys.argv[2]},{sys.argv[3]},{x},{y},{z}")
PY
"$T" -q tune --partial --truth real_truth.csv --picks real_peaks.csv --types "$object" --out thresholds_real_picks.json
/usr/bin/python3 - thresholds_tune.json thresholds_tune_real.json thresholds_real_picks.json > thresholds.json <<'PY'
import json, sys
sources = {f: json.load(open(f))["thresholds"] for f in sys.argv[1:]}
names = sorted({k for t in sources.values() for k in t})
lowest = {k: min(t[k] for t in sources.values() if t.get(k) is not None) for k in names
          if any(t.get(k) is not None for t in sources.values())}
print(json.dumps({"metric": "czii", "beta": 4, "matching": "kaggle", "distance_multiplier": 0.5,
                  "rule": "keep a pick when its score >= its type's threshold; each type's lowest of the sources",
                  "thresholds": lowest, "sources": sources}, indent=2))
PY
mv thresholds.json "$out/thresholds.json"
cat "$out/thresholds.json"
