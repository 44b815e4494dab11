# SPDX-License-Identifier: Apache-2.0
# 16 virtual eUICCs in one lpad, each with its own EID (eid= in its URI: its own key and a certificate from the
# test EUM) and a 10 ms card latency, download at the same time, each the order bound to its EID: every download
# succeeds, every card ends with exactly its profile and no pending notification, and the SM-DP+ received every
# install notification with a verified signature. Not timed (issue 16's timing is lpad-bench-daemon's); the
# timeouts are generous for a loaded 2-core CI machine. Runs with FIXTURE_NO_LPAD: lpad is started here.
N=16
eid_for() {  # eid_for N: 89049032... (the test EUM's permitted prefix), N in the body, MOD 97-10 check digits
  local body d rem=0 i
  body=$(printf '8904903200000000000000%08d' "$1")
  d=${body}00
  for ((i = 0; i < 32; i++)); do rem=$(((rem * 10 + ${d:i:1}) % 97)); done
  printf '%s%02d' "$body" $((98 - rem))
}
iccid_for() {  # iccid_for N: 18 digits + Luhn check digit
  local body sum=0 i d
  body=$(printf '89494499999990%04d' "$1")
  for ((i = 0; i < 18; i++)); do
    d=${body:17-i:1}
    if ((i % 2 == 0)); then d=$((d * 2)); ((d > 9)) && d=$((d - 9)); fi
    sum=$((sum + d))
  done
  printf '%s%d' "$body" $(((10 - sum % 10) % 10))
}

eids=() iccids=() extra=() orders="["
for ((i = 0; i < N; i++)); do
  eids[i]=$(eid_for $((i + 1)))
  iccids[i]=$(iccid_for "$i")
  uri="virtual:$tmp/card$i.json?pki=$PKI&eid=${eids[i]}${CARD_OPTS:-}"
  if ((i == 0)); then CARD_URI=$uri; else extra+=(--card "$uri"); fi
  ((i == 0)) || orders+=","
  orders+="{\"matchingId\": \"MANY-$i\", \"profile\": \"$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der\",
            \"iccid\": \"${iccids[i]}\", \"eid\": \"${eids[i]}\"}"
done
orders+="]"
admin POST orders "$orders" >/dev/null
start_lpad "${extra[@]}"
for ((i = 0; i < N; i++)); do
  ready() { [[ "$(timeout -k 5 60 "$LPACTL" --euicc "$1" -j chip info 2>/dev/null | jq -r '.status + " " + .eid')" == "ok $2" ]]; }
  wait_for 120 "eUICC $i (EID ${eids[i]}) to be read" ready "$i" "${eids[i]}"
done
echo "$N eUICCs up with distinct EIDs"

dl=()
for ((i = 0; i < N; i++)); do
  timeout -k 5 600 "$LPACTL" --euicc "$i" -j download "LPA:1\$$SMDP\$MANY-$i" >"$tmp/dl.$i.json" 2>"$tmp/dl.$i.err" &
  dl[i]=$!
done
failed=0
for ((i = 0; i < N; i++)); do
  if ! wait "${dl[i]}"; then
    echo "download on eUICC $i failed: $(cat "$tmp/dl.$i.err")" >&2; failed=$((failed + 1)); continue
  fi
  jq -e --arg i "${iccids[i]}" '.iccid == $i' "$tmp/dl.$i.json" >/dev/null ||
    { echo "eUICC $i: unexpected download result $(cat "$tmp/dl.$i.json")" >&2; failed=$((failed + 1)); }
done
((failed == 0)) || { echo "FAIL: $failed of $N concurrent downloads failed"; exit 1; }
echo "$N concurrent downloads succeeded"

for ((i = 0; i < N; i++)); do
  expect 0 --euicc "$i" -j profile list
  check "eUICC $i holds exactly its profile" "map(.iccid) == [\"${iccids[i]}\"]"
  expect 0 --euicc "$i" -j chip info
  check "eUICC $i: its EID, no pending notification" ".eid == \"${eids[i]}\" and .pendingNotifications == 0"
done

notes="$(admin GET notifications)"
for ((i = 0; i < N; i++)); do
  jq -e --arg i "${iccids[i]}" 'any(.[]; .iccid == $i and .operation == "notificationInstall" and .verified and .success)' <<<"$notes" \
    >/dev/null || { echo "FAIL: no verified install notification for ${iccids[i]} (eUICC $i): $notes"; exit 1; }
done
jq -e --argjson n "$N" 'length == $n' <<<"$notes" >/dev/null ||
  { echo "FAIL: expected $N notifications at the SM-DP+, got: $notes"; exit 1; }
echo "$N install notifications delivered and verified"
