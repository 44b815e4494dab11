# SPDX-License-Identifier: Apache-2.0
# 50 clients list profiles and read properties while a download runs: every one is answered, none fails, the
# download completes. The SM-DP+ holds getBoundProfilePackage for a while, so the clients really overlap it.
EUICC=/org/lpad/Lpad1/euicc/0
stage() {  # the Euicc's DownloadStage, read with dbus-send (not lpactl)
  dbus-send --bus="$BUS_ADDRESS" --print-reply=literal --dest=org.lpad.Lpad1 "$EUICC" \
    org.freedesktop.DBus.Properties.Get string:org.lpad.Lpad1.Euicc string:DownloadStage | awk '{print $NF}'
}
admin POST faults '{"fault": "delay=6000@getBoundProfilePackage"}' >/dev/null
"$LPACTL" -j download "LPA:1\$$SMDP\$MATCH-1" >"$tmp/download.json" 2>"$tmp/download.err" &
dl=$!
running() { [[ -n "$(stage)" ]]; }
wait_for 60 "the download to start" running

client() {  # client N: three reads; the exit status of each and what it saw go to $tmp/client.N.*
  local n=$1 s
  if "$LPACTL" -j profile list >"$tmp/client.$n.list" 2>&1; then s=0; else s=$?; fi
  echo "list $s" >"$tmp/client.$n.status"
  if "$LPACTL" -j chip info >"$tmp/client.$n.info" 2>&1; then s=0; else s=$?; fi
  echo "info $s" >>"$tmp/client.$n.status"
  if stage >"$tmp/client.$n.stage" 2>&1; then s=0; else s=$?; fi
  echo "stage $s" >>"$tmp/client.$n.status"
}
clients=()
for n in $(seq 50); do client "$n" & clients+=($!); done
for pid in "${clients[@]}"; do wait "$pid"; done
during=$(kill -0 "$dl" 2>/dev/null && echo yes || echo no)

set +e; wait "$dl"; dl_status=$?; set -e
[[ $dl_status == 0 ]] || { echo "FAIL: the download failed ($dl_status): $(cat "$tmp/download.err")"; exit 1; }
out="$(cat "$tmp/download.json")"
check "download completed" '.iccid == "8949449999999990023"'

failed=0 busy=0
for n in $(seq 50); do
  if grep -qv ' 0$' "$tmp/client.$n.status"; then
    echo "client $n failed: $(cat "$tmp/client.$n.status") $(cat "$tmp/client.$n.list" "$tmp/client.$n.info" "$tmp/client.$n.stage")" >&2
    failed=$((failed + 1))
    continue
  fi
  jq -e 'type == "array" and all(.iccid | test("^[0-9]{19,20}$"))' "$tmp/client.$n.list" >/dev/null || {
    echo "client $n: bad profile list: $(cat "$tmp/client.$n.list")" >&2; failed=$((failed + 1)); }
  jq -e '.status == "ok" and (.eid | test("^[0-9]{32}$"))' "$tmp/client.$n.info" >/dev/null || {
    echo "client $n: bad chip info: $(cat "$tmp/client.$n.info")" >&2; failed=$((failed + 1)); }
  [[ -s "$tmp/client.$n.stage" ]] && busy=$((busy + 1))
done
((failed == 0)) || { echo "FAIL: $failed of 50 clients failed"; exit 1; }
# The overlap really happened: clients saw a download stage, or the download outlived all of them.
((busy > 0)) || [[ $during == yes ]] || { echo "FAIL: no client overlapped the download"; exit 1; }
echo "50 clients answered; $busy saw the download running; download still running after all: $during"
expect 0 -j profile list
check "the new profile is listed once" 'map(.iccid) == ["8949449999999990023"]'
