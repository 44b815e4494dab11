# SPDX-License-Identifier: Apache-2.0
# download --qr IMAGE: PNG from qrencode, the same re-encoded as JPEG, and the failures (no QR code, a QR code that
# is not an activation code, unreadable file, not an image, both a code and --qr).
command -v qrencode >/dev/null || { echo "FAIL: qrencode is not installed (scripts/install-deps.sh)"; exit 1; }
qrencode -o "$tmp/code1.png" "LPA:1\$$SMDP\$MATCH-1"
expect 0 -j download --qr "$tmp/code1.png"
check "downloaded from a PNG" '.iccid == "8949449999999990023"'
qrencode -s 6 -o "$tmp/code3.png" "LPA:1\$$SMDP\$MATCH-3"
"$QR_TOOL" jpeg "$tmp/code3.png" "$tmp/code3.jpg"
[[ "$(head -c 3 "$tmp/code3.jpg" | od -An -tx1 | tr -d ' ')" == ffd8ff ]] || { echo "FAIL: not a JPEG"; exit 1; }
expect 0 -j download --qr "$tmp/code3.jpg"
check "downloaded from a JPEG" '.iccid == "8949449999999990049"'
expect 0 -j profile list
check "both installed" 'map(.iccid) | sort == ["8949449999999990023", "8949449999999990049"]'

"$QR_TOOL" blank 120 80 "$tmp/blank.png"
expect 1 download --qr "$tmp/blank.png"
grep -q "no QR code found" "$tmp/err" || { echo "FAIL: message for no QR code: $(cat "$tmp/err")"; exit 1; }
expect 1 -j download --qr "$tmp/blank.png"
check "JSON error for no QR code" '.message | test("no QR code found")'
qrencode -o "$tmp/url.png" "https://example.com/esim"
expect 1 download --qr "$tmp/url.png"
grep -q "not an eSIM activation code" "$tmp/err" || { echo "FAIL: message for a URL: $(cat "$tmp/err")"; exit 1; }
qrencode -o "$tmp/bad.png" "LPA:1\$$SMDP"
expect 1 download --qr "$tmp/bad.png"
grep -q "no valid activation code" "$tmp/err" || { echo "FAIL: message for a bad code: $(cat "$tmp/err")"; exit 1; }
expect 1 download --qr "$tmp/no-such-file.png"
grep -q "cannot open" "$tmp/err" || { echo "FAIL: message for a missing file: $(cat "$tmp/err")"; exit 1; }
echo "not a picture" >"$tmp/text.png"
expect 1 download --qr "$tmp/text.png"
grep -q "not a PNG or JPEG" "$tmp/err" || { echo "FAIL: message for a text file: $(cat "$tmp/err")"; exit 1; }
head -c 200 "$tmp/code3.jpg" >"$tmp/cut.jpg"
expect 1 download --qr "$tmp/cut.jpg"
grep -q "JPEG" "$tmp/err" || { echo "FAIL: message for a cut JPEG: $(cat "$tmp/err")"; exit 1; }
expect 2 download --qr "$tmp/code1.png" "LPA:1\$$SMDP\$MATCH-4"
expect 0 -j profile list
check "nothing else installed" 'length == 2'
