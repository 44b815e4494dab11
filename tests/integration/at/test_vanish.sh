# SPDX-License-Identifier: Apache-2.0
# The port vanishes (the modem is unplugged: its tty goes away) and comes back: the presence watch marks the
# eUICC Unavailable, then re-reads it; the same card answers and a download works.
source "$AT_HELPERS"
start_modem --dialect quectel
at_lpad "mode=csim"
expect 0 -j chip info
eid="$(jq -r .eid <<<"$out")"
stop_modem
wait_for 20 "status Unavailable" bash -c "[[ \"\$('$LPACTL' -j chip info 2>/dev/null | jq -r .status)\" == org.lpad.Lpad1.Error.Unavailable ]]"
log_has "the watch saw it" "is gone"
start_modem --dialect quectel
wait_for 30 "status ok again" bash -c "[[ \"\$('$LPACTL' -j chip info 2>/dev/null | jq -r .status)\" == ok ]]"
expect 0 -j chip info
check "the same eUICC" ".eid == \"$eid\""
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
check "downloaded after the port came back" '.iccid == "8949449999999990023"'
modem_check "no channel left open" '.open_channels == 0'
