#!/usr/bin/env bash
# Makes the CZII ensemble (models/czii-ensemble) from nothing:
#   1. the simulated CZII runs the built-in model's stage 1 learned from (czii preset, seed 7) and
#      threshold-tuning runs of another seed (99), as scripts/builtin_model.sh makes them;
#   2. two point detectors (the CZII 1st place's head) trained on them from scratch with
#      configs/czii-1st-pointdet.yaml, on the built-in's 3D U-Net backbone (16-32-64-128) and on a
#      VoxResNet (a CZII 2nd-place family), so the members differ in network and head from the
#      built-in and from each other;
#   3. the built-in model (models/default: a heatmap unet3d, simulations and the real tomo9) as the
#      third, named by its path relative to OUT_DIR, so it is not copied;
#   4. per-class member weights tried on the tuning runs (never on test data): a class keeps the
#      point detectors only when averaging them in raises its tuned F4 there above the built-in's
#      alone, otherwise it is the built-in's (class weight 0 for the others); kept only if that
#      beats the plain average's tuned score there;
#   5. ensemble.json (the members, heatmaps averaged, TTA_RULE) and thresholds.json tuned for the
#      ensemble's averaged scores on the tuning runs (CZII F4).
#   scripts/ensemble_model.sh BUILD_DIR WORK_DIR OUT_DIR [TTA_RULE]
# Members that exist in WORK_DIR are not trained again. About 45 minutes on 2 cores.
set -euo pipefail
build=$(realpath "$1")
mkdir -p "$2" "$3"
work=$(realpath "$2")
out=$(realpath "$3")
tta=${4:-identity,rot180}
root=$(realpath "$(dirname "$0")/..")
T="$build/tomopick"
cd "$work"

sim() { [ -d "$1" ] || "$T" -q simulate --preset "$2" --runs "$3" --seed "$4" --out "$1"; }
sim czii czii 12 7
sim tune czii 4 99
runs=sim_000,sim_001,sim_002,sim_003,sim_004,sim_005,sim_006,sim_007,sim_008,sim_009

train() {  # NAME [--set ...]
  local name=$1
  shift
  [ -f "$name/model.pt" ] || "$T" train --config "$root/configs/czii-1st-pointdet.yaml" "$@" --data czii \
    --train-runs "$runs" --val-runs sim_011 --out "$name" --overwrite
  cp "$name/model.pt" "$out/$name.pt"
  cp "$name/train_log.csv" "$out/${name}_train_log.csv"
}
train pointdet_unet3d --set model.arch=unet3d --set "model.channels=[16,32,64,128]" --set "model.strides=[2,2,2]" \
  --set model.num_res_units=1 --set model.norm=instance
train pointdet_voxresnet --set model.arch=voxresnet --set "model.channels=[16,32,64,64]" \
  --set "model.blocks_down=[0,2,2,2]" --set model.norm=instance

builtin=$(realpath --relative-to="$out" "$root/models/default/model.pt")
manifest() {  # CLASS_WEIGHTS_JSON: the point detectors' class weights
  cat > "$out/ensemble.json" <<JSON
{
  "format": "tomopick-ensemble",
  "members": [
    {"model": "$builtin", "weight": 1},
    {"model": "pointdet_unet3d.pt", "weight": 1, "class_weights": $1},
    {"model": "pointdet_voxresnet.pt", "weight": 1, "class_weights": $1}
  ],
  "fusion": "heatmap",
  "tta": "$tta"
}
JSON
}

# Every peak down to 0.02 on the tuning runs, then CZII F4 per class: for the built-in alone and for
# the plain average, which decide the class weights; then for the ensemble as shipped.
low=apo-ferritin=0.02,beta-amylase=0.02,beta-galactosidase=0.02,ribosome=0.02,thyroglobulin=0.02,virus-like-particle=0.02
tuned() {  # NAME MODEL...: tune/NAME.json
  local name=$1 models=()
  shift
  for m in "$@"; do models+=(-m "$m"); done
  "$T" -q pick tune "${models[@]}" --tta "$tta" --threshold "$low" --user-id "ens_$name" --overwrite --out "tune_$name.csv"
  "$T" -q tune --truth tune --truth-user simulation --picks "tune_$name.csv" --out "tuned_$name.json"
}
rm -f "$out/thresholds.json"
tuned builtin "$root/models/default/model.pt"
manifest '{}'
tuned average "$out"
weights=$(/usr/bin/python3 - tuned_builtin.json tuned_average.json <<'PY'
import json, sys
alone, average = (json.load(open(f))["expected"] for f in sys.argv[1:])
print(json.dumps({k: 0 for k in alone if average.get(k, {}).get("f", 0) <= alone[k]["f"]}))
PY
)
manifest "$weights"
tuned weighted "$out"
keep=$(/usr/bin/python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["expected_score"] > json.load(open(sys.argv[2]))["expected_score"]))' \
  tuned_weighted.json tuned_average.json)
if [ "$keep" = 1 ]; then
  echo "ensemble_model: the point detectors' class weights: $weights"
  cp tuned_weighted.json "$out/thresholds.json"
else
  echo "ensemble_model: the plain average tunes better than class weights $weights"
  manifest '{}'
  cp tuned_average.json "$out/thresholds.json"
fi
echo "ensemble_model: $out"
