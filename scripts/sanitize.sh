#!/usr/bin/env bash
# The reliability job, after scripts/setup.sh:
#  1. build-asan/ (gcc, AddressSanitizer + UndefinedBehaviorSanitizer): the whole test suite, which
#     also replays every fuzz seed and every past crash;
#  2. build-fuzz/ (clang, libFuzzer + ASan + UBSan): each file parser fuzzed from its committed seeds
#     with a fixed seed and run count (the same inputs every time, ~30 s each: CI's verdict depends
#     only on the commit); the figures are printed at the end.
#   scripts/sanitize.sh                                        both
#   FUZZ_SEED=0 FUZZ_SECONDS=600 SKIP_ASAN=1 scripts/sanitize.sh   only the fuzzers, random seeds, 10 min each
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
launcher=()
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
# Leak checking is off: LibTorch's load-time singletons are never freed.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0

if [[ "${SKIP_ASAN:-0}" != 1 ]]; then
  # -O1 with line tables: readable sanitizer stacks at a fraction of a debug build's compile time.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" -DCMAKE_C_FLAGS="-O1 -g1" \
    -DTOMOPICK_SANITIZE=ON -DTOMOPICK_BENCH=OFF "${launcher[@]}" > /dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 1800) || status=$?
fi

# clang for libFuzzer; OpenMP through libgomp, the runtime LibTorch uses (two runtimes in one process clash).
gomp=$(g++ -print-file-name=libgomp.so)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  "-DCMAKE_C_FLAGS=-O1 -gline-tables-only" "-DCMAKE_CXX_FLAGS=-O1 -gline-tables-only" \
  -DTOMOPICK_SANITIZE=ON -DTOMOPICK_FUZZ=ON -DTOMOPICK_FUZZ_SECONDS="${FUZZ_SECONDS:-30}" -DTOMOPICK_FUZZ_SEED="${FUZZ_SEED:-1}" \
  -DOpenMP_C_FLAGS=-fopenmp=libgomp -DOpenMP_C_LIB_NAMES=gomp \
  -DOpenMP_CXX_FLAGS=-fopenmp=libgomp -DOpenMP_CXX_LIB_NAMES=gomp -DOpenMP_gomp_LIBRARY="$gomp" \
  "${launcher[@]}" > /dev/null
cmake --build build-fuzz -j"$jobs"
(cd build-fuzz && ctest --output-on-failure -j"$jobs" --timeout 1800) || status=$?
scripts/fuzz_summary.sh build-fuzz/Testing/Temporary/LastTest.log || true
exit $status
