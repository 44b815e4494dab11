# SPDX-License-Identifier: Apache-2.0
# A slow modem: a second per command (about three minutes for the ~200 commands of the flow), and 4 s to
# install each of the first three profile pieces: more than timeout=3, less than load-timeout=60, so the download
# completes only because the long timeout covers the load.
source "$AT_HELPERS"
start_modem --dialect quectel --delay-ms 1000 --load-delay-ms 4000
at_lpad "mode=csim&timeout=3&load-timeout=60"
full_flow
if grep -q "resynchronising" "$tmp/lpad.log"; then echo "FAIL: a command timed out" >&2; exit 1; fi
