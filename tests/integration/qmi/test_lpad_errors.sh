# SPDX-License-Identifier: Apache-2.0
# Failures through the real libqmi: a QMI error and a silent modem mid-download (typed errors, a consistent card,
# and the cancel reason each implies: undefinedReason ends the order at the SM-DP+, timeout keeps it), a qmi-proxy
# that disappears (the eUICC shows Unavailable, then recovers by itself), and lpad killed mid-session (qmi-proxy
# releases its client ids and the modem the channel that client held). Nothing leaks.

# 1. QMI error Internal answering the Send APDU that carries PrepareDownloadRequest (BF21).
start_fake --fault "SendApdu~BF21#1:error=0x0003"
start_lpad "qmi:$PORT?timeout=10"
expect 1 -j download "LPA:1\$$SMDP\$MATCH-1"
check "typed error" '.error == "org.lpad.Lpad1.Error.TransportError"'
check "it names the QMI error" '.message | test("QMI error 0x0003 \\(Internal\\)")'
alive
fake_is "the fault fired" '.faults_fired == 1'
expect 0 -j profile list
check "nothing installed" 'length == 0'
fake_is "no channel or client id left" '.channels == 0 and (.clients | add // 0) == 0'
expect 1 -j download "LPA:1\$$SMDP\$MATCH-1"
check "the session was cancelled with undefinedReason, which ends the order" '.error == "org.lpad.Lpad1.Error.ServerError"'
stop_lpad
stop_fake "$FAKE_PID"

# 2. The modem never answers that request: Timeout after timeout=10 s; reason timeout keeps the order.
start_fake --fault "SendApdu~BF21#1:silent"
start_lpad "qmi:$PORT?timeout=10"
expect 3 -j download "LPA:1\$$SMDP\$MATCH-2"
check "Timeout" '.error == "org.lpad.Lpad1.Error.Timeout"'
alive
fake_is "no channel or client id left" '.channels == 0 and (.clients | add // 0) == 0'
expect 0 -j download "LPA:1\$$SMDP\$MATCH-2"
check "the order was kept (cancel reason timeout): downloaded now" '.iccid == "8949449999999990031"'

# 3. qmi-proxy disappears: the next job fails Unavailable, the Euicc shows it; the proxy returns: ok again.
stop_fake "$FAKE_PID" -KILL
expect 1 -j profile enable 8949449999999990031
check "Unavailable" '.error == "org.lpad.Lpad1.Error.Unavailable"'
wait_status 0 '. == "org.lpad.Lpad1.Error.Unavailable"' 10
alive
start_fake --fault "SendApdu~BF21#1:delay=6000"
wait_status 0 ok 40
expect 0 -j profile enable 8949449999999990031
expect 0 -j profile list
check "enabled after the proxy came back" 'map(select(.iccid == "8949449999999990031"))[0].state == "enabled"'
fake_is "no channel or client id left" '.channels == 0 and (.clients | add // 0) == 0'

# 4. lpad killed while a channel is open (the modem holds the PrepareDownload answer for 6 s).
"$LPACTL" download "LPA:1\$$SMDP\$MATCH-3" >/dev/null 2>&1 &
client=$!
fake_is "a channel is open mid-download" '.channels == 1'
stop_lpad -KILL
wait "$client" 2>/dev/null || true
fake_is "the dead client's ids and its channel were released" \
  '.channels == 0 and (.clients | add // 0) == 0 and .channels_released_with_client == 1 and .connections == 0'
start_lpad "qmi:$PORT?timeout=10"
expect 0 -j profile list
check "the card is consistent" 'map(.iccid) == ["8949449999999990031"]'
stop_lpad
fake_is "nothing left" '.channels == 0 and (.clients | add // 0) == 0 and .connections == 0'
