# SPDX-License-Identifier: Apache-2.0
# Issue #11 item 1: with many profiles on the card every profile call is answered. The reply of a profile's
# Delete used to be posted after the card was re-read, whose update removes the very object being answered; with
# 18+ profiles the call often never got its reply. 22 profiles, each deleted in turn, every call answered.
N=22
luhn() {  # digits -> digits + Luhn check digit
  local s=$1 sum=0 i d alt=1
  for ((i = ${#s} - 1; i >= 0; i--)); do
    d=${s:i:1}
    if ((alt)); then d=$((d * 2)); ((d > 9)) && d=$((d - 9)); fi
    sum=$((sum + d)); alt=$((1 - alt))
  done
  echo "$s$(((10 - sum % 10) % 10))"
}
orders="["
iccids=()
for ((k = 0; k < N; k++)); do
  iccid=$(luhn "894944999999998$(printf %03d $k)")
  iccids+=("$iccid")
  ((k)) && orders+=","
  orders+="{\"matchingId\": \"MANY-$k\", \"profile\": \"$UPP_DIR/TS48v5_SAIP2.3_NoBERTLV.der\", \"iccid\": \"$iccid\", \"name\": \"Many $k\"}"
done
orders+="]"
admin POST orders "$orders" >/dev/null
for ((k = 0; k < N; k++)); do
  expect 0 -j --timeout 120 download "LPA:1\$$SMDP\$MANY-$k"
  check "downloaded $k" ".iccid == \"${iccids[k]}\""
done
expect 0 -j profile list
check "$N profiles" "length == $N"
# Each delete must be answered (the card-side work takes well under a second; 60 s is a hang).
for ((k = 0; k < N; k++)); do
  expect 0 -j --timeout 60 profile delete "${iccids[k]}"
  check "delete $k answered" ".result == \"deleted\""
  expect 0 -j profile list
  check "$((N - k - 1)) left" "length == $((N - k - 1))"
done
