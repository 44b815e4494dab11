# SPDX-License-Identifier: Apache-2.0
# pcscd not running when lpad starts: lpad stays up, says so in the log and in Status, and retries; once pcscd runs
# (and the bridge has found vpcd) the card is read. pcscd stopping later marks the eUICC unavailable again.
start_bridge 0 "virtual:?pki=$PKI"
start_lpad --no-wait "pcsc:"
wait_status 0 '. == "org.lpad.Lpad1.Error.Unavailable"' 10
log_has "clear error" "SCARD_E_NO_SERVICE"
sleep 3  # several retry periods: still up, no busy loop (counted below)
alive
pcscd -f -d -c "$LPAD_TEST_PCSC_DIR/conf" >"$tmp/pcscd.log" 2>&1 &
pcscd_pid=$!
pids+=($pcscd_pid)
wait_status 0 ok 30
expect 0 -j chip info
check "read once pcscd runs" '.eid | test("^[0-9]{32}$")'
warnings=$(grep -c "cannot read the card" "$tmp/lpad.log" || true)
[[ $warnings -le 2 ]] || { echo "FAIL: $warnings 'cannot read the card' warnings: the retry is logged each time" >&2; exit 1; }
kill "$pcscd_pid"; wait "$pcscd_pid" 2>/dev/null || true
wait_status 0 '. == "org.lpad.Lpad1.Error.Unavailable"' 10
alive
