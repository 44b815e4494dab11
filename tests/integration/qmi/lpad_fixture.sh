#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# lpad through the real libqmi: runs inside run-in-netns.sh; starts a private dbus-daemon, the test SM-DP+ and helpers
# for the fake qmi-proxy (lpad-fake-qmi-proxy) and lpad --session --card qmi:PORT, then sources the test script $1
# with the helpers of tests/integration/lib/lpactl_expect.sh (expect, check).
#   env: LPAD LPACTL SMDPP PKI UPP_DIR FAKE_QMI; FAKE_QMI_ARGS: more arguments for every fake started
set -euo pipefail
tmp="$(mktemp -d /tmp/lpad-qmi.XXXXXX)"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Sanitizer builds: a report from lpad or the fake fails the test even when every check passed.
  if grep -l 'ERROR: [A-Za-z]*Sanitizer' "$tmp/lpad.log" "$tmp/fake.log" 2>/dev/null; then
    echo "FAIL: sanitizer report above" >&2; grep -A30 'ERROR: [A-Za-z]*Sanitizer' "$tmp/lpad.log" "$tmp/fake.log" >&2
    status=1
  fi
  if [[ $status != 0 ]]; then
    echo "---- lpad log (last 80 lines) ----" >&2; tail -80 "$tmp/lpad.log" >&2 2>/dev/null || true
    echo "---- fake qmi-proxy log (last 20 lines) ----" >&2; tail -20 "$tmp/fake.log" >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/../lib/lpad_session.sh"
session_bus

cat >"$tmp/orders.json" <<JSON
[
  {"matchingId": "MATCH-1", "profile": "$UPP_DIR/TS48v4_SAIP2.3_BERTLV.der", "iccid": "8949449999999990023",
   "name": "Test One", "provider": "Provider One"},
  {"matchingId": "MATCH-2", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990031",
   "name": "Test Two"},
  {"matchingId": "MATCH-3", "profile": "$UPP_DIR/TS48v4_SAIP2.3_BERTLV.der", "iccid": "8949449999999990023",
   "name": "Test One again"}
]
JSON
start_smdpp "$tmp/orders.json"

# The "port": a FIFO, a special file as libqmi's qmi_device_new requires; only its path travels (in Proxy Open).
PORT="$tmp/cdc-wdm0"
mkfifo "$PORT"
CARD="virtual:$tmp/card.json?pki=$PKI"

# start_fake ARGS...: the fake qmi-proxy + modem (FAKE_PID), on the eUICC state file $tmp/card.json.
start_fake() {
  rm -f "$tmp/fake.ready"
  # shellcheck disable=SC2086
  "$FAKE_QMI" --device "$PORT" --status "$tmp/fake.json" --ready "$tmp/fake.ready" ${FAKE_QMI_ARGS:-} "$@" "$CARD" >>"$tmp/fake.log" 2>&1 &
  FAKE_PID=$!
  pids+=($FAKE_PID)
  for _ in $(seq 100); do [[ -s "$tmp/fake.ready" ]] && return 0; sleep 0.1; done
  echo "FAIL: the fake qmi-proxy did not start" >&2; exit 1
}
# start_fake_port ARGS...: the same modem on a pseudo-terminal at $TTY, a port opened directly (qmi:$TTY?proxy=0).
TTY="$tmp/ttyQMI"
start_fake_port() {
  rm -f "$tmp/fake.ready"
  # shellcheck disable=SC2086
  "$FAKE_QMI" --pty "$TTY" --status "$tmp/fake.json" --ready "$tmp/fake.ready" ${FAKE_QMI_ARGS:-} "$@" "$CARD" \
    >>"$tmp/fake.log" 2>&1 &
  FAKE_PID=$!
  pids+=($FAKE_PID)
  for _ in $(seq 100); do [[ -s "$tmp/fake.ready" ]] && return 0; sleep 0.1; done
  echo "FAIL: the fake QMI port did not start" >&2; exit 1
}
stop_fake() {
  kill "${2:--TERM}" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
# fake_is DESCRIPTION JQ-EXPR: the fake's counters (see fake_qmi_modem.h) pass the jq test, within 10 s.
fake_is() {
  for _ in $(seq 50); do
    [[ "$(jq -r "$2" "$tmp/fake.json" 2>/dev/null)" == true ]] && return 0
    sleep 0.2
  done
  echo "FAIL: $1: jq '$2' on the fake's counters: $(cat "$tmp/fake.json")" >&2; exit 1
}

source "$1"
echo "PASS"
