#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Records seeds from a real session into a temp dir (tests/fuzz/record_seeds.cpp), checks they are real-sized, and
# replays each target's recorded seeds through that target's replay build.
#   check_recorded_seeds.sh RECORDER PKI_DIR UPP FUZZ_BIN_DIR
set -euo pipefail
recorder=$1 pki=$2 upp=$3 bins=$4
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$recorder" --pki "$pki" --upp "$upp" --out "$out/corpus" --data "$out/data"

size() { stat -c %s "$1"; }
need_min() {  # file, minimum bytes
  [[ -f $1 ]] || { echo "FAIL: not recorded: $1" >&2; exit 1; }
  local s; s=$(size "$1")
  (( s >= $2 )) || { echo "FAIL: $1 is $s bytes, expected at least $2" >&2; exit 1; }
}
largest() { ls -S "$1" | head -n 1 | sed "s|^|$1/|"; }
need_min "$(largest "$out/corpus/bpp")" 10000
need_min "$(largest "$out/corpus/es9p_json")" 10000
need_min "$(largest "$out/corpus/es10b")" 1000
need_min "$(largest "$out/corpus/virtual_euicc")" 10000
need_min "$out/data/euicc_state.json" 1000
grep -l '"serverCertificate"' "$out"/corpus/es9p_json/* >/dev/null || { echo "FAIL: no ES9+ answer with a certificate" >&2; exit 1; }
ls "$out"/corpus/es10b | grep -q BF2B_response || { echo "FAIL: no notification list (signed PIRs) recorded" >&2; exit 1; }
ls "$out"/corpus/es10b | grep -q BF38_command || { echo "FAIL: no AuthenticateServer recorded" >&2; exit 1; }

for dir in "$out"/corpus/*/; do
  target=$(basename "$dir")
  bin="$bins/fuzz_$target"
  [[ -x $bin ]] || { echo "FAIL: no fuzz target for recorded seeds $target" >&2; exit 1; }
  "$bin" "$dir"
done
echo "recorded seeds: $(find "$out/corpus" -type f | wc -l) files, all replayed"
