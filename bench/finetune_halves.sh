#!/usr/bin/env bash
# Fine-tuning on partial picks, measured on real data: EMPIAR-11658 tomo9 (../shared/data) is split at
# y = 128 into two halves; the built-in model is fine-tuned on one half's picks with the default
# fine-tuning recipe (tomopick train --init) and picks the other half with the thresholds training
# chose; `tomopick evaluate` scores that against the other half's curated picks (hit within 75 Å).
# Both directions, and the built-in model alone for comparison.
#   bench/finetune_halves.sh BUILD_DIR [WORK_DIR]        (about 30 minutes on 2 cores)
# Also the recall ceiling (every peak kept) on both halves: what no threshold can pass.
set -euo pipefail
build=$(realpath "${1:-build}")
work=${2:-$(mktemp -d)}
data=$(realpath "$(dirname "$0")/../../shared/data/empiar-11658")
mkdir -p "$work" && cd "$work"
/usr/bin/python3 - "$data" <<'PY'
import sys, mrcfile, numpy as np
data = sys.argv[1]
m = mrcfile.open(f"{data}/tomo9.mrc", permissive=True)
vol, vs = m.data, float(m.voxel_size.x)
picks = np.loadtxt(f"{data}/tomo9_ribosome.csv", delimiter=",", skiprows=1)
half = vol.shape[1] // 2
for name, lo in (("A", 0), ("B", half)):
    with mrcfile.new(f"tomo9{name}.mrc", overwrite=True) as o:
        o.set_data(np.ascontiguousarray(vol[:, lo:lo + half, :]))
        o.voxel_size = vs
    inside = (picks[:, 1] / vs >= lo - 0.5) & (picks[:, 1] / vs < lo + half - 0.5)
    p = picks[inside].copy()
    p[:, 1] -= lo * vs
    np.savetxt(f"picks{name}.csv", p, delimiter=",", header="x_A,y_A,z_A", comments="", fmt="%.3f")
    with open(f"truth{name}.csv", "w") as f:  # the same picks, named for `evaluate`
        f.write("experiment,particle_type,x,y,z\n")
        for x, y, z in p:
            f.write(f"tomo9{name},ribosome,{x:.3f},{y:.3f},{z:.3f}\n")
PY
T="$build/tomopick"
score() {  # $1 picks file, $2 truth half
  "$T" -q evaluate --truth "truth$2.csv" --picks "$1" --types ribosome --json |
    /usr/bin/python3 -c 'import json,sys; t=[t for t in json.load(sys.stdin)["types"] if t["name"]=="ribosome"][0]; print("recall {recall:.3f}  picks {picks}  F4 {f:.3f}".format(**t))'
}
for pair in "A B" "B A"; do
  set -- $pair
  "$T" train --init "$(dirname "$build")/models/default/model.pt" --data "tomo9$1.mrc" --picks "picks$1.csv" \
    --object ribosome --out "ft$1" --overwrite 2>&1 | grep -E "validation|trained"
  "$T" -q pick "tomo9$2.mrc" -m "ft$1/model.pt" --out "picks_ft$1_on$2.csv"
  echo "fine-tuned on half $1, scored on half $2: $(score "picks_ft$1_on$2.csv" "$2")"
  # The ceiling: every peak kept, on the other half and on the half whose picks it learned from.
  for h in "$2" "$1"; do
    "$T" -q pick "tomo9$h.mrc" -m "ft$1/model.pt" --threshold ribosome=0.02 --out "peaks_ft$1_on$h.csv"
    echo "  every peak (score >= 0.02) on half $h: $(score "peaks_ft$1_on$h.csv" "$h")"
  done
  "$T" -q pick "tomo9$2.mrc" --out "picks_builtin_on$2.csv"
  echo "built-in model (shipped thresholds) on half $2: $(score "picks_builtin_on$2.csv" "$2")"
done
