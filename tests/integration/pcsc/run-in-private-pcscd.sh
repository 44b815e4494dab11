#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-in-private-pcscd.sh CMD [ARGS...]
#
# Runs CMD next to a private pcscd whose only readers are vsmartcard's vpcd ("Virtual PCD 00 00" and "... 00 01"),
# fed by lpad-vpcd-bridge with virtual eUICCs, and never touches the machine's pcscd:
#   - everything runs in a new mount namespace (unshare -m); a private directory is bind-mounted on /run/pcscd
#     (pcscd 1.9 always puts its socket there), so CMD, which runs in the same namespace, talks to this pcscd only;
#   - an empty directory is bind-mounted over /usr/lib/pcsc/drivers, so the private pcscd loads no USB driver
#     and cannot grab real readers; libifdvpcd.so is used from a copy;
#   - vpcd listens on two free TCP ports P and P+1 (reader.conf CHANNELID), not on 35963.
#
# Environment:
#   LPAD_VPCD_BRIDGE   path of lpad-vpcd-bridge (needed when a bridge is requested)
#   PCSC_BRIDGE0       arguments of the bridge for reader slot 0, e.g. "virtual:?pki=/build/pki --drop-at 40";
#   PCSC_BRIDGE1       ... for slot 1. Unset: that reader stays empty.
#                      "@TMP@" in these is replaced by the temp dir (for state files: virtual:@TMP@/card.json?...)
#   PCSC_NO_PCSCD=1    do not start pcscd (CMD sees "no service")
# CMD gets LPAD_TEST_VPCD_PORT (P), LPAD_TEST_PCSC_DIR (the temp dir with the logs and state files) and
# LPAD_TEST_BRIDGE<slot>_PID and _ARGS (the bridge's pid and its arguments after substitution).
# Exit status: CMD's; 1 when the fixture itself fails (the message says why). Needs root (or CAP_SYS_ADMIN).
set -euo pipefail

die() { echo "run-in-private-pcscd: $*" >&2; exit 1; }

if [[ "${_LPAD_PRIVATE_PCSCD_NS:-}" != 1 ]]; then
    [[ $# -ge 1 ]] || die "usage: run-in-private-pcscd.sh CMD [ARGS...]"
    command -v unshare >/dev/null || die "unshare (util-linux) is not installed"
    command -v pcscd >/dev/null || die "pcscd is not installed (Debian: pcscd)"
    if ! unshare -m true 2>/dev/null; then
        die "cannot create a mount namespace (unshare -m failed: run as root or with CAP_SYS_ADMIN; in a container \
allow unshare/mount). These tests need a private pcscd and do not run against the system one."
    fi
    # The mount point must exist on the host; it is left in place (an empty /run/pcscd is what pcscd makes anyway,
    # and removing it could pull the mount from under a test running in parallel).
    mkdir -p /run/pcscd
    rc=0
    _LPAD_PRIVATE_PCSCD_NS=1 unshare -m --propagation private "$0" "$@" || rc=$?
    exit $rc
fi

# --- inside the namespace ---
tmp=$(mktemp -d /tmp/lpad-pcscd-XXXXXX)
pids=()
rc=0
cleanup() {
    local status=$?
    [[ $rc == 0 ]] && rc=$status
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $rc != 0 ]]; then
        echo "---- run-in-private-pcscd: failed ($rc); pcscd log (last 80 lines) ----" >&2
        tail -n 80 "$tmp/pcscd.log" >&2 2>/dev/null || true
        for f in "$tmp"/bridge*.log; do
            [[ -e $f ]] || continue
            echo "---- $(basename "$f") ----" >&2
            tail -n 40 "$f" >&2
        done
    fi
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'rc=130; exit 130' INT TERM

mkdir -p "$tmp/run" "$tmp/conf" "$tmp/nodrivers"
mount --bind "$tmp/run" /run/pcscd
vpcd_so=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
[[ -f $vpcd_so ]] || die "vsmartcard's vpcd driver $vpcd_so is missing (Debian: vsmartcard-vpcd)"
cp "$vpcd_so" "$tmp/libifdvpcd.so"
mount --bind "$tmp/nodrivers" /usr/lib/pcsc/drivers

# Two consecutive free ports: nothing answers a connect on either (vpcd binds them when pcscd starts).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=""
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p" && port_free "$((p + 1))"; then port=$p; break; fi
done
[[ -n $port ]] || die "no two free consecutive TCP ports found"

cat >"$tmp/conf/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$(printf '0x%X' "$port")
LIBPATH      $tmp/libifdvpcd.so
CHANNELID    $(printf '0x%X' "$port")
CONF

if [[ "${PCSC_NO_PCSCD:-}" != 1 ]]; then
    pcscd -f -d -c "$tmp/conf" >"$tmp/pcscd.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        [[ -S /run/pcscd/pcscd.comm ]] && grep -q "daemon ready" "$tmp/pcscd.log" && break
        kill -0 "${pids[0]}" 2>/dev/null || die "pcscd exited at startup"
        sleep 0.1
    done
    [[ -S /run/pcscd/pcscd.comm ]] || die "pcscd did not create its socket within 10 s"
    if grep -q "Could not initialize connection" "$tmp/pcscd.log"; then
        die "vpcd could not listen on ports $port/$((port + 1))"
    fi
fi

for slot in 0 1; do
    var="PCSC_BRIDGE$slot"
    [[ -n "${!var:-}" ]] || continue
    [[ -x "${LPAD_VPCD_BRIDGE:-}" ]] || die "LPAD_VPCD_BRIDGE must name lpad-vpcd-bridge to start $var"
    args=${!var//@TMP@/$tmp}
    # shellcheck disable=SC2086 # the variable holds several arguments
    "$LPAD_VPCD_BRIDGE" --port "$port" --slot "$slot" $args >"$tmp/bridge$slot.log" 2>&1 &
    pids+=($!)
    export "LPAD_TEST_BRIDGE${slot}_PID=$!" "LPAD_TEST_BRIDGE${slot}_ARGS=$args"
done

export LPAD_TEST_VPCD_PORT=$port LPAD_TEST_PCSC_DIR=$tmp
set +e
"$@"
rc=$?
set -e
exit $rc
