# SPDX-License-Identifier: Apache-2.0
# Issue #11 items 3 and 4: what a client hands lpad is checked once, at the edge, before any card or server sees it.
# lpad logs at debug level here: each ES10 command it sends is in its log ("-> BF3F: N bytes ...").
initiations() { grep -c "ES9+.initiateAuthentication" "$tmp/smdpp.log" || true; }

# --- item 3: an IMEI is 15 digits with its check digit (3GPP TS 23.003 Annex B) or a 16-digit IMEISV.
before=$(initiations)
for bad in 35693803564380 356938035643808 35693803564380912 3569380356438O9; do
  expect 2 -j download --imei "$bad" "LPA:1\$$SMDP\$MATCH-1"
  check "IMEI $bad refused" '.error == "org.lpad.Lpad1.Error.InvalidArgument" and (.message | test("IMEI"))'
done
[[ $(initiations) == "$before" ]] || { echo "FAIL: a refused IMEI still opened an SM-DP+ session"; exit 1; }
expect 0 -j download --imei 356938035643809 "LPA:1\$$SMDP\$MATCH-1"
check "a valid IMEI downloads" '.iccid == "8949449999999990023"'
expect 0 -j download --imei 3569380356438091 "LPA:1\$$SMDP\$MATCH-3"
check "an IMEISV downloads" '.iccid == "8949449999999990049"'

# --- item 4: SetDefaultSmdpAddress takes an SM-DP+ address by the activation code's rule, or "" to clear it.
sent_to_card() { grep -c -- "-> BF3F" "$tmp/lpad.log" || true; }
grep -q -- "-> BF" "$tmp/lpad.log" || { echo "FAIL: the trace log shows no ES10 command at all"; exit 1; }
sent=$(sent_to_card)
big=$(head -c 100000 /dev/zero | tr '\0' a)
for bad in 'a$b c/d#e' 'https://smdp.example.com' 'smdp.example.com/path' 'smdp.example.com:0' 'smdp_1.example.com' "$big"; do
  expect 2 -j chip defaultsmdp "$bad"
  check "address refused" '.error == "org.lpad.Lpad1.Error.InvalidArgument" and (.message | test("SM-DP\\+ address"))'
done
[[ $(sent_to_card) == "$sent" ]] || { echo "FAIL: a refused address reached the card"; exit 1; }
expect 0 -j chip info
check "the card's address unchanged" '.defaultSmdpAddress == ""'
expect 0 -j chip defaultsmdp "SMDP.Example.COM:8443"
expect 0 -j chip info
check "stored lower-cased, as activation codes are" '.defaultSmdpAddress == "smdp.example.com:8443"'
expect 0 -j chip defaultsmdp ""
expect 0 -j chip info
check "cleared" '.defaultSmdpAddress == ""'
