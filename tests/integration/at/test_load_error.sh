# SPDX-License-Identifier: Apache-2.0
# The modem answers ERROR once, to the 10th STORE DATA of the Bound Profile Package (the block never reaches the
# card). The download ends in a clean typed error naming the AT command; core cancels the session on the channel
# that is still open (CancelSession, reason postponed) and the eUICC's signed answer reaches the SM-DP+, which
# releases the order at once (postponed keeps it usable: RSP-NOTES); the card holds no half profile and no channel;
# the same activation code then downloads, and the next download works. The reason is checked at the SM-DP+
# (its admin "lastCancelReason").
source "$AT_HELPERS"
start_modem --dialect quectel --error-in-load 10
at_lpad "mode=csim"
expect 1 -j download "LPA:1\$$SMDP\$MATCH-1"
check "typed error" '.error == "org.lpad.Lpad1.Error.TransportError"'
check "names the command and the answer" '.message | test("AT\\+CSIM=[0-9]+ answered ERROR")'
check "the error says the order stays usable" '.message | test("cancelled \\(postponed\\) on the eUICC and the SM-DP\\+")'
modem_check "the fault fired" '.errors_injected == 1'
modem_check "no channel left open" '.open_channels == 0'
expect 0 -j profile list
check "no half-installed profile" 'length == 0'
expect 0 -j chip info
check "card readable" '.status == "ok"'
log_has "core re-read the card after the failure" "loading the Bound Profile Package failed"
log_has "core cancelled the session before re-reading the card" "after the failed load: postponed"
grep -q "ES9+.cancelSession .*-> 200 Executed-Success" "$tmp/smdpp.log" ||
  { echo "FAIL: the SM-DP+ did not accept a signed cancelSession" >&2; exit 1; }
# Only postponed(1) and timeout(2) release the order (any other reason cancels it for good); the SM-DP+'s sessions
# last 600 s here, so "released" now means the signed cancel with reason postponed arrived.
admin GET orders | jq -e '.[] | select(.matchingId == "MATCH-1") | .state == "released"' >/dev/null ||
  { echo "FAIL: MATCH-1 not released: $(admin GET orders | jq -c '.[] | select(.matchingId == "MATCH-1")')" >&2; exit 1; }
# Directly: the SM-DP+ records the CancelSessionReason of the eUICC-signed cancel it verified (admin interface).
admin GET orders | jq -e '.[] | select(.matchingId == "MATCH-1") | .lastCancelReason == "postponed"' >/dev/null ||
  { echo "FAIL: cancel reason: $(admin GET orders | jq -c '.[] | select(.matchingId == "MATCH-1")')" >&2; exit 1; }
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"  # the same activation code works again
check "the order completed" '.iccid == "8949449999999990023"'
expect 0 -j profile delete 8949449999999990023
full_flow MATCH-3 8949449999999990049 "Test Three"  # the next download, and everything after it, works
