# SPDX-License-Identifier: Apache-2.0
# lpad with driver mbim: on the fake MBIM modem: chip info, download, enable, nickname, disable, delete,
# notifications delivered; no channel left open after any of it; what the driver sent on the wire.
start_fake --imei 356938035643809
start_lpad
expect 0 -j chip info
check "EID is 32 digits" '.eid | test("^[0-9]{32}$")'
check "driver" ".driver == \"$CARD_URI\""
check "status" '.status == "ok"'
no_leak "after chip info"
expect 0 -j profile list
check "no profile yet" 'length == 0'

expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
check "downloaded ICCID" '.iccid == "8949449999999990023"'
no_leak "after the download"
expect 0 -j profile list
check "listed, disabled" 'map([.iccid, .state]) == [["8949449999999990023", "disabled"]]'
check "metadata" '.[0].name == "Test One" and .[0].serviceProvider == "Provider One"'
expect 0 -j profile enable 8949449999999990023
expect 0 -j profile list
check "enabled" '.[0].state == "enabled"'
expect 0 -j profile nickname 8949449999999990023 "over mbim"
expect 0 -j profile list
check "nickname" '.[0].nickname == "over mbim"'
expect 0 -j profile disable 8949449999999990023
expect 0 -j profile list
check "disabled" '.[0].state == "disabled"'
expect 0 -j notification list
check "install/enable/disable notifications sent" 'length == 0'
expect 0 -j profile delete 8949449999999990023
expect 0 -j profile list
check "deleted" 'length == 0'
expect 0 -j notification process
expect 0 -j notification list
check "no notification left" 'length == 0'
expect 0 -j chip info
check "still ok" '.status == "ok"'
no_leak "at the end"

# The wire: through the proxy, SELECT P2 04 and channel group 2, class byte type "extended", Le on every case 3
# APDU, the channel in the class byte matching the Channel field.
fake_has "proxy configured for this port" '.configured >= 1'
fake_has "SelectP2Arg 04" '.select_p2 == [4]'
fake_has "class byte type extended" '.class_byte_types == [1]'
fake_has "no case 3 APDU without Le" '.apdus_without_le == 0'
fake_has "class byte names the channel" '.cla_mismatch == 0'
fake_has "APDUs went through the modem" '.apdus > 50'
fake_has "every channel opened was closed" '.channels_opened <= .channels_closed'
log_has() { grep -qF -- "$2" "$tmp/lpad.log" || { echo "FAIL: $1: no '$2' in the lpad log" >&2; exit 1; }; }
log_has "opened through the proxy" "opened $DEV through mbim-proxy"
# Between jobs lpad holds no connection to the proxy (each job opens and closes the transport).
no_client() { [[ "$(stats .clients)" == 0 ]]; }
wait_for 20 "lpad disconnected from the proxy between jobs" no_client
