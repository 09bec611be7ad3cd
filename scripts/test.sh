#!/usr/bin/env bash
# Installs dependencies if needed, builds, and runs the whole test suite (ctest + GoogleTest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 900
