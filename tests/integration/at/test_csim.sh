# SPDX-License-Identifier: Apache-2.0
# A Quectel-like modem: AT+CSIM only (AT+CCHO answers +CME ERROR), 61xx passed through, "+CSIM: n,\"HEX\"".
source "$AT_HELPERS"
start_modem --dialect quectel
at_lpad "mode=csim"
full_flow
modem_check "APDUs went through the modem" '.apdus > 50'
log_has "the port was opened" "using $MODEM"
log_has "mode csim" "mode csim"
