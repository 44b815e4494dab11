# SPDX-License-Identifier: Apache-2.0
# Issue #18: a crash never burns an activation code. lpad is killed (SIGKILL) after the SM-DP+ produced the Bound
# Profile Package (order "downloaded", the eUICC holding the one-time key) and before loading: the SM-DP+ holds its
# getBoundProfilePackage answer (fault delay), so the kill lands there every time. Restarted, lpad finishes the
# download with the same order (the SM-DP+ sends bppEuiccOtpk, the card reuses its key): profile installed, order
# "installed", one verified install notification. The same with the SM-DP+ killed and restarted (--state) in between.
# A card that lost the key (memory reset in between) ends in the SGP.22 error (8.2/3.7) and a cancel that keeps the
# order usable; so does an order that needs a confirmation code (never stored). Pending notifications whose retry
# is hours away are tried at start. Killed after the record was made but before the SM-DP+ processed
# getBoundProfilePackage (the request held): the resume's session supersedes the dead one at once.
EUICC=/org/lpad/Lpad1/euicc/0
PORT=$(cat "$tmp/port")
ADMIN_PORT=${ADMIN##*:}

# The SM-DP+ with a state file (so a restart continues where it stopped), on the same ports.
start_smdpp() {
  rm -f "$tmp/port"
  "$SMDPP" --pki "$PKI" --address "localhost:$PORT" --port "$PORT" --admin-port "$ADMIN_PORT" \
    --orders "$tmp/orders.json" --state "$tmp/smdpp-state.json" --ready-file "$tmp/port" >>"$tmp/smdpp.log" 2>&1 &
  SMDPP_PID=$!
  pids+=($SMDPP_PID)
  wait_for 30 "the SM-DP+" test -s "$tmp/port"
  wait_for 30 "the SM-DP+ admin" eval 'admin GET orders >/dev/null'
}
kill9_smdpp() { kill -9 "$SMDPP_PID" 2>/dev/null || true; wait "$SMDPP_PID" 2>/dev/null || true; }
order_state() { admin GET orders | jq -r --arg m "$1" '.[] | select(.matchingId == $m) | .state'; }
order_is() { [[ "$(order_state "$1")" == "$2" ]]; }
# The CancelSessionReason of the last eUICC-signed cancel the SM-DP+ verified for an order, or "".
cancel_reason_is() {
  local r; r=$(admin GET orders | jq -r --arg m "$1" '.[] | select(.matchingId == $m) | .lastCancelReason // ""')
  [[ "$r" == "$2" ]] || { echo "FAIL: $1: cancel reason '$r', expected '$2'" >&2; exit 1; }
}
records() { ls "$tmp"/state/downloads-*.json 2>/dev/null; }
interrupted_is() {
  [[ "$(timeout -k 5 30 "$LPACTL" -j chip info 2>/dev/null | jq -r '.interruptedDownload.state // ""')" == "$1" ]]
}
install_notifications() {
  admin GET notifications | jq --arg i "$1" '[.[] | select(.iccid == $i and (.operation | test("Install")))]'
}

# kill_during_bpp MATCHING-ID: start the download, kill -9 lpad while the SM-DP+ holds the package it has bound.
kill_during_bpp() {
  admin POST faults "{\"fault\": \"delay=20000@getBoundProfilePackage/$1\"}" >/dev/null
  "$LPACTL" -j download "LPA:1\$$SMDP\$$1" "${@:2}" >"$tmp/dl.json" 2>&1 &
  local dl=$!
  wait_for 120 "order $1 downloaded" order_is "$1" downloaded
  wait_for 30 "the in-flight record" records
  kill9_lpad
  set +e; wait "$dl"; local st=$?; set -e
  ((st != 0)) || { echo "FAIL: the interrupted download reported success" >&2; exit 1; }
  admin DELETE faults >/dev/null
}

kill9_smdpp
start_smdpp

# 1. Killed between getBoundProfilePackage and loading; restarted: finished with the same activation code.
kill_during_bpp MATCH-1
rec=$(records)
[[ "$(stat -c %a "$rec")" == 600 ]] || { echo "FAIL: $rec is mode $(stat -c %a "$rec"), not 600" >&2; exit 1; }
jq -e '.downloads | length == 1 and (.[0] | .matchingId == "MATCH-1" and .iccid == "8949449999999990023"
       and (.transactionId | length > 0) and .confirmationCodeUsed == false)' "$rec" >/dev/null ||
  { echo "FAIL: record: $(cat "$rec")" >&2; exit 1; }
start_lpad
wait_for 120 "the interrupted download installed" interrupted_is installed
expect 0 -j chip info
check "reported" '.interruptedDownload | .iccid == "8949449999999990023" and (.smdpAddress | test("^localhost:"))'
expect 0 -j profile list
check "installed on the card" 'map(.iccid) | index("8949449999999990023") != null'
[[ "$(order_state MATCH-1)" == installed ]] || { echo "FAIL: MATCH-1 is $(order_state MATCH-1)" >&2; exit 1; }
grep -q "resuming the interrupted download of 8949449999999990023" "$tmp/lpad.log" ||
  { echo "FAIL: the log does not say the download was resumed" >&2; exit 1; }
one_verified() { install_notifications "$1" | jq -e 'length == 1 and all(.[]; .verified)' >/dev/null; }
wait_for 30 "one verified install notification" one_verified 8949449999999990023
[[ -z "$(records)" ]] || { echo "FAIL: the record was not removed: $(records)" >&2; exit 1; }
"$LPACTL" chip info | grep -q "Interrupted download: *installed" ||
  { echo "FAIL: lpactl chip info does not show it: $("$LPACTL" chip info)" >&2; exit 1; }

# 2. The same, with the SM-DP+ killed and restarted (its --state): lpad starts while the SM-DP+ is down (the
# resume is "retrying", tried again later), then the SM-DP+ comes back and the download is finished.
kill_during_bpp MATCH-3
kill9_smdpp
start_lpad
wait_for 120 "the resume to wait for the SM-DP+" interrupted_is retrying
start_smdpp
[[ "$(order_state MATCH-3)" == downloaded ]] || { echo "FAIL: MATCH-3 is $(order_state MATCH-3) after restart" >&2; exit 1; }
wait_for 240 "the interrupted download installed" interrupted_is installed  # retried after 30 s, on an idle tick
expect 0 -j profile list
check "installed on the card" 'map(.iccid) | index("8949449999999990049") != null'
[[ "$(order_state MATCH-3)" == installed ]] || { echo "FAIL: MATCH-3 is $(order_state MATCH-3)" >&2; exit 1; }
wait_for 30 "one verified install notification" one_verified 8949449999999990049

# 3. The card lost the key (memory reset while the record waits): the SGP.22 error and a cancel keeping the order.
kill_during_bpp MATCH-4
mkdir -p "$tmp/aside" && mv "$(records)" "$tmp/aside/"  # lpad without the record: nothing resumed yet
start_lpad
expect 0 chip reset --operational  # eUICCMemoryReset: the card forgets its one-time key
stop_lpad
mv "$tmp"/aside/downloads-*.json "$tmp/state/"
start_lpad
wait_for 120 "the resume to fail" interrupted_is failed
expect 0 -j chip info
check "the SGP.22 error" '.interruptedDownload | .error == "org.lpad.Lpad1.Error.ServerError"
                           and (.message | test("8\\.2.*3\\.7|new binding"))'
grep -q "cancelling session .*: postponed" "$tmp/lpad.log" ||
  { echo "FAIL: no cancel with reason postponed in the log" >&2; exit 1; }
[[ -z "$(records)" ]] || { echo "FAIL: the record was not removed" >&2; exit 1; }
# postponed keeps the order: the SM-DP+ releases it (at once on the signed cancel, else when its session expires).
wait_for 60 "MATCH-4 released" order_is MATCH-4 released
cancel_reason_is MATCH-4 postponed
expect 0 -j download "LPA:1\$$SMDP\$MATCH-4"
check "the activation code works again" '.iccid == "8949449999999990056"'

# 3b. An order with a confirmation code: the code is not kept, so the resume cancels as postponed (order usable).
kill_during_bpp MATCH-2 --confirmation-code 1234
jq -e '.downloads[0].confirmationCodeUsed == true' "$(records)" >/dev/null || { echo "FAIL: record" >&2; exit 1; }
jq -e '([.. | strings] | index("1234") == null) and (.downloads[0] | keys - ["smdpAddress", "transactionId",
       "matchingId", "smdpOid", "iccid", "confirmationCodeUsed", "enable"] == [])' "$(records)" >/dev/null ||
  { echo "FAIL: the confirmation code is on disk: $(cat "$(records)")" >&2; exit 1; }
start_lpad
wait_for 120 "the resume to be cancelled" interrupted_is cancelled
expect 0 -j chip info
check "why" '.interruptedDownload | .error == "org.lpad.Lpad1.Error.Rejected" and (.message | test("confirmation code"))'
wait_for 60 "MATCH-2 released" order_is MATCH-2 released
cancel_reason_is MATCH-2 postponed
expect 0 -j download "LPA:1\$$SMDP\$MATCH-2" --confirmation-code 1234
check "downloaded again with the code" '.iccid == "8949449999999990031"'

# 4. A notification whose retry is hours away (it failed before the restart) is tried at start.
admin POST faults '{"fault": "http500@handleNotification+"}' >/dev/null
expect 0 profile enable 8949449999999990056
expect 0 -j notification list
check "one pending" 'length >= 1'
stop_lpad
admin DELETE faults >/dev/null
retry=$(ls "$tmp"/state/notifications-*.json)
jq '.retries |= map(.nextAttempt = (now | floor) + 6 * 3600)' "$retry" >"$retry.new" && mv "$retry.new" "$retry"
jq -e '.retries | length >= 1' "$retry" >/dev/null || { echo "FAIL: no retry scheduled: $(cat "$retry")" >&2; exit 1; }
before=$(admin GET notifications | jq length)
start_lpad
none_pending() { [[ "$(timeout -k 5 30 "$LPACTL" -j notification list 2>/dev/null | jq length)" == 0 ]]; }
wait_for 60 "the pending notifications delivered at start" none_pending
(($(admin GET notifications | jq length) > before)) || { echo "FAIL: nothing reached the SM-DP+" >&2; exit 1; }

# 5. Killed after the record was made, while the SM-DP+ holds getBoundProfilePackage unprocessed (fault hold): the
# order is still "released", held by the dead lpad's session. Restarted, lpad's resume opens a new session of the
# same eUICC, which supersedes the dead one (the SM-DP+ ends it) instead of being refused until it expires
# (--session-timeout, 600 s by default: far beyond the waits here), and the download finishes.
admin POST orders "{\"matchingId\": \"MATCH-5\", \"profile\": \"$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der\",
                    \"iccid\": \"8949449999999990064\", \"name\": \"Test Five\"}" >/dev/null
admin POST faults '{"fault": "hold=600000@getBoundProfilePackage/MATCH-5"}' >/dev/null
cleanup_hooks+=("kill9_smdpp")  # a SIGTERM would wait for the held request (also when this case fails)
"$LPACTL" -j download "LPA:1\$$SMDP\$MATCH-5" >"$tmp/dl.json" 2>&1 &
dl=$!
wait_for 120 "the in-flight record" records
held() { grep -q "fault=hold=600000@getBoundProfilePackage/MATCH-5 -> held" "$tmp/smdpp.log"; }
wait_for 60 "the SM-DP+ to hold getBoundProfilePackage" held
kill9_lpad
set +e; wait "$dl"; st=$?; set -e
((st != 0)) || { echo "FAIL: the interrupted download reported success" >&2; exit 1; }
[[ "$(order_state MATCH-5)" == released ]] || { echo "FAIL: MATCH-5 is $(order_state MATCH-5)" >&2; exit 1; }
dead_tid=$(jq -r '.downloads[0].transactionId' "$(records)")
start_lpad
wait_for 120 "the interrupted download installed" interrupted_is installed
expect 0 -j chip info
check "reported" '.interruptedDownload | .iccid == "8949449999999990064" and .state == "installed"'
expect 0 -j profile list
check "installed on the card" 'map(.iccid) | index("8949449999999990064") != null'
[[ "$(order_state MATCH-5)" == installed ]] || { echo "FAIL: MATCH-5 is $(order_state MATCH-5)" >&2; exit 1; }
grep -qi "session $dead_tid abandoned" "$tmp/smdpp.log" ||
  { echo "FAIL: the SM-DP+ log does not say session $dead_tid was superseded" >&2; exit 1; }
wait_for 30 "one verified install notification" one_verified 8949449999999990064
[[ -z "$(records)" ]] || { echo "FAIL: the record was not removed: $(records)" >&2; exit 1; }
kill9_smdpp  # its held request is never processed; a SIGTERM would wait for it
