#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 1: the whole lpad flow on this machine, without a SIM or an operator.
#   installs what is missing (scripts/install-deps.sh), builds lpad, lpactl, the test SM-DP+ and the test PKI,
#   starts a private D-Bus bus, the test SM-DP+ (HTTPS, test CI) with a few orders, and lpad with a virtual eUICC,
#   then drives everything with lpactl: chip info, download of a GSMA TS.48 test profile, profile list, enable,
#   notification list. Everything it starts is stopped on exit.
#   scripts/demo.sh [BUILD_DIR]      (default: build/)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$repo/build}"
bold=""; reset=""
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then bold=$'\e[1m'; reset=$'\e[0m'; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
show() { printf '%s$ %s%s\n' "$bold" "$*" "$reset"; "$@"; }

step "Dependencies (Debian packages, only what is missing)"
if [[ "${LPAD_DEMO_SKIP_DEPS:-}" != 1 ]]; then
  if [[ $EUID -eq 0 ]]; then "$repo/scripts/install-deps.sh"; else sudo "$repo/scripts/install-deps.sh"; fi
fi

step "Build ($build)"
cmake -S "$repo" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target lpad lpactl lpad-test-smdpp test-pki >/dev/null
pki="$build/pki"
lpad="$build/lpad/lpad"; lpactl="$build/lpactl/lpactl"; smdpp="$build/tests/smdpp/lpad-test-smdpp"

tmp="$(mktemp -d /tmp/lpad-demo.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

step "Private D-Bus bus"
dbus-daemon --session --nofork --nopidfile --print-address=3 --address="unix:path=$tmp/bus" 3>"$tmp/bus.address" 2>"$tmp/bus.log" &
pids+=($!)
for _ in $(seq 50); do [[ -s "$tmp/bus.address" ]] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS="$(head -1 "$tmp/bus.address")"
export LPACTL_BUS=session
echo "bus: $DBUS_SESSION_BUS_ADDRESS"

step "Test SM-DP+ (HTTPS on localhost, certificates from the test CI)"
iccid=8949449999999990023
cat >"$tmp/orders.json" <<JSON
[
  {"matchingId": "DEMO-TS48-1", "profile": "$repo/tests/data/upp/TS48v4_SAIP2.3_BERTLV.der", "iccid": "$iccid",
   "name": "TS.48 Test Profile", "provider": "GSMA Test", "class": "operational"},
  {"matchingId": "DEMO-TS48-CC", "profile": "$repo/tests/data/upp/TS48v5_SAIP2.3_NoBERTLV.der",
   "iccid": "8949449999999990031", "confirmationCode": "1234", "name": "TS.48 with confirmation code"}
]
JSON
"$smdpp" --pki "$pki" --address localhost:0 --port 0 --orders "$tmp/orders.json" --ready-file "$tmp/smdp.port" \
  >"$tmp/smdpp.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s "$tmp/smdp.port" ]] && break; sleep 0.1; done
[[ -s "$tmp/smdp.port" ]] || { cat "$tmp/smdpp.log"; echo "the test SM-DP+ did not start" >&2; exit 1; }
address="localhost:$(cat "$tmp/smdp.port")"
echo "SM-DP+: $address"

step "lpad with a virtual eUICC (state in $tmp/card.json)"
"$lpad" --session --card "virtual:$tmp/card.json?pki=$pki" --trust "$pki/trust/test-ci.pem" \
  --state-dir "$tmp/state" --log-level "${LPAD_DEMO_LOG_LEVEL:-warning}" 2>"$tmp/lpad.log" &
pids+=($!)
for _ in $(seq 100); do
  status="$("$lpactl" --json chip info 2>/dev/null | sed -n 's/.*"status": "\(.*\)".*/\1/p' || true)"
  [[ "$status" == ok ]] && break; sleep 0.1
done
[[ "$status" == ok ]] || { cat "$tmp/lpad.log"; echo "lpad did not come up" >&2; exit 1; }

step "The eUICC"
show "$lpactl" chip info
step "Download a profile (activation code LPA:1\$$address\$DEMO-TS48-1)"
show "$lpactl" download "LPA:1\$$address\$DEMO-TS48-1"
step "Installed profiles"
show "$lpactl" profile list
step "Enable it"
show "$lpactl" profile enable "$iccid"
show "$lpactl" profile list
step "Pending notifications (none: install and enable were delivered to the SM-DP+)"
show "$lpactl" notification list

step "Done. Stopping the bus, the SM-DP+ and lpad."
