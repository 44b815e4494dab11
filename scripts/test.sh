#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 2: install what is missing (Debian packages only), configure, build, and run every test.
#   scripts/test.sh          the default build (build/)
#   scripts/test.sh asan     the AddressSanitizer + UBSan build (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
jobs=$(nproc)

scripts/install-deps.sh
# ccache (installed by install-deps) makes rebuilds of the same sources cheap, also from another clone of the tree.
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD"
fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$jobs"
# Tests start their own servers on free loopback ports and in private temp dirs, so they may run in parallel.
ctest --preset "$preset" -j"$jobs" --timeout 600
