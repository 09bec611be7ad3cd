#!/usr/bin/env bash
# Adds to the committed seeds (fuzz/corpus/<target>/) the inputs a discovery run found that reach
# code the seeds do not (libFuzzer -merge=1 keeps the fewest that add coverage), so the
# deterministic CI runs start from everything discovery has reached. After a discovery run:
#   FUZZ_SEED=0 FUZZ_SECONDS=600 SKIP_ASAN=1 scripts/sanitize.sh
#   scripts/fuzz_merge.sh [FOUND_DIR]      # default build-fuzz/fuzz/work (one folder per target)
# Commit what it adds (names are content hashes, so merging twice adds nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
found=${1:-build-fuzz/fuzz/work}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
for dir in "$found"/*/; do
  t=$(basename "$dir")
  bin=build-fuzz/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "skip $t: no $bin (scripts/sanitize.sh builds it)" >&2; continue; }
  before=$(find "fuzz/corpus/$t" -type f | wc -l)
  "$bin" -merge=1 -rss_limit_mb=4096 -max_len=65536 -timeout=20 "fuzz/corpus/$t" "$dir" > "build-fuzz/fuzz/merge-$t.log" 2>&1
  echo "$t: $before seeds, $(($(find "fuzz/corpus/$t" -type f | wc -l) - before)) added"
done
