#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fixture for the daemon tests: a private D-Bus bus, the test SM-DP+ with orders, lpad with a virtual eUICC; then
# runs the test script named by $1 (sourced, with helpers) and stops everything.
#   fixture.sh TEST_SCRIPT    env: LPAD LPACTL SMDPP PKI UPP_DIR [QR_TOOL]
# Knobs (env, optional):
#   FIXTURE_BUS=session   dbus-daemon --session, lpad --session (no access checks; the default)
#   FIXTURE_BUS=system    a system-like dbus-daemon whose config includes packaging/dbus/org.lpad.Lpad1.conf,
#                         lpad --bus-address (access checks on), lpactl through LPACTL_BUS=<address>
#   CARD_OPTS="&latency=20"  appended to the virtual card URI;  LPAD_LOG_LEVEL (debug)
# Helpers for the test scripts: expect, check, start_lpad, stop_lpad, kill9_lpad, admin, wait_for, start_bus;
# SMDPP_PID is the test SM-DP+'s process.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POLICY="$here/../../../packaging/dbus/org.lpad.Lpad1.conf"
tmp="$(mktemp -d /tmp/lpad-daemon-test.XXXXXX)"
chmod 755 "$tmp"  # the system-like bus socket lives here and unprivileged clients (nobody) must reach it
pids=()
cleanup_hooks=()
cleanup() {
  local status=$?
  for hook in "${cleanup_hooks[@]}"; do eval "$hook" || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((status != 0)); then
    echo "---- lpad log (last 40 lines) ----" >&2; tail -40 "$tmp/lpad.log" >&2 || true
    echo "---- SM-DP+ log (last 15 lines) ----" >&2; tail -15 "$tmp/smdpp.log" >&2 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_bus NAME KIND: a dbus-daemon listening on $tmp/NAME; sets $bus_address. KIND: session | system (with the
# project's policy) | system-open (system-like, the policy's deny rules left out: only lpad's own check remains).
start_bus() {
  local name=$1 kind=$2 conf="$tmp/$1.conf"
  if [[ $kind == session ]]; then
    dbus-daemon --session --nofork --nopidfile --print-address=3 --address="unix:path=$tmp/$name" \
      3>"$tmp/$name.address" &
  else
    local policy="<include>$POLICY</include>"
    [[ $kind == system-open ]] && policy='<policy user="root"><allow own="org.lpad.Lpad1"/></policy>
  <policy context="default"><allow send_destination="org.lpad.Lpad1"/></policy>'
    # What a system bus (/usr/share/dbus-1/system.conf) says that matters here, in a private socket.
    cat >"$conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/$name</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  $policy
</busconfig>
XML
    dbus-daemon --config-file="$conf" --nofork --nopidfile --print-address=3 3>"$tmp/$name.address" &
  fi
  pids+=($!)
  for _ in $(seq 100); do [[ -s "$tmp/$name.address" ]] && break; sleep 0.1; done
  [[ -s "$tmp/$name.address" ]] || { echo "FAIL: dbus-daemon ($kind) did not start" >&2; exit 1; }
  [[ $kind == session ]] || chmod 666 "$tmp/$name"
  bus_address="$(head -1 "$tmp/$name.address")"
}

FIXTURE_BUS=${FIXTURE_BUS:-session}
if [[ $FIXTURE_BUS != session && $(id -u) == 0 ]]; then
  # The policy names the group lpad; dbus-daemon resolves it when it reads its configuration, so it must exist
  # first. Created here when missing (and removed again); the lock keeps two such tests from racing on it.
  exec 9>/tmp/lpad-daemon-test-group.lock
  flock 9
  if ! getent group lpad >/dev/null; then
    groupadd --system lpad
    cleanup_hooks+=("groupdel lpad")
  fi
fi
start_bus bus "$FIXTURE_BUS"
BUS_ADDRESS="$bus_address"
if [[ $FIXTURE_BUS == session ]]; then
  export DBUS_SESSION_BUS_ADDRESS="$BUS_ADDRESS" LPACTL_BUS=session
  LPAD_BUS_ARGS=(--session)
else
  export LPACTL_BUS="$BUS_ADDRESS"
  LPAD_BUS_ARGS=(--bus-address "$BUS_ADDRESS")
fi

cat >"$tmp/orders.json" <<JSON
[
  {"matchingId": "MATCH-1", "profile": "$UPP_DIR/TS48v4_SAIP2.3_BERTLV.der", "iccid": "8949449999999990023",
   "name": "Test One", "provider": "Provider One"},
  {"matchingId": "MATCH-2", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990031",
   "name": "Test Two", "confirmationCode": "1234"},
  {"matchingId": "MATCH-3", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990049",
   "name": "Test Three"},
  {"matchingId": "MATCH-4", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990056",
   "name": "Test Four"}
]
JSON
"$SMDPP" --pki "$PKI" --address localhost:0 --port 0 --admin-port 0 --orders "$tmp/orders.json" \
  --ready-file "$tmp/port" >"$tmp/smdpp.log" 2>&1 &
SMDPP_PID=$!
pids+=($!)
for _ in $(seq 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
SMDP="localhost:$(cat "$tmp/port")"
ADMIN="http://$(sed -n 's/^admin on //p' "$tmp/smdpp.log" | head -1)"

# admin METHOD WHAT [JSON]: the test SM-DP+'s admin interface (orders, faults, notifications).
admin() {
  curl -sf -X "$1" ${3:+-H 'Content-Type: application/json' --data "$3"} "$ADMIN/admin/$2"
}

# wait_for SECONDS DESC COMMAND...: poll until COMMAND succeeds.
wait_for() {
  local secs=$1 desc=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < end)) || { echo "FAIL: timed out after ${secs}s waiting for: $desc" >&2; exit 1; }
    sleep 0.1
  done
}

CARD_URI="virtual:$tmp/card.json?pki=$PKI${CARD_OPTS:-}"
start_lpad() {
  "$LPAD" "${LPAD_BUS_ARGS[@]}" --card "$CARD_URI" --trust "$PKI/trust/test-ci.pem" \
    --state-dir "$tmp/state" --log-level "${LPAD_LOG_LEVEL:-debug}" "$@" 2>>"$tmp/lpad.log" &
  LPAD_PID=$!
  pids+=($LPAD_PID)
  local end=$((SECONDS + 60))  # generous: an ASan build on a loaded CI machine starts slowly
  until [[ "$(timeout -k 5 30 "$LPACTL" -j chip info 2>/dev/null | jq -r .status 2>/dev/null)" == ok ]]; do
    if ! kill -0 "$LPAD_PID" 2>/dev/null || ((SECONDS >= end)); then
      echo "FAIL: lpad did not come up" >&2; return 1
    fi
    sleep 0.1
  done
}
stop_lpad() { kill "$LPAD_PID" 2>/dev/null || true; wait "$LPAD_PID" 2>/dev/null || true; }
kill9_lpad() { kill -9 "$LPAD_PID" 2>/dev/null || true; wait "$LPAD_PID" 2>/dev/null || true; }

source "$(dirname "${BASH_SOURCE[0]}")/../lib/lpactl_expect.sh"
[[ ${FIXTURE_NO_LPAD:-} ]] || start_lpad
source "$1"
echo "PASS"
