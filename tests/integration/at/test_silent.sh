# SPDX-License-Identifier: Apache-2.0
# The modem never answers one command (the 60th AT+CSIM, inside the download). The job fails with Timeout naming
# the command and the timeout (lpactl exit 3), the port is resynchronised, no channel stays open, and the next job works.
source "$AT_HELPERS"
start_modem --dialect quectel --silent 'AT+CSIM=#60'
at_lpad "mode=csim&timeout=2&load-timeout=4"
expect 3 -j download "LPA:1\$$SMDP\$MATCH-1"
check "typed error" '.error == "org.lpad.Lpad1.Error.Timeout"'
check "names the command and the timeout" '.message | test("AT\\+CSIM=[0-9]+ got no answer within [24] s")'
modem_check "the command was swallowed" '.silenced == 1'
log_has "recovered" "answers again"
modem_check "no channel left open" '.open_channels == 0'
full_flow MATCH-3 8949449999999990049 "Test Three"  # the next job, and every one after it, works
