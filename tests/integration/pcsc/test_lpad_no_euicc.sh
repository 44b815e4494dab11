# SPDX-License-Identifier: Apache-2.0
# pcsc:?reader=* with reader 0 holding a card without an eUICC (the fixture's bridge 0 answers another ISD-R AID)
# and reader 1 an eUICC: one Euicc object, reader 0 skipped with a log line naming it.
wait_inserted 0 1
start_lpad "pcsc:?reader=*"
expect 0 -j --euicc 0 chip info
check "the eUICC in reader 1" ".driver == \"pcsc:?reader=$READER1\" and .status == \"ok\""
expect 5 --euicc 1 chip info
log_has "skipped reader named" "skipping reader '$READER0': no eUICC"
