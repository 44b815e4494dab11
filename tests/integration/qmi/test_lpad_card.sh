# SPDX-License-Identifier: Apache-2.0
# lpad manages the virtual eUICC behind the fake QMI modem through the real libqmi: chip info, download, enable,
# disable, nickname, delete, notifications; afterwards no client id and no logical channel is left on the modem.
start_fake
start_lpad "qmi:$PORT"
expect 0 -j chip info
check "EID is 32 digits" '.eid | test("^[0-9]{32}$")'
check "driver" ".driver == \"qmi:$PORT\""
check "status" '.status == "ok"'
expect 0 -j profile list
check "no profile yet" 'length == 0'

expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
check "downloaded ICCID" '.iccid == "8949449999999990023"'
expect 0 -j profile list
check "listed, disabled" 'map([.iccid, .state]) == [["8949449999999990023", "disabled"]]'
check "metadata" '.[0].name == "Test One" and .[0].serviceProvider == "Provider One"'
expect 0 -j profile enable 8949449999999990023
expect 0 -j profile list
check "enabled" '.[0].state == "enabled"'
expect 0 -j profile nickname 8949449999999990023 "Work phone"
expect 0 -j profile list
check "nickname" '.[0].nickname == "Work phone"'
expect 0 -j profile disable 8949449999999990023
expect 0 -j profile list
check "disabled" '.[0].state == "disabled"'
expect 0 -j notification list
check "install/enable/disable notifications sent automatically" 'length == 0'
expect 0 -j profile delete 8949449999999990023
expect 0 -j profile list
check "deleted" 'length == 0'
expect 0 -j notification process
expect 0 -j notification list
check "no notification left" 'length == 0'

log_has "the modem was reached through qmi-proxy" "opened $PORT (through qmi-proxy)"
fake_is "APDUs went through UIM Send APDU" '.apdus > 50 and .messages.SendApdu == .apdus'
fake_is "every APDU's CLA names its channel" '.cla_mismatches == 0'
fake_is "one logical channel per session, all closed" '.channels == 0 and .channels_opened > 5'
fake_is "channels closed by lpad, not by the modem" '.channels_released_with_client == 0'
fake_is "client ids released between jobs" '(.clients | add // 0) == 0'
stop_lpad
fake_is "nothing left after lpad stops" '(.clients | add // 0) == 0 and .channels == 0 and .connections == 0'
