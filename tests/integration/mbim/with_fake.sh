# SPDX-License-Identifier: Apache-2.0
# Sourced by tests/integration/daemon/fixture.sh (FIXTURE_NO_LPAD=1) inside run-in-netns.sh: adds the fake MBIM
# modem (lpad-test-fake-mbim-proxy, env FAKE_MBIM) and its helpers, points CARD_URI at it, then sources the test
# script $MBIM_TEST.
#   start_fake [ARGS...]  the fake on the virtual eUICC $tmp/card.json (kept across restarts), ARGS added
#   stop_fake             SIGTERM, wait
#   stats JQ              jq on the fake's counters (fake_modem.h)
#   no_leak WHEN          no channel of lpad's group (2) open on the modem, ModemManager's (group 1) untouched
DEV="$tmp/cdc-wdm0"
# libmbim only accepts a character device as the port; mbim-proxy (here: the fake) is what opens it.
mknod "$DEV" c 1 3
STATS="$tmp/mbim-stats.json"
CARD_URI="mbim:$DEV?timeout=10"
cleanup_hooks+=('if [[ -s $tmp/fake.log ]]; then echo "---- fake mbim-proxy log (last 20 lines) ----" >&2; tail -20 "$tmp/fake.log" >&2; fi')

start_fake() {
  rm -f "$tmp/fake.ready"
  echo "==== fake $*" >>"$tmp/fake.log"
  "$FAKE_MBIM" --device "$DEV" --stats "$STATS" --ready-file "$tmp/fake.ready" --foreign-channel 1 "$@" \
    "virtual:$tmp/card.json?pki=$PKI&channels=8" 2>>"$tmp/fake.log" &
  FAKE_PID=$!
  pids+=($FAKE_PID)
  wait_for 30 "the fake mbim-proxy" test -s "$tmp/fake.ready"
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }
stats() { jq -r "$1" "$STATS"; }
no_leak() {
  local n
  n="$(stats .open_in_group2)"
  [[ $n == 0 ]] || { echo "FAIL: $1: $n channel(s) of group 2 left open: $(cat "$STATS")" >&2; exit 1; }
  [[ "$(stats '[.open_channels[] | select(.group == 1)] | length')" == 1 ]] ||
    { echo "FAIL: $1: ModemManager's channel (group 1) was touched: $(cat "$STATS")" >&2; exit 1; }
}
status_is() {  # status_is SUFFIX: the Euicc's Status ends with SUFFIX ("ok", "Unavailable")
  [[ "$("$LPACTL" -j chip info 2>/dev/null | jq -r '.status // ""')" == *"$1" ]]
}
fake_has() {  # fake_has DESCRIPTION JQ: jq on the fake's counters must print true
  [[ "$(stats "$2")" == true ]] || { echo "FAIL: $1: jq '$2' on $(cat "$STATS")" >&2; exit 1; }
}

source "$MBIM_TEST"
# In a sanitizer build, lpad and the fake report leaks and errors when they stop: none may appear.
stop_lpad
stop_fake
if grep -q "Sanitizer" "$tmp/lpad.log" "$tmp/fake.log" 2>/dev/null; then
  echo "FAIL: sanitizer report:" >&2; grep -A20 "Sanitizer" "$tmp/lpad.log" "$tmp/fake.log" >&2; exit 1
fi
