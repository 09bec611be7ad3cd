#!/usr/bin/env bash
# Installs every Debian package tomopick needs, then builds it (Release, Ninja) into build/.
# Run as root on Debian 12 (or with sudo available). Idempotent.
#   scripts/setup.sh            install + build
#   SKIP_APT=1 scripts/setup.sh build only
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  cmake ninja-build g++ pkg-config git
  # neural networks: Debian's LibTorch 1.13 (CPU) with the measured CPU-speed fixes:
  # OpenMP OpenBLAS as the BLAS behind it, tcmalloc linked into our binaries
  libtorch-dev libopenblas0-openmp libopenblas-openmp-dev libgoogle-perftools-dev
  # the headers of Gloo, the c10d backend data-parallel training uses (LibTorch has it built in)
  libgloo-dev
  # FFTs (simulator: CTF, weighted back-projection)
  libfftw3-dev
  # compression codecs of zarr chunks
  libblosc-dev libzstd-dev zlib1g-dev
  # JSON, YAML, CLI, logging
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  # images (slice stacks, renders)
  libstb-dev libtiff-dev libpng-dev libjpeg-dev
  # tests and benchmarks (/usr/bin/time measures peak memory)
  libgtest-dev libgmock-dev libbenchmark-dev time
  # the HTML report's browser test (headless: loads it, checks its images, takes a screenshot)
  chromium
  # the reliability job: clang's AddressSanitizer / UBSan runtimes and libFuzzer
  clang libclang-rt-14-dev
  # reference implementations the tests and benchmarks compare against
  python3 python3-numpy python3-zarr python3-numcodecs python3-mrcfile python3-pil python3-torch
)

if [[ "${SKIP_APT:-0}" != 1 ]]; then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # LibTorch calls BLAS through libblas.so.3: make sure the OpenMP OpenBLAS serves it (10-14x faster
  # convolutions than the reference BLAS).
  arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
  for lib in libblas.so.3 liblapack.so.3; do
    alt="/usr/lib/$arch/openblas-openmp/$lib"
    if [[ -e "$alt" ]]; then $SUDO update-alternatives --quiet --set "$lib-$arch" "$alt" || true; fi
  done
fi

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j"$(nproc)"
echo "setup: built $BUILD_DIR/tomopick"
