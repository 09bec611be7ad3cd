#!/bin/sh
# Time and peak memory of one 630 x 630 x 184 `czii` run (tomograms denoised + wbp, picks), with all
# cores: prints /usr/bin/time's wall clock and maximum resident set size.
#   bench/simulate.sh [BUILD_DIR]      (default: build)
set -eu
build=${1:-build}
out=$(mktemp -d)/bench_sim
/usr/bin/time -v "$build/tomopick" --log-level debug simulate --out "$out" --preset czii --seed 1 2>&1 |
  grep -E "simulate sim_000|simulated|Elapsed|Maximum resident"
rm -rf "$(dirname "$out")"
