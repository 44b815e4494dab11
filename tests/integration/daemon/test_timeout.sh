# SPDX-License-Identifier: Apache-2.0
# --timeout: a slow server (authenticateClient held for 4 s) and a 1 s timeout give exit 3 and a clear message;
# the daemon carries on and stays usable.
admin POST faults '{"fault": "delay=4000@authenticateClient"}' >/dev/null
expect 3 --timeout 1 download "LPA:1\$$SMDP\$MATCH-3"
grep -q "no answer from lpad within 1 s (--timeout)" "$tmp/err" || { echo "FAIL: message: $(cat "$tmp/err")"; exit 1; }
expect 3 -j --timeout 0.5 download "LPA:1\$$SMDP\$MATCH-4"
check "JSON names the timeout" '.error | test("NoReply|Timeout")'
# Both downloads still finish in the daemon.
two_profiles() { "$LPACTL" -j profile list | jq -e 'length == 2' >/dev/null; }
wait_for 60 "both downloads to finish" two_profiles
expect 0 -j chip info
check "daemon alive" '.status == "ok"'
