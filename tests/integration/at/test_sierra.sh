# SPDX-License-Identifier: Apache-2.0
# A Sierra-like modem: opaque AT+CCHO handles, ATE0 ignored (echo stays on), an extra OK after every answer.
source "$AT_HELPERS"
start_modem --dialect sierra
at_lpad "mode=ccho"
full_flow
