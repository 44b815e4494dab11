# SPDX-License-Identifier: Apache-2.0
# Issue #11 items 5 and 6: a preview download (PreviewDownload, waiting for Accept/Reject) names its SM-DP+, ends
# when the client that asked for it leaves the bus or after the configured consent wait (cancelled with reason
# timeout: the order stays usable), and other card operations meanwhile are refused at once (Busy), not left to
# time out behind it.
DOWNLOAD_N=0
# hold_preview MATCHING-ID: lpactl asks for a preview and waits for its y/n answer on a fifo (fd 7) -> PREVIEW_PID
hold_preview() {
  rm -f "$tmp/answer"; mkfifo "$tmp/answer"
  "$LPACTL" -j download --preview <"$tmp/answer" >"$tmp/preview.out" 2>"$tmp/preview.err" &
  PREVIEW_PID=$!
  pids+=($PREVIEW_PID)
  exec 7>"$tmp/answer"
  echo "LPA:1\$$SMDP\$$1" >&7
  DOWNLOAD=/org/lpad/Lpad1/euicc/0/download/$DOWNLOAD_N
  DOWNLOAD_N=$((DOWNLOAD_N + 1))
  wait_for 60 "the preview of $1 waiting for consent" download_is waiting
}
download_prop() {
  dbus-send --bus="$BUS_ADDRESS" --print-reply=literal --dest=org.lpad.Lpad1 "$DOWNLOAD" \
    org.freedesktop.DBus.Properties.Get string:org.lpad.Lpad1.Download "string:$1" 2>/dev/null | sed -E 's/^ *variant *//'
}
download_is() { [[ "$(download_prop State)" == "$1" ]]; }
download_gone() { ! dbus-send --bus="$BUS_ADDRESS" --print-reply --dest=org.lpad.Lpad1 "$DOWNLOAD" \
                    org.freedesktop.DBus.Properties.Get string:org.lpad.Lpad1.Download string:State >/dev/null 2>&1; }
order_state() { admin GET orders | jq -r ".[] | select(.matchingId == \"$1\") | .state"; }

# --- item 5: the Download object's SmdpAddress is the server's address.
hold_preview MATCH-1
[[ "$(download_prop SmdpAddress)" == "$SMDP" ]] || { echo "FAIL: SmdpAddress '$(download_prop SmdpAddress)', expected $SMDP"; exit 1; }

# --- item 6: while it waits, card operations are refused at once, naming the pending download; reads still work.
expect 0 -j profile list
expect 1 -j --timeout 20 notification process
check "Busy, naming the download" ".error == \"org.lpad.Lpad1.Error.Busy\" and (.message | contains(\"$DOWNLOAD\"))"
expect 1 -j --timeout 20 download "LPA:1\$$SMDP\$MATCH-3"
check "a second download is Busy too" '.error == "org.lpad.Lpad1.Error.Busy"'
# The client leaves the bus (killed): the preview ends, cancelled with reason timeout, the order still usable.
kill -9 "$PREVIEW_PID"; wait "$PREVIEW_PID" 2>/dev/null || true
exec 7>&-
wait_for 30 "the preview to end when its client left" download_gone
grep -q "left the bus: cancelling" "$tmp/lpad.log" || { echo "FAIL: no log of the cancel"; exit 1; }
[[ $(order_state MATCH-1) == released ]] || { echo "FAIL: MATCH-1 is $(order_state MATCH-1) after the cancel"; exit 1; }
expect 0 -j --timeout 60 download "LPA:1\$$SMDP\$MATCH-1"
check "the order was kept" '.iccid == "8949449999999990023"'

# --- item 6: the consent wait is configurable (--consent-timeout; lpad.conf consent_timeout), cancelled as timeout.
stop_lpad
start_lpad --consent-timeout 3
DOWNLOAD_N=0
hold_preview MATCH-3
wait_for 30 "the preview to end after 3 s without a decision" download_gone
grep -q "no decision on $DOWNLOAD within 3 s: cancelled (order kept)" "$tmp/lpad.log" ||
  { echo "FAIL: no log of the consent timeout"; exit 1; }
[[ $(order_state MATCH-3) == released ]] || { echo "FAIL: MATCH-3 is $(order_state MATCH-3) after the timeout"; exit 1; }
echo y >&7; exec 7>&-
set +e; wait "$PREVIEW_PID"; st=$?; set -e
[[ $st != 0 ]] || { echo "FAIL: accepting a preview that timed out succeeded"; exit 1; }
expect 0 -j --timeout 60 download "LPA:1\$$SMDP\$MATCH-3"
check "the order was kept" '.iccid == "8949449999999990049"'
