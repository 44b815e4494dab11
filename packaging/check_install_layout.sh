#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cmake --install BUILD_DIR` into a scratch DESTDIR installs exactly the files of packaging/install-layout.txt,
# each in its standard place, and the installed programs run from there.
#   check_install_layout.sh BUILD_DIR LAYOUT_FILE
set -euo pipefail
build=$1 layout=$2
root="$(mktemp -d /tmp/lpad-install.XXXXXX)"
trap 'rm -rf "$root"' EXIT
prefix="$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")"
[[ $prefix == /usr ]] || { echo "FAIL: the build's install prefix is '$prefix', not /usr" >&2; exit 1; }
DESTDIR="$root" cmake --install "$build" >"$root.log" 2>&1 || { cat "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
got="$(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)"
want="$(grep -v '^#' "$layout" | sed '/^$/d' | sort)"
if [[ "$got" != "$want" ]]; then
  echo "FAIL: installed files differ from $layout (< expected, > installed):" >&2
  diff <(echo "$want") <(echo "$got") >&2 || true
  exit 1
fi
# Configuration is a file root owns, the unit and policy are readable, the programs run.
[[ -x "$root/usr/sbin/lpad" && -x "$root/usr/bin/lpactl" ]] || { echo "FAIL: programs not executable" >&2; exit 1; }
"$root/usr/sbin/lpad" --version >/dev/null
"$root/usr/bin/lpactl" --version >/dev/null
"$root/usr/sbin/lpad" --list-drivers | grep -q "^virtual	" || { echo "FAIL: lpad --list-drivers" >&2; exit 1; }
# The driver modules are found beside the installed lpad (../lib/lpad/drivers), not in the build tree.
"$root/usr/sbin/lpad" --list-drivers | grep -q "^pcsc	.*	module $root/usr/lib/lpad/drivers/lpad-driver-pcsc\.so\$" ||
  { "$root/usr/sbin/lpad" --list-drivers >&2; echo "FAIL: the pcsc module is not found in the install" >&2; exit 1; }
echo "PASS: $(wc -l <<<"$got") files in place"
