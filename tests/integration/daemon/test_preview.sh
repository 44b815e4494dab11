# SPDX-License-Identifier: Apache-2.0
# Preview downloads: reject (profile not installed), accept (installed), progress reported.
out="$(printf 'LPA:1$%s$MATCH-1\nn\n' "$SMDP" | "$LPACTL" -j download --preview 2>"$tmp/err" || echo "exit=$?")"
grep -q "exit=1" <<<"$out" || { echo "FAIL: reject should exit 1: $out"; exit 1; }
grep -q "Test One" "$tmp/err" || { echo "FAIL: metadata not shown"; cat "$tmp/err"; exit 1; }
expect 0 -j profile list
check "nothing installed after reject" 'length == 0'
# endUserRejection cancels that order at the SM-DP+ (SGP.22 §3.1.3): accept another one.
out="$(printf 'LPA:1$%s$MATCH-3\ny\n' "$SMDP" | "$LPACTL" -j download --preview)"
check "installed after accept" '.iccid == "8949449999999990049"'
expect 0 -j profile list
check "listed after accept" 'map(.iccid) == ["8949449999999990049"]'
