# SPDX-License-Identifier: Apache-2.0
# The modem answers ERROR once, to the 10th STORE DATA of the Bound Profile Package (the block never reaches the
# card). The download ends in a clean typed error naming the AT command; the card holds no half profile and no
# channel; core tries to cancel the session; the next download works. (Core closes the channel before its
# CancelSession, which ends the card's session: the eUICC answers invalidTransactionId and the SM-DP+ keeps the
# order until its session expires. That is core's flow, reported in the at: driver's hand-over.)
source "$AT_HELPERS"
start_modem --dialect quectel --error-in-load 10
at_lpad "mode=csim"
expect 1 -j download "LPA:1\$$SMDP\$MATCH-1"
check "typed error" '.error == "org.lpad.Lpad1.Error.TransportError"'
check "names the command and the answer" '.message | test("AT\\+CSIM=[0-9]+ answered ERROR")'
modem_check "the fault fired" '.errors_injected == 1'
modem_check "no channel left open" '.open_channels == 0'
expect 0 -j profile list
check "no half-installed profile" 'length == 0'
expect 0 -j chip info
check "card readable" '.status == "ok"'
log_has "core re-read the card after the failure" "loading the Bound Profile Package failed"
log_has "core asked the card to cancel the session" "cancelling session"
full_flow MATCH-3 8949449999999990049 "Test Three"  # the next download, and everything after it, works
