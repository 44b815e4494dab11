#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source, build and configuration file of the project says its licence in its first lines
# ("SPDX-License-Identifier: Apache-2.0"); a new file without it fails here.   check_spdx.sh SOURCE_DIR
set -euo pipefail
cd "$1"
missing=() count=0
while IFS= read -r -d '' f; do
  count=$((count + 1))
  head -n 4 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || missing+=("$f")
done < <(find libapdu drivers lpad lpactl tests bench packaging cmake docs scripts .ci CMakeLists.txt -type f \
           \( -name '*.cpp' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.cmake' -o -name CMakeLists.txt \
              -o -path packaging/debian/rules -o -path packaging/bash-completion/lpactl -o -path 'packaging/*.conf' \
              -o -path 'packaging/*.service' -o -path 'lpad/dbus/*.xml' -o -path .ci/run \) -print0)
((count >= 300)) || { echo "FAIL: only $count files found: wrong directory?" >&2; exit 1; }
if ((${#missing[@]})); then
  printf 'FAIL: no SPDX-License-Identifier line at the top of: %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "PASS: $count files carry the licence line"
