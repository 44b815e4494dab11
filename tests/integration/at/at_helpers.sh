# SPDX-License-Identifier: Apache-2.0
# Helpers for the at: lpad tests, sourced by each test script inside tests/integration/daemon/fixture.sh
# (FIXTURE_NO_LPAD=1: the script starts lpad itself) and run-private-lock.sh (a private /run/lock).
#   start_modem ARGS...   the fake modem on a pty, port $MODEM (a symlink to /dev/pts/N), card $tmp/card.json;
#                         MODEM_PID, status in $tmp/modem.json
#   stop_modem            stop it (the port vanishes)
#   modem_check DESC JQ   jq on the modem's status must print true
#   at_lpad URI-PARAMS    start lpad with --card at:$MODEM?URI-PARAMS and wait for Status ok
#   log_has DESC STRING   the lpad log has STRING
MODEM="$tmp/ttyFAKE0"
start_modem() {
  rm -f "$tmp/modem.ready"
  "$FAKE_MODEM" --card "virtual:$tmp/card.json?pki=$PKI" --link "$MODEM" --ready-file "$tmp/modem.ready" \
    --status "$tmp/modem.json" "$@" 2>>"$tmp/modem.log" &
  MODEM_PID=$!
  pids+=($MODEM_PID)
  wait_for 30 "the fake modem" test -s "$tmp/modem.ready"
}
stop_modem() { kill "$MODEM_PID" 2>/dev/null || true; wait "$MODEM_PID" 2>/dev/null || true; }
modem_check() {
  if [[ "$(jq -r "$2" "$tmp/modem.json")" != true ]]; then
    echo "FAIL: $1: jq '$2' on the modem status: $(cat "$tmp/modem.json")" >&2
    exit 1
  fi
}
at_lpad() {
  CARD_URI="at:$MODEM${1:+?$1}"
  start_lpad
}
log_has() {
  grep -qF -- "$2" "$tmp/lpad.log" || { echo "FAIL: $1: no '$2' in the lpad log" >&2; exit 1; }
}
# The full flow of issue 13 against whatever modem runs: chip info, download over verified TLS, enable, disable,
# nickname, delete, notifications delivered; no channel left open.
#   full_flow [MATCHING-ID ICCID NAME]   (default MATCH-1, the TS.48 v4 profile "Test One")
full_flow() {
  local match=${1:-MATCH-1} iccid=${2:-8949449999999990023} name=${3:-Test One}
  expect 0 -j chip info
  check "EID is 32 digits" '.eid | test("^[0-9]{32}$")'
  check "status" '.status == "ok"'
  check "driver" ".driver == \"$CARD_URI\""
  local sent_before
  sent_before="$(admin GET notifications | jq 'length')"
  expect 0 -j download "LPA:1\$$SMDP\$$match"
  check "downloaded ICCID" ".iccid == \"$iccid\""
  expect 0 -j profile list
  check "listed, disabled" "map(select(.iccid == \"$iccid\")) | map(.state) == [\"disabled\"]"
  check "metadata" "map(select(.iccid == \"$iccid\"))[0].name == \"$name\""
  expect 0 -j profile enable "$iccid"
  expect 0 -j profile list
  check "enabled" "map(select(.iccid == \"$iccid\"))[0].state == \"enabled\""
  expect 0 profile nickname "$iccid" "work phone"
  expect 0 -j profile list
  check "nickname" "map(select(.iccid == \"$iccid\"))[0].nickname == \"work phone\""
  expect 0 -j profile disable "$iccid"
  expect 0 -j profile list
  check "disabled" "map(select(.iccid == \"$iccid\"))[0].state == \"disabled\""
  expect 0 -j profile delete "$iccid"
  expect 0 -j profile list
  check "deleted" "map(select(.iccid == \"$iccid\")) | length == 0"
  expect 0 -j notification list
  check "install/enable/disable/delete notifications delivered" 'length == 0'
  local sent
  sent="$(admin GET notifications | jq 'length')"
  ((sent >= sent_before + 4)) || { echo "FAIL: the SM-DP+ got $((sent - sent_before)) notifications, not 4" >&2; exit 1; }
  modem_check "no channel left open" '.open_channels == 0'
}
