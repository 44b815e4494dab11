#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build the libFuzzer targets with clang-14 (preset "fuzz") and run each one briefly from its seed corpus.
#   scripts/fuzz-smoke.sh [seconds-per-target]     default 5
# New inputs go to a temp dir, never into the source tree. A crash, leak or timeout fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}

scripts/install-deps.sh --build
if command -v ccache >/dev/null; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD"; fi
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
for bin in build-fuzz/tests/fuzz/fuzz_*; do
  [[ -x "$bin" ]] || continue
  name=$(basename "$bin"); short=${name#fuzz_}
  mkdir -p "$work/$short"
  echo "== $name (${secs}s)"
  # -max_len: real messages (a BPP, ES9+ JSON with certificates, whole sessions) are tens of KiB; let mutants grow.
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -max_len=262144 \
       -artifact_prefix="$work/$short-" "$work/$short" "tests/fuzz/corpus/$short" >"$work/$short.log" 2>&1; then
    grep -E "stat::number_of_executed_units" "$work/$short.log" || true
    passed=$((passed + 1))
  else
    tail -n 40 "$work/$short.log"
    failed=$((failed + 1))
  fi
done
echo "fuzz smoke: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
