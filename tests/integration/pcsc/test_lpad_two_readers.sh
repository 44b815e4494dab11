# SPDX-License-Identifier: Apache-2.0
# Two readers with an eUICC each (distinct EIDs): pcsc:?reader=* makes two Euicc objects, and so do two explicit
# --card pcsc:?index=N.
EID0=89049032123451234512345678901235
EID1=89049032123451234512345678909999
make_card "$tmp/card0.json" "$EID0"
make_card "$tmp/card1.json" "$EID1"
start_bridge 0 "virtual:$tmp/card0.json"
start_bridge 1 "virtual:$tmp/card1.json"
wait_inserted 0 1

for config in "pcsc:?reader=*" "pcsc:?index=0 pcsc:?index=1"; do
  # shellcheck disable=SC2086 # two URIs in the second configuration
  start_lpad $config
  wait_status 1 ok 20
  expect 0 -j --euicc 0 chip info
  check "euicc 0 ($config)" ".eid == \"$EID0\" and .status == \"ok\""
  e0=$(jq -r .driver <<<"$out")
  expect 0 -j --euicc 1 chip info
  check "euicc 1 ($config)" ".eid == \"$EID1\" and .status == \"ok\""
  e1=$(jq -r .driver <<<"$out")
  [[ $e0 != "$e1" ]] || { echo "FAIL: both objects use $e0" >&2; exit 1; }
  expect 5 --euicc 2 chip info
  # Each object is usable on its own: a download on the first card only (the second one's EID was rewritten in its
  # state file, which its certificate does not match, so the SM-DP+ cannot bind a profile to it).
  if [[ $config == "pcsc:?reader=*" ]]; then
    [[ $e0 == "pcsc:?reader=$READER0" && $e1 == "pcsc:?reader=$READER1" ]] ||
      { echo "FAIL: expanded URIs: $e0 / $e1" >&2; exit 1; }
    expect 0 -j --euicc 0 download "LPA:1\$$SMDP\$MATCH-1"
    expect 0 -j --euicc 0 profile list
    check "profile on the first card" 'map(.iccid) == ["8949449999999990023"]'
    expect 0 -j --euicc 1 profile list
    check "none on the second" 'length == 0'
  fi
  stop_lpad
done
