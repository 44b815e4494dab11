# SPDX-License-Identifier: Apache-2.0
# Every lpactl command once, JSON parsed and checked, with exit codes.
expect 0 -j chip info
check "EID is 32 digits" '.eid | test("^[0-9]{32}$")'
check "driver" '.driver | startswith("virtual:")'
expect 0 chip info
grep -q "EID:" <<<"$out" || { echo "FAIL: table output"; exit 1; }
expect 0 -j profile list
check "no profile yet" 'length == 0'

expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
check "downloaded ICCID" '.iccid == "8949449999999990023"'
check "disabled after download" '.state == "disabled"'
expect 0 -j profile list
check "listed" 'map(.iccid) == ["8949449999999990023"]'
check "metadata" '.[0].name == "Test One" and .[0].serviceProvider == "Provider One"'
expect 0 -j profile enable 8949449999999990023
expect 0 -j profile list
check "enabled" '.[0].state == "enabled"'
expect 0 -j notification list
check "notifications all sent" 'length == 0'
expect 0 -j profile nickname 8949449999999990023 "my test"
expect 0 -j profile list
check "nickname" '.[0].nickname == "my test"'
expect 0 -j profile disable 8949449999999990023
expect 0 -j profile list
check "disabled" '.[0].state == "disabled"'

# Confirmation code: missing -> failure (1), then given -> installed and enabled.
expect 1 -j download "LPA:1\$$SMDP\$MATCH-2"
check "rejected for the missing code" '.error | startswith("org.lpad.Lpad1.Error.")'
expect 0 -j download --confirmation-code 1234 --enable "LPA:1\$$SMDP\$MATCH-2"
check "enabled after download" '.state == "enabled"'

# The code from stdin.
out="$(echo "LPA:1\$$SMDP\$MATCH-3" | "$LPACTL" -j download)"
check "stdin code" '.iccid == "8949449999999990049"'
expect 0 -j profile delete 8949449999999990049
expect 0 -j profile list
check "deleted" 'map(.iccid) | index("8949449999999990049") == null'

expect 0 -j chip defaultsmdp "$SMDP"
expect 0 -j chip info
check "default SM-DP+" ".defaultSmdpAddress == \"$SMDP\""
expect 0 -j notification process
expect 5 profile enable 8949449999999999999
expect 5 notification remove 4242
expect 5 --euicc 7 chip info
expect 2 profile
expect 2 chip reset
expect 1 -j download "LPA:1\$$SMDP\$NO-SUCH-ORDER"
check "server error carries its codes" '.message | test("\\[subject=[0-9.]+\\]")'
expect 0 -j chip reset --operational --test
expect 0 -j profile list
check "reset deleted every profile" 'length == 0'
kill "$LPAD_PID"; wait "$LPAD_PID" 2>/dev/null || true
expect 6 chip info
