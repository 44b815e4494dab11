# SPDX-License-Identifier: Apache-2.0
# SIGTERM and SIGINT: lpad lets the running job finish (the card is never left mid-function), answers nothing
# more, exits 0, and the next lpad finds the card as the job left it. (Runs with CARD_OPTS=&latency=40.)
EUICC=/org/lpad/Lpad1/euicc/0
stage() {
  dbus-send --bus="$BUS_ADDRESS" --print-reply=literal --dest=org.lpad.Lpad1 "$EUICC" \
    org.freedesktop.DBus.Properties.Get string:org.lpad.Lpad1.Euicc string:DownloadStage 2>/dev/null |
    awk '{print $NF}'
}
at_stage() { [[ "$(stage)" == "$1" ]]; }

# terminate SIGNAL MATCHING-ID ICCID: the signal arrives while the profile is being loaded.
terminate() {
  "$LPACTL" -j download "LPA:1\$$SMDP\$$2" >"$tmp/dl.json" 2>&1 &
  local dl=$!
  wait_for 120 "stage installing" at_stage installing
  kill -s "$1" "$LPAD_PID"
  set +e
  wait "$LPAD_PID"; local lpad_status=$?
  wait "$dl"; local dl_status=$?
  set -e
  ((lpad_status == 0)) || { echo "FAIL: lpad exited $lpad_status after SIG$1"; exit 1; }
  # The caller is told the daemon went away (exit 6), not that its timeout expired.
  ((dl_status == 6)) && grep -q "stopped before answering" "$tmp/dl.json" ||
    { echo "FAIL: lpactl download after SIG$1 exited $dl_status: $(cat "$tmp/dl.json")"; exit 1; }
  grep -q "signal .*: stopping" "$tmp/lpad.log" || { echo "FAIL: no shutdown line in the log"; exit 1; }
  start_lpad
  expect 0 -j profile list
  check "the job finished before lpad exited: $3 installed" "map(.iccid) | index(\"$3\") != null"
  check "and in a final state" 'all(.[]; .state == "enabled" or .state == "disabled")'
  expect 0 -j notification process
  expect 0 -j notification list
  check "nothing left pending" 'length == 0'
}
terminate TERM MATCH-1 8949449999999990023
terminate INT MATCH-3 8949449999999990049
expect 0 -j download "LPA:1\$$SMDP\$MATCH-4"
check "the card works after two shutdowns" '.iccid == "8949449999999990056"'
