# SPDX-License-Identifier: Apache-2.0
# Issue 11 item 12: lpad and another PC/SC program on one card. The other program is lpac-like
# (lpad-test-pcsc-t0-client: T=0 only, exclusive, ES10 on the basic channel). The virtual card's ATR offers T=0 and
# T=1; pcscd keeps the protocol of the first connection, so lpad must take T=0 and must not hold the card between
# jobs. What the other program changes on the card reaches lpad's cache without a job of lpad's.
wait_inserted 0
start_lpad "pcsc:?index=0"
expect 0 -j chip info
EID="$(jq -r .eid <<<"$out")"
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
log_has "lpad connects with T=0 when the card offers it" "using reader '$READER0' (T=0, shared)"

# client ARGS...: run the other program; its stdout in $client_out, exit status in $client_rc.
client() {
  set +e
  client_out="$(timeout -k 5 60 "$T0_CLIENT" "$READER0" "$@" 2>"$tmp/client.err")"
  client_rc=$?
  set -e
}

# Right after lpad's job, and again after a moment: the other program connects (exclusive, T=0) and reads the EID.
# GetEuiccData (BF3E {5C 01 5A}) answers BF3E {5A 10 EID}.
for pause in 0 2; do
  sleep "$pause"
  client BF3E035C015A
  [[ $client_rc == 0 ]] ||
    { echo "FAIL: T=0 exclusive client ${pause}s after lpad's job: exit $client_rc: $(cat "$tmp/client.err")" >&2; exit 1; }
  [[ $client_out == "BF3E125A10$EID" ]] ||
    { echo "FAIL: EID through the other program: $client_out (lpad: $EID)" >&2; exit 1; }
done
alive

# The other program changes the card: ES10c SetNickname (BF29 {5A ICCID, 90 NAME}) for the downloaded profile
# (ICCID 8949449999999990023, BCD with swapped nibbles). setNicknameResult ok: BF29 03 80 01 00. It keeps the card
# 2.5 s, as lpac does while it talks to a server: lpad's watch looks once a second (docs/drivers/pcsc.md).
nick="set elsewhere"
nick_hex="$(printf '%s' "$nick" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
inner="5A0A989444999999990920F390$(printf '%02X' ${#nick})$nick_hex"
client --hold-ms 2500 "BF29$(printf '%02X' $((${#inner} / 2)))$inner"
[[ $client_rc == 0 && $client_out == BF2903800100 ]] ||
  { echo "FAIL: SetNickname by the other program: exit $client_rc, $client_out: $(cat "$tmp/client.err")" >&2; exit 1; }

# lpad notices without a job of its own: the cached profile list shows the new nickname.
for _ in $(seq 100); do
  "$LPACTL" -j profile list >"$tmp/list.json" 2>/dev/null || true
  [[ "$(jq -r '.[0].nickname' "$tmp/list.json" 2>/dev/null)" == "$nick" ]] && break
  sleep 0.2
done
[[ "$(jq -r '.[0].nickname' "$tmp/list.json")" == "$nick" ]] ||
  { echo "FAIL: lpad's cache still stale 20 s after another program changed the card: $(cat "$tmp/list.json")" >&2; exit 1; }
log_has "lpad says why it read the card again" "card changed hands"

# lpad keeps working next to it.
expect 0 -j profile enable 8949449999999990023
expect 0 -j profile list
check "enabled" '.[0].state == "enabled"'
client BF3E035C015A
[[ $client_rc == 0 ]] || { echo "FAIL: T=0 client after enable: exit $client_rc: $(cat "$tmp/client.err")" >&2; exit 1; }
