# SPDX-License-Identifier: Apache-2.0
# Shared by the driver fixtures that run lpad --session against a private bus (pcsc/, qmi/): the bus, the test
# SM-DP+, lpad and the waits on them. The sourcing fixture defines $tmp (its scratch dir), the array `pids` (killed
# by its cleanup) and the env LPAD LPACTL SMDPP PKI.

# session_bus: a private dbus-daemon on $tmp/bus; exports DBUS_SESSION_BUS_ADDRESS and LPACTL_BUS=session.
session_bus() {
  dbus-daemon --session --nofork --nopidfile --print-address=3 --address="unix:path=$tmp/bus" 3>"$tmp/bus.address" &
  pids+=($!)
  for _ in $(seq 50); do [[ -s "$tmp/bus.address" ]] && break; sleep 0.1; done
  [[ -s "$tmp/bus.address" ]] || { echo "FAIL: dbus-daemon did not start" >&2; exit 1; }
  DBUS_SESSION_BUS_ADDRESS="$(head -1 "$tmp/bus.address")"
  export DBUS_SESSION_BUS_ADDRESS LPACTL_BUS=session
}

# start_smdpp ORDERS_JSON: the test SM-DP+ on a free loopback port with these orders; sets SMDP (host:port).
start_smdpp() {
  "$SMDPP" --pki "$PKI" --address localhost:0 --port 0 --orders "$1" --ready-file "$tmp/port" \
    >"$tmp/smdpp.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
  [[ -s "$tmp/port" ]] || { echo "FAIL: the test SM-DP+ did not start" >&2; exit 1; }
  SMDP="localhost:$(cat "$tmp/port")"
}

# start_lpad [--no-wait] CARD_URI...: lpad with these --card URIs (LPAD_PID); waits until Euicc 0 has read its card
# (Status ok, within LPAD_READY_SECONDS, default 30) unless --no-wait.
start_lpad() {
  local wait=1
  if [[ ${1:-} == --no-wait ]]; then wait=0; shift; fi
  local args=()
  for c in "$@"; do args+=(--card "$c"); done
  echo "==== lpad ${args[*]}" >>"$tmp/lpad.log"
  "$LPAD" --session "${args[@]}" --trust "$PKI/trust/test-ci.pem" --state-dir "$tmp/state" --log-level debug \
    2>>"$tmp/lpad.log" &
  LPAD_PID=$!
  pids+=($LPAD_PID)
  [[ $wait == 1 ]] || return 0
  wait_status 0 ok "${LPAD_READY_SECONDS:-30}"
}
# stop_lpad [SIGNAL]: stops lpad (SIGTERM by default) and waits for it.
stop_lpad() {
  kill "${1:--TERM}" "$LPAD_PID" 2>/dev/null || true
  wait "$LPAD_PID" 2>/dev/null || true
}
# wait_status EUICC JQ-TEST SECONDS: until `lpactl -j --euicc EUICC chip info` has a status for which the jq test
# (on the string; "ok" is shorthand for . == "ok") is true.
wait_status() {
  local euicc=$1 test=$2 seconds=$3 status=""
  [[ $test == ok ]] && test='. == "ok"'
  for _ in $(seq $((seconds * 5))); do
    status="$("$LPACTL" -j --euicc "$euicc" chip info 2>/dev/null | jq -r .status 2>/dev/null || true)"
    if [[ -n $status && "$(jq -R -r "$test" <<<"$status")" == true ]]; then return 0; fi
    sleep 0.2
  done
  echo "FAIL: euicc $euicc: status '$status' never passed '$test' within ${seconds}s" >&2
  return 1
}
log_has() {  # log_has DESCRIPTION FIXED-STRING: the lpad log has it
  grep -qF -- "$2" "$tmp/lpad.log" || { echo "FAIL: $1: no '$2' in the lpad log" >&2; exit 1; }
}
alive() { kill -0 "$LPAD_PID" 2>/dev/null || { echo "FAIL: lpad is not running" >&2; exit 1; }; }

source "$(dirname "${BASH_SOURCE[0]}")/lpactl_expect.sh"
