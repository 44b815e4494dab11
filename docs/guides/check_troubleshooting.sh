#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# docs/guides/troubleshooting.md has one section per lpad error name (libapdu/error.h, enum Errc) and none for a
# name the code does not have.   check_troubleshooting.sh SOURCE_DIR
set -euo pipefail
src=$1
code="$(sed -n '/^enum class Errc {/,/^};/p' "$src/libapdu/error.h" | sed -n 's/^ *\([A-Z][A-Za-z]*\),.*/\1/p' | sort)"
doc="$(sed -n 's/^### org\.lpad\.Lpad1\.Error\.\([A-Za-z]*\) .*/\1/p' "$src/docs/guides/troubleshooting.md" | sort)"
[[ $(wc -l <<<"$code") -ge 10 ]] || { echo "FAIL: could not read the error names from libapdu/error.h" >&2; exit 1; }
if [[ "$code" != "$doc" ]]; then
  echo "FAIL: troubleshooting.md and libapdu/error.h disagree (< code, > doc):" >&2
  diff <(echo "$code") <(echo "$doc") >&2 || true
  exit 1
fi
echo "PASS: $(wc -l <<<"$code") error names documented"
