#!/usr/bin/env bash
# Installs dependencies if needed, builds, and runs the whole test suite (ctest + GoogleTest), then the
# reliability job: the suite again under ASan + UBSan, and every parser fuzzed (scripts/sanitize.sh).
# SKIP_SANITIZE=1 runs the ordinary suite only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 900
cd ..
if [[ "${SKIP_SANITIZE:-0}" != 1 ]]; then scripts/sanitize.sh; fi
