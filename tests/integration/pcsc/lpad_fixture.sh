#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# lpad through real pcscd: runs inside run-in-private-pcscd.sh (private pcscd, vpcd readers "Virtual PCD 00 00/01"),
# adds a private dbus-daemon, the test SM-DP+ and lpad --session with pcsc: cards, then sources the test script $1
# with the helpers of tests/integration/daemon/fixture.sh (expect, check) and a few for readers and bridges.
#   lpad_fixture.sh TEST_SCRIPT
#   env: LPAD LPACTL SMDPP PKI UPP_DIR LPAD_VPCD_BRIDGE, from the pcscd fixture LPAD_TEST_VPCD_PORT LPAD_TEST_PCSC_DIR
set -euo pipefail
tmp="$LPAD_TEST_PCSC_DIR/lpad"  # removed by the pcscd fixture
mkdir -p "$tmp"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $status != 0 ]]; then
    echo "---- lpad log (last 60 lines) ----" >&2; tail -60 "$tmp/lpad.log" >&2 2>/dev/null || true
  fi
  exit $status
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/../lib/lpad_session.sh"
LPAD_READY_SECONDS=20
session_bus

cat >"$tmp/orders.json" <<JSON
[
  {"matchingId": "MATCH-1", "profile": "$UPP_DIR/TS48v4_SAIP2.3_BERTLV.der", "iccid": "8949449999999990023",
   "name": "Test One", "provider": "Provider One"},
  {"matchingId": "MATCH-2", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990031",
   "name": "Test Two"}
]
JSON
start_smdpp "$tmp/orders.json"
READER0="Virtual PCD 00 00"
READER1="Virtual PCD 00 01"

# inserted SLOT: how many times pcscd has seen a card inserted into that reader.
inserted() { grep -c "Card inserted into Virtual PCD 00 0$1" "$LPAD_TEST_PCSC_DIR/pcscd.log" 2>/dev/null || true; }
declare -A inserted_before=()
# wait_inserted SLOT...: until pcscd has seen a card inserted into each reader since its start_bridge (or at all).
wait_inserted() {
  for slot in "$@"; do
    for _ in $(seq 100); do (( $(inserted "$slot") > ${inserted_before[$slot]:-0} )) && break; sleep 0.1; done
    (( $(inserted "$slot") > ${inserted_before[$slot]:-0} )) || { echo "FAIL: no card in reader $slot" >&2; exit 1; }
  done
}
# start_bridge SLOT ARGS...: a bridge this script owns (BRIDGE_PID); stop_bridge PID pulls its card.
start_bridge() {
  local slot=$1; shift
  inserted_before[$slot]=$(inserted "$slot")
  "$LPAD_VPCD_BRIDGE" --port "$LPAD_TEST_VPCD_PORT" --slot "$slot" "$@" >>"$tmp/bridge$slot.log" 2>&1 &
  BRIDGE_PID=$!
  pids+=($BRIDGE_PID)
}
stop_bridge() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
# make_card FILE EID: a virtual eUICC state file whose EID is EID (two cards from one test PKI differ only so).
make_card() {
  "$LPAD_VPCD_BRIDGE" --port 1 "virtual:$1?pki=$PKI" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do [[ -s $1 ]] && break; sleep 0.1; done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  jq --arg eid "$2" '.identity.eid = $eid' "$1" >"$1.new" && mv "$1.new" "$1"
}

source "$1"
echo "PASS"
