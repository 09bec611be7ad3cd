#!/usr/bin/env bash
# Data-parallel training on one machine: 1 rank x 2 threads against 2 ranks x 1 thread (launched as
# torchrun launches them), the same crops a step, the default config. Prints seconds a step and
# crops a second of the training loop (data loading excluded), and the all-reduce's share.
#   bench/train_scaling.sh BUILD PROJECT [STEPS]     e.g. bench/train_scaling.sh build /work/data/sim12 20
set -euo pipefail
build=$(realpath "$1"); project=$(realpath "$2"); steps=${3:-20}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
common=(train --config "$(dirname "$0")/../configs/default.yaml" --data "$project" --train-runs sim_000,sim_001
        --set train.steps="$steps" --set train.val_every=0 --set train.log_every="$steps" --overwrite)

seconds() {  # the loop's time from "trained N steps (...) in 12.3s" / "1m05s"
  python3 -c 'import re,sys; t=re.search(r"trained \d+ steps \(\d+ in all\) in (?:(\d+)m)?([\d.]+)s", sys.stdin.read()); print(int(t.group(1) or 0)*60+float(t.group(2)))'
}

one() {  # batch threads
  "$build/tomopick" --threads "$2" "${common[@]}" --set train.batch="$1" --out "$work/one" 2>/dev/null | seconds
}

two() {  # per-rank batch, threads per rank
  local port=$((29500 + RANDOM % 1000))
  RANK=1 WORLD_SIZE=2 LOCAL_RANK=1 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$build/tomopick" --threads "$2" "${common[@]}" --set train.batch="$1" --out "$work/two" >/dev/null 2>&1 &
  RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$build/tomopick" --threads "$2" "${common[@]}" --set train.batch="$1" --out "$work/two" >"$work/two.out" 2>"$work/two.err"
  wait
  grep -o "all-reduce ([^)]*) took [0-9.]* ms a step, [0-9.]* % of the time" "$work/two.err" >&2 || true
  seconds <"$work/two.out"
}

printf "%-28s %8s %10s %12s\n" setup "crops/step" "s/step" "crops/s"
for global in 2 4; do
  t=$(one "$global" 2)
  printf "%-28s %8d %10.3f %12.2f\n" "1 rank x 2 threads" "$global" "$(echo "$t/$steps" | bc -l)" "$(echo "$global*$steps/$t" | bc -l)"
  t=$(two $((global / 2)) 1)
  printf "%-28s %8d %10.3f %12.2f\n" "2 ranks x 1 thread" "$global" "$(echo "$t/$steps" | bc -l)" "$(echo "$global*$steps/$t" | bc -l)"
done
