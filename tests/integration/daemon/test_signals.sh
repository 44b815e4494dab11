# SPDX-License-Identifier: Apache-2.0
# Signals on the bus (seen by dbus-monitor): DownloadStage/DownloadPercent PropertiesChanged during a download,
# stages in order and percent reaching 100; InterfacesAdded for the new Profile; PropertiesChanged on enable;
# InterfacesRemoved after delete. Then the progress bar: on a TTY only, never in JSON mode.
PROFILE=/org/lpad/Lpad1/euicc/0/profile/8949449999999990023
dbus-monitor --address "$BUS_ADDRESS" "type='signal',sender='org.lpad.Lpad1'" >"$tmp/monitor.log" 2>&1 &
mon=$!
pids+=($mon)
sleep 1  # let dbus-monitor register its match rule (nothing to observe yet: lpad is idle)
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
expect 0 -j profile enable 8949449999999990023
expect 0 -j download "LPA:1\$$SMDP\$MATCH-3"
expect 0 -j profile delete 8949449999999990049
seen() { grep -q "$1" "$tmp/monitor.log"; }
wait_for 20 "InterfacesRemoved in the monitor log" seen 'member=InterfacesRemoved'
kill "$mon"; wait "$mon" 2>/dev/null || true

# Progress: (stage, percent) pairs of the first download, in arrival order, up to the reset to "".
awk '
  /^signal/ { pc = ($0 ~ /member=PropertiesChanged/ && $0 ~ /path=\/org\/lpad\/Lpad1\/euicc\/0;/) }
  pc && /string "DownloadStage"/ { getline; match($0, /"[^"]*"/); stage = substr($0, RSTART + 1, RLENGTH - 2) }
  pc && /string "DownloadPercent"/ { getline; print stage, $NF }
' "$tmp/monitor.log" | awk '$1 == "" || NF < 2 { exit } { print }' >"$tmp/progress"
[[ -s "$tmp/progress" ]] || { echo "FAIL: no progress signals"; cat "$tmp/monitor.log"; exit 1; }
order="authenticating consent preparing downloading installing notifying enabling done"
prev_rank=-1 prev_pct=-1 max=0
while read -r st pct; do
  rank=$(tr ' ' '\n' <<<"$order" | grep -nx "$st" | cut -d: -f1)
  [[ -n $rank ]] || { echo "FAIL: unknown stage $st"; exit 1; }
  ((rank >= prev_rank)) || { echo "FAIL: stage $st after a later one"; cat "$tmp/progress"; exit 1; }
  ((pct >= prev_pct)) || { echo "FAIL: percent went back to $pct"; cat "$tmp/progress"; exit 1; }
  prev_rank=$rank prev_pct=$pct
  ((pct > max)) && max=$pct
done <"$tmp/progress"
((max == 100)) || { echo "FAIL: percent reached only $max"; cat "$tmp/progress"; exit 1; }
for st in authenticating downloading installing; do
  grep -q "^$st " "$tmp/progress" || { echo "FAIL: stage $st not reported"; cat "$tmp/progress"; exit 1; }
done

# Object signals: the first argument of InterfacesAdded/Removed is the object's path.
grep -A1 'member=InterfacesAdded' "$tmp/monitor.log" | grep -q "object path \"$PROFILE\"" ||
  { echo "FAIL: no InterfacesAdded for $PROFILE"; exit 1; }
grep -A1 'member=InterfacesRemoved' "$tmp/monitor.log" |
  grep -q 'object path "/org/lpad/Lpad1/euicc/0/profile/8949449999999990049"' ||
  { echo "FAIL: no InterfacesRemoved for the deleted profile"; exit 1; }
grep -A1 "path=$PROFILE; interface=org.freedesktop.DBus.Properties; member=PropertiesChanged" "$tmp/monitor.log" |
  grep -q 'string "org.lpad.Lpad1.Profile"' || { echo "FAIL: no PropertiesChanged on enable"; exit 1; }

# The progress bar: drawn on a TTY (script(1) gives lpactl a pty), absent with --json and without a TTY.
run_on_tty() { script -qec "$(printf '%q ' "$@")" /dev/null; }
run_on_tty "$LPACTL" download "LPA:1\$$SMDP\$MATCH-4" >"$tmp/tty.out" 2>&1 ||
  { echo "FAIL: download on a TTY"; cat "$tmp/tty.out"; exit 1; }
grep -q '\] 100%' "$tmp/tty.out" && grep -q "$(printf '\r')" "$tmp/tty.out" ||
  { echo "FAIL: no progress bar on a TTY:"; cat -A "$tmp/tty.out"; exit 1; }
grep -q "installed profile 8949449999999990056" "$tmp/tty.out" || { echo "FAIL: result line"; exit 1; }
expect 0 profile delete 8949449999999990056
admin POST orders '{"matchingId": "MATCH-5", "profile": "'"$UPP_DIR"'/TS48v5_SAIP2.3_NoBERTLV.der",
                    "iccid": "8949449999999990064", "name": "Test Five"}' >/dev/null
run_on_tty "$LPACTL" -j download "LPA:1\$$SMDP\$MATCH-5" >"$tmp/tty-json.out" 2>&1 ||
  { echo "FAIL: JSON download on a TTY"; cat "$tmp/tty-json.out"; exit 1; }
! grep -q '%' "$tmp/tty-json.out" || { echo "FAIL: progress bar in JSON mode"; cat -A "$tmp/tty-json.out"; exit 1; }
tr -d '\r' <"$tmp/tty-json.out" | jq -e '.iccid == "8949449999999990064"' >/dev/null ||
  { echo "FAIL: JSON output on a TTY"; cat -A "$tmp/tty-json.out"; exit 1; }
expect 0 download --confirmation-code 1234 "LPA:1\$$SMDP\$MATCH-2"
! grep -q '%' "$tmp/err" || { echo "FAIL: progress bar without a TTY: $(cat -A "$tmp/err")"; exit 1; }
