# SPDX-License-Identifier: Apache-2.0
# lpad with one eUICC in a PC/SC reader: chip info, download, enable, disable, delete, notifications.
wait_inserted 0
start_lpad "pcsc:?index=0"
expect 0 -j chip info
check "EID is 32 digits" '.eid | test("^[0-9]{32}$")'
check "driver" '.driver == "pcsc:?index=0"'
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
log_has "the card was reached through pcscd" "using reader '$READER0'"
