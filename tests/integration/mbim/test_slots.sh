# SPDX-License-Identifier: Apache-2.0
# Slots: the eUICC in slot 2 of a two-slot modem that maps slot 2: slot=2 works; slot=1 (mapped elsewhere) is
# Unavailable with the reason; a modem without slot mappings (MBIM 1.0 only) works with slot 1.
start_fake --slots 2 --mapped-slot 1
CARD_URI="mbim:$DEV?slot=2&timeout=10"
start_lpad
expect 0 -j chip info
check "slot 2 ok" '.status == "ok"'
stop_lpad
CARD_URI="mbim:$DEV?slot=1&timeout=10"
"$LPAD" --session --card "$CARD_URI" --trust "$PKI/trust/test-ci.pem" --state-dir "$tmp/state1" \
  --log-level debug 2>>"$tmp/lpad.log" &
LPAD_PID=$!; pids+=($LPAD_PID)
wait_for 60 "Status Unavailable for slot 1" status_is Unavailable
grep -q "slot 1 is not the modem's active slot" "$tmp/lpad.log" || { echo "FAIL: slot reason not logged" >&2; exit 1; }
stop_lpad
stop_fake

start_fake --no-slot-mappings
CARD_URI="mbim:$DEV?timeout=10"
start_lpad
expect 0 -j chip info
check "single-slot modem ok" '.status == "ok"'
no_leak "single-slot"
