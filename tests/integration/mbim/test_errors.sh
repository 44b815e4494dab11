# SPDX-License-Identifier: Apache-2.0
# Injected trouble on the fake modem, each ending cleanly with a consistent card and no channel left open:
#  1. an MBIM Failure status answering the first Bound Profile Package block: the download fails, nothing installed;
#  2. the link hung up (the proxy drops lpad's connection) at the second package's first block: the download fails,
#     the channel left open on the modem is released by the next session (close channel 0 of group 2);
#  3. a late answer (2 s) is waited for; a missing one (silent) fails after the timeout (6 s here) and lpad recovers.
CARD_URI="mbim:$DEV?timeout=6"
start_fake --fault 'apdu:BF36@1=status:2' --fault 'apdu:BF36@2=drop' --fault 'device-caps@4=delay:2000' \
  --fault 'apdu:BF29@1=silent'
start_lpad
expect 0 -j profile list
check "no profile yet" 'length == 0'

expect 1 -j download "LPA:1\$$SMDP\$MATCH-1"
check "MBIM status by name" '.message | test("Failure")'
fake_has "the status fault fired" '.fired | index("apdu:BF36@1=status:2") != null'
no_leak "after the failed download"
expect 0 -j profile list
check "nothing installed" 'length == 0'
expect 0 -j chip info
check "card ok after an MBIM error" '.status == "ok"'

expect 1 -j download "LPA:1\$$SMDP\$MATCH-3"
fake_has "the drop fired" '.fired | index("apdu:BF36@2=drop") != null'
wait_for 30 "the Euicc readable again" status_is ok
expect 0 -j profile list
check "nothing installed after the drop" 'length == 0'
no_leak "after the drop"
fake_has "the stale channel was released" '.stale_released >= 1'

expect 0 -j download "LPA:1\$$SMDP\$MATCH-4"
check "a later download works" '.iccid == "8949449999999990056"'
expect 0 -j profile list
check "installed once" 'map(.iccid) == ["8949449999999990056"]'
fake_has "the delay fired" '.fired | index("device-caps@4=delay:2000") != null'
no_leak "after the download"

# Silent modem: the SetNickname command (BF29) is never answered; the job fails after the 6 s timeout.
set +e; timeout -k 5 150 "$LPACTL" -j profile nickname 8949449999999990056 "never" >"$tmp/silent.out" 2>&1; rc=$?; set -e
fake_has "the silent fault fired" '.fired | index("apdu:BF29@1=silent") != null'
[[ $rc != 0 ]] || { echo "FAIL: the unanswered APDU did not fail the job" >&2; exit 1; }
grep -q "no answer within 6 s" "$tmp/silent.out" || { echo "FAIL: timeout not named: $(cat "$tmp/silent.out")" >&2; exit 1; }
wait_for 30 "the Euicc readable again after the timeout" status_is ok
expect 0 -j profile list
check "card consistent after the timeout" 'map(.iccid) == ["8949449999999990056"] and .[0].nickname != "never"'
expect 0 -j profile nickname 8949449999999990056 "later"
expect 0 -j profile list
check "nickname works after the timeout" '.[0].nickname == "later"'
no_leak "after the timeout"
