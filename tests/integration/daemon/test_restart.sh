# SPDX-License-Identifier: Apache-2.0
# kill -9 lpad in the middle of a download and in the middle of notification sending; restart it with the same
# state directory and card; the card is consistent (a download killed after getBoundProfilePackage is finished at
# start) and the pending notifications are then delivered exactly as the card lists them. (Runs with CARD_OPTS=&latency=40: every APDU takes 40 ms, so loading lasts seconds.)
EUICC=/org/lpad/Lpad1/euicc/0
stage() {
  dbus-send --bus="$BUS_ADDRESS" --print-reply=literal --dest=org.lpad.Lpad1 "$EUICC" \
    org.freedesktop.DBus.Properties.Get string:org.lpad.Lpad1.Euicc string:DownloadStage 2>/dev/null |
    awk '{print $NF}'
}
at_stage() { [[ "$(stage)" == "$1" ]]; }
server_notifications() { admin GET notifications; }
card_is_sane() {  # every listed profile is complete and enabled or disabled; at most one enabled
  expect 0 -j profile list
  check "profiles sane" 'all(.[]; (.iccid | test("^[0-9]{19,20}$")) and (.state == "enabled" or .state == "disabled")
                              and (.name | length > 0) and (.isdpAid | length > 0))
                         and ([.[] | select(.state == "enabled")] | length <= 1)'
}
# deliver_and_compare: the card's pending notifications now (P) must arrive at the SM-DP+ exactly, once each,
# when processing is allowed again; afterwards none is pending.
deliver_and_compare() {
  expect 0 -j notification list
  local pending="$out" before
  before=$(server_notifications | jq length)
  admin DELETE faults >/dev/null
  expect 0 -j notification process
  check "every one sent" 'all(.[]; .sent)'
  local received
  # The SM-DP+ names operations as the ASN.1 does (notificationInstall), lpactl as words (install).
  received=$(server_notifications | jq -c --argjson n "$before" \
    '.[$n:] | map({seqNumber, operation: (.operation | sub("^notification"; "") | ascii_downcase), iccid}) | sort')
  local want
  want=$(jq -c 'map({seqNumber, operation, iccid}) | sort' <<<"$pending")
  [[ "$received" == "$want" ]] || { echo "FAIL: card listed $want, SM-DP+ received $received"; exit 1; }
  expect 0 -j notification list
  check "nothing pending after delivery" 'length == 0'
  echo "delivered as listed: $want"
}

# 1. kill -9 while the Bound Profile Package is being loaded.
"$LPACTL" -j download "LPA:1\$$SMDP\$MATCH-1" >"$tmp/dl1.json" 2>&1 &
dl=$!
wait_for 120 "stage installing" at_stage installing
kill9_lpad
set +e; wait "$dl"; dl_status=$?; set -e
((dl_status != 0)) || { echo "FAIL: the interrupted download reported success: $(cat "$tmp/dl1.json")"; exit 1; }
# Hold notifications at the server (HTTP 500) so the card's pending list can be read before delivery.
admin POST faults '{"fault": "http500@handleNotification+"}' >/dev/null
# Killed after getBoundProfilePackage: lpad remembered the download (issue #18, test_resume.sh) and finishes it at
# start; wait until it is settled. Right after the start the property is still empty, so with a record on disk only
# a final state counts. (No record: the old lpad settled the download itself just before the kill.)
record=no
compgen -G "$tmp/state/downloads-*.json" >/dev/null && record=yes
start_lpad
resume_settled() {
  local s
  s=$(timeout -k 5 30 "$LPACTL" -j chip info 2>/dev/null | jq -r '.interruptedDownload.state // "none"')
  [[ $s == installed || $s == failed || $s == cancelled || ($s == none && $record == no) ]]
}
wait_for 120 "the interrupted download settled" resume_settled
card_is_sane
if jq -e 'map(.iccid) | index("8949449999999990023")' <<<"$out" >/dev/null; then
  # Installed before the kill: its installation result must be pending (not yet sent) or already delivered.
  expect 0 -j notification list
  check "the PIR of the installed profile is pending" 'map(select(.operation == "install")) | length == 1'
fi
deliver_and_compare
expect 0 -j download "LPA:1\$$SMDP\$MATCH-4"  # the card works after the crash
check "a new download after the crash" '.iccid == "8949449999999990056"'
card_is_sane

# 2. kill -9 while the installation result is being sent (the SM-DP+ holds handleNotification for 5 s).
admin POST faults '{"fault": "delay=5000@handleNotification"}' >/dev/null
"$LPACTL" -j download "LPA:1\$$SMDP\$MATCH-3" >"$tmp/dl3.json" 2>&1 &
dl=$!
wait_for 120 "stage notifying" at_stage notifying
sleep 0.5  # the request is on its way to (and held by) the SM-DP+
kill9_lpad
wait "$dl" 2>/dev/null || true
admin POST faults '{"fault": "http500@handleNotification+"}' >/dev/null
# The held request completes at the SM-DP+ later; wait for it so it is not counted as a redelivery.
held_arrived() { server_notifications | jq -e 'any(.[]; .iccid == "8949449999999990049" and .verified)' >/dev/null; }
wait_for 30 "the held notification to reach the SM-DP+" held_arrived
start_lpad
card_is_sane
check "the installed profile survived" 'map(.iccid) | index("8949449999999990049") != null'
expect 0 -j notification list
check "its installation result is still pending on the card" \
  'any(.[]; .iccid == "8949449999999990049" and .operation == "install")'
deliver_and_compare
