#!/usr/bin/env bash
# Makes the CZII ensemble (models/czii-ensemble) from nothing:
#   1. the simulated CZII runs the built-in model's stage 1 learned from (czii preset, seed 7) and
#      threshold-tuning runs of another seed (99), as scripts/builtin_model.sh makes them;
#   2. two members of other network families trained on them from scratch with their recipes:
#      configs/czii-2nd-segresnet.yaml and configs/czii-2nd-unet2e3d.yaml;
#   3. the built-in model (models/default: unet3d, simulations and the real tomo9) as the third, named
#      by its path relative to OUT_DIR, so it is not copied;
#   4. ensemble.json (the members, equal weights, heatmaps averaged, TTA_RULE) and thresholds.json
#      tuned for the ensemble's averaged scores on the tuning runs (CZII F4).
#   scripts/ensemble_model.sh BUILD_DIR WORK_DIR OUT_DIR [TTA_RULE]
# Members that exist in WORK_DIR are not trained again.
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

for family in segresnet unet2e3d; do
  [ -f "$family/model.pt" ] || "$T" train --config "$root/configs/czii-2nd-$family.yaml" --data czii \
    --train-runs "$runs" --val-runs sim_011 --out "$family" --overwrite
  cp "$family/model.pt" "$out/$family.pt"
  cp "$family/train_log.csv" "$out/${family}_train_log.csv"
done

builtin=$(realpath --relative-to="$out" "$root/models/default/model.pt")
cat > "$out/ensemble.json" <<JSON
{
  "format": "tomopick-ensemble",
  "members": [
    {"model": "$builtin", "weight": 1},
    {"model": "segresnet.pt", "weight": 1},
    {"model": "unet2e3d.pt", "weight": 1}
  ],
  "fusion": "heatmap",
  "tta": "$tta"
}
JSON

# Thresholds for what the ensemble scores: every peak down to 0.02 on the tuning runs, then CZII F4.
rm -f "$out/thresholds.json"
low=apo-ferritin=0.02,beta-amylase=0.02,beta-galactosidase=0.02,ribosome=0.02,thyroglobulin=0.02,virus-like-particle=0.02
"$T" -q pick tune -m "$out" --threshold "$low" --user-id ensemble_low --overwrite --out tune_ensemble.csv
"$T" -q tune --truth tune --truth-user simulation --picks tune_ensemble.csv --out "$out/thresholds.json"
echo "ensemble_model: $out"
