#!/usr/bin/env bash
# Fixture for the daemon tests: a private D-Bus bus, the test SM-DP+ with orders, lpad --session with a virtual
# eUICC; then runs the test script named by $1 (sourced, with helpers) and stops everything.
#   fixture.sh TEST_SCRIPT    env: LPAD LPACTL SMDPP PKI UPP_DIR
set -euo pipefail
tmp="$(mktemp -d /tmp/lpad-daemon-test.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

dbus-daemon --session --nofork --nopidfile --print-address=3 --address="unix:path=$tmp/bus" 3>"$tmp/bus.address" &
pids+=($!)
for _ in $(seq 50); do [[ -s "$tmp/bus.address" ]] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS="$(head -1 "$tmp/bus.address")" LPACTL_BUS=session

cat >"$tmp/orders.json" <<JSON
[
  {"matchingId": "MATCH-1", "profile": "$UPP_DIR/TS48v4_SAIP2.3_BERTLV.der", "iccid": "8949449999999990023",
   "name": "Test One", "provider": "Provider One"},
  {"matchingId": "MATCH-2", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990031",
   "name": "Test Two", "confirmationCode": "1234"},
  {"matchingId": "MATCH-3", "profile": "$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der", "iccid": "8949449999999990049",
   "name": "Test Three"}
]
JSON
"$SMDPP" --pki "$PKI" --address localhost:0 --port 0 --orders "$tmp/orders.json" --ready-file "$tmp/port" \
  >"$tmp/smdpp.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
SMDP="localhost:$(cat "$tmp/port")"

start_lpad() {
  "$LPAD" --session --card "virtual:$tmp/card.json?pki=$PKI" --trust "$PKI/trust/test-ci.pem" \
    --state-dir "$tmp/state" --log-level debug 2>>"$tmp/lpad.log" &
  LPAD_PID=$!
  pids+=($LPAD_PID)
  for _ in $(seq 100); do
    [[ "$("$LPACTL" -j chip info 2>/dev/null | jq -r .status 2>/dev/null)" == ok ]] && return 0
    sleep 0.1
  done
  cat "$tmp/lpad.log" >&2
  return 1
}
# expect STATUS CMD...: run lpactl, check its exit status, keep stdout in $out
expect() {
  local want=$1; shift
  set +e
  out="$("$LPACTL" "$@" 2>"$tmp/err")"
  local got=$?
  set -e
  if [[ $got != "$want" ]]; then
    echo "FAIL: lpactl $* exited $got, expected $want; stdout: $out; stderr: $(cat "$tmp/err")" >&2
    tail -30 "$tmp/lpad.log" >&2
    exit 1
  fi
}
check() {  # check DESCRIPTION EXPR (jq on $out must print true)
  if [[ "$(jq -r "$2" <<<"$out")" != true ]]; then
    echo "FAIL: $1: jq '$2' on: $out" >&2
    echo "---- lpactl stderr ----" >&2; cat "$tmp/err" >&2
    echo "---- lpad log (last 30 lines) ----" >&2; tail -30 "$tmp/lpad.log" >&2
    exit 1
  fi
}
start_lpad
source "$1"
echo "PASS"
