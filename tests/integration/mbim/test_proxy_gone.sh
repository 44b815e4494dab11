# SPDX-License-Identifier: Apache-2.0
# The proxy goes away under lpad: the Euicc shows Unavailable, jobs fail with Unavailable (libmbim cannot start a
# real mbim-proxy here: run-in-netns.sh masks it), and when the proxy is back the Euicc recovers by itself.
start_fake
start_lpad
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
no_leak "before"
stop_fake

expect 1 -j profile nickname 8949449999999990023 "no proxy"
check "Unavailable" '.error | endswith("Unavailable")'
wait_for 60 "Status Unavailable" status_is Unavailable
grep -q "Couldn't spawn the mbim-proxy\|hung up" "$tmp/lpad.log" || { echo "FAIL: reason not logged" >&2; exit 1; }

start_fake
wait_for 90 "the Euicc back" status_is ok
expect 0 -j profile list
check "the profile is still there" 'map(.iccid) == ["8949449999999990023"]'
expect 0 -j profile enable 8949449999999990023
expect 0 -j profile list
check "enabled after recovery" '.[0].state == "enabled"'
no_leak "after recovery"
