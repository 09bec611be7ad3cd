#!/usr/bin/env bash
# The README's test command: installs dependencies if needed, builds, and runs the test suite (ctest +
# GoogleTest). The longer reliability job (ASan/UBSan suite and fuzzing) is scripts/sanitize.sh, which
# CI (.ci/run) runs after this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 900
