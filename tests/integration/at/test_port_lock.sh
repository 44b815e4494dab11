# SPDX-License-Identifier: Apache-2.0
# One port, one user: lpad holds flock and the UUCP lock file /run/lock/LCK..pts_N (a private tmpfs here) while it
# runs; a second lpad gets a clear "port in use" error (Busy) and takes over once the first is gone; a lock file
# left by a dead process is removed; one held by a live program keeps lpad out until it ends.
source "$AT_HELPERS"
start_modem --dialect quectel
pts="$(cat "$tmp/modem.ready")"
lock="/run/lock/LCK..pts_${pts##*/}"
at_lpad "mode=csim"
[[ -f $lock ]] || { echo "FAIL: no lock file $lock" >&2; exit 1; }
[[ "$(cat "$lock")" == "$(printf '%10d' "$LPAD_PID")" ]] || { echo "FAIL: lock file holds '$(cat "$lock")'" >&2; exit 1; }
first_pid=$LPAD_PID

# A second lpad (its own bus and state) on the same port.
start_bus bus2 session
bus2="$bus_address"
DBUS_SESSION_BUS_ADDRESS="$bus2" "$LPAD" --session --card "at:$MODEM?mode=csim" --trust "$PKI/trust/test-ci.pem" \
  --state-dir "$tmp/state2" --log-level debug 2>>"$tmp/lpad2.log" &
second_pid=$!
pids+=($second_pid)
second_status() { LPACTL_BUS="$bus2" "$LPACTL" -j chip info 2>/dev/null | jq -r .status 2>/dev/null; }
wait_for 30 "the second lpad reports Busy" bash -c "[[ \"\$(LPACTL_BUS='$bus2' '$LPACTL' -j chip info 2>/dev/null | jq -r .status)\" == org.lpad.Lpad1.Error.Busy ]]"
grep -qF "port in use by PID $first_pid" "$tmp/lpad2.log" || { echo "FAIL: no 'port in use' in the second log" >&2; exit 1; }
expect 0 -j chip info
check "the first keeps working" '.status == "ok"'

stop_lpad
[[ ! -e $lock ]] || { echo "FAIL: lock file left after lpad stopped" >&2; exit 1; }
LPACTL_BUS="$bus2" "$LPACTL" notification process >/dev/null 2>&1 || true  # a job: the card is read again
wait_for 30 "the second lpad takes over" bash -c "[[ \"\$(LPACTL_BUS='$bus2' '$LPACTL' -j chip info 2>/dev/null | jq -r .status)\" == ok ]]"
[[ "$(cat "$lock")" == "$(printf '%10d' "$second_pid")" ]] || { echo "FAIL: lock not the second lpad's" >&2; exit 1; }
kill "$second_pid"; wait "$second_pid" 2>/dev/null || true

# A stale lock file (a PID that is not running) is removed.
printf '%10d\n' 4194304 >"$lock"
at_lpad "mode=csim"
log_has "stale lock removed" "removing stale lock file $lock"
stop_lpad

# A live program's lock keeps lpad out, with the PID named; when it ends, lpad gets the port.
sleep 300 &
holder=$!
pids+=($holder)
printf '%10d\n' "$holder" >"$lock"
CARD_URI="at:$MODEM?mode=csim"
"$LPAD" --session --card "$CARD_URI" --trust "$PKI/trust/test-ci.pem" --state-dir "$tmp/state" --log-level debug \
  2>>"$tmp/lpad.log" &
LPAD_PID=$!
pids+=($LPAD_PID)
wait_for 30 "lpad reports Busy" bash -c "[[ \"\$('$LPACTL' -j chip info 2>/dev/null | jq -r .status)\" == org.lpad.Lpad1.Error.Busy ]]"
log_has "names the holder" "port in use by PID $holder"
kill "$holder"; wait "$holder" 2>/dev/null || true
"$LPACTL" notification process >/dev/null 2>&1 || true
wait_for 30 "lpad gets the port" bash -c "[[ \"\$('$LPACTL' -j chip info 2>/dev/null | jq -r .status)\" == ok ]]"
modem_check "no channel left open" '.open_channels == 0'
