# SPDX-License-Identifier: Apache-2.0
# docs/guides/dbus-integration.md: its busctl transcript is replayed command by command on the private bus and every
# answer compared with the one printed there; docs/examples/lpad_example.py is run (list, enable, download with
# progress signals). The guide's SM-DP+ address stands for the fixture's.
guide="$here/../../../docs/guides/dbus-integration.md"
example="$here/../../../docs/examples/lpad_example.py"
transcript="$(sed -n '/<!-- transcript:begin -->/,/<!-- transcript:end -->/p' "$guide" | grep -v '^<!--\|^```')"
[[ $(grep -c '^\$ busctl' <<<"$transcript") -ge 5 ]] || { echo "FAIL: no transcript found in $guide" >&2; exit 1; }

run_block() {  # run the command, compare with the expected lines
  local cmd=$1 want=$2 got
  cmd="${cmd//--system/--address=$BUS_ADDRESS}"
  cmd="${cmd//smdp.example.com/$SMDP}"
  got="$(eval "timeout -k 5 150 $cmd" 2>&1)" || { echo "FAIL: '$1' failed: $got" >&2; exit 1; }
  if [[ "$got" != "$want" ]]; then
    echo "FAIL: the guide's transcript drifted from lpad's answers" >&2
    echo "  command: $1" >&2
    diff <(echo "$want") <(echo "$got") >&2 || true
    exit 1
  fi
}
cmd="" want=""
while IFS= read -r line; do
  if [[ $line == '$ '* ]]; then
    [[ -z $cmd ]] || run_block "$cmd" "$want"
    cmd="${line#\$ }" want=""
  else
    want+="${want:+$'\n'}$line"
  fi
done <<<"$transcript"
run_block "$cmd" "$want"

# The Python example, against the same bus.
py=(env LPAD_BUS="$BUS_ADDRESS" /usr/bin/python3 "$example")
out="$("${py[@]}" download "LPA:1\$$SMDP\$MATCH-3")" || { echo "FAIL: example download: $out" >&2; exit 1; }
grep -qx 'installed 8949449999999990049' <<<"$out" || { echo "FAIL: example download said: $out" >&2; exit 1; }
grep -q '^progress .* 100%$' <<<"$out" || { echo "FAIL: no progress signals reached the example: $out" >&2; exit 1; }
out="$("${py[@]}" enable 8949449999999990049)"
[[ $out == "enabled 8949449999999990049" ]] || { echo "FAIL: example enable said: $out" >&2; exit 1; }
out="$("${py[@]}" list)"
want=$'8949449999999990023  disabled  Test One\n8949449999999990049  enabled   Test Three'
[[ $out == "$want" ]] || { echo "FAIL: example list said:"; echo "$out"; exit 1; } >&2
# An error comes back by name.
if out="$("${py[@]}" download "LPA:1\$$SMDP\$NO-SUCH-ORDER" 2>&1)"; then echo "FAIL: bad order accepted" >&2; exit 1; fi
grep -q 'download failed: org.lpad.Lpad1.Error.ServerError' <<<"$out" || { echo "FAIL: example error: $out" >&2; exit 1; }
