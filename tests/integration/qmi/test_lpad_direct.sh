# SPDX-License-Identifier: Apache-2.0
# proxy=0: lpad opens the QMI port itself (a pty here). lpad killed mid-session leaves its client ids and logical
# channel on the modem (a port does not notice a dead client); the next run's CTL Sync releases them before it opens
# a channel, and everything works as before.
start_fake_port --fault "SendApdu~BF21#1:delay=6000"
start_lpad "qmi:$TTY?proxy=0&timeout=10"
expect 0 -j chip info
check "status" '.status == "ok"'
log_has "the port was opened directly" "opened $TTY, UIM client id"
fake_is "synced on open" '.syncs >= 1'

"$LPACTL" download "LPA:1\$$SMDP\$MATCH-1" >/dev/null 2>&1 &
client=$!
fake_is "a channel is open mid-download" '.channels == 1'
stop_lpad -KILL
wait "$client" 2>/dev/null || true
sleep 1
fake_is "the dead run's client id and channel are still held" '.channels == 1 and (.clients | add // 0) >= 1'

start_lpad "qmi:$TTY?proxy=0&timeout=10"
fake_is "the new run's Sync released them" '.channels_released_with_client == 1'
expect 0 -j profile list
check "the card is consistent" 'length == 0'
expect 0 -j download "LPA:1\$$SMDP\$MATCH-2"
check "a download works" '.iccid == "8949449999999990031"'
expect 0 -j profile enable 8949449999999990031
expect 0 -j profile list
check "enabled" '.[0].state == "enabled"'
fake_is "nothing held between jobs" '.channels == 0 and (.clients | add // 0) == 0'
stop_lpad
