# SPDX-License-Identifier: Apache-2.0
# The card leaves the reader during a download (the bridge drops the link at the 3rd LoadBoundProfilePackage
# block and, with --once, stays away): the download fails with a clear error, lpad stays up and marks the eUICC
# unavailable; the card comes back (a new bridge on the same state file): Status ok, profiles re-read, and a second
# download works.
make_card "$tmp/card.json" 89049032123451234512345678901235
start_bridge 0 --once --fault "drop@LoadBoundProfilePackage#3" "virtual:$tmp/card.json"
first_bridge=$BRIDGE_PID
wait_inserted 0
start_lpad "pcsc:?index=0"
expect 0 -j profile list
check "empty card" 'length == 0'

expect 1 -j download "LPA:1\$$SMDP\$MATCH-1"
check "typed error" '.error == "org.lpad.Lpad1.Error.Unavailable" or .error == "org.lpad.Lpad1.Error.TransportError"'
check "the error says the card went away" '.message | test("REMOVED_CARD|NO_SMARTCARD|removed|link lost")'
wait "$first_bridge" 2>/dev/null || true  # --once: gone after the drop
alive
wait_status 0 '. == "org.lpad.Lpad1.Error.Unavailable"' 10
log_has "removal noticed by the presence watch" "card removed or reader gone"
expect 0 -j chip info
check "chip info still answers from the cache, with the status" '.status == "org.lpad.Lpad1.Error.Unavailable"'

start_bridge 0 "virtual:$tmp/card.json"  # reinserted
wait_inserted 0
wait_status 0 ok 20
alive
log_has "re-read on reinsertion" "reading it"
expect 0 -j profile list
check "consistent profile list" 'length <= 1 and all(.[]; (.state == "disabled" or .state == "enabled") and (.iccid | test("^[0-9]{19,20}$")))'
expect 0 -j download "LPA:1\$$SMDP\$MATCH-2"
check "second download" '.iccid == "8949449999999990031"'
expect 0 -j profile list
check "listed" 'map(.iccid) | index("8949449999999990031") != null'
expect 0 -j notification list
check "notifications sent" 'length == 0'

# A link that drops and comes straight back (the bridge reconnects within pcscd's poll, powering the card up):
# the job fails cleanly, lpad stays up, and the card is usable again as soon as the bridge is back.
stop_bridge "$BRIDGE_PID"
wait_status 0 '. == "org.lpad.Lpad1.Error.Unavailable"' 10
start_bridge 0 --fault "drop@EnableProfile" "virtual:$tmp/card.json"
wait_inserted 0
wait_status 0 ok 20
expect 1 -j profile enable 8949449999999990031
check "dropped link reported" '.error | test("Unavailable|TransportError")'
alive
for _ in $(seq 20); do
  set +e; "$LPACTL" profile enable 8949449999999990031 >/dev/null 2>&1; rc=$?; set -e
  [[ $rc == 0 ]] && break
  sleep 0.5
done
expect 0 -j profile list
check "enabled after the link came back" 'map(select(.iccid == "8949449999999990031"))[0].state == "enabled"'
wait_status 0 ok 10
