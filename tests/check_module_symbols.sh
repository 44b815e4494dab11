#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every lpad::* symbol a driver module leaves undefined is exported by the lpad executable (drivers/module.h: modules
# resolve them against lpad when loaded), and a module exports nothing but its entry point. Catches a module that
# calls into libapdu code lpad does not link, before a user's configuration tries to load it.
#   check_module_symbols.sh LPAD MODULE...
set -euo pipefail
lpad=$1; shift
exported="$(nm -D --defined-only "$lpad" | awk '{print $3}' | sort -u)"
[[ $(grep -c '4lpad' <<<"$exported") -gt 100 ]] || { echo "FAIL: $lpad exports no lpad::* symbols" >&2; exit 1; }
for m in "$@"; do
  wanted="$(nm -D --undefined-only "$m" | awk '{print $2}' | grep '4lpad' | sort -u || true)"
  [[ -n $wanted ]] || { echo "FAIL: $m uses no lpad::* symbol (linked a copy of libapdu in?)" >&2; exit 1; }
  missing="$(comm -23 <(echo "$wanted") <(echo "$exported"))"
  [[ -z $missing ]] || { echo "FAIL: $m needs symbols lpad does not export:" >&2; c++filt <<<"$missing" >&2; exit 1; }
  own="$(nm -D --defined-only "$m" | awk '{print $3}')"
  [[ $own == lpad_driver_module_v1 ]] || { echo "FAIL: $m exports more than its entry point: $own" >&2; exit 1; }
  echo "$(basename "$m"): $(wc -l <<<"$wanted") lpad symbols, all exported by lpad"
done
