# SPDX-License-Identifier: Apache-2.0
# Unsolicited result codes (+CREG:, RING, +QIND:, +CEREG:, ^RSSI:) before, inside and between answers.
source "$AT_HELPERS"
start_modem --dialect generic --urcs
at_lpad "mode=csim"
full_flow
modem_check "URCs were sent" '.urcs > 50'
