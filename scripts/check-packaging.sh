#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build the Debian packages from a scratch copy of the committed tree and check them, without installing anything
# on this machine:
#   - dpkg-buildpackage -b -us -uc (tests are not repeated: DEB_BUILD_OPTIONS=nocheck);
#   - lintian: no errors; every warning fixed or overridden (packaging/debian/*.lintian-overrides, with a reason);
#   - dpkg -x into a scratch root, then the unpacked lpad --version, lpactl --version and lpad --list-drivers run;
#   - systemd-analyze verify accepts the packaged lpad.service.
#   scripts/check-packaging.sh [SOURCE_DIR]     (run by .ci/run; SOURCE_DIR defaults to this checkout)
set -euo pipefail
src="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
"$src/scripts/install-deps.sh" --packaging

work="$(mktemp -d /tmp/lpad-deb.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# The committed tree only (no build directories, nothing untracked), with the packaging where dpkg expects it.
git -C "$src" archive --format=tar --prefix=lpad/ HEAD | tar -x -C "$work"
ln -s packaging/debian "$work/lpad/debian"

echo "check-packaging: dpkg-buildpackage in $work/lpad"
if command -v ccache >/dev/null; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$work/lpad"; fi
(cd "$work/lpad" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) || {
  tail -60 "$work/build.log" >&2; echo "FAIL: dpkg-buildpackage" >&2; exit 1; }
debs=("$work"/*.deb)
((${#debs[@]} >= 2)) || { echo "FAIL: expected the lpad and lpad-testing packages, got: ${debs[*]}" >&2; exit 1; }

echo "check-packaging: lintian"
lintian --fail-on error,warning --display-info --suppress-tags-from-file /dev/null "$work"/*.changes \
  >"$work/lintian.log" 2>&1 || true
cat "$work/lintian.log"
if grep -qE '^[EW]: ' "$work/lintian.log"; then
  echo "FAIL: lintian reports errors or warnings (fix them, or override with a reason)" >&2; exit 1
fi

echo "check-packaging: unpacked programs"
root="$work/root"
for deb in "${debs[@]}"; do dpkg -x "$deb" "$root"; done
"$root/usr/sbin/lpad" --version
"$root/usr/bin/lpactl" --version
"$root/usr/sbin/lpad" --list-drivers
"$root/usr/sbin/lpad" --list-drivers | grep -q "^pcsc	" || { echo "FAIL: no pcsc driver in the package" >&2; exit 1; }
for f in etc/lpad/lpad.conf usr/share/dbus-1/system.d/org.lpad.Lpad1.conf usr/share/dbus-1/interfaces/org.lpad.Lpad1.xml \
         lib/systemd/system/lpad.service usr/lib/sysusers.d/lpad.conf usr/share/lpad/trust/gsma-ci-production.pem \
         usr/share/man/man8/lpad.8.gz usr/share/bash-completion/completions/lpactl usr/bin/lpad-test-smdpp; do
  [[ -e "$root/$f" ]] || { echo "FAIL: /$f is not in the packages" >&2; exit 1; }
done

echo "check-packaging: systemd-analyze verify"
# The unit names /usr/sbin/lpad, which is not installed here: verify against the unpacked copy's path.
sed "s|^ExecStart=/usr/sbin/lpad|ExecStart=$root/usr/sbin/lpad|" "$root/lib/systemd/system/lpad.service" \
  >"$work/lpad.service"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$work/lpad.service" 2>&1 | tee "$work/verify.log"
if [[ -s "$work/verify.log" ]]; then echo "FAIL: systemd-analyze verify complained" >&2; exit 1; fi
echo "check-packaging: PASS ($(cd "$work" && echo *.deb))"
