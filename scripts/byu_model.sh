#!/usr/bin/env bash
# Makes the built-in flagellar-motor model (models/byu) from nothing, as shipped:
#   1. simulated BYU data sets (`simulate --preset byu`): a training set and a threshold-tuning set
#      from separate seeds (256 x 512 x 512 slices at spacings drawn from BYU's, about half the
#      tomograms without a motor);
#   2. configs/byu-3rd.yaml from scratch on the training set;
#   3. the motor threshold: `tune --metric byu` (F2) on the tuning set's best peaks.
#   scripts/byu_model.sh BUILD_DIR WORK_DIR OUT_DIR
# OUT_DIR gets model.pt, thresholds.json, config.yaml, train_log.csv.
set -euo pipefail
build=$(realpath "$1")
mkdir -p "$2" "$3"
work=$(realpath "$2")
out=$(realpath "$3")
root=$(realpath "$(dirname "$0")/..")
T="$build/tomopick"
cd "$work"

# 1. Data (each simulate call is skipped when its folder exists).
sim() { [ -d "$1" ] || "$T" -q simulate --preset byu --runs "$2" --seed "$3" --shape 256,512,512 --out "$1"; }
sim train 120 21
sim tune 24 55

# 2. Training.
stage=$work/train_$(basename "$out")
[ -f "$stage/model.pt" ] || "$T" train --config "$root/configs/byu-3rd.yaml" --data train/train \
  --labels train/train_labels.csv --out "$stage" --overwrite
for f in model.pt config.yaml train_log.csv; do cp "$stage/$f" "$out/$f"; done

# 3. The threshold: every tomogram's peaks (a low threshold), then the F2-best cut of their best scores.
rm -f "$out/thresholds.json"
"$T" -q pick tune/train --labels tune/train_labels.csv -m "$out/model.pt" --threshold flagellar-motor=0.01 \
  --format csv --out "$stage/tune_peaks.csv"
"$T" -q tune --metric byu --truth tune/train_labels.csv --picks "$stage/tune_peaks.csv" --out "$out/thresholds.json"
echo "made $out"
