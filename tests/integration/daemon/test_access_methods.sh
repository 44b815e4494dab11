# SPDX-License-Identifier: Apache-2.0
# Issue #11 item 2: lpad's own access check covers every method, not only the bus policy. On a system-like bus
# WITHOUT the project's policy (FIXTURE_BUS=system-open: everyone may send to lpad), the introspection XML is walked
# and each method of each interface is called as nobody: each must be refused by lpad with
# org.lpad.Lpad1.Error.PermissionDenied, before it reaches the card or the network (Discover and Refresh were not).
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
command -v gdbus >/dev/null || { echo "SKIP: gdbus (libglib2.0-bin) missing"; exit 77; }
XML="$here/../../../lpad/dbus/org.lpad.Lpad1.xml"
runuser -u nobody -- test -r "$tmp/bus" || { echo "SKIP: nobody cannot reach the bus socket"; exit 77; }

# Methods nobody may call (none today): "Interface.Method" per line.
OPEN_METHODS=""

# The methods of the XML: "interface method in-signature" per line.
methods=$(awk '
  /<interface name=/ { match($0, /name="[^"]*"/); iface = substr($0, RSTART + 6, RLENGTH - 7) }
  /<method name=/    { match($0, /name="[^"]*"/); m = substr($0, RSTART + 6, RLENGTH - 7); sig = "" }
  /<arg / && m != "" && /direction="in"/ { match($0, /type="[^"]*"/); sig = sig substr($0, RSTART + 6, RLENGTH - 7) }
  /<\/method>/       { print iface, m, (sig == "" ? "-" : sig); m = "" }
' "$XML")
[[ $(wc -l <<<"$methods") -ge 14 ]] || { echo "FAIL: expected at least 14 methods in the XML, got: $methods"; exit 1; }

EUICC=/org/lpad/Lpad1/euicc/0
ICCID=8949449999999990023
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
# A preview download waiting for consent, held by a client that stays on the bus (lpactl reading its answer).
mkfifo "$tmp/answer"
"$LPACTL" -j download --preview <"$tmp/answer" >"$tmp/preview.out" 2>"$tmp/preview.err" &
PREVIEW_PID=$!
pids+=($PREVIEW_PID)
exec 7>"$tmp/answer"
echo "LPA:1\$$SMDP\$MATCH-3" >&7
DOWNLOAD=$EUICC/download/0
waiting() {
  [[ "$(dbus-send --bus="$BUS_ADDRESS" --print-reply=literal --dest=org.lpad.Lpad1 "$DOWNLOAD" \
        org.freedesktop.DBus.Properties.Get string:org.lpad.Lpad1.Download string:State 2>/dev/null)" == *waiting* ]]
}
wait_for 60 "the preview download waiting for consent" waiting

path_for() {
  case $1 in
    org.lpad.Lpad1.Euicc) echo "$EUICC" ;;
    org.lpad.Lpad1.Profile) echo "$EUICC/profile/$ICCID" ;;
    org.lpad.Lpad1.Download) echo "$DOWNLOAD" ;;
    *) echo "FAIL: no object for interface $1 (add it to path_for)" >&2; exit 1 ;;
  esac
}
# One well-typed argument per D-Bus type (values that would pass the daemon's own validation).
arg_for() {
  case $1 in
    s) echo '"x.example.com"' ;;
    b) echo 'false' ;;
    x) echo '@x -1' ;;
    u) echo '@u 0' ;;
    o) echo "'/'" ;;
    as) echo '@as ["operational"]' ;;
    'a{sv}') echo '@a{sv} {}' ;;
    *) echo "FAIL: no sample argument for type $1 (add it to arg_for)" >&2; exit 1 ;;
  esac
}
split_sig() {  # complete types of a signature, one per line (the types used by the API)
  local sig=$1
  while [[ -n $sig ]]; do
    if [[ $sig == 'a{sv}'* ]]; then echo 'a{sv}'; sig=${sig:5}
    elif [[ $sig == a? ]] || [[ $sig == a?* && ${sig:1:1} != '{' && ${sig:1:1} != '(' ]]; then echo "${sig:0:2}"; sig=${sig:2}
    else echo "${sig:0:1}"; sig=${sig:1}; fi
  done
}
checked=0
while read -r iface method sig; do
  if grep -qxF "$iface.$method" <<<"$OPEN_METHODS"; then continue; fi
  args=()
  if [[ $sig != - ]]; then
    while read -r t; do args+=("$(arg_for "$t")"); done < <(split_sig "$sig")
  fi
  set +e
  reply=$(runuser -u nobody -- gdbus call --address "$BUS_ADDRESS" --dest org.lpad.Lpad1 \
            --object-path "$(path_for "$iface")" --method "$iface.$method" --timeout 60 "${args[@]}" 2>&1)
  set -e
  grep -q "org.lpad.Lpad1.Error.PermissionDenied" <<<"$reply" ||
    { echo "FAIL: nobody called $iface.$method(${args[*]}) and was not refused by lpad: $reply"; exit 1; }
  checked=$((checked + 1))
done <<<"$methods"
echo "refused: $checked methods"

# Root still decides the preview (nothing above touched it), and the card was not changed by nobody.
echo n >&7
exec 7>&-
set +e; wait "$PREVIEW_PID"; st=$?; set -e
[[ $st == 1 ]] || { echo "FAIL: the rejected preview exited $st: $(cat "$tmp/preview.err")"; exit 1; }
expect 0 -j profile list
check "nobody changed nothing" "map(.iccid) == [\"$ICCID\"] and .[0].state == \"disabled\" and .[0].nickname == \"\""
