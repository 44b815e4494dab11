# A slow modem: a quarter second per command (about a minute for the download's ~200 commands), and 4 s to
# install each of the first three profile pieces: more than timeout=3, less than load-timeout=60, so the download
# completes only because the long timeout covers the load.
source "$AT_HELPERS"
start_modem --dialect quectel --delay-ms 250 --load-delay-ms 4000
at_lpad "mode=csim&timeout=3&load-timeout=60"
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
check "downloaded" '.iccid == "8949449999999990023"'
expect 0 -j profile list
check "listed" 'map(.iccid) == ["8949449999999990023"]'
modem_check "no channel left open" '.open_channels == 0'
if grep -q "resynchronising" "$tmp/lpad.log"; then echo "FAIL: a command timed out" >&2; exit 1; fi
