#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run every libFuzzer target for longer than the smoke (scripts/fuzz-smoke.sh), each from the merge of its committed
# seeds (tests/fuzz/corpus/<target>) and everything earlier long runs kept (build-fuzz/fuzz-long/corpus/<target>),
# then merge what this run found back into that kept corpus (minimised: only inputs that add coverage).
#   scripts/fuzz-long.sh [minutes-per-target] [target...]     default 1 minute, every target
# Prints, per target, executions, exec/s, coverage (cov: edges, ft: features) and corpus size; the table is also
# written to build-fuzz/fuzz-long/report.md (docs/fuzzing.md records one such run). Crash, leak and timeout inputs
# are kept under build-fuzz/fuzz-long/artifacts/ and fail the run. The machine may be shared: run it under nice.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-1}
shift || true
secs=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

state=build-fuzz/fuzz-long
mkdir -p "$state/corpus" "$state/artifacts" "$state/logs"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for bin in build-fuzz/tests/fuzz/fuzz_*; do [[ -x $bin ]] && targets+=("$(basename "$bin")"); done
fi

report="$state/report.md"
{
  echo "| target | seconds | executions | exec/s | cov at start | cov | ft | corpus (files) | largest input (bytes) | result |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$report"
failed=0
for name in "${targets[@]}"; do
  name=fuzz_${name#fuzz_}; short=${name#fuzz_}
  bin=build-fuzz/tests/fuzz/$name
  kept="$state/corpus/$short"; new=$(mktemp -d); log="$state/logs/$short.log"
  mkdir -p "$kept"
  echo "== $name (${secs}s)"
  result=ok
  if ! "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
       -artifact_prefix="$state/artifacts/$short-" "$new" "$kept" "tests/fuzz/corpus/$short" >"$log" 2>&1; then
    result=FAILED; failed=$((failed + 1)); tail -n 30 "$log"
  fi
  execs=$(grep -oP 'stat::number_of_executed_units:\s+\K[0-9]+' "$log" | tail -n 1 || true)
  rate=$(grep -oP 'stat::average_exec_per_sec:\s+\K[0-9]+' "$log" | tail -n 1 || true)
  # Coverage when the seeds were loaded (INITED) and at the end of the run (DONE); the merge below logs its own.
  first=$(grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | head -n 1 || true)
  last=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | head -n 1 || true)
  cov0=$(grep -oP 'cov: \K[0-9]+' <<<"$first" || true)
  cov=$(grep -oP 'cov: \K[0-9]+' <<<"$last" || true)
  ft=$(grep -oP 'ft: \K[0-9]+' <<<"$last" || true)
  # Keep only what adds coverage: merge the new inputs and the old kept corpus into a fresh one.
  merged=$(mktemp -d)
  "$bin" -merge=1 -max_len=262144 -timeout=20 -rss_limit_mb=2048 "$merged" "$kept" "$new" \
    "tests/fuzz/corpus/$short" >>"$log" 2>&1 || true
  if [[ -n $(ls -A "$merged") ]]; then rm -rf "$kept"; mv "$merged" "$kept"; else rm -rf "$merged"; fi
  rm -rf "$new"
  files=$(find "$kept" -type f | wc -l)
  largest=$(find "$kept" "tests/fuzz/corpus/$short" -type f -printf '%s\n' | sort -n | tail -n 1)
  echo "   executions ${execs:-?}, ${rate:-?}/s, cov ${cov0:-?} -> ${cov:-?}, ft ${ft:-?}, corpus $files, $result"
  echo "| $short | $secs | ${execs:-?} | ${rate:-?} | ${cov0:-?} | ${cov:-?} | ${ft:-?} | $files | ${largest:-0} | $result |" >>"$report"
done
echo
cat "$report"
echo "fuzz long: ${#targets[@]} targets, $failed failed (artifacts: $state/artifacts)"
[[ $failed -eq 0 ]]
