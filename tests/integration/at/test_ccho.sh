# SPDX-License-Identifier: Apache-2.0
# A Fibocom-like modem: AT+CCHO answers a bare number, "+CGLA:n,hex" lower case unquoted, `=?` never answered,
# AT+CSIM refused, and three channels left open by an earlier run (every channel of the card). Mode auto.
source "$AT_HELPERS"
start_modem --dialect fibocom --stale 3
modem_check "stale channels at start" '.open_channels == 3'
at_lpad ""
full_flow
log_has "auto found ccho" "opens channels with AT+CCHO (mode ccho)"
log_has "stale channels closed" "closed stale channel session"
