# SPDX-License-Identifier: Apache-2.0
# Issue #11 item 7: a whole download has a deadline (--download-timeout; lpad.conf download_timeout). A server that
# answers each request just within the HTTP timeout cannot keep it longer: past the deadline the download stops with
# org.lpad.Lpad1.Error.Timeout naming the setting, the session is cancelled with reason timeout (the order stays
# usable) and lpad goes on serving.
order_state() { admin GET orders | jq -r ".[] | select(.matchingId == \"$1\") | .state"; }
stop_lpad
start_lpad --download-timeout 4
# getBoundProfilePackage held for 20 s: well within the 120 s an HTTP request may take, far beyond the deadline.
admin POST faults '{"fault": "delay=20000@getBoundProfilePackage"}' >/dev/null
start=$SECONDS
expect 3 -j --timeout 60 download "LPA:1\$$SMDP\$MATCH-1"
elapsed=$((SECONDS - start))
check "Timeout, naming the setting" \
  '.error == "org.lpad.Lpad1.Error.Timeout" and (.message | test("deadline of 4 s \\(download_timeout\\)"))'
((elapsed < 18)) || { echo "FAIL: the download took ${elapsed}s, past its 4 s deadline"; exit 1; }
grep -q "cancelling session .*: timeout" "$tmp/lpad.log" || { echo "FAIL: the session was not cancelled (timeout)"; exit 1; }
grep -q "ES9+.cancelSession" "$tmp/smdpp.log" || { echo "FAIL: the SM-DP+ got no cancelSession"; exit 1; }
[[ $(order_state MATCH-1) == released ]] || { echo "FAIL: MATCH-1 is $(order_state MATCH-1) after the deadline"; exit 1; }
expect 0 -j profile list
check "nothing installed" 'length == 0'
# The same order, with a server that answers in time, installs.
admin DELETE faults >/dev/null
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
check "the order was kept" '.iccid == "8949449999999990023"'
