# SPDX-License-Identifier: Apache-2.0
# Issue 11 items 8 and 9: text from an SM-DP+ (profile name, service provider) or from a user (nickname) never
# reaches the terminal as control sequences in human output; JSON output keeps it exact. Arguments that D-Bus cannot
# carry (not UTF-8) and NUL bytes in an activation code on stdin are usage errors (exit 2).
ESC=$'\x1b' CR=$'\r' BEL=$'\a' NEL=$'\xc2\x85' RLO=$'\xe2\x80\xae'
# Name: a terminal title change (OSC 0 ... BEL), a screen clear, CR LF and a fake second line.
admin POST orders '{"matchingId": "MATCH-EVIL", "profile": "'"$UPP_DIR"'/TS48v5_SAIP2.3_NoBERTLV.der",
  "iccid": "8949449999999990072", "name": "Evil\u001b]0;pwned\u0007\u001b[2J\r\nFAKE 8949449999999990000 enabled",
  "provider": "SP\u001b[31mred\u0085\u202eRTL"}' >/dev/null

no_controls() {  # no_controls WHAT FILE: no ESC, CR, BEL, C1 NEL or RLO in FILE
  if LC_ALL=C grep -q "[$ESC$CR$BEL]" "$2" || LC_ALL=C grep -qF -e "$NEL" -e "$RLO" "$2"; then
    echo "FAIL: $1 printed raw control characters:" >&2; cat -A "$2" >&2; exit 1
  fi
}

# download (human): the result line names the profile, escaped.
expect 0 download "LPA:1\$$SMDP\$MATCH-EVIL"
printf '%s' "$out" >"$tmp/human.out"
no_controls "download" "$tmp/human.out"
grep -qF 'Evil\x1B]0;pwned\x07\x1B[2J\x0D\x0AFAKE' "$tmp/human.out" ||
  { echo "FAIL: download line not escaped as expected: $(cat -A "$tmp/human.out")" >&2; exit 1; }

# profile list (human, what unprivileged users run): one header and one row, nothing raw.
expect 0 profile list
printf '%s\n' "$out" >"$tmp/list.out"
no_controls "profile list" "$tmp/list.out"
[[ $(wc -l <"$tmp/list.out") == 2 ]] || { echo "FAIL: profile list is not 2 lines:" >&2; cat -A "$tmp/list.out"; exit 1; }
grep -qF 'SP\x1B[31mred\u{0085}\u{202E}RTL' "$tmp/list.out" ||
  { echo "FAIL: provider not escaped as expected: $(cat -A "$tmp/list.out")" >&2; exit 1; }

# JSON stays exact.
expect 0 -j profile list
check "JSON name exact" '.[0].name == "Evil\u001b]0;pwned\u0007\u001b[2J\r\nFAKE 8949449999999990000 enabled"'
check "JSON provider exact" '.[0].serviceProvider == "SP\u001b[31mred\u0085\u202eRTL"'

# New nicknames with control characters are refused by lpactl (usage) and by lpad itself (any D-Bus client).
expect 2 profile nickname 8949449999999990072 $'nick\x1b[2J'
grep -q "nickname cannot contain control" "$tmp/err" || { echo "FAIL: nickname message: $(cat "$tmp/err")" >&2; exit 1; }
expect 2 profile nickname 8949449999999990072 $'two\nlines'
set +e
dbus_out="$(dbus-send --session --print-reply --dest=org.lpad.Lpad1 \
  /org/lpad/Lpad1/euicc/0/profile/8949449999999990072 org.lpad.Lpad1.Profile.SetNickname string:$'x\ry' 2>&1)"
set -e
grep -q "org.lpad.Lpad1.Error.InvalidArgument" <<<"$dbus_out" ||
  { echo "FAIL: lpad accepted a nickname with CR over D-Bus: $dbus_out" >&2; exit 1; }
expect 0 -j profile nickname 8949449999999990072 "plain name ✓"
expect 0 -j profile list
check "nickname set" '.[0].nickname == "plain name ✓"'

# Not UTF-8: exit 2 with a message naming the argument, for the daemon-bound arguments.
expect 2 profile nickname 8949449999999990072 $'bad\xff'
grep -q "NAME: not valid UTF-8" "$tmp/err" || { echo "FAIL: message: $(cat "$tmp/err")" >&2; exit 1; }
expect 2 profile enable $'8949\xc3'
expect 2 download $'LPA:1$\xfe$X'
grep -q "ACTIVATION_CODE: not valid UTF-8" "$tmp/err" || { echo "FAIL: message: $(cat "$tmp/err")" >&2; exit 1; }
expect 2 chip defaultsmdp $'smdp\xff.example.com'

# A NUL byte in the activation code on stdin is refused, not cut short (MATCH-3 would otherwise be downloaded).
set +e
printf 'LPA:1$%s$MATCH-3\0-tail\n' "$SMDP" | timeout -k 5 150 "$LPACTL" -j download >"$tmp/nul.out" 2>"$tmp/err"
status=$?
set -e
[[ $status == 2 ]] || { echo "FAIL: NUL on stdin: exit $status: $(cat "$tmp/nul.out") $(cat "$tmp/err")" >&2; exit 1; }
grep -q "NUL byte" "$tmp/err" || { echo "FAIL: NUL message: $(cat "$tmp/err")" >&2; exit 1; }
expect 0 -j profile list
check "nothing downloaded from the NUL code" 'map(.iccid) == ["8949449999999990072"]'
