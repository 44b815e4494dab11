# SPDX-License-Identifier: Apache-2.0
# After a job lpad re-reads only the parts of the card that job can change (issue 16: a download reads the profile
# list, the notifications and EUICCInfo2 for the free memory, not the addresses). Whatever it skipped must still be
# right: after every job the cached properties equal what a full re-read (Refresh) gives, and what the job changed
# shows the change (free memory down after a download and back after the delete, the address, the profile state).
EUICC=/org/lpad/Lpad1/euicc/0
ICCID=8949449999999990023
snapshot() {  # chip info with the profile list (state, nickname, ...)
  local chip list
  chip="$(timeout -k 5 60 "$LPACTL" -j chip info)"
  list="$(timeout -k 5 60 "$LPACTL" -j profile list)"
  jq -S -n --argjson c "$chip" --argjson l "$list" '$c + {profileList: $l} | del(.driver)'
}
full_reread() {
  timeout -k 5 120 dbus-send --bus="$BUS_ADDRESS" --print-reply --dest=org.lpad.Lpad1 "$EUICC" \
    org.lpad.Lpad1.Euicc.Refresh >/dev/null
}
# after JOB: the cache (as lpactl sees it right after the job's reply) against a full re-read; leaves it in $out.
after() {
  local cached
  cached="$(snapshot)"
  full_reread
  out="$(snapshot)"
  if [[ "$cached" != "$out" ]]; then
    echo "FAIL: after $1 the cached properties differ from a full re-read:" >&2
    diff <(echo "$cached") <(echo "$out") >&2 || true
    exit 1
  fi
}

out="$(snapshot)"
free0=$(jq .freeNonVolatileMemory <<<"$out")
root=$(jq -r .rootSmdsAddress <<<"$out")
check "free memory is known" '.freeNonVolatileMemory > 0'

expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
after download
check "the profile is listed" "[.profileList[].iccid] == [\"$ICCID\"] and .profiles == [\"$ICCID\"]"
check "its install notification was delivered and removed" '.pendingNotifications == 0'
check "free memory went down" ".freeNonVolatileMemory < $free0"
check "the addresses are unchanged" ".defaultSmdpAddress == \"\" and .rootSmdsAddress == \"$root\""
free1=$(jq .freeNonVolatileMemory <<<"$out")
admin GET notifications | jq -e --arg i "$ICCID" 'any(.[]; .iccid == $i)' >/dev/null ||
  { echo "FAIL: the SM-DP+ did not receive the install notification: $(admin GET notifications)"; exit 1; }

expect 0 chip defaultsmdp "$SMDP"
after "setting the default SM-DP+"
check "the default SM-DP+ is the new one" ".defaultSmdpAddress == \"$SMDP\""

expect 0 -j profile enable "$ICCID"
after enable
check "the profile is enabled" '.profileList[0].state == "enabled"'
check "the enable notification was delivered" '.pendingNotifications == 0'

expect 0 -j profile nickname "$ICCID" "facts test"
after nickname
check "the nickname is cached" '.profileList[0].nickname == "facts test"'

expect 0 -j profile disable "$ICCID"
after disable
expect 0 -j profile delete "$ICCID"
after delete
check "no profile is left" '.profiles == [] and .profileList == []'
check "free memory is back" ".freeNonVolatileMemory == $free0 and $free1 < $free0"
echo "free non-volatile memory: $free0 -> $free1 after the download -> $free0 after the delete"
