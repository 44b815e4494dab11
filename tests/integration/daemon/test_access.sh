# SPDX-License-Identifier: Apache-2.0
# Access control on a system-like bus (FIXTURE_BUS=system: the project's policy file is included). Everyone may
# read; only root and the group lpad may change things: first the bus policy refuses nobody
# (org.freedesktop.DBus.Error.AccessDenied), then, on a second bus whose policy lets everyone through, lpad's own
# uid/gid check does (org.lpad.Lpad1.Error.PermissionDenied). Needs root (runuser/setpriv); the fixture creates
# the group lpad when it is missing.
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
LPAD_GID=$(getent group lpad | cut -d: -f3)
# Everything nobody runs must be reachable by it.
for f in "$LPACTL" "$tmp/bus"; do
  runuser -u nobody -- test -r "$f" || { echo "SKIP: nobody cannot reach $f"; exit 77; }
done

as_nobody() { runuser -u nobody -- env LPACTL_BUS="$LPACTL_BUS" "$LPACTL" "$@"; }
as_member() { setpriv --reuid=nobody --regid=nogroup --groups="$LPAD_GID" -- env LPACTL_BUS="$LPACTL_BUS" "$LPACTL" "$@"; }
as_primary() { runuser -u nobody -g lpad -- env LPACTL_BUS="$LPACTL_BUS" "$LPACTL" "$@"; }
# expect_as WHO STATUS ARGS...: like expect, as that user.
expect_as() {
  local who=$1 want=$2; shift 2
  set +e
  out="$("$who" "$@" 2>"$tmp/err")"
  local got=$?
  set -e
  [[ $got == "$want" ]] || { echo "FAIL: $who lpactl $* exited $got, expected $want: $out $(cat "$tmp/err")"; exit 1; }
}
denied_by() { check "denied by $1" ".error == \"$1\""; }

# Root (this script) installs a profile for the others to try.
expect 0 -j download "LPA:1\$$SMDP\$MATCH-1"
ICCID=8949449999999990023

# --- bus policy ---
expect_as as_nobody 0 -j chip info
check "nobody reads chip info" '.status == "ok"'
expect_as as_nobody 0 -j profile list
check "nobody lists profiles" "map(.iccid) == [\"$ICCID\"]"
expect_as as_nobody 0 -j notification list
for cmd in "download LPA:1\$$SMDP\$MATCH-3" "profile enable $ICCID" "profile delete $ICCID" \
           "profile nickname $ICCID x" "chip defaultsmdp $SMDP" "notification process"; do
  # shellcheck disable=SC2086
  expect_as as_nobody 4 -j $cmd
  denied_by org.freedesktop.DBus.Error.AccessDenied
done
expect_as as_nobody 4 profile enable $ICCID
grep -q "AccessDenied" "$tmp/err" || { echo "FAIL: human message: $(cat "$tmp/err")"; exit 1; }
expect 0 -j profile list
check "nothing changed by nobody" "map(.iccid) == [\"$ICCID\"] and .[0].state == \"disabled\""

# Group lpad as a supplementary group (setpriv) and as the primary group (runuser -g).
expect_as as_member 0 -j profile enable $ICCID
expect_as as_member 0 -j download "LPA:1\$$SMDP\$MATCH-3"
check "member downloads" '.iccid == "8949449999999990049"'
expect_as as_primary 0 -j profile delete 8949449999999990049
expect_as as_primary 0 -j notification process
expect 0 -j profile list
check "the member's changes" "map(.iccid) == [\"$ICCID\"] and .[0].state == \"enabled\""

# --- lpad's own check: a second system-like bus without the policy's deny rules, a second lpad on it ---
start_bus open system-open
OPEN_BUS="$bus_address"
export LPACTL_BUS="$OPEN_BUS"
"$LPAD" --bus-address "$OPEN_BUS" --card "virtual:$tmp/card2.json?pki=$PKI" --trust "$PKI/trust/test-ci.pem" \
  --state-dir "$tmp/state2" --log-level debug 2>>"$tmp/lpad2.log" &
pids+=($!)
up2() { [[ "$(LPACTL_BUS="$OPEN_BUS" "$LPACTL" -j chip info 2>/dev/null | jq -r .status 2>/dev/null)" == ok ]]; }
wait_for 60 "the second lpad" up2
expect_as as_nobody 0 -j chip info
for cmd in "download LPA:1\$$SMDP\$MATCH-4" "chip defaultsmdp $SMDP" "notification process"; do
  # shellcheck disable=SC2086
  expect_as as_nobody 4 -j $cmd
  denied_by org.lpad.Lpad1.Error.PermissionDenied
  check "the message says who may" '.message | test("group lpad")'
done
expect 0 -j download "LPA:1\$$SMDP\$MATCH-4"
expect_as as_nobody 4 -j profile enable 8949449999999990056
denied_by org.lpad.Lpad1.Error.PermissionDenied
expect_as as_nobody 4 -j profile delete 8949449999999990056
denied_by org.lpad.Lpad1.Error.PermissionDenied
expect_as as_member 0 -j profile enable 8949449999999990056
expect_as as_primary 0 -j profile disable 8949449999999990056
expect_as as_member 0 -j profile delete 8949449999999990056
expect_as as_nobody 0 -j profile list
check "the daemon check let the members through" 'length == 0'
