#!/usr/bin/env bash
# Prints one line per fuzz target from a ctest log (build-san/Testing/Temporary/LastTest.log):
# executions, seconds, corpus size and new inputs found, from libFuzzer's final stats.
set -euo pipefail
log=${1:-build-san/Testing/Temporary/LastTest.log}
awk '
  /^[0-9]+\/[0-9]+ Test: fuzz_[a-z_]+$/ { name = $3; sub(/^fuzz_/, "", name) }
  /stat::number_of_executed_units:/ { runs[name] = $2 }
  /stat::average_exec_per_sec:/     { rate[name] = $2 }
  /stat::new_units_added:/          { added[name] = $2 }
  /Done [0-9]+ runs in [0-9]+ second/ { secs[name] = $5 }
  END {
    if (length(runs) == 0) exit 1
    printf "%-16s %12s %8s %10s %9s\n", "fuzz target", "executions", "seconds", "exec/s", "new inputs"
    n = 0
    for (t in runs) { printf "%-16s %12d %8s %10s %9s\n", t, runs[t], secs[t], rate[t], added[t]; n += runs[t] }
    printf "%-16s %12d\n", "total", n
  }' "$log"
